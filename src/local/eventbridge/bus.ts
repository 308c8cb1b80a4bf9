/**
 * The offline EventBridge: the buses, rules and archives of `src/domain/events/rules.ts` running in process.
 * Events are built as AWS builds them, archived, matched against the rules of their bus and delivered to
 * registered in-process handlers after the publisher has its answer, with retries and a record of what
 * could not be delivered.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FLEETWIRE_ARCHIVES,
  FLEETWIRE_BUSES,
  FLEETWIRE_RULES,
  type ArchiveDefinition,
  type EventBusDefinition,
  type EventPattern,
  type RuleDefinition,
  type RuleTarget,
  type RuleTargetDefinition,
} from '../../domain/events/rules.ts';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from '../edge/aws-json.ts';
import { compileEventPattern, type CompiledEventPattern } from './pattern.ts';
import { compileTargetInput, type CompiledTargetInput, type TargetInput } from './input-transformer.ts';

/** The bus every AWS account has without creating it. */
export const DEFAULT_EVENT_BUS = 'default';

/** An event as EventBridge delivers it to targets (a type, not an interface, so it fits `Record<string, unknown>`). */
export type EventBridgeEvent = {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO-8601 to the second, e.g. `2015-11-11T21:29:54Z`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
  /** Set by EventBridge on events a replay re-sends: the replay's name. */
  readonly 'replay-name'?: string;
};

/** One event to publish, shaped like the `PutEventsRequestEntry` of the API. */
export interface PublishEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** A JSON object, as text. */
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  /** The event's time; now when absent. Numbers are epoch seconds, as the JSON protocol sends them. */
  readonly Time?: Date | string | number;
  /** A bus name or ARN; `default` when absent. */
  readonly EventBusName?: string;
}

