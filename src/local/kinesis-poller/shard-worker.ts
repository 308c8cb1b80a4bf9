/**
 * One shard's loop of the local event source mapping: read, gather a batch, invoke, then checkpoint, retry,
 * bisect or discard. One batch of a shard is in flight at a time, so a shard's records reach the function
 * in order (ParallelizationFactor 1).
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { KinesisDiscardCondition, KinesisStreamHandler } from '../../functions/kinesis-event.ts';
import {
  afterAgeDiscard,
  batchLimit,
  expiredPrefixLength,
  FRESH_RETRY_STATE,
  interpretResponse,
  nextBatchLength,
  planAfterInvocation,
  type BufferedRecord,
  type InvocationOutcome,
  type RetryPolicy,
  type RetryState,
} from './batch-plan.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { KinesisStreamUnavailableError } from './errors.ts';
import {
  eventRecordOverheadBytes,
  onFailureRecord,
  toEvent,
  type EventSourceIdentity,
  type LastInvocation,
} from './records.ts';

/** Where the poller writes a line when something fails; never per record. */
export type KinesisPollerLogger = Pick<Console, 'warn'>;

/** Where a shard without a checkpoint starts reading. */
export type StartingPosition = 'LATEST' | 'TRIM_HORIZON';

/** The poller's options once defaults are applied, shared by its shard workers. */
export interface ShardWorkerConfig extends RetryPolicy {
  readonly batchSize: number;
  readonly maximumBatchingWindowMs: number;
  readonly reportBatchItemFailures: boolean;
  /** -1: never. */
  readonly maximumRecordAgeMs: number;
  readonly onFailureQueueUrl: string | undefined;
  readonly pollIntervalMs: number;
  /** The longest wait between reads of a shard that keeps answering nothing (the wait doubles up to it). */
  readonly idlePollIntervalMs: number;
  readonly minReadIntervalMs: number;
  readonly retryBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** What every shard worker of a poller shares. */
export interface ShardWorkerContext {
  readonly kinesis: KinesisClient;
  readonly sqs: SQSClient | undefined;
  readonly streamName: string;
  readonly handler: KinesisStreamHandler;
  readonly config: ShardWorkerConfig;
  readonly source: EventSourceIdentity;
  readonly functionArn: string;
  readonly checkpoints: CheckpointStore;
  readonly logger: KinesisPollerLogger;
  /** Aborted by `stop()`. */
  readonly signal: AbortSignal;
}

/** Where a shard worker is in its life. */
export type ShardStatus = 'waiting-for-parents' | 'polling' | 'finished' | 'stopped';

/** The counters of one shard, for the terminal summary and tests. */
export interface ShardStats {
  readonly shardId: string;
  readonly status: ShardStatus;
  /** Records read from the stream (each once, however often it is delivered). */
  readonly recordsRead: number;
  /** Records checkpointed after the function succeeded with them. */
  readonly recordsDelivered: number;
  /** Invocations of the function. */
  readonly batches: number;
  /** Invocations that failed in whole or in part. */
  readonly failures: number;
  /** Invocations that delivered records again after a failure (retries and bisected halves). */
  readonly retries: number;
  /** Failed batches split in two. */
  readonly bisections: number;
  readonly recordsDiscarded: number;
  readonly batchesDiscarded: number;
  /** Records read and not yet checkpointed. */
  readonly pendingRecords: number;
  readonly checkpoint: string | undefined;
  /**
   * Now minus the arrival of the last record read, while the shard is behind (records waiting or the last
   * read was not the end of the shard); 0 when caught up.
   */
  readonly iteratorAgeMs: number;
  /** Lambda's `IteratorAge` metric: the age of the last record of the last batch when its invocation ended. */
  readonly lastBatchIteratorAgeMs: number | undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An error's message for a log line. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** Reads one shard and invokes the handler with its records, as one event source mapping shard poller. */
export class ShardWorker {
  private buffer: BufferedRecord[] = [];
  private retry: RetryState = FRESH_RETRY_STATE;
  private iterator: string | undefined;
  private checkpoint: string | undefined;
  private lastReadSequence: string | undefined;
  private lastReadArrivalMs: number | undefined;
  /** When the oldest buffered record was read: the batching window runs from there. */
  private gatherStartedAt: number | undefined;
  private opened = false;
  private closed = false;
  private caughtUp = false;
  private lastInvocation: LastInvocation | undefined;
  private retryDelayMs = 0;
  private consecutiveReadErrors = 0;
  /** Reads in a row that found nothing, while nothing was buffered: how idle the shard is. */
  private emptyReads = 0;
  /** When the last GetRecords started (epoch ms), for `minReadIntervalMs`. */
  private lastReadStartedAt = 0;
  private status: ShardStatus;
  private readonly overheadBytes: number;
  private readonly counters = {
    recordsRead: 0,
    recordsDelivered: 0,
    batches: 0,
    failures: 0,
    retries: 0,
    bisections: 0,
    recordsDiscarded: 0,
    batchesDiscarded: 0,
  };
  private lastBatchIteratorAgeMs: number | undefined;
  private markShardDone!: () => void;
  /** Resolves once every record of the (closed) shard is checkpointed; children wait for it. */
  readonly shardDone: Promise<void>;

