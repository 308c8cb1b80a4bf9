/**
 * The pure decisions of a Kinesis event source mapping, kept apart from I/O so they can be unit-tested:
 * how many records go into the next batch, how the function's answer is read, and what happens after an
 * invocation (checkpoint, retry, bisect, discard), following AWS's documented rules:
 *
 * - A batch is checkpointed at its highest sequence number only when it is a complete success.
 * - With `ReportBatchItemFailures`, Lambda checkpoints before the lowest failed sequence number and retries
 *   from it; an empty or null list is a success, an empty, null or misnamed `itemIdentifier` a complete failure.
 * - With `BisectBatchOnFunctionError`, a failed batch is split in two and each half retried; splitting does
 *   not count towards `MaximumRetryAttempts`. A partial response bisects the batch at the returned record.
 * - After `MaximumRetryAttempts` failed retries (-1: never), or once records are older than
 *   `MaximumRecordAgeInSeconds` (-1: never), the batch is discarded and the mapping moves on.
 */

/** What the poller knows of a record it has read and not yet checkpointed. */
export interface BufferedRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Kinesis's `ApproximateArrivalTimestamp`, epoch milliseconds. */
  readonly arrivalMs: number;
  readonly encryptionType?: string;
}

/** The synchronous invocation payload limit; a batch is cut short rather than exceed it. */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * How many records from the head of `records` form the next batch: at most `limit`, at least one, and no
 * more than fit in `maxPayloadBytes` once turned into event JSON. `overheadBytes` is the JSON of one event
 * record without its data and partition key (ARNs, sequence numbers, field names).
 */
export function nextBatchLength(
  records: readonly BufferedRecord[],
  limit: number,
  overheadBytes: number,
  maxPayloadBytes = MAX_INVOCATION_PAYLOAD_BYTES,
): number {
  const most = Math.min(limit, records.length);
  // `{"Records":[]}` plus a comma per record is within the per-record overhead's rounding.
  let size = 16;
  for (let i = 0; i < most; i++) {
    const record = records[i]!;
    size += 4 * Math.ceil(record.data.length / 3) + Buffer.byteLength(record.partitionKey) + overheadBytes;
    // One oversized record still goes alone: Kinesis caps records at 1 MiB, far below the payload limit.
    if (size > maxPayloadBytes && i > 0) return i;
  }
  return most;
}

/** How many records at the head of `records` are older than `maxAgeMs` at `nowMs` (arrival order, so a prefix). */
export function expiredPrefixLength(
  records: readonly BufferedRecord[],
  nowMs: number,
  maxAgeMs: number,
): number {
  if (maxAgeMs < 0) return 0;
  let count = 0;
  while (count < records.length && nowMs - records[count]!.arrivalMs > maxAgeMs) count++;
  return count;
}

/** How the poller reads one invocation. */
export type InvocationOutcome =
  | { readonly kind: 'success' }
  /** The whole batch failed: the function threw, or its partial batch response was not well formed. */
  | {
      readonly kind: 'failure';
      readonly cause: 'function-error' | 'invalid-response';
      readonly message: string;
    }
  /** The records before `failedIndex` succeeded; `failedIndex` is the lowest reported failure. */
  | { readonly kind: 'partial'; readonly failedIndex: number };

/**
 * Reads a function's answer as Lambda does. A response is ignored unless `reportBatchItemFailures` is on.
 * An `itemIdentifier` that names no record of the batch is undocumented; it is taken as a complete failure
 * so that no record is skipped on a malformed answer.
 */
export function interpretResponse(
  response: unknown,
  batch: readonly Pick<BufferedRecord, 'sequenceNumber'>[],
  reportBatchItemFailures: boolean,
): InvocationOutcome {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return invalid('the response is not an object with batchItemFailures');
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return invalid('batchItemFailures is not a list');
  if (failures.length === 0) return { kind: 'success' };
  const indexBySequence = new Map(batch.map((record, index) => [record.sequenceNumber, index]));
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures as unknown[]) {
    const identifier =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return invalid('a batchItemFailures entry has an empty, null or missing itemIdentifier');
    }
    const index = indexBySequence.get(identifier);
    if (index === undefined)
      return invalid(`itemIdentifier ${identifier} is not the sequence number of a record in the batch`);
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', failedIndex: lowest };
}

function invalid(message: string): InvocationOutcome {
  return { kind: 'failure', cause: 'invalid-response', message };
}

/**
 * Retry bookkeeping of one shard. It always concerns the head of the shard's buffer: the record right after
 * the checkpoint, which is the first record of the next batch.
 */
export interface RetryState {
  /**
   * Sizes of the bisected pieces still to deliver, in order from the head; empty when batches are cut by
   * `batchSize` alone. A piece is delivered as a batch of exactly that many records.
   */
  readonly pieces: readonly number[];
  /** Failed invocations counted against the retry quota for the head record. */
  readonly headFailures: number;
  /** Invocations that included the head record, for `approximateInvokeCount`. */
  readonly headInvocations: number;
}

