/**
 * EventBridge on the local edge: the `AWSEvents` JSON protocol over a {@link LocalEventBridge}, so the real
 * `EventBridgeClient` publishes, tests patterns and reads the rules-as-code; plus a streaming tail of
 * events for humans and tests (`GET /_edge/events/tail`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { putEventsEntrySize } from '../../domain/events/packing.ts';
import { z } from 'zod';
import type { RuleTargetDefinition } from '../../domain/events/rules.ts';
import { DEFAULT_EVENT_BUS, type LocalEventBridge, type PublishEntry } from '../eventbridge/bus.ts';
import {
  EventBridgeError,
  InvalidReplayError,
  ReplayAlreadyExistsError,
  UnknownArchiveError,
  UnknownEventBusError,
  UnknownReplayError,
  UnknownRuleError,
  type ReplayInfo,
} from '../eventbridge/bus.ts';
import { compileEventPattern, InvalidEventPatternError } from '../eventbridge/pattern.ts';
import {
  AwsServiceError,
  LOCAL_ACCOUNT_ID,
  unknownOperation,
  type AwsJsonService,
  type RequestContext,
} from './aws-json.ts';
import type { EdgeRoute } from './server.ts';

/** AWS's limits of `PutEvents`. */
export const PUT_EVENTS_LIMITS = {
  minEntries: 1,
  maxEntries: 10,
  /** Of the entries' sizes summed as "Calculating Amazon EventBridge PutEvents event entry size" documents. */
  maxTotalEntrySizeBytes: 256 * 1024,
} as const;

/** The fields `TestEventPattern` requires of its event (AWS does not, despite its reference, require `resources`). */
const TEST_EVENT_REQUIRED_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/** Operations on resources that are defined in code, with the modelled exception that fits each refusal best. */
const DEFINED_IN_CODE: Readonly<Record<string, string>> = {
  PutRule: 'ManagedRuleException',
  DeleteRule: 'ManagedRuleException',
  EnableRule: 'ManagedRuleException',
  DisableRule: 'ManagedRuleException',
  PutTargets: 'ManagedRuleException',
  RemoveTargets: 'ManagedRuleException',
  CreateEventBus: 'OperationDisabledException',
  UpdateEventBus: 'OperationDisabledException',
  DeleteEventBus: 'OperationDisabledException',
  CreateArchive: 'OperationDisabledException',
  UpdateArchive: 'OperationDisabledException',
  DeleteArchive: 'OperationDisabledException',
};

const TAIL_PATH = '/_edge/events/tail';

const entrySchema = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  Time: z.union([z.number(), z.string()]).optional(),
  EventBusName: z.string().optional(),
  TraceHeader: z.string().optional(),
});
type Entry = z.infer<typeof entrySchema>;