  constructor(
    private readonly context: ShardWorkerContext,
    readonly shardId: string,
    private readonly initialPosition: StartingPosition,
    private readonly parents: readonly ShardWorker[],
  ) {
    this.status = parents.length > 0 ? 'waiting-for-parents' : 'polling';
    this.overheadBytes = eventRecordOverheadBytes(shardId, context.source);
    this.shardDone = new Promise((resolve) => (this.markShardDone = resolve));
  }

  /**
   * Loads the checkpoint and opens the first iterator. The poller awaits this for the shards it starts with,
   * so that LATEST means "records put after `start()` resolved".
   */
  async open(deadline?: number): Promise<void> {
    this.opened = true;
    try {
      this.checkpoint = await this.context.checkpoints.load(this.context.streamName, this.shardId);
    } catch (error) {
      this.context.logger.warn(
        `kinesis-poller: ${this.where()}: could not load the checkpoint, starting at ${this.initialPosition}: ${describeError(error)}`,
      );
    }
    await this.openIterator(deadline);
  }

  /** The shard's loop; resolves when the shard is finished or the poller stops. */
  async run(): Promise<void> {
    const { signal } = this.context;
    if (this.parents.length > 0) {
      // Kinesis ordering across resharding: a child's records come after all of its parents' records.
      await Promise.race([
        Promise.all(this.parents.map((parent) => parent.shardDone)),
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      ]);
      if (signal.aborted) return this.halt();
      this.status = 'polling';
    }
    if (!this.opened) await this.open();
    while (!signal.aborted) {
      try {
        if (this.closed && this.buffer.length === 0) {
          this.status = 'finished';
          this.markShardDone();
          return;
        }
        await this.fill();
        if (signal.aborted || this.buffer.length === 0) continue;
        await this.deliver();
        if (this.retryDelayMs > 0) await sleep(this.retryDelayMs, signal);
      } catch (error) {
        // Only a fault of the poller itself lands here; it must cost a pause, never the process.
        this.context.logger.warn(
          `kinesis-poller: ${this.where()}: unexpected error: ${describeError(error)}`,
        );
        await sleep(this.context.config.maxBackoffMs, signal);
      }
    }
    this.halt();
  }

  /** The shard's counters. */
  stats(now = Date.now()): ShardStats {
    const behind = this.buffer.length > 0 || (!this.caughtUp && !this.closed);
    return {
      shardId: this.shardId,
      status: this.status,
      ...this.counters,
      pendingRecords: this.buffer.length,
      checkpoint: this.checkpoint,
      iteratorAgeMs:
        behind && this.lastReadArrivalMs !== undefined ? Math.max(0, now - this.lastReadArrivalMs) : 0,
      lastBatchIteratorAgeMs: this.lastBatchIteratorAgeMs,
    };
  }

