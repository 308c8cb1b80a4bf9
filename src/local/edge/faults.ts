/**
 * Fault injection for the local edge. The emulated services never throttle, never fail internally and never
 * answer late, so a producer's retry paths (per-entry `ErrorCode`s, whole-call throttling, timeouts) could
 * otherwise only be tested against mocks of the SDK. A {@link FaultInjector} holds rules that make matching
 * requests fail as a whole, fail some of their batch entries with the per-entry shape AWS uses, or answer
 * late; the edge consults it for every AWS request, and `/_edge/faults` configures it over HTTP.
 */
import { readBoundedBody } from '../http-body.ts';
import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from './aws-json.ts';
import type { EdgeRoute } from './server.ts';

/** Where the HTTP control routes live. */
export const FAULTS_PATH = '/_edge/faults';

/** Largest rule a `POST /_edge/faults` may carry; a rule is a few hundred bytes. */
const MAX_RULE_BYTES = 64 * 1024;

/** Longest `delay` a rule may ask for: beyond the SDK's request timeout it only hangs a test run. */
export const MAX_FAULT_DELAY_MS = 300_000;

/** The whole request fails with an AWS-shaped error before it reaches the service. */
export interface ErrorEffect {
  readonly kind: 'error';
  /** The `__type` the SDK maps to an exception class, e.g. `ThrottlingException`. */
  readonly code: string;
  /** HTTP status; 500 for `Internal*` codes, 503 for `ServiceUnavailable*`, else 400 when absent. */
  readonly status?: number;
  readonly message?: string;
}

/**
 * Which entries of a batch fail: `every-other` is the second, fourth, … (indices 1, 3, …); a list names
 * indices (those beyond the batch are ignored); `{ ratio }` fails `round(ratio × size)` entries picked with
 * the rule's seeded PRNG.
 */
export type PartialEntries = 'every-other' | readonly number[] | { readonly ratio: number };

/**
 * Some entries of a batch fail with the per-entry error shape of the operation and the others reach the
 * service; the answer merges both as AWS would. Only for the operations in {@link BATCH_TARGETS}.
 */
export interface PartialEffect {
  readonly kind: 'partial';
  readonly entries: PartialEntries;
  /**
   * The per-entry error code (`ErrorCode` of PutRecords and PutEvents, `Code` of SendMessageBatch). The
   * DynamoDB batch operations report refused entries as `UnprocessedItems`/`UnprocessedKeys`, which carry
   * no code, so there it is only descriptive.
   */
  readonly code: string;
  readonly message?: string;
}

/** The request is answered `ms` milliseconds late, then served (or faulted by a later rule) as usual. */
export interface DelayEffect {
  readonly kind: 'delay';
  readonly ms: number;
}

/** What a rule does to the requests it applies to. */
export type FaultEffect = ErrorEffect | PartialEffect | DelayEffect;

/** One fault: which requests, what happens to them, how often. */
export interface FaultRule {
  /** `Prefix.Operation` as in `X-Amz-Target`, e.g. `Kinesis_20131202.PutRecords`, or `Prefix.*`. */
  readonly target: string;
  readonly effect: FaultEffect;
  /** How many matching requests the rule applies to, then it is removed; unlimited when absent. */
  readonly times?: number;
  /** Chance (0–1) that the rule applies to a matching request; always when absent. */
  readonly probability?: number;
  /** Seed of the rule's PRNG (for `probability` and `{ ratio }`); the injector's seed when absent. */
  readonly seed?: number;
}

/** A rule in force, as {@link FaultInjector.list} and `GET /_edge/faults` show it. */
export interface ActiveFault {
  readonly id: string;
  readonly rule: FaultRule;
  /** Requests the rule has applied to so far. */
  readonly applied: number;
  /** Requests it will still apply to; `null` for unlimited. */
  readonly remaining: number | null;
}