const pageFields = {
  NextToken: z.string().min(1).max(2048).optional(),
  Limit: z.number().int().min(1).max(100).optional(),
};
const schemas = {
  PutEvents: z.object({ Entries: z.array(z.unknown()).optional(), EndpointId: z.string().optional() }),
  TestEventPattern: z.object({ EventPattern: z.string().min(1), Event: z.string().min(1) }),
  ListEventBuses: z.object({ NamePrefix: z.string().min(1).max(256).optional(), ...pageFields }),
  DescribeEventBus: z.object({ Name: z.string().min(1).max(1600).optional() }),
  ListRules: z.object({
    NamePrefix: z.string().min(1).max(64).optional(),
    EventBusName: z.string().min(1).max(1600).optional(),
    ...pageFields,
  }),
  DescribeRule: z.object({
    Name: z.string().min(1).max(64),
    EventBusName: z.string().min(1).max(1600).optional(),
  }),
  ListTargetsByRule: z.object({
    Rule: z.string().min(1).max(64),
    EventBusName: z.string().min(1).max(1600).optional(),
    ...pageFields,
  }),
  ListArchives: z.object({
    NamePrefix: z.string().min(1).max(48).optional(),
    EventSourceArn: z.string().min(1).max(1600).optional(),
    State: z.string().optional(),
    ...pageFields,
  }),
  DescribeArchive: z.object({ ArchiveName: z.string().min(1).max(48) }),
  StartReplay: z.object({
    ReplayName: z.string().min(1).max(64),
    Description: z.string().max(512).optional(),
    EventSourceArn: z.string().min(1).max(1600),
    EventStartTime: z.union([z.number(), z.string()]),
    EventEndTime: z.union([z.number(), z.string()]),
    Destination: z.object({
      Arn: z.string().min(1).max(1600),
      FilterArns: z.array(z.string().min(1).max(1600)).optional(),
    }),
    /** Not AWS's: a pattern the local edge filters the replayed events with (`fleetwire events replay --pattern`). */
    EventPattern: z.string().min(1).max(4096).optional(),
  }),
  DescribeReplay: z.object({ ReplayName: z.string().min(1).max(64) }),
  ListReplays: z.object({
    NamePrefix: z.string().min(1).max(64).optional(),
    State: z.string().optional(),
    EventSourceArn: z.string().min(1).max(1600).optional(),
    ...pageFields,
  }),
};

/**
 * The EventBridge API of the local edge. Buses, rules, targets and archives come from the rules-as-code
 * definitions the wrapped {@link LocalEventBridge} was built with; the operations that would change them
 * answer an error pointing there. {@link close} ends the tail streams and closes the bus.
 */
export class EventBridgeService implements AwsJsonService {
  readonly name = 'eventbridge';
  readonly targetPrefix = 'AWSEvents';
  readonly jsonVersion = '1.1' as const;
  private readonly streams = new Set<ServerResponse>();