/** The outcome of one entry, shaped like the `PutEventsResultEntry` of the API. */
export interface PublishResult {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** What a target handler learns about the delivery besides its input. */
export interface TargetDeliveryMeta {
  readonly ruleName: string;
  readonly targetId: string;
  readonly eventBus: string;
  readonly event: EventBridgeEvent;
  /** 1 for the first try. */
  readonly attempt: number;
}

/** An in-process stand-in for a rule target (a function, a state machine, a GraphQL mutation). */
export type TargetHandler = (input: unknown, meta: TargetDeliveryMeta) => Promise<void> | void;

/** A listener of every event published on a bus, e.g. the tail stream. */
export type EventListener = (event: EventBridgeEvent, eventBus: string) => void;

/** An event a target never received, with why. */
export interface UndeliveredEvent {
  readonly eventBus: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly target: RuleTarget;
  readonly event: EventBridgeEvent;
  /** The input the target would have received, when it could be built. */
  readonly input?: TargetInput;
  readonly reason: string;
  /** Handler invocations tried; 0 when the input itself could not be built. */
  readonly attempts: number;
  /** ISO-8601. */
  readonly failedAt: string;
}

/** An event as kept by an archive. */
export interface ArchivedEvent {
  /** When the event was archived (its ingestion), ISO-8601 with milliseconds. */
  readonly archivedAt: string;
  readonly eventBus: string;
  readonly event: EventBridgeEvent;
}

/** What {@link LocalEventBridge.archivedEvents} selects. */
export interface ArchiveQuery {
  readonly archive: string;
  /** Inclusive lower bound on `archivedAt`. */
  readonly from?: Date | string;
  /** Exclusive upper bound on `archivedAt`. */
  readonly to?: Date | string;
  /** Only events matching this pattern (JSON text or object). */
  readonly pattern?: string | EventPattern;
}

/** What {@link LocalEventBridge.startReplay} replays, shaped after `StartReplay`. */
export interface ReplayRequest {
  /** Unique among the replays: `[.\-_A-Za-z0-9]{1,64}`. */
  readonly name: string;
  readonly description?: string;
  /** The archive's name. */
  readonly archive: string;
  /** Inclusive lower bound of the events' archive time. */
  readonly from: Date;
  /** Exclusive upper bound of the events' archive time. */
  readonly to: Date;
  /** The bus (name or ARN) to replay to: the archive's own bus, as AWS requires. */
  readonly destination: string;
  /** Only these rules (names or ARNs) of the destination bus receive the replayed events; all when absent. */
  readonly filterRules?: readonly string[];
  /**
   * Only events matching this pattern are replayed: a local extension (AWS's `StartReplay` has no pattern;
   * there, `filterRules` is the way to narrow a replay).
   */
  readonly pattern?: string | EventPattern;
}

/** The states of a replay, as AWS names them. */
export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** A replay as the API describes it. */
export interface ReplayInfo {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly archive: string;
  readonly eventSourceArn: string;
  readonly destinationArn: string;
  readonly filterArns?: readonly string[];
  readonly pattern?: EventPattern;
  readonly state: ReplayState;
  readonly stateReason?: string;
  readonly eventStartTime: Date;
  readonly eventEndTime: Date;
  /** The archive time of the last event replayed so far. */
  readonly eventLastReplayedTime?: Date;
  readonly replayStartTime: Date;
  readonly replayEndTime?: Date;
  /** How many events were replayed so far. */
  readonly replayedEvents: number;
}

/** A bus as the API describes it. */
export interface EventBusInfo {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly createdAt: Date;
}

/** A rule as the API describes it. */
export interface RuleInfo {
  readonly name: string;
  readonly arn: string;
  readonly eventBus: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly targets: readonly RuleTargetDefinition[];
}

/** An archive as the API describes it. */
export interface ArchiveInfo {
  readonly name: string;
  readonly arn: string;
  readonly eventBus: string;
  readonly eventSourceArn: string;
  readonly description: string;
  readonly pattern?: EventPattern;
  readonly retentionDays: number;
  readonly eventCount: number;
  readonly sizeBytes: number;
  readonly createdAt: Date;
}

/** How failed deliveries are retried. */
export interface DeliveryOptions {
  /** Handler invocations per event and target, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the second try; doubles for each further one. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of the delay between tries. Default 10 s. */
  readonly maxDelayMs?: number;
  /** A handler still running after this long counts as failed. Default 60 s. */
  readonly attemptTimeoutMs?: number;
}

/** How to build a {@link LocalEventBridge}. */
export interface LocalEventBridgeOptions {
  /** Custom buses; the project's catalog when absent. `default` always exists. */
  readonly buses?: readonly EventBusDefinition[];
  /** The project's catalog when absent. */
  readonly rules?: readonly RuleDefinition[];
  /** The project's catalog when absent. */
  readonly archives?: readonly ArchiveDefinition[];
  /** Archives are kept in `<dataDir>/eventbridge/archive-<name>.jsonl`; only in memory when absent. */
  readonly dataDir?: string;
  /** The region of the ARNs and of events published without one. Default `us-east-1`. */
  readonly region?: string;
  readonly delivery?: DeliveryOptions;
  /**
   * What to do with an entry for a bus that does not exist. AWS accepts it, answers an `EventId` and
   * drops the event (`accept`, the default, with a warning here); `reject` answers a per-entry
   * `ResourceNotFoundException` instead, to catch typos early.
   */
  readonly unknownEventBus?: 'accept' | 'reject';
  /** Where warnings go. Default `console`. */
  readonly logger?: Pick<Console, 'warn'>;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /** The most undelivered events remembered; older ones are forgotten first. Default 1000. */
  readonly maxUndelivered?: number;
}

/** Base of every error of the local event bus. */
export class EventBridgeError extends Error {
  override readonly name: string = 'EventBridgeError';
}

/** A bus, rule, target or archive definition that AWS (and so the CDK deployment) would refuse. */
export class InvalidEventBridgeDefinitionError extends EventBridgeError {
  override readonly name: string = 'InvalidEventBridgeDefinitionError';
}

/** A replay of that name exists already. */
export class ReplayAlreadyExistsError extends EventBridgeError {
  override readonly name: string = 'ReplayAlreadyExistsError';
}

/** No replay of that name. */
export class UnknownReplayError extends EventBridgeError {
  override readonly name: string = 'UnknownReplayError';
}

/** A replay request AWS would refuse (bad name, time range or destination). */
export class InvalidReplayError extends EventBridgeError {
  override readonly name: string = 'InvalidReplayError';
}

/** A bus that is not defined. */
export class UnknownEventBusError extends EventBridgeError {
  override readonly name: string = 'UnknownEventBusError';
}

/** A rule that is not defined on its bus. */
export class UnknownRuleError extends EventBridgeError {
  override readonly name: string = 'UnknownRuleError';
}

/** An archive that is not defined. */
export class UnknownArchiveError extends EventBridgeError {
  override readonly name: string = 'UnknownArchiveError';
}

/** The bus was used after {@link LocalEventBridge.close}. */
export class EventBridgeClosedError extends EventBridgeError {
  override readonly name: string = 'EventBridgeClosedError';
}

/** No handler is registered for a rule's target (yet): the delivery is retried, then recorded. */
export class TargetNotRegisteredError extends EventBridgeError {
  override readonly name: string = 'TargetNotRegisteredError';
}

/** A handler did not settle within the attempt timeout. */
export class TargetTimeoutError extends EventBridgeError {
  override readonly name: string = 'TargetTimeoutError';
}

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const ARCHIVE_NAME = /^[.\-_A-Za-z0-9]{1,48}$/;
const BUS_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:(\d{12}):event-bus\/(.+)$/;
/** AWS's limit of targets per rule. */
const MAX_TARGETS_PER_RULE = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

interface BusState {
  readonly info: EventBusInfo;
  readonly rules: Map<string, RuleState>;
  readonly archives: ArchiveState[];
}

interface RuleState {
  readonly info: RuleInfo;
  readonly pattern: CompiledEventPattern;
  readonly targets: readonly {
    readonly definition: RuleTargetDefinition;
    readonly input: CompiledTargetInput;
  }[];
}

interface ArchiveState {
  readonly definition: ArchiveDefinition;
  readonly arn: string;
  readonly pattern?: CompiledEventPattern;
  readonly file?: string;
  readonly createdAt: Date;
  records: ArchivedEvent[];
  /** The size of each record's event, in the order of `records`, so pruning need not serialize again. */
  sizes: number[];
  sizeBytes: number;
}

interface DeliveryJob {
  readonly eventBus: string;
  readonly rule: RuleState;
  readonly target: RuleTargetDefinition;
  readonly event: EventBridgeEvent;
  readonly input: TargetInput;
}

/** The key of a target in the registry, e.g. `function:ingest-alerts`. */
export function targetKey(target: RuleTarget): string {
  return target.kind === 'graphqlMutation'
    ? `graphqlMutation:${target.field}`
    : `${target.kind}:${target.name}`;
}

/** `2015-11-11T21:29:54Z`: EventBridge's event time has no fraction of a second. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The local EventBridge runtime. Build it from the rules-as-code definitions, register a handler per
 * target, publish entries; await {@link idle} in tests to see deliveries done.
 */
export class LocalEventBridge {
  /** The region of every ARN this bus hands out. */
  readonly region: string;
  private readonly buses = new Map<string, BusState>();
  private readonly archives = new Map<string, ArchiveState>();
  private readonly handlers = new Map<string, TargetHandler>();
  private readonly listeners = new Set<{
    listener: EventListener;
    pattern?: CompiledEventPattern;
    eventBus?: string;
  }>();
  private readonly failures: UndeliveredEvent[] = [];
  private readonly replayStates = new Map<string, ReplayInfo>();
  private readonly warnedUnknownBuses = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private idleWaiters: (() => void)[] = [];
  private pending = 0;
  private closed = false;
  private readonly logger: Pick<Console, 'warn'>;
  private readonly now: () => Date;
  private readonly delivery: Required<DeliveryOptions>;