/** What the edge must do to one request, from every rule that applied to it. */
export interface FaultDecision {
  /** Milliseconds to wait before anything else (the sum of the `delay` rules that applied). */
  readonly delayMs: number;
  /** The error or partial failure to inject, if a rule of that kind applied. */
  readonly effect: ErrorEffect | PartialEffect | undefined;
  /** The PRNG of the rule that chose {@link effect}, for `{ ratio }` picks. */
  readonly random: () => number;
}

/** Base class of every error of the fault injector. */
export class EdgeFaultError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A rule that cannot be applied; `POST /_edge/faults` answers it as a 400 with this message. */
export class InvalidFaultRuleError extends EdgeFaultError {}

/** Per batch operation: its entry limit, so oversized requests still get the service's own refusal. */
const BATCH_LIMITS: Readonly<Record<string, number>> = {
  'Kinesis_20131202.PutRecords': 500,
  'AWSEvents.PutEvents': 10,
  'AmazonSQS.SendMessageBatch': 10,
  'DynamoDB_20120810.BatchWriteItem': 25,
  'DynamoDB_20120810.BatchGetItem': 100,
};

/** The targets a `partial` rule may name. */
export const BATCH_TARGETS: readonly string[] = Object.keys(BATCH_LIMITS);

const TARGET_PATTERN = /^[A-Za-z0-9_]+\.(?:\*|[A-Za-z][A-Za-z0-9]*)$/;
const CODE_PATTERN = /^[A-Za-z][A-Za-z0-9_.#:-]{0,127}$/;
const RULE_FIELDS = new Set(['target', 'effect', 'times', 'probability', 'seed']);
const EFFECT_FIELDS: Readonly<Record<FaultEffect['kind'], ReadonlySet<string>>> = {
  error: new Set(['kind', 'code', 'status', 'message']),
  partial: new Set(['kind', 'entries', 'code', 'message']),
  delay: new Set(['kind', 'ms']),
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): never {
  throw new InvalidFaultRuleError(`invalid fault rule: ${message}`);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function rejectUnknownFields(value: Json, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) invalid(`${where}${key} is not a field (allowed: ${[...allowed].join(', ')})`);
  }
}

function optionalMessage(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(`effect.message must be a string, got ${show(value)}`);
  return value;
}

function requiredCode(value: unknown): string {
  if (typeof value !== 'string' || !CODE_PATTERN.test(value)) {
    invalid(`effect.code must be an AWS error code such as "ThrottlingException", got ${show(value)}`);
  }
  return value;
}

function parseEntries(value: unknown): PartialEntries {
  if (value === 'every-other') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) invalid('effect.entries must name at least one index');
    for (const index of value) {
      if (!Number.isInteger(index) || (index as number) < 0) {
        invalid(`effect.entries must hold entry indices (integers from 0), got ${show(index)}`);
      }
    }
    return [...new Set(value as number[])];
  }
  if (isObject(value) && Object.keys(value).length === 1 && 'ratio' in value) {
    const ratio = value.ratio;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
      invalid(`effect.entries.ratio must be a number from 0 to 1, got ${show(ratio)}`);
    }
    return { ratio };
  }
  return invalid(
    `effect.entries must be "every-other", a list of indices or { "ratio": 0..1 }, got ${show(value)}`,
  );
}

function parseEffect(value: unknown, target: string): FaultEffect {
  if (!isObject(value)) invalid(`effect must be an object, got ${show(value)}`);
  const kind = value.kind;
  if (kind !== 'error' && kind !== 'partial' && kind !== 'delay') {
    invalid(`effect.kind must be one of error, partial, delay, got ${show(kind)}`);
  }
  rejectUnknownFields(value, EFFECT_FIELDS[kind], 'effect.');
  switch (kind) {
    case 'error': {
      const code = requiredCode(value.code);
      const status = value.status;
      if (
        status !== undefined &&
        (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)
      ) {
        invalid(`effect.status must be an HTTP error status from 400 to 599, got ${show(status)}`);
      }
      const message = optionalMessage(value.message);
      return {
        kind,
        code,
        ...(status === undefined ? {} : { status: status as number }),
        ...(message === undefined ? {} : { message }),
      };
    }
    case 'partial': {
      if (!(target in BATCH_LIMITS)) {
        invalid(
          `a partial effect needs a batch operation as target (${BATCH_TARGETS.join(', ')}), got ${target}`,
        );
      }
      const entries = parseEntries(value.entries);
      const code = requiredCode(value.code);
      const message = optionalMessage(value.message);
      return { kind, entries, code, ...(message === undefined ? {} : { message }) };
    }
    case 'delay': {
      const ms = value.ms;
      if (!Number.isInteger(ms) || (ms as number) < 0 || (ms as number) > MAX_FAULT_DELAY_MS) {
        invalid(`effect.ms must be an integer from 0 to ${MAX_FAULT_DELAY_MS}, got ${show(ms)}`);
      }
      return { kind, ms: ms as number };
    }
  }
}