  constructor(readonly bridge: LocalEventBridge) {}

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    try {
      return this.dispatch(operation, input, context);
    } catch (error) {
      throw toAwsError(error);
    }
  }

  /** `GET /_edge/events/tail?bus=<name>&pattern=<JSON>`: every published event as one NDJSON line, live. */
  tailRoute(): EdgeRoute {
    return { method: 'GET', path: TAIL_PATH, handle: (req, res, url) => this.tail(req, res, url) };
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    await this.bridge.close();
  }

  private dispatch(operation: string, input: Record<string, unknown>, context: RequestContext): unknown {
    switch (operation) {
      case 'PutEvents':
        return this.putEvents(parse(schemas.PutEvents, input), context);
      case 'TestEventPattern':
        return testEventPattern(parse(schemas.TestEventPattern, input));
      case 'ListEventBuses':
        return this.listEventBuses(parse(schemas.ListEventBuses, input));
      case 'DescribeEventBus':
        return this.describeEventBus(parse(schemas.DescribeEventBus, input));
      case 'ListRules':
        return this.listRules(parse(schemas.ListRules, input));
      case 'DescribeRule':
        return this.describeRule(parse(schemas.DescribeRule, input));
      case 'ListTargetsByRule':
        return this.listTargetsByRule(parse(schemas.ListTargetsByRule, input));
      case 'ListArchives':
        return this.listArchives(parse(schemas.ListArchives, input));
      case 'DescribeArchive':
        return this.describeArchive(parse(schemas.DescribeArchive, input));
      case 'StartReplay':
        return this.startReplay(parse(schemas.StartReplay, input));
      case 'DescribeReplay':
        return describeReplay(this.bridge.replay(parse(schemas.DescribeReplay, input).ReplayName));
      case 'ListReplays':
        return this.listReplays(parse(schemas.ListReplays, input));
      default: {
        const code = DEFINED_IN_CODE[operation];
        if (code) {
          throw new AwsServiceError(
            code,
            `${operation} is not available on the local EventBridge: its buses, rules, targets and archives are ` +
              'defined in code in src/domain/events/rules.ts; change them there and restart the edge.',
          );
        }
        throw unknownOperation('EventBridge', operation);
      }
    }
  }

  private putEvents(input: z.infer<typeof schemas.PutEvents>, context: RequestContext): unknown {
    const raw = input.Entries;
    if (raw === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    const entries = raw.map((entry, index) => parse(entrySchema, entry, `entries.${index + 1}.member`));
    if (entries.length < PUT_EVENTS_LIMITS.minEntries || entries.length > PUT_EVENTS_LIMITS.maxEntries) {
      const bound =
        entries.length < PUT_EVENTS_LIMITS.minEntries
          ? `greater than or equal to ${PUT_EVENTS_LIMITS.minEntries}`
          : `less than or equal to ${PUT_EVENTS_LIMITS.maxEntries}`;
      throw validation(
        `1 validation error detected: Value '[${entries.map(describeEntry).join(', ')}]' at 'entries' ` +
          `failed to satisfy constraint: Member must have length ${bound}`,
      );
    }
    const size = entries.reduce((total, entry) => total + putEventsEntrySize(entry), 0);
    if (size > PUT_EVENTS_LIMITS.maxTotalEntrySizeBytes) {
      throw validation('Total size of the entries in the request is over the limit.');
    }
    const results = this.bridge.publish(entries.map(toPublishEntry), { region: context.region });
    return {
      FailedEntryCount: results.filter((result) => result.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  private listEventBuses(input: z.infer<typeof schemas.ListEventBuses>): unknown {
    const buses = this.bridge
      .eventBuses()
      .filter((bus) => input.NamePrefix === undefined || bus.name.startsWith(input.NamePrefix))
      .map((bus) => ({
        Name: bus.name,
        Arn: bus.arn,
        ...(bus.description === undefined ? {} : { Description: bus.description }),
        CreationTime: epochSeconds(bus.createdAt),
        LastModifiedTime: epochSeconds(bus.createdAt),
      }));
    const page = paginate(buses, input);
    return { EventBuses: page.items, ...page.next };
  }

  private describeEventBus(input: z.infer<typeof schemas.DescribeEventBus>): unknown {
    const name = input.Name ?? DEFAULT_EVENT_BUS;
    const bus = this.bridge.eventBus(name);
    if (!bus)
      throw new AwsServiceError('ResourceNotFoundException', `Event bus ${busNameOf(name)} does not exist.`);
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description === undefined ? {} : { Description: bus.description }),
      CreationTime: epochSeconds(bus.createdAt),
      LastModifiedTime: epochSeconds(bus.createdAt),
    };
  }

  private listRules(input: z.infer<typeof schemas.ListRules>): unknown {
    const rules = this.bridge
      .rules(input.EventBusName ?? DEFAULT_EVENT_BUS)
      .filter((rule) => input.NamePrefix === undefined || rule.name.startsWith(input.NamePrefix))
      .map((rule) => ({
        Name: rule.name,
        Arn: rule.arn,
        EventPattern: JSON.stringify(rule.pattern),
        State: 'ENABLED',
        Description: rule.description,
        EventBusName: rule.eventBus,
      }));
    const page = paginate(rules, input);
    return { Rules: page.items, ...page.next };
  }

  private describeRule(input: z.infer<typeof schemas.DescribeRule>): unknown {
    const rule = this.bridge.rule(input.Name, input.EventBusName ?? DEFAULT_EVENT_BUS);
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventPattern: JSON.stringify(rule.pattern),
      State: 'ENABLED',
      Description: rule.description,
      EventBusName: rule.eventBus,
      CreatedBy: LOCAL_ACCOUNT_ID,
    };
  }

  private listTargetsByRule(input: z.infer<typeof schemas.ListTargetsByRule>): unknown {
    const rule = this.bridge.rule(input.Rule, input.EventBusName ?? DEFAULT_EVENT_BUS);
    const page = paginate(
      rule.targets.map((target) => this.apiTarget(target)),
      input,
    );
    return { Targets: page.items, ...page.next };
  }

  private listArchives(input: z.infer<typeof schemas.ListArchives>): unknown {
    const archives = this.bridge
      .archiveInfos()
      .filter((archive) => input.NamePrefix === undefined || archive.name.startsWith(input.NamePrefix))
      .filter(
        (archive) => input.EventSourceArn === undefined || archive.eventSourceArn === input.EventSourceArn,
      )
      // Every local archive is ENABLED.
      .filter(() => input.State === undefined || input.State === 'ENABLED')
      .map((archive) => ({
        ArchiveName: archive.name,
        EventSourceArn: archive.eventSourceArn,
        State: 'ENABLED',
        RetentionDays: archive.retentionDays,
        SizeBytes: archive.sizeBytes,
        EventCount: archive.eventCount,
        CreationTime: epochSeconds(archive.createdAt),
      }));
    const page = paginate(archives, input);
    return { Archives: page.items, ...page.next };
  }

  private describeArchive(input: z.infer<typeof schemas.DescribeArchive>): unknown {
    const archive = this.bridge.archive(input.ArchiveName);
    return {
      ArchiveArn: archive.arn,
      ArchiveName: archive.name,
      EventSourceArn: archive.eventSourceArn,
      Description: archive.description,
      ...(archive.pattern === undefined ? {} : { EventPattern: JSON.stringify(archive.pattern) }),
      State: 'ENABLED',
      RetentionDays: archive.retentionDays,
      SizeBytes: archive.sizeBytes,
      EventCount: archive.eventCount,
      CreationTime: epochSeconds(archive.createdAt),
    };
  }

  private startReplay(input: z.infer<typeof schemas.StartReplay>): unknown {
    const archiveName = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:archive\/(.+)$/.exec(
      input.EventSourceArn,
    )?.[1];
    if (archiveName === undefined) {
      throw validation('Parameter EventSourceArn is not valid. Reason: it must be the ARN of an archive.');
    }
    const replay = this.bridge.startReplay({
      name: input.ReplayName,
      ...(input.Description === undefined ? {} : { description: input.Description }),
      archive: archiveName,
      from: timestamp(input.EventStartTime, 'EventStartTime'),
      to: timestamp(input.EventEndTime, 'EventEndTime'),
      destination: input.Destination.Arn,
      ...(input.Destination.FilterArns === undefined ? {} : { filterRules: input.Destination.FilterArns }),
      ...(input.EventPattern === undefined ? {} : { pattern: input.EventPattern }),
    });
    return {
      ReplayArn: replay.arn,
      State: replay.state,
      ReplayStartTime: epochSeconds(replay.replayStartTime),
    };
  }

  private listReplays(input: z.infer<typeof schemas.ListReplays>): unknown {
    const replays = this.bridge
      .replays()
      .filter((replay) => input.NamePrefix === undefined || replay.name.startsWith(input.NamePrefix))
      .filter((replay) => input.State === undefined || replay.state === input.State)
      .filter(
        (replay) => input.EventSourceArn === undefined || replay.eventSourceArn === input.EventSourceArn,
      )
      .map((replay) => {
        const {
          ReplayArn: _arn,
          Description: _description,
          Destination: _destination,
          ...summary
        } = describeReplay(replay);
        return summary;
      });
    const page = paginate(replays, input);
    return { Replays: page.items, ...page.next };
  }

  /** A rule target as `ListTargetsByRule` shows it, with the ARN the named resource would have locally. */
  private apiTarget(definition: RuleTargetDefinition): Record<string, unknown> {
    const arn = (service: string, resource: string): string =>
      `arn:aws:${service}:${this.bridge.region}:${LOCAL_ACCOUNT_ID}:${resource}`;
    const target = definition.target;
    const shaped = {
      Id: definition.id,
      ...(definition.inputPath === undefined ? {} : { InputPath: definition.inputPath }),
      ...(definition.inputTransformer === undefined
        ? {}
        : {
            InputTransformer: {
              ...(definition.inputTransformer.inputPathsMap === undefined
                ? {}
                : { InputPathsMap: definition.inputTransformer.inputPathsMap }),
              InputTemplate: definition.inputTransformer.inputTemplate,
            },
          }),
    };
    switch (target.kind) {
      case 'function':
        return { ...shaped, Arn: arn('lambda', `function:${target.name}`) };
      case 'stateMachine':
        return { ...shaped, Arn: arn('states', `stateMachine:${target.name}`) };
      case 'graphqlMutation':
        return {
          ...shaped,
          Arn: arn('appsync', 'endpoints/graphql-api/fleetwire'),
          AppSyncParameters: { GraphQLOperation: target.field },
        };
    }
  }

  private tail(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const busParam = url.searchParams.get('bus') ?? undefined;
    const patternParam = url.searchParams.get('pattern') ?? undefined;
    const bus = busParam === undefined || busParam === '' ? undefined : this.bridge.eventBus(busParam);
    if (busParam !== undefined && busParam !== '' && !bus) {
      sendJson(res, 404, {
        __type: 'ResourceNotFoundException',
        message: `Event bus ${busNameOf(busParam)} does not exist.`,
      });
      return;
    }
    let unsubscribe: () => void;
    try {
      unsubscribe = this.bridge.subscribe(
        (event) => {
          if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
        },
        patternParam === undefined || patternParam === '' ? undefined : patternParam,
        bus === undefined ? {} : { eventBus: bus.name },
      );
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        sendJson(res, 400, { __type: 'InvalidEventPatternException', message: error.message });
        return;
      }
      throw error;
    }
    res.writeHead(200, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    // The client learns at once that the stream is open, before the first event arrives.
    res.flushHeaders();
    this.streams.add(res);
    const stop = (): void => {
      unsubscribe();
      this.streams.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
    res.on('error', stop);
  }
}

function testEventPattern(input: z.infer<typeof schemas.TestEventPattern>): unknown {
  let event: unknown;
  try {
    event = JSON.parse(input.Event);
  } catch {
    event = undefined;
  }
  if (
    typeof event !== 'object' ||
    event === null ||
    Array.isArray(event) ||
    !TEST_EVENT_REQUIRED_FIELDS.every((field) => Object.hasOwn(event as object, field))
  ) {
    throw validation('Parameter Event is not valid.');
  }
  return { Result: compileEventPattern(input.EventPattern).matches(event) };
}

/** A replay as `DescribeReplay` answers it. */
function describeReplay(replay: ReplayInfo): Record<string, unknown> {
  return {
    ReplayName: replay.name,
    ReplayArn: replay.arn,
    ...(replay.description === undefined ? {} : { Description: replay.description }),
    State: replay.state,
    ...(replay.stateReason === undefined ? {} : { StateReason: replay.stateReason }),
    EventSourceArn: replay.eventSourceArn,
    Destination: {
      Arn: replay.destinationArn,
      ...(replay.filterArns === undefined ? {} : { FilterArns: replay.filterArns }),
    },
    EventStartTime: epochSeconds(replay.eventStartTime),
    EventEndTime: epochSeconds(replay.eventEndTime),
    ...(replay.eventLastReplayedTime === undefined
      ? {}
      : { EventLastReplayedTime: epochSeconds(replay.eventLastReplayedTime) }),
    ReplayStartTime: epochSeconds(replay.replayStartTime),
    ...(replay.replayEndTime === undefined ? {} : { ReplayEndTime: epochSeconds(replay.replayEndTime) }),
  };
}

/** A timestamp of the JSON protocol: epoch seconds (possibly fractional) or an ISO-8601 string. */
function timestamp(value: number | string, field: string): Date {
  const date =
    typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)
      ? new Date(Number(value) * 1000)
      : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw validation(`Parameter ${field} is not valid. Reason: ${field} is not a timestamp.`);
  }
  return date;
}