  constructor(private readonly options: LocalEventBridgeOptions = {}) {
    this.region = options.region ?? DEFAULT_REGION;
    this.logger = options.logger ?? console;
    this.now = options.now ?? (() => new Date());
    this.delivery = {
      maxAttempts: Math.max(1, options.delivery?.maxAttempts ?? 3),
      baseDelayMs: options.delivery?.baseDelayMs ?? 200,
      maxDelayMs: options.delivery?.maxDelayMs ?? 10_000,
      attemptTimeoutMs: options.delivery?.attemptTimeoutMs ?? 60_000,
    };
    const createdAt = this.now();
    this.addBus({ name: DEFAULT_EVENT_BUS, arn: this.busArn(DEFAULT_EVENT_BUS), createdAt });
    for (const bus of options.buses ?? FLEETWIRE_BUSES) {
      if (!BUS_NAME.test(bus.name))
        invalid(`event bus name ${JSON.stringify(bus.name)} must match [/.\\-_A-Za-z0-9]{1,256}`);
      if (this.buses.has(bus.name))
        invalid(`event bus ${bus.name} is defined twice (default exists without being defined)`);
      this.addBus({ name: bus.name, arn: this.busArn(bus.name), description: bus.description, createdAt });
    }
    for (const rule of options.rules ?? FLEETWIRE_RULES) this.addRule(rule);
    for (const archive of options.archives ?? FLEETWIRE_ARCHIVES) this.addArchive(archive, createdAt);
  }

  /**
   * Registers the in-process handler of a rule target; replaces an earlier one for the same target.
   * Returns a function that unregisters it.
   */
  registerTarget(target: RuleTarget, handler: TargetHandler): () => void {
    const key = targetKey(target);
    this.handlers.set(key, handler);
    return () => {
      if (this.handlers.get(key) === handler) this.handlers.delete(key);
    };
  }