/** Nothing retried, nothing bisected. */
export const FRESH_RETRY_STATE: RetryState = { pieces: [], headFailures: 0, headInvocations: 0 };

/** The retry options of an event source mapping. */
export interface RetryPolicy {
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 retries until the records expire. */
  readonly maximumRetryAttempts: number;
}

/** What to do after an invocation. Records are counted from the head of the buffer, commit first. */
export interface BatchPlan {
  /** Records that succeeded: checkpoint after the last of them. */
  readonly commit: number;
  /** Records after those to discard (retry quota spent), then checkpoint after them too. */
  readonly discard: number;
  /** The retry state for the head of what remains. */
  readonly next: RetryState;
  /** The failed batch was split in two. */
  readonly bisected: boolean;
  /** Some of the batch will be delivered again (a retry or a bisected half). */
  readonly willRetry: boolean;
  /** For `approximateInvokeCount` when discarding. */
  readonly discardedInvocations: number;
}

/** The batch size the next invocation is limited to: the first bisected piece, else `batchSize`. */
export function batchLimit(state: RetryState, batchSize: number): number {
  return state.pieces[0] ?? batchSize;
}

/** Removes `count` records from the front of the bisected pieces. */
export function consumePieces(pieces: readonly number[], count: number): number[] {
  const rest = [...pieces];
  let left = count;
  while (left > 0 && rest.length > 0) {
    const head = rest[0]!;
    if (head <= left) {
      left -= head;
      rest.shift();
    } else {
      rest[0] = head - left;
      left = 0;
    }
  }
  return rest;
}

/**
 * Decides what follows an invocation of `batchLength` records. `state.headInvocations` already counts this
 * invocation.
 */
export function planAfterInvocation(
  state: RetryState,
  batchLength: number,
  outcome: InvocationOutcome,
  policy: RetryPolicy,
): BatchPlan {
  const exhausted = (failures: number) =>
    policy.maximumRetryAttempts >= 0 && failures > policy.maximumRetryAttempts;

  if (outcome.kind === 'success') {
    return {
      commit: batchLength,
      discard: 0,
      next: { pieces: consumePieces(state.pieces, batchLength), headFailures: 0, headInvocations: 0 },
      bisected: false,
      willRetry: false,
      discardedInvocations: 0,
    };
  }

  if (outcome.kind === 'partial') {
    const commit = outcome.failedIndex;
    const remaining = batchLength - commit;
    // The failed record becomes the head: if it already was, its failures accumulate.
    const failures = commit === 0 ? state.headFailures + 1 : 1;
    const invocations = commit === 0 ? state.headInvocations : 1;
    // "Bisected at the returned sequence number": the remaining records are retried as a batch of their own.
    const after = consumePieces(state.pieces, batchLength);
    const pieces = policy.bisectBatchOnFunctionError ? [remaining, ...after] : after;
    if (exhausted(failures)) {
      return {
        commit,
        discard: remaining,
        next: { pieces: consumePieces(pieces, remaining), headFailures: 0, headInvocations: 0 },
        bisected: false,
        willRetry: false,
        discardedInvocations: invocations,
      };
    }
    return {
      commit,
      discard: 0,
      next: { pieces, headFailures: failures, headInvocations: invocations },
      bisected: false,
      willRetry: true,
      discardedInvocations: 0,
    };
  }

  if (policy.bisectBatchOnFunctionError && batchLength > 1) {
    const first = Math.ceil(batchLength / 2);
    return {
      commit: 0,
      discard: 0,
      next: {
        pieces: [first, batchLength - first, ...consumePieces(state.pieces, batchLength)],
        headFailures: state.headFailures,
        headInvocations: state.headInvocations,
      },
      bisected: true,
      willRetry: true,
      discardedInvocations: 0,
    };
  }
  const failures = state.headFailures + 1;
  if (exhausted(failures)) {
    return {
      commit: 0,
      discard: batchLength,
      next: { pieces: consumePieces(state.pieces, batchLength), headFailures: 0, headInvocations: 0 },
      bisected: false,
      willRetry: false,
      discardedInvocations: state.headInvocations,
    };
  }
  return {
    commit: 0,
    discard: 0,
    next: { pieces: state.pieces, headFailures: failures, headInvocations: state.headInvocations },
    bisected: false,
    willRetry: true,
    discardedInvocations: 0,
  };
}

/** The retry state once `count` records at the head aged out and were discarded. */
export function afterAgeDiscard(state: RetryState, count: number): RetryState {
  return { pieces: consumePieces(state.pieces, count), headFailures: 0, headInvocations: 0 };
}