  private halt(): void {
    if (this.status !== 'finished') this.status = 'stopped';
  }

  private where(): string {
    return `${this.context.streamName}/${this.shardId}`;
  }

  /**
   * Opens an iterator after the last record read, else after the checkpoint, else at the starting position.
   * Retries until it succeeds or the poller stops; past `deadline` (while starting) it throws instead.
   */
  private async openIterator(deadline?: number): Promise<void> {
    const after = this.lastReadSequence ?? this.checkpoint;
    for (let attempt = 0; !this.context.signal.aborted; attempt++) {
      try {
        const output = await this.context.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: this.context.streamName,
            ShardId: this.shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
              : { ShardIteratorType: this.initialPosition }),
          }),
        );
        this.iterator = output.ShardIterator;
        if (!this.iterator) this.closed = true;
        return;
      } catch (error) {
        if (deadline !== undefined && Date.now() >= deadline) {
          throw new KinesisStreamUnavailableError(
            `GetShardIterator on ${this.where()} failed: ${describeError(error)}`,
            {
              cause: error,
            },
          );
        }
        this.readFailed('GetShardIterator', error, attempt);
        await sleep(this.backoff(this.context.config.pollIntervalMs, attempt), this.context.signal);
      }
    }
  }

  /** One GetRecords for what the buffer lacks of a full batch; answers how many records came. */
  private async readOnce(): Promise<number> {
    const { config, kinesis, signal } = this.context;
    if (!this.iterator) await this.openIterator();
    if (!this.iterator || signal.aborted) return 0;
    const wanted = Math.min(config.batchSize - this.buffer.length, 10_000);
    const sinceLastRead = Date.now() - this.lastReadStartedAt;
    if (sinceLastRead < config.minReadIntervalMs) {
      await sleep(config.minReadIntervalMs - sinceLastRead, signal);
      if (signal.aborted) return 0;
    }
    this.lastReadStartedAt = Date.now();
    try {
      const output = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: wanted }),
      );
      this.consecutiveReadErrors = 0;
      const records = output.Records ?? [];
      const readAt = Date.now();
      if (records.length > 0 && this.buffer.length === 0) this.gatherStartedAt = readAt;
      for (const record of records) {
        this.buffer.push({
          sequenceNumber: record.SequenceNumber ?? '',
          partitionKey: record.PartitionKey ?? '',
          data: record.Data ?? new Uint8Array(0),
          arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? readAt,
          ...(record.EncryptionType && record.EncryptionType !== 'NONE'
            ? { encryptionType: record.EncryptionType }
            : {}),
        });
      }
      const last = records[records.length - 1];
      if (last) {
        this.lastReadSequence = last.SequenceNumber;
        this.lastReadArrivalMs = last.ApproximateArrivalTimestamp?.getTime() ?? readAt;
        this.counters.recordsRead += records.length;
      }
      this.caughtUp = records.length < wanted && (output.MillisBehindLatest ?? 0) === 0;
      this.iterator = output.NextShardIterator ?? undefined;
      // No next iterator: the shard was closed by resharding and has been read to its end.
      if (!output.NextShardIterator) this.closed = true;
      return records.length;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ExpiredIteratorException' || name === 'InvalidArgumentException') {
        // An iterator lives five minutes; a long invocation or retry streak outlives it. Reopen where we are.
        this.iterator = undefined;
        if (name === 'InvalidArgumentException')
          this.readFailed('GetRecords', error, this.consecutiveReadErrors++);
        return 0;
      }
      this.readFailed('GetRecords', error, this.consecutiveReadErrors);
      await sleep(this.backoff(config.pollIntervalMs, this.consecutiveReadErrors++), signal);
      return 0;
    }
  }

  /** Logs the first failure of a streak and then every tenth, so an edge outage is visible but not a flood. */
  private readFailed(operation: string, error: unknown, attempt: number): void {
    if (attempt % 10 === 0) {
      this.context.logger.warn(
        `kinesis-poller: ${this.where()}: ${operation} failed (attempt ${attempt + 1}), retrying: ${describeError(error)}`,
      );
    }
  }

  private backoff(base: number, attempt: number): number {
    return Math.min(base * 2 ** Math.min(attempt, 20), this.context.config.maxBackoffMs);
  }

  /**
   * Gathers records for the next batch: until the batch is full, the batching window (counted from the
   * first record read) ends, or the shard ends. A retry goes at once with what is there, topped up by one read
   * when its size is not fixed by bisection.
   */
  private async fill(): Promise<void> {
    const { config, signal } = this.context;
    if (this.closed) return;
    if (this.retry.pieces.length > 0 || this.retry.headFailures > 0) {
      if (this.retry.pieces.length === 0 && this.buffer.length < config.batchSize) await this.readOnce();
      return;
    }
    const windowEnds = () => (this.gatherStartedAt ?? Date.now()) + config.maximumBatchingWindowMs;
    while (!signal.aborted && !this.closed && this.buffer.length < config.batchSize) {
      if (this.buffer.length > 0 && Date.now() >= windowEnds()) return;
      const wanted = config.batchSize - this.buffer.length;
      const got = await this.readOnce();
      this.emptyReads = got === 0 && this.buffer.length === 0 ? this.emptyReads + 1 : 0;
      if (this.buffer.length >= config.batchSize || this.closed) return;
      if (this.buffer.length > 0 && Date.now() >= windowEnds()) return;
      if (got < wanted) {
        const untilWindowEnds = this.buffer.length > 0 ? windowEnds() - Date.now() : Number.POSITIVE_INFINITY;
        // An idle shard is read less and less often (each empty read costs a GetRecords round trip); the
        // first record after a pause waits at most idlePollIntervalMs, a busy shard never waits longer
        // than pollIntervalMs.
        const idleWait = Math.min(
          config.pollIntervalMs * 2 ** Math.min(Math.max(this.emptyReads - 1, 0), 20),
          config.idlePollIntervalMs,
        );
        await sleep(Math.min(Math.max(config.pollIntervalMs, idleWait), untilWindowEnds), signal);
      }
    }
  }

  /** Delivers one batch from the head of the buffer and acts on the outcome. */
  private async deliver(): Promise<void> {
    const { config, handler } = this.context;
    this.retryDelayMs = 0;
    const length = nextBatchLength(this.buffer, batchLimit(this.retry, config.batchSize), this.overheadBytes);
    const batch = this.buffer.slice(0, length);

    const expired = expiredPrefixLength(batch, Date.now(), config.maximumRecordAgeMs);
    if (expired > 0) {
      const invoked = this.retry.headInvocations;
      if (
        await this.discard(
          expired,
          'RecordAgeExceeded',
          invoked,
          invoked > 0 ? this.lastInvocation : undefined,
        )
      ) {
        this.retry = afterAgeDiscard(this.retry, expired);
      }
      return;
    }

    const isRetry = this.retry.headFailures > 0 || this.retry.pieces.length > 0;
    this.retry = { ...this.retry, headInvocations: this.retry.headInvocations + 1 };
    this.counters.batches++;
    if (isRetry) this.counters.retries++;
    let outcome: InvocationOutcome;
    try {
      const response = await handler(toEvent(batch, this.shardId, this.context.source));
      outcome = interpretResponse(response, batch, config.reportBatchItemFailures);
    } catch (error) {
      outcome = { kind: 'failure', cause: 'function-error', message: describeError(error) };
    }
    this.lastBatchIteratorAgeMs = Math.max(0, Date.now() - batch[length - 1]!.arrivalMs);

    if (outcome.kind !== 'success') {
      this.counters.failures++;
      this.lastInvocation = {
        functionError: outcome.kind === 'failure' && outcome.cause === 'function-error',
      };
      const what =
        outcome.kind === 'partial'
          ? `reported a failure at record ${outcome.failedIndex + 1} (${batch[outcome.failedIndex]!.sequenceNumber})`
          : outcome.cause === 'function-error'
            ? `threw: ${outcome.message}`
            : `answered an invalid partial batch response, taken as a complete failure: ${outcome.message}`;
      this.context.logger.warn(`kinesis-poller: ${this.where()}: the function ${what} (batch of ${length})`);
    }

    const plan = planAfterInvocation(this.retry, length, outcome, config);
    if (plan.commit > 0) await this.commit(plan.commit, true);
    if (plan.discard > 0) {
      if (
        !(await this.discard(
          plan.discard,
          'RetryAttemptsExhausted',
          plan.discardedInvocations,
          this.lastInvocation,
        ))
      ) {
        return;
      }
    }
    this.retry = plan.next;
    if (plan.bisected) this.counters.bisections++;
    if (plan.willRetry && !plan.bisected) {
      this.retryDelayMs = this.backoff(config.retryBackoffMs, plan.next.headFailures - 1);
    }
  }

  /** Checkpoints after the first `count` buffered records. */
  private async commit(count: number, delivered: boolean): Promise<void> {
    const done = this.buffer.splice(0, count);
    if (delivered) this.counters.recordsDelivered += done.length;
    this.checkpoint = done[done.length - 1]!.sequenceNumber;
    if (this.buffer.length === 0) this.gatherStartedAt = undefined;
    try {
      await this.context.checkpoints.save(this.context.streamName, this.shardId, this.checkpoint);
    } catch (error) {
      this.context.logger.warn(
        `kinesis-poller: ${this.where()}: could not save the checkpoint: ${describeError(error)}`,
      );
    }
  }

  /**
   * Discards the first `count` buffered records: sends the invocation record to the on-failure queue (retrying
   * until it is accepted, as a destination outage must not lose the record of a discard) and checkpoints after
   * them. Answers false, leaving the records in place, only when the poller stops before the queue accepts.
   */
  private async discard(
    count: number,
    condition: KinesisDiscardCondition,
    approximateInvokeCount: number,
    lastInvocation: LastInvocation | undefined,
  ): Promise<boolean> {
    const { config, sqs, signal } = this.context;
    const records = this.buffer.slice(0, count);
    const first = records[0]!.sequenceNumber;
    const last = records[records.length - 1]!.sequenceNumber;
    if (config.onFailureQueueUrl && sqs) {
      const body = JSON.stringify(
        onFailureRecord({
          records,
          shardId: this.shardId,
          streamArn: this.context.source.streamArn,
          functionArn: this.context.functionArn,
          condition,
          approximateInvokeCount,
          ...(lastInvocation ? { lastInvocation } : {}),
          requestId: randomUUID(),
          discardedAt: new Date(),
        }),
      );
      for (let attempt = 0; ; attempt++) {
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl: config.onFailureQueueUrl, MessageBody: body }));
          break;
        } catch (error) {
          if (attempt % 10 === 0) {
            this.context.logger.warn(
              `kinesis-poller: ${this.where()}: could not send the on-failure record to ${config.onFailureQueueUrl}, retrying: ${describeError(error)}`,
            );
          }
          if (signal.aborted) return false;
          await sleep(this.backoff(config.pollIntervalMs, attempt), signal);
        }
      }
    }
    this.counters.recordsDiscarded += count;
    this.counters.batchesDiscarded++;
    this.context.logger.warn(
      `kinesis-poller: ${this.where()}: discarded ${count} record(s) ${first}..${last} (${condition}, ` +
        `${approximateInvokeCount} invocation(s))${config.onFailureQueueUrl ? '; invocation record sent to the on-failure queue' : ''}`,
    );
    await this.commit(count, false);
    return true;
  }
}