/**
 * Checks a rule from code or from a `POST /_edge/faults` body and returns it in canonical form.
 *
 * @throws {InvalidFaultRuleError} naming the first field that is wrong and why.
 */
export function parseFaultRule(value: unknown): FaultRule {
  if (!isObject(value)) invalid(`a rule must be a JSON object, got ${show(value)}`);
  rejectUnknownFields(value, RULE_FIELDS, '');
  const target = value.target;
  if (typeof target !== 'string' || !TARGET_PATTERN.test(target)) {
    invalid(`target must be "Prefix.Operation" or "Prefix.*" as in X-Amz-Target, got ${show(target)}`);
  }
  const effect = parseEffect(value.effect, target);
  const { times, probability, seed } = value;
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1)) {
    invalid(`times must be a positive integer, got ${show(times)}`);
  }
  if (
    probability !== undefined &&
    (typeof probability !== 'number' || !(probability >= 0 && probability <= 1))
  ) {
    invalid(`probability must be a number from 0 to 1, got ${show(probability)}`);
  }
  if (
    seed !== undefined &&
    (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff)
  ) {
    invalid(`seed must be an integer from 0 to 4294967295, got ${show(seed)}`);
  }
  return {
    target,
    effect,
    ...(times === undefined ? {} : { times: times as number }),
    ...(probability === undefined ? {} : { probability: probability as number }),
    ...(seed === undefined ? {} : { seed: seed as number }),
  };
}

/** mulberry32: tiny, fast and good enough to pick faults; what matters is that a seed replays exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RuleState {
  readonly id: string;
  readonly order: number;
  readonly rule: FaultRule;
  readonly random: () => number;
  applied: number;
}

/** How to build a {@link FaultInjector}. */
export interface FaultInjectorOptions {
  /** Seed of the rules that name none. Default 1. */
  readonly seed?: number;
}

/**
 * The rules in force on one edge, consulted for every AWS request. Rules apply in the order they were
 * added: every matching `delay` rule adds its latency, and the first matching `error` or `partial` rule
 * decides the fault. A rule counts towards its `times` only when it applies (its probability roll won).
 */
export class FaultInjector {
  /** By exact target and by `Prefix.*`; empty when no rule is set, which is the hot path. */
  private readonly byTarget = new Map<string, RuleState[]>();
  private readonly seed: number;
  private sequence = 0;

  constructor(options: FaultInjectorOptions = {}) {
    this.seed = options.seed ?? 1;
  }

  /**
   * Adds a rule; returns its id.
   *
   * @throws {InvalidFaultRuleError} when the rule is malformed.
   */
  add(rule: FaultRule): string {
    return this.insert(parseFaultRule(rule)).id;
  }

  /** Removes one rule; false when no rule has that id (any more). */
  remove(id: string): boolean {
    for (const [key, states] of this.byTarget) {
      const index = states.findIndex((state) => state.id === id);
      if (index < 0) continue;
      states.splice(index, 1);
      if (states.length === 0) this.byTarget.delete(key);
      return true;
    }
    return false;
  }

  /** Removes every rule; returns how many there were. */
  clear(): number {
    const count = this.list().length;
    this.byTarget.clear();
    return count;
  }