  /**
   * Publishes entries as `PutEvents` does: each is validated on its own, built into an event, archived and
   * matched; deliveries start after this returns. Answers one result per entry, in order.
   */
  publish(entries: readonly PublishEntry[], options: { readonly region?: string } = {}): PublishResult[] {
    if (this.closed) throw new EventBridgeClosedError('the local EventBridge is closed');
    return entries.map((entry) => this.publishOne(entry, options.region ?? this.region));
  }

  /**
   * Calls `listener` with every event published from now on (on `options.eventBus` only, when given) that
   * matches `pattern`. Throws `InvalidEventPatternError` for an invalid pattern. Returns the unsubscribe.
   */
  subscribe(
    listener: EventListener,
    pattern?: string | EventPattern,
    options: { readonly eventBus?: string } = {},
  ): () => void {
    const entry = {
      listener,
      ...(pattern === undefined ? {} : { pattern: compileEventPattern(pattern) }),
      ...(options.eventBus === undefined ? {} : { eventBus: options.eventBus }),
    };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** How many {@link subscribe} listeners are attached (open tail streams, for instance). */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** The events an archive holds, oldest first, within its retention. */
  archivedEvents(query: ArchiveQuery): ArchivedEvent[] {
    const archive = this.archives.get(query.archive);
    if (!archive) throw new UnknownArchiveError(`Archive ${query.archive} does not exist.`);
    this.prune(archive);
    const from = query.from === undefined ? undefined : new Date(query.from).getTime();
    const to = query.to === undefined ? undefined : new Date(query.to).getTime();
    const pattern = query.pattern === undefined ? undefined : compileEventPattern(query.pattern);
    return archive.records.filter((record) => {
      const at = Date.parse(record.archivedAt);
      return (
        (from === undefined || at >= from) &&
        (to === undefined || at < to) &&
        (pattern?.matches(record.event) ?? true)
      );
    });
  }

  /**
   * Starts a replay as `StartReplay` does: answers it `STARTING`, then re-sends the archive's events of the
   * time range (matching `pattern`, when given), in order, to the rules of the destination bus (only
   * `filterRules`, when given), never to archives, each with `replay-name` set. Throws
   * {@link InvalidReplayError}, {@link ReplayAlreadyExistsError}, {@link UnknownArchiveError},
   * {@link UnknownRuleError} or `InvalidEventPatternError`.
   */
  startReplay(request: ReplayRequest): ReplayInfo {
    if (this.closed) throw new EventBridgeClosedError('the local EventBridge is closed');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(request.name)) {
      throw new InvalidReplayError('ReplayName must match [.\\-_A-Za-z0-9]{1,64}.');
    }
    if (this.replayStates.has(request.name)) {
      throw new ReplayAlreadyExistsError(`Replay ${request.name} already exists.`);
    }
    const archive = this.archives.get(request.archive);
    if (!archive) throw new UnknownArchiveError(`Archive ${request.archive} does not exist.`);
    if (!(request.from.getTime() < request.to.getTime())) {
      throw new InvalidReplayError(
        'Parameter EventStartTime is not valid. Reason: it must be before EventEndTime.',
      );
    }
    const bus = this.requireBus(request.destination);
    if (bus.info.name !== archive.definition.eventBus) {
      throw new InvalidReplayError(
        `Parameter Destination.Arn is not valid. Reason: a replay of archive ${archive.definition.name} goes to ` +
          `its own bus, ${archive.definition.eventBus}.`,
      );
    }
    const rules = (request.filterRules ?? [...bus.rules.keys()]).map((nameOrArn) => {
      const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
      const rule = bus.rules.get(name);
      if (!rule) throw new UnknownRuleError(`Rule ${name} does not exist on EventBus ${bus.info.name}.`);
      return rule;
    });
    const events = this.archivedEvents({
      archive: request.archive,
      from: request.from,
      to: request.to,
      ...(request.pattern === undefined ? {} : { pattern: request.pattern }),
    });
    const pattern =
      request.pattern === undefined
        ? undefined
        : typeof request.pattern === 'string'
          ? (JSON.parse(request.pattern) as EventPattern)
          : request.pattern;
    let info: ReplayInfo = {
      name: request.name,
      arn: `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:replay/${request.name}`,
      ...(request.description === undefined ? {} : { description: request.description }),
      archive: archive.definition.name,
      eventSourceArn: archive.arn,
      destinationArn: bus.info.arn,
      ...(request.filterRules === undefined ? {} : { filterArns: rules.map((rule) => rule.info.arn) }),
      ...(pattern === undefined ? {} : { pattern }),
      state: 'STARTING',
      eventStartTime: request.from,
      eventEndTime: request.to,
      replayStartTime: this.now(),
      replayedEvents: 0,
    };
    this.replayStates.set(request.name, info);
    const update = (change: Partial<ReplayInfo>): void => {
      info = { ...info, ...change };
      this.replayStates.set(request.name, info);
    };
    // A replay runs after StartReplay has answered, in slices, so a large archive does not block the edge.
    const SLICE = 100;
    const step = (offset: number): void => {
      if (this.closed) return;
      for (const record of events.slice(offset, offset + SLICE)) {
        const event: EventBridgeEvent = { ...record.event, 'replay-name': request.name };
        for (const subscription of this.listeners) {
          if (subscription.eventBus !== undefined && subscription.eventBus !== bus.info.name) continue;
          if (subscription.pattern && !subscription.pattern.matches(event)) continue;
          try {
            subscription.listener(event, bus.info.name);
          } catch (error) {
            this.logger.warn(`eventbridge: an event listener failed: ${describe(error)}`);
          }
        }
        for (const rule of rules) {
          if (!rule.pattern.matches(event)) continue;
          for (const target of rule.targets) this.enqueue(bus.info.name, rule, target, event, this.now());
        }
        update({
          state: 'RUNNING',
          replayedEvents: info.replayedEvents + 1,
          eventLastReplayedTime: new Date(record.archivedAt),
        });
      }
      if (offset + SLICE < events.length) {
        const immediate = setImmediate(() => {
          this.immediates.delete(immediate);
          step(offset + SLICE);
        });
        this.immediates.add(immediate);
        return;
      }
      update({ state: 'COMPLETED', replayEndTime: this.now() });
    };
    const immediate = setImmediate(() => {
      this.immediates.delete(immediate);
      update({ state: 'RUNNING' });
      step(0);
    });
    this.immediates.add(immediate);
    return info;
  }