function toPublishEntry(entry: Entry): PublishEntry {
  return {
    ...(entry.Source === undefined ? {} : { Source: entry.Source }),
    ...(entry.DetailType === undefined ? {} : { DetailType: entry.DetailType }),
    ...(entry.Detail === undefined ? {} : { Detail: entry.Detail }),
    ...(entry.Resources === undefined ? {} : { Resources: entry.Resources }),
    ...(entry.Time === undefined ? {} : { Time: entry.Time }),
    ...(entry.EventBusName === undefined ? {} : { EventBusName: entry.EventBusName }),
  };
}

/** How AWS shows an entry in its validation messages (Java's `toString` of the request entry). */
function describeEntry(entry: Entry): string {
  const show = (value: unknown): string =>
    value === undefined ? 'null' : Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  return (
    `PutEventsRequestEntry(time=${show(entry.Time)}, source=${show(entry.Source)}, resources=${show(entry.Resources)}, ` +
    `detailType=${show(entry.DetailType)}, detail=${show(entry.Detail)}, eventBusName=${show(entry.EventBusName)}, ` +
    `traceHeader=${show(entry.TraceHeader)}, kmsKeyIdentifier=null, internalMetadata=null)`
  );
}

function parse<T extends z.ZodType>(schema: T, input: unknown, at = ''): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // A value of the wrong JSON type cannot be deserialized at all; AWS answers SerializationException for it.
  const code = issues.some((issue) => issue.code === 'invalid_type')
    ? 'SerializationException'
    : 'ValidationException';
  const details = issues.map((issue) => {
    const path = [at, ...issue.path.map(String)].filter(Boolean).map(lowerFirst).join('.');
    return `Value at '${path}' failed to satisfy constraint: ${issue.message}`;
  });
  throw new AwsServiceError(
    code,
    `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${details.join('; ')}`,
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

/** Pages of a list, as the `Limit`/`NextToken` of the List operations. */
function paginate<T>(
  items: readonly T[],
  input: { readonly Limit?: number | undefined; readonly NextToken?: string | undefined },
): { items: T[]; next: { NextToken?: string } } {
  let offset = 0;
  if (input.NextToken !== undefined) {
    const decoded = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw validation('The NextToken is not valid.');
    offset = decoded;
  }
  const limit = input.Limit ?? 100;
  const page = items.slice(offset, offset + limit);
  const nextOffset = offset + page.length;
  return {
    items: page,
    next:
      nextOffset < items.length ? { NextToken: Buffer.from(String(nextOffset)).toString('base64url') } : {},
  };
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function busNameOf(nameOrArn: string): string {
  const slash = nameOrArn.startsWith('arn:') ? nameOrArn.indexOf(':event-bus/') : -1;
  return slash < 0 ? nameOrArn : nameOrArn.slice(slash + ':event-bus/'.length);
}

function toAwsError(error: unknown): unknown {
  if (error instanceof AwsServiceError) return error;
  if (error instanceof InvalidEventPatternError)
    return new AwsServiceError('InvalidEventPatternException', error.message);
  if (error instanceof ReplayAlreadyExistsError)
    return new AwsServiceError('ResourceAlreadyExistsException', error.message);
  if (error instanceof InvalidReplayError) return validation(error.message);
  if (
    error instanceof UnknownEventBusError ||
    error instanceof UnknownRuleError ||
    error instanceof UnknownArchiveError ||
    error instanceof UnknownReplayError
  ) {
    return new AwsServiceError('ResourceNotFoundException', error.message);
  }
  if (error instanceof EventBridgeError) return new AwsServiceError('InternalException', error.message, 500);
  return error;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