  /** The rules in force, oldest first. */
  list(): ActiveFault[] {
    return [...this.byTarget.values()]
      .flat()
      .sort((a, b) => a.order - b.order)
      .map(describe);
  }

  /**
   * What to do to a request for `target` (`prefix` is its part before the dot); `undefined`, after a
   * single size check, when no rule is set.
   */
  decide(target: string, prefix: string): FaultDecision | undefined {
    if (this.byTarget.size === 0) return undefined;
    const exact = this.byTarget.get(target);
    const wildcard = this.byTarget.get(`${prefix}.*`);
    if (!exact && !wildcard) return undefined;
    const candidates = [...(exact ?? []), ...(wildcard ?? [])].sort((a, b) => a.order - b.order);
    let delayMs = 0;
    let chosen: RuleState | undefined;
    for (const state of candidates) {
      const { rule } = state;
      if (rule.probability !== undefined && state.random() >= rule.probability) continue;
      state.applied += 1;
      if (rule.times !== undefined && state.applied >= rule.times) this.remove(state.id);
      if (rule.effect.kind === 'delay') {
        delayMs += rule.effect.ms;
        continue;
      }
      chosen = state;
      break;
    }
    if (delayMs === 0 && chosen === undefined) return undefined;
    const effect = chosen?.rule.effect;
    return {
      delayMs,
      effect: effect?.kind === 'error' || effect?.kind === 'partial' ? effect : undefined,
      random: chosen?.random ?? Math.random,
    };
  }

  /** `POST`, `GET` and `DELETE /_edge/faults`, to register on the edge. */
  routes(): EdgeRoute[] {
    return [
      { method: 'POST', path: FAULTS_PATH, handle: (req, res) => this.handlePost(req, res) },
      {
        method: 'GET',
        path: FAULTS_PATH,
        handle: (req, res) => {
          req.resume();
          sendControl(res, 200, { faults: this.list() });
        },
      },
      {
        method: 'DELETE',
        path: FAULTS_PATH,
        handle: (req, res) => {
          req.resume();
          sendControl(res, 200, { removed: this.clear() });
        },
      },
    ];
  }

  private insert(rule: FaultRule): RuleState {
    this.sequence += 1;
    const state: RuleState = {
      id: `fault-${this.sequence}`,
      order: this.sequence,
      rule,
      random: seededRandom(rule.seed ?? this.seed),
      applied: 0,
    };
    const states = this.byTarget.get(rule.target);
    if (states) states.push(state);
    else this.byTarget.set(rule.target, [state]);
    return state;
  }

  private async handlePost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text: string;
    try {
      text = (await readSmallBody(req, MAX_RULE_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof InvalidFaultRuleError)) throw error;
      return sendControl(res, 413, { __type: 'InvalidFaultRule', message: error.message });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendControl(res, 400, {
        __type: 'InvalidFaultRule',
        message: 'invalid fault rule: the request body is not valid JSON',
      });
    }
    let rule: FaultRule;
    try {
      rule = parseFaultRule(body);
    } catch (error) {
      if (!(error instanceof InvalidFaultRuleError)) throw error;
      return sendControl(res, 400, { __type: 'InvalidFaultRule', message: error.message });
    }
    sendControl(res, 201, describe(this.insert(rule)));
  }
}

function describe(state: RuleState): ActiveFault {
  return {
    id: state.id,
    rule: state.rule,
    applied: state.applied,
    remaining: state.rule.times === undefined ? null : state.rule.times - state.applied,
  };
}

function sendControl(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readSmallBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return readBoundedBody(
    req,
    limit,
    () => new InvalidFaultRuleError(`invalid fault rule: the request body exceeds ${limit} bytes`),
  );
}

/** The HTTP status of an injected error whose rule names none: AWS's for that kind of code. */
function defaultStatus(code: string): number {
  if (/^ServiceUnavailable/.test(code)) return 503;
  if (/^Internal/.test(code)) return 500;
  return 400;
}

/** The error an `error` effect answers, in the edge's AWS shape. */
export function injectedError(effect: ErrorEffect): AwsServiceError {
  return new AwsServiceError(
    effect.code,
    effect.message ?? `injected fault: ${effect.code}`,
    effect.status ?? defaultStatus(effect.code),
  );
}