  /** One replay. */
  replay(name: string): ReplayInfo {
    const info = this.replayStates.get(name);
    if (!info) throw new UnknownReplayError(`Replay ${name} does not exist.`);
    return info;
  }

  /** Every replay, in the order they were started. */
  replays(): ReplayInfo[] {
    return [...this.replayStates.values()];
  }

  /** Events that never reached their target, oldest first. */
  undelivered(): readonly UndeliveredEvent[] {
    return [...this.failures];
  }

  /** Resolves once no delivery is scheduled, waiting or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The bus of a name or ARN; `default` for undefined. */
  eventBus(nameOrArn: string = DEFAULT_EVENT_BUS): EventBusInfo | undefined {
    const name = this.busName(nameOrArn);
    return name === undefined ? undefined : this.buses.get(name)?.info;
  }

  /** Every bus, `default` first. */
  eventBuses(): EventBusInfo[] {
    return [...this.buses.values()].map((bus) => bus.info);
  }

  /** The rules of a bus (name or ARN), in definition order. */
  rules(eventBus: string = DEFAULT_EVENT_BUS): RuleInfo[] {
    return [...this.requireBus(eventBus).rules.values()].map((rule) => rule.info);
  }

  /** One rule of a bus (name or ARN). */
  rule(name: string, eventBus: string = DEFAULT_EVENT_BUS): RuleInfo {
    const bus = this.requireBus(eventBus);
    const rule = bus.rules.get(name);
    if (!rule) throw new UnknownRuleError(`Rule ${name} does not exist on EventBus ${bus.info.name}.`);
    return rule.info;
  }

  /** Every archive, in definition order. */
  archiveInfos(): ArchiveInfo[] {
    return [...this.archives.values()].map((archive) => this.archiveInfo(archive));
  }

  /** One archive. */
  archive(name: string): ArchiveInfo {
    const archive = this.archives.get(name);
    if (!archive) throw new UnknownArchiveError(`Archive ${name} does not exist.`);
    return this.archiveInfo(archive);
  }