/** Indices of a `count`-entry batch that a partial effect fails. */
export function chooseEntries(entries: PartialEntries, count: number, random: () => number): Set<number> {
  if (entries === 'every-other') {
    const chosen = new Set<number>();
    for (let i = 1; i < count; i += 2) chosen.add(i);
    return chosen;
  }
  if (Array.isArray(entries)) return new Set(entries.filter((i) => i < count));
  const { ratio } = entries as { readonly ratio: number };
  const indices = Array.from({ length: count }, (_, i) => i);
  const wanted = Math.round(ratio * count);
  // A partial Fisher–Yates shuffle: the first `wanted` slots end up a uniform pick.
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (count - i));
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return new Set(indices.slice(0, wanted));
}

/**
 * A partial fault applied to one batch request: what to forward to the service and how to merge its answer
 * with the injected failures into the answer the client gets.
 */
export interface BatchPlan {
  /** The request with the failed entries taken out; `undefined` when every entry fails. */
  readonly forward: Json | undefined;
  /** The client's answer, from the service's answer to {@link forward} (`undefined` if nothing was). */
  merge(output: unknown): Json;
}

/**
 * Plans a partial fault on a batch request; `undefined` when it cannot apply (not a batch operation, a
 * malformed or oversized batch, no entry chosen), in which case the request must go to the service
 * untouched so that the client gets the service's own answer, validation errors included.
 */
export function planPartial(
  target: string,
  effect: PartialEffect,
  input: Json,
  random: () => number,
): BatchPlan | undefined {
  const limit = BATCH_LIMITS[target];
  if (limit === undefined) return undefined;
  const message = effect.message ?? `injected fault: ${effect.code}`;
  const failure = { ErrorCode: effect.code, ErrorMessage: message };
  const choose = (count: number): Set<number> | undefined => {
    if (count === 0 || count > limit) return undefined;
    const failed = chooseEntries(effect.entries, count, random);
    return failed.size === 0 ? undefined : failed;
  };
  switch (target) {
    case 'Kinesis_20131202.PutRecords':
      return planListBatch(input, 'Records', 'FailedRecordCount', failure, choose);
    case 'AWSEvents.PutEvents':
      return planListBatch(input, 'Entries', 'FailedEntryCount', failure, choose);
    case 'AmazonSQS.SendMessageBatch':
      return planSendMessageBatch(input, choose, effect.code, message);
    case 'DynamoDB_20120810.BatchWriteItem':
      return planBatchWriteItem(input, choose);
    case 'DynamoDB_20120810.BatchGetItem':
      return planBatchGetItem(input, choose);
    default:
      return undefined;
  }
}

/**
 * PutRecords and PutEvents: the request's list (`key`) is answered by a list of the same name with one
 * result per entry, in order, and a count of the failed ones.
 */
function planListBatch(
  input: Json,
  key: 'Records' | 'Entries',
  countKey: 'FailedRecordCount' | 'FailedEntryCount',
  failure: Json,
  choose: (count: number) => Set<number> | undefined,
): BatchPlan | undefined {
  const entries = input[key];
  if (!Array.isArray(entries)) return undefined;
  const failed = choose(entries.length);
  if (!failed) return undefined;
  const kept = entries.filter((_, i) => !failed.has(i));
  return {
    forward: kept.length > 0 ? { ...input, [key]: kept } : undefined,
    merge(output) {
      const answer = isObject(output) ? output : {};
      const results = Array.isArray(answer[key]) ? (answer[key] as unknown[]) : [];
      const theirFailures = typeof answer[countKey] === 'number' ? answer[countKey] : 0;
      let next = 0;
      const merged = entries.map((_, i) => (failed.has(i) ? { ...failure } : (results[next++] ?? {})));
      return { ...answer, [countKey]: failed.size + theirFailures, [key]: merged };
    },
  };
}