  /** Stops deliveries and retries still waiting; what was not delivered is dropped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const immediate of this.immediates) clearImmediate(immediate);
    this.timers.clear();
    this.immediates.clear();
    this.listeners.clear();
    this.pending = 0;
    this.settleIdle();
  }

  private publishOne(entry: PublishEntry, region: string): PublishResult {
    const problem = validateEntry(entry);
    if (problem) return problem;
    const time = entryTime(entry.Time, this.now());
    if (time === undefined) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Time is not valid. Reason: Time is not a timestamp.',
      };
    }
    const id = randomUUID();
    const busNameOrArn = entry.EventBusName ?? DEFAULT_EVENT_BUS;
    const busName = this.busName(busNameOrArn);
    const bus = busName === undefined ? undefined : this.buses.get(busName);
    if (!bus) {
      if (this.options.unknownEventBus === 'reject') {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${busName ?? busNameOrArn} does not exist.`,
        };
      }
      if (!this.warnedUnknownBuses.has(busNameOrArn)) {
        this.warnedUnknownBuses.add(busNameOrArn);
        this.logger.warn(
          `eventbridge: event bus ${busNameOrArn} does not exist; its events are accepted and dropped, as AWS does`,
        );
      }
      return { EventId: id };
    }
    const ingestedAt = this.now();
    const event: EventBridgeEvent = {
      version: '0',
      id,
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: LOCAL_ACCOUNT_ID,
      time,
      region,
      resources: [...(entry.Resources ?? [])],
      detail: JSON.parse(entry.Detail as string) as Record<string, unknown>,
    };
    for (const archive of bus.archives) {
      if (!archive.pattern || archive.pattern.matches(event))
        this.archiveEvent(archive, bus.info.name, event, ingestedAt);
    }
    for (const subscription of this.listeners) {
      if (subscription.eventBus !== undefined && subscription.eventBus !== bus.info.name) continue;
      if (subscription.pattern && !subscription.pattern.matches(event)) continue;
      try {
        subscription.listener(event, bus.info.name);
      } catch (error) {
        this.logger.warn(`eventbridge: an event listener failed: ${describe(error)}`);
      }
    }
    for (const rule of bus.rules.values()) {
      if (!rule.pattern.matches(event)) continue;
      for (const target of rule.targets) this.enqueue(bus.info.name, rule, target, event, ingestedAt);
    }
    return { EventId: id };
  }

  private enqueue(
    eventBus: string,
    rule: RuleState,
    target: RuleState['targets'][number],
    event: EventBridgeEvent,
    ingestedAt: Date,
  ): void {
    let input: TargetInput;
    try {
      input = target.input.apply(event, {
        ruleName: rule.info.name,
        ruleArn: rule.info.arn,
        ingestionTime: eventTime(ingestedAt),
      });
    } catch (error) {
      this.recordUndelivered(
        { eventBus, rule, target: target.definition, event },
        undefined,
        describe(error),
        0,
      );
      return;
    }
    this.pending++;
    const job: DeliveryJob = { eventBus, rule, target: target.definition, event, input };
    // After the publisher has its answer, as in AWS, where PutEvents never waits for targets.
    const immediate = setImmediate(() => {
      this.immediates.delete(immediate);
      void this.attempt(job, 1);
    });
    this.immediates.add(immediate);
  }

  private async attempt(job: DeliveryJob, attempt: number): Promise<void> {
    if (this.closed) return;
    const handler = this.handlers.get(targetKey(job.target.target));
    let failure: string;
    try {
      if (!handler)
        throw new TargetNotRegisteredError(`no handler is registered for ${targetKey(job.target.target)}`);
      const meta: TargetDeliveryMeta = {
        ruleName: job.rule.info.name,
        targetId: job.target.id,
        eventBus: job.eventBus,
        event: job.event,
        attempt,
      };
      await this.withTimeout(Promise.resolve(handler(structuredClone(job.input.value), meta)));
      this.finish();
      return;
    } catch (error) {
      failure = describe(error);
    }
    if (this.closed) return;
    if (attempt >= this.delivery.maxAttempts) {
      this.recordUndelivered(job, job.input, failure, attempt);
      this.finish();
      return;
    }
    const delay = Math.min(this.delivery.baseDelayMs * 2 ** (attempt - 1), this.delivery.maxDelayMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(job, attempt + 1);
    }, delay);
    this.timers.add(timer);
  }

  private withTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TargetTimeoutError(`the handler did not finish within ${this.delivery.attemptTimeoutMs} ms`),
          ),
        this.delivery.attemptTimeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private recordUndelivered(
    job: Pick<DeliveryJob, 'eventBus' | 'rule' | 'target' | 'event'>,
    input: TargetInput | undefined,
    reason: string,
    attempts: number,
  ): void {
    const record: UndeliveredEvent = {
      eventBus: job.eventBus,
      ruleName: job.rule.info.name,
      targetId: job.target.id,
      target: job.target.target,
      event: job.event,
      ...(input === undefined ? {} : { input }),
      reason,
      attempts,
      failedAt: this.now().toISOString(),
    };
    this.failures.push(record);
    const max = this.options.maxUndelivered ?? 1000;
    if (this.failures.length > max) this.failures.splice(0, this.failures.length - max);
    this.logger.warn(
      `eventbridge: event ${job.event.id} (${job.event.source} / ${job.event['detail-type']}) of rule ${job.rule.info.name} ` +
        `was not delivered to target ${job.target.id} (${targetKey(job.target.target)})` +
        (attempts > 0 ? ` after ${attempts} attempt(s)` : '') +
        `: ${reason}`,
    );
  }

  private finish(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.settleIdle();
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private addBus(info: EventBusInfo): void {
    this.buses.set(info.name, { info, rules: new Map(), archives: [] });
  }

  private addRule(definition: RuleDefinition): void {
    const where = `rule ${definition.name} of bus ${definition.eventBus}`;
    if (!RULE_NAME.test(definition.name)) invalid(`${where}: the name must match [.\\-_A-Za-z0-9]{1,64}`);
    const bus = this.buses.get(definition.eventBus);
    if (!bus) invalid(`${where}: event bus ${definition.eventBus} is not defined`);
    if (bus.rules.has(definition.name)) invalid(`${where}: defined twice`);
    if (definition.targets.length > MAX_TARGETS_PER_RULE) {
      invalid(
        `${where}: ${definition.targets.length} targets, AWS allows at most ${MAX_TARGETS_PER_RULE} per rule`,
      );
    }
    const ids = new Set<string>();
    const targets = definition.targets.map((target) => {
      if (!TARGET_ID.test(target.id))
        invalid(`${where}: target id ${JSON.stringify(target.id)} must match [.\\-_A-Za-z0-9]{1,64}`);
      if (ids.has(target.id)) invalid(`${where}: target id ${target.id} is used twice`);
      ids.add(target.id);
      try {
        return { definition: target, input: compileTargetInput(target) };
      } catch (error) {
        return invalid(`${where}: ${describe(error)}`);
      }
    });
    const arn =
      definition.eventBus === DEFAULT_EVENT_BUS
        ? `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:rule/${definition.name}`
        : `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:rule/${definition.eventBus}/${definition.name}`;
    bus.rules.set(definition.name, {
      info: {
        name: definition.name,
        arn,
        eventBus: definition.eventBus,
        description: definition.description,
        pattern: definition.pattern,
        targets: definition.targets,
      },
      pattern: compilePatternFor(where, definition.pattern),
      targets,
    });
  }

  private addArchive(definition: ArchiveDefinition, createdAt: Date): void {
    const where = `archive ${definition.name}`;
    if (!ARCHIVE_NAME.test(definition.name)) invalid(`${where}: the name must match [.\\-_A-Za-z0-9]{1,48}`);
    if (this.archives.has(definition.name)) invalid(`${where}: defined twice`);
    const bus = this.buses.get(definition.eventBus);
    if (!bus) invalid(`${where}: event bus ${definition.eventBus} is not defined`);
    if (!Number.isInteger(definition.retentionDays) || definition.retentionDays < 0) {
      invalid(`${where}: retentionDays must be a whole number of days, 0 for ever`);
    }
    const file = this.options.dataDir
      ? join(this.options.dataDir, 'eventbridge', `archive-${definition.name}.jsonl`)
      : undefined;
    const archive: ArchiveState = {
      definition,
      arn: `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:archive/${definition.name}`,
      ...(definition.pattern === undefined ? {} : { pattern: compilePatternFor(where, definition.pattern) }),
      ...(file === undefined ? {} : { file }),
      createdAt,
      records: [],
      sizes: [],
      sizeBytes: 0,
    };
    if (file) this.load(archive, file);
    this.archives.set(definition.name, archive);
    bus.archives.push(archive);
  }

  /** Reads an archive's file back, dropping what its retention no longer keeps (and rewriting the file if so). */
  private load(archive: ArchiveState, file: string): void {
    mkdirSync(join(file, '..'), { recursive: true });
    if (!existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n');
    let dropped = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const record = parseArchivedLine(line);
      if (!record) {
        dropped++;
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(record.event));
      archive.records.push(record);
      archive.sizes.push(bytes);
      archive.sizeBytes += bytes;
    }
    if (dropped > 0) this.logger.warn(`eventbridge: ${dropped} unreadable line(s) skipped in ${file}`);
    dropped += this.prune(archive);
    if (dropped > 0) {
      writeFileSync(file, archive.records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    }
  }

  private archiveEvent(archive: ArchiveState, eventBus: string, event: EventBridgeEvent, at: Date): void {
    const record: ArchivedEvent = { archivedAt: at.toISOString(), eventBus, event };
    this.prune(archive);
    // Telemetry events are up to 64 KB: serialize each once, for its size and for its line in the file (the
    // line is what JSON.stringify(record) gives, keys in the same order).
    const eventJson = JSON.stringify(event);
    const bytes = Buffer.byteLength(eventJson);
    archive.records.push(record);
    archive.sizes.push(bytes);
    archive.sizeBytes += bytes;
    if (!archive.file) return;
    try {
      // Synchronous on purpose: once PutEvents has answered, the event is on disk, as AWS's archive is durable.
      const line = `{"archivedAt":${JSON.stringify(record.archivedAt)},"eventBus":${JSON.stringify(eventBus)},"event":${eventJson}}`;
      appendFileSync(archive.file, `${line}\n`);
    } catch (error) {
      this.logger.warn(`eventbridge: could not append to ${archive.file}: ${describe(error)}`);
    }
  }

  /** Forgets the events older than the archive's retention; returns how many. */
  private prune(archive: ArchiveState): number {
    if (archive.definition.retentionDays === 0) return 0;
    const oldest = this.now().getTime() - archive.definition.retentionDays * DAY_MS;
    let expired = 0;
    while (
      expired < archive.records.length &&
      Date.parse(archive.records[expired]?.archivedAt ?? '') < oldest
    )
      expired++;
    if (expired === 0) return 0;
    archive.records.splice(0, expired);
    for (const bytes of archive.sizes.splice(0, expired)) archive.sizeBytes -= bytes;
    return expired;
  }

  private archiveInfo(archive: ArchiveState): ArchiveInfo {
    this.prune(archive);
    const bus = this.buses.get(archive.definition.eventBus);
    return {
      name: archive.definition.name,
      arn: archive.arn,
      eventBus: archive.definition.eventBus,
      eventSourceArn: bus?.info.arn ?? this.busArn(archive.definition.eventBus),
      description: archive.definition.description,
      ...(archive.definition.pattern === undefined ? {} : { pattern: archive.definition.pattern }),
      retentionDays: archive.definition.retentionDays,
      eventCount: archive.records.length,
      sizeBytes: archive.sizeBytes,
      createdAt: archive.createdAt,
    };
  }

  private requireBus(nameOrArn: string): BusState {
    const name = this.busName(nameOrArn);
    const bus = name === undefined ? undefined : this.buses.get(name);
    if (!bus) throw new UnknownEventBusError(`Event bus ${name ?? nameOrArn} does not exist.`);
    return bus;
  }

  /** The bus name of a name or ARN; undefined for an ARN of another account. */
  private busName(nameOrArn: string): string | undefined {
    if (!nameOrArn.startsWith('arn:')) return nameOrArn;
    const match = BUS_ARN.exec(nameOrArn);
    if (!match || match[1] !== LOCAL_ACCOUNT_ID) return undefined;
    return match[2];
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`;
  }
}

/** AWS's per-entry checks of `PutEvents`, with its codes and messages. */
function validateEntry(entry: PublishEntry): PublishResult | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    const value = entry[field];
    if (typeof value !== 'string' || value.length === 0) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

function entryTime(time: PublishEntry['Time'], now: Date): string | undefined {
  if (time === undefined) return eventTime(now);
  const date =
    time instanceof Date
      ? time
      : typeof time === 'number'
        ? new Date(time * 1000)
        : /^\d+(\.\d+)?$/.test(time)
          ? new Date(Number(time) * 1000)
          : new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : eventTime(date);
}

function parseArchivedLine(line: string): ArchivedEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<ArchivedEvent>;
    if (typeof value.archivedAt !== 'string' || typeof value.eventBus !== 'string') return undefined;
    if (typeof value.event !== 'object' || value.event === null || Number.isNaN(Date.parse(value.archivedAt)))
      return undefined;
    return { archivedAt: value.archivedAt, eventBus: value.eventBus, event: value.event };
  } catch {
    return undefined;
  }
}

function compilePatternFor(where: string, pattern: EventPattern): CompiledEventPattern {
  try {
    return compileEventPattern(pattern);
  } catch (error) {
    return invalid(`${where}: ${describe(error)}`);
  }
}

function invalid(message: string): never {
  throw new InvalidEventBridgeDefinitionError(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