/** SendMessageBatch: `Successful` and `Failed` lists keyed by entry `Id`. */
function planSendMessageBatch(
  input: Json,
  choose: (count: number) => Set<number> | undefined,
  code: string,
  message: string,
): BatchPlan | undefined {
  const entries = input.Entries;
  if (!Array.isArray(entries)) return undefined;
  const ids = entries.map((entry) =>
    isObject(entry) && typeof entry.Id === 'string' ? entry.Id : undefined,
  );
  // Ids must be present and distinct for SQS to take the batch; otherwise leave the refusal to it.
  if (ids.some((id) => id === undefined) || new Set(ids).size !== ids.length) return undefined;
  const failed = choose(entries.length);
  if (!failed) return undefined;
  const order = new Map(ids.map((id, i) => [id as string, i]));
  const ours = [...failed].map((i) => ({
    Id: ids[i] as string,
    SenderFault: defaultStatus(code) < 500,
    Code: code,
    Message: message,
  }));
  const kept = entries.filter((_, i) => !failed.has(i));
  return {
    forward: kept.length > 0 ? { ...input, Entries: kept } : undefined,
    merge(output) {
      const answer = isObject(output) ? output : {};
      const theirs = Array.isArray(answer.Failed) ? (answer.Failed as unknown[]) : [];
      const position = (failure: unknown): number =>
        isObject(failure) && typeof failure.Id === 'string'
          ? (order.get(failure.Id) ?? ids.length)
          : ids.length;
      return {
        ...answer,
        Successful: Array.isArray(answer.Successful) ? answer.Successful : [],
        Failed: [...ours, ...theirs].sort((a, b) => position(a) - position(b)),
      };
    },
  };
}

/** The entries of DynamoDB's `RequestItems`, numbered table by table in the order the request lists them. */
function flattenTables(tables: Json, entriesOf: (spec: unknown) => unknown[] | undefined) {
  const flat: { table: string; entry: unknown }[] = [];
  for (const [table, spec] of Object.entries(tables)) {
    const entries = entriesOf(spec);
    if (!entries) return undefined;
    for (const entry of entries) flat.push({ table, entry });
  }
  return flat;
}

function groupByTable(flat: readonly { table: string; entry: unknown }[]): Map<string, unknown[]> {
  const grouped = new Map<string, unknown[]>();
  for (const { table, entry } of flat) {
    const list = grouped.get(table);
    if (list) list.push(entry);
    else grouped.set(table, [entry]);
  }
  return grouped;
}

/** BatchWriteItem: refused requests come back, per table, in `UnprocessedItems`. */
function planBatchWriteItem(
  input: Json,
  choose: (count: number) => Set<number> | undefined,
): BatchPlan | undefined {
  const tables = input.RequestItems;
  if (!isObject(tables)) return undefined;
  const flat = flattenTables(tables, (spec) => (Array.isArray(spec) ? spec : undefined));
  if (!flat) return undefined;
  const failed = choose(flat.length);
  if (!failed) return undefined;
  const kept = groupByTable(flat.filter((_, i) => !failed.has(i)));
  const refused = groupByTable(flat.filter((_, i) => failed.has(i)));
  return {
    forward: kept.size > 0 ? { ...input, RequestItems: Object.fromEntries(kept) } : undefined,
    merge(output) {
      const answer = isObject(output) ? output : {};
      const unprocessed: Json = isObject(answer.UnprocessedItems) ? { ...answer.UnprocessedItems } : {};
      for (const [table, requests] of refused) {
        const theirs = unprocessed[table];
        unprocessed[table] = [...(Array.isArray(theirs) ? theirs : []), ...requests];
      }
      return { ...answer, UnprocessedItems: unprocessed };
    },
  };
}

/** BatchGetItem: refused keys come back, per table and with its read options, in `UnprocessedKeys`. */
function planBatchGetItem(
  input: Json,
  choose: (count: number) => Set<number> | undefined,
): BatchPlan | undefined {
  const tables = input.RequestItems;
  if (!isObject(tables)) return undefined;
  const flat = flattenTables(tables, (spec) =>
    isObject(spec) && Array.isArray(spec.Keys) ? (spec.Keys as unknown[]) : undefined,
  );
  if (!flat) return undefined;
  const failed = choose(flat.length);
  if (!failed) return undefined;
  const specOf = (table: string): Json => {
    const spec = tables[table];
    return isObject(spec) ? spec : {};
  };
  const kept = groupByTable(flat.filter((_, i) => !failed.has(i)));
  const refused = groupByTable(flat.filter((_, i) => failed.has(i)));
  const forward: Json = {};
  for (const [table, keys] of kept) forward[table] = { ...specOf(table), Keys: keys };
  return {
    forward: kept.size > 0 ? { ...input, RequestItems: forward } : undefined,
    merge(output) {
      const answer = isObject(output) ? output : {};
      const responses: Json = isObject(answer.Responses) ? { ...answer.Responses } : {};
      for (const table of Object.keys(tables)) responses[table] ??= [];
      const unprocessed: Json = isObject(answer.UnprocessedKeys) ? { ...answer.UnprocessedKeys } : {};
      for (const [table, keys] of refused) {
        const theirs = unprocessed[table];
        const theirKeys = isObject(theirs) && Array.isArray(theirs.Keys) ? (theirs.Keys as unknown[]) : [];
        unprocessed[table] = { ...specOf(table), Keys: [...theirKeys, ...keys] };
      }
      return { ...answer, Responses: responses, UnprocessedKeys: unprocessed };
    },
  };
}

/** An answer from a backend, as received. */
export interface BackendReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Headers that describe one hop's connection or framing, never to be copied to the next. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'expect',
  'upgrade',
]);

/**
 * Sends a (rewritten) request to an embedded backend's private loopback port with the client's headers:
 * kinesalite and dynalite check that a request is signed, not the signature, so the body may change.
 */
export function forwardToBackend(
  agent: Agent,
  port: number,
  req: IncomingMessage,
  body: Buffer,
): Promise<BackendReply> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
  }
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => chunks.push(chunk));
        reply.on('end', () =>
          resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: Buffer.concat(chunks) }),
        );
        reply.on('error', reject);
      },
    );
    outgoing.on('error', (error) =>
      reject(
        new EdgeFaultError(`forwarding to the backend on port ${port} failed: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    outgoing.end(body);
  });
}

/** Relays a backend's answer as it came, minus the headers of its own connection. */
export function relayReply(res: ServerResponse, reply: BackendReply): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
  }
  headers['content-length'] = String(reply.body.length);
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** The CRC-32 lookup table (IEEE polynomial, reflected), built once. */
const CRC32_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/**
 * CRC-32 as DynamoDB's `x-amz-crc32` carries it (unsigned). `zlib.crc32` would do, but only from Node
 * 20.15, and the project supports every Node 20.
 */
export function crc32(data: Uint8Array): number {
  let crc = -1;
  for (const byte of data) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** How {@link sendBatchAnswer} labels a merged answer. */
export interface BatchAnswerOptions {
  /** `application/x-amz-json-1.0` or `-1.1`, as the service answers. */
  readonly contentType: string;
  /** The backend's request id when it answered part of the batch. */
  readonly requestId?: string | undefined;
  /** DynamoDB signs every answer with `x-amz-crc32`, and a rewritten body needs a fresh one. */
  readonly crc32?: boolean;
}

/** Answers a merged batch result with a 200. */
export function sendBatchAnswer(res: ServerResponse, answer: Json, options: BatchAnswerOptions): void {
  const body = Buffer.from(JSON.stringify(answer));
  const headers: Record<string, string> = {
    'Content-Type': options.contentType,
    'Content-Length': String(body.length),
    'x-amzn-RequestId': options.requestId ?? randomUUID(),
  };
  if (options.crc32) headers['x-amz-crc32'] = String(crc32(body));
  res.writeHead(200, headers);
  res.end(body);
}

/** Parses a JSON object; `undefined` for anything else, which the caller passes on untouched. */
export function parseJsonObject(body: Buffer): Json | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
