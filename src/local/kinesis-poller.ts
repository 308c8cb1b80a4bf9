/**
 * The offline twin of a Lambda event source mapping for Kinesis (DESIGN.md §7): polls every shard of a
 * stream on the local edge and invokes an in-process handler with Lambda's event, honouring the mapping's
 * documented semantics: batch size, batching window, starting position, partial batch response, bisect on
 * error, retry quota, maximum record age, on-failure destination (SQS), in-order processing per shard and
 * parents before children across resharding.
 */
import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamHandler } from '../functions/kinesis-event.ts';
import { LOCAL_ACCOUNT_ID } from './edge/aws-json.ts';
import { InMemoryCheckpointStore, type CheckpointStore } from './kinesis-poller/checkpoints.ts';
import {
  InvalidKinesisPollerOptionsError,
  KinesisPollerStateError,
  KinesisStreamUnavailableError,
} from './kinesis-poller/errors.ts';
import {
  describeError,
  ShardWorker,
  sleep,
  type KinesisPollerLogger,
  type ShardStats,
  type ShardWorkerConfig,
  type ShardWorkerContext,
  type StartingPosition,
} from './kinesis-poller/shard-worker.ts';

export { InMemoryCheckpointStore, type CheckpointStore } from './kinesis-poller/checkpoints.ts';
export {
  InvalidKinesisPollerOptionsError,
  KinesisPollerError,
  KinesisPollerStateError,
  KinesisStreamUnavailableError,
} from './kinesis-poller/errors.ts';
export type {
  KinesisPollerLogger,
  ShardStats,
  ShardStatus,
  StartingPosition,
} from './kinesis-poller/shard-worker.ts';

/** How to run a {@link KinesisPoller}; names follow `CreateEventSourceMapping` where one exists. */
export interface KinesisPollerOptions {
  readonly kinesis: KinesisClient;
  /** Needed only with {@link onFailureQueueUrl}. */
  readonly sqs?: SQSClient;
  readonly streamName: string;
  /** The function: its answer is read as a partial batch response when {@link reportBatchItemFailures} is on. */
  readonly handler: KinesisStreamHandler;
  /** Where a shard without a checkpoint starts. */
  readonly startingPosition: StartingPosition;
  /** `BatchSize`, 1–10,000. Default 100. */
  readonly batchSize?: number;
  /** `MaximumBatchingWindowInSeconds` in milliseconds, 0–300,000. Default 0: deliver what each read returns. */
  readonly maximumBatchingWindowMs?: number;
  /** `FunctionResponseTypes: ["ReportBatchItemFailures"]`. Default true (AWS's default is off). */
  readonly reportBatchItemFailures?: boolean;
  /** `BisectBatchOnFunctionError`. Default false. */
  readonly bisectBatchOnFunctionError?: boolean;
  /** `MaximumRetryAttempts`, -1 (until the records expire) to 10,000. Default -1. */
  readonly maximumRetryAttempts?: number;
  /**
   * `MaximumRecordAgeInSeconds`; -1 never discards. Default -1. AWS accepts 60–604,800; smaller positive
   * values are allowed here so tests need not wait a minute.
   */
  readonly maximumRecordAgeSeconds?: number;
  /** `DestinationConfig.OnFailure` as an SQS queue URL (requires {@link sqs}). */
  readonly onFailureQueueUrl?: string;
  /** `ParallelizationFactor`; only 1 is supported: one batch in flight per shard. */
  readonly parallelizationFactor?: 1;
  /** How long a caught-up shard waits before reading again. Default 100 ms (Lambda polls once a second). */
  readonly pollIntervalMs?: number;
  /**
   * The longest wait between reads of an idle shard: after each empty read the wait doubles from
   * `pollIntervalMs` up to this, and falls back to `pollIntervalMs` when records come. Default
   * `pollIntervalMs` (no backoff).
   */
  readonly idlePollIntervalMs?: number;
  /**
   * The shortest time between the starts of two reads of one shard, however busy. Default 0. A busy shard
   * read as soon as its last batch is done hands the function many small batches, and every batch costs
   * a fixed share (one event per tenant, one round trip per store); spacing reads lets records gather.
   */
  readonly minReadIntervalMs?: number;
  /** First delay before retrying a failed batch, doubled per failure. Default 100 ms. */
  readonly retryBackoffMs?: number;
  /** Cap of every backoff (retries, edge errors). Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /** How often new shards (resharding) are looked for. Default 2,000 ms. */
  readonly shardDiscoveryIntervalMs?: number;
  /** How long `start()` waits for the stream to exist and be ACTIVE. Default 10,000 ms. */
  readonly startTimeoutMs?: number;
  /** Region of the event records; defaults to the Kinesis client's. */
  readonly region?: string;
  /** Account of the ARNs; defaults to the stream ARN's, else the local edge's. */
  readonly accountId?: string;
  /** Name in the function ARN of on-failure records. Default `<streamName>-consumer`. */
  readonly functionName?: string;
  /** `invokeIdentityArn` of the event records. Default the role `<functionName>-role` of the account. */
  readonly invokeIdentityArn?: string;
  /** Where checkpoints are kept; a fresh in-memory store when absent. Share one to resume after a restart. */
  readonly checkpointStore?: CheckpointStore;
  /** Where failures are logged (never per record). Default `console`. */
  readonly logger?: KinesisPollerLogger;
}

/** The counters of a poller, per shard and in total. */
export interface KinesisPollerStats {
  readonly streamName: string;
  readonly streamArn: string | undefined;
  readonly shards: readonly ShardStats[];
  readonly totals: {
    readonly recordsRead: number;
    readonly recordsDelivered: number;
    readonly batches: number;
    readonly failures: number;
    readonly retries: number;
    readonly recordsDiscarded: number;
    readonly pendingRecords: number;
    /** The largest iterator age of any shard: the lag of the slowest one. */
    readonly iteratorAgeMs: number;
  };
}

type PollerState = 'new' | 'starting' | 'running' | 'stopped';

/**
 * A Kinesis → function poller with the semantics of a Lambda event source mapping. `start()` resolves once
 * every shard has its first iterator (so with LATEST, records put afterwards are delivered); `stop()`
 * lets each shard finish the batch in flight and resolves when all loops have ended.
 */
export class KinesisPoller {
  private readonly config: ShardWorkerConfig;
  private readonly checkpoints: CheckpointStore;
  private readonly logger: KinesisPollerLogger;
  private readonly abort = new AbortController();
  private readonly workers = new Map<string, ShardWorker>();
  private readonly loops: Promise<void>[] = [];
  private state: PollerState = 'new';
  private context: ShardWorkerContext | undefined;
  private streamArn: string | undefined;

  constructor(private readonly options: KinesisPollerOptions) {
    this.config = resolveConfig(options);
    this.checkpoints = options.checkpointStore ?? new InMemoryCheckpointStore();
    this.logger = options.logger ?? console;
  }

  /** Finds the stream and its shards and starts polling; throws {@link KinesisStreamUnavailableError}. */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw new KinesisPollerStateError(`the poller of ${this.options.streamName} was already started`);
    this.state = 'starting';
    try {
      const { kinesis, streamName } = this.options;
      const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
      const streamArn = await this.waitForActiveStream(deadline);
      this.streamArn = streamArn;
      const region = this.options.region ?? (await kinesis.config.region());
      const accountId = this.options.accountId ?? accountOf(streamArn) ?? LOCAL_ACCOUNT_ID;
      const functionName = this.options.functionName ?? `${streamName}-consumer`;
      this.context = {
        kinesis,
        sqs: this.options.sqs,
        streamName,
        handler: this.options.handler,
        config: this.config,
        source: {
          streamArn,
          region,
          invokeIdentityArn:
            this.options.invokeIdentityArn ?? `arn:aws:iam::${accountId}:role/${functionName}-role`,
        },
        functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
        checkpoints: this.checkpoints,
        logger: this.logger,
        signal: this.abort.signal,
      };
      const shards = await this.withRetries('ListShards', deadline, () => this.listShards());
      await this.addShards(shards, deadline);
      this.loops.push(this.discoverShards());
      this.state = 'running';
    } catch (error) {
      this.abort.abort();
      await this.settleLoops();
      this.state = 'stopped';
      throw error;
    }
  }

  /** Stops polling: each shard finishes the batch in flight (and its checkpoint), timers are cleared. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.abort.abort();
    await this.settleLoops();
  }

  /** Awaits every loop, including any a discovery in progress added meanwhile. */
  private async settleLoops(): Promise<void> {
    let settled = 0;
    while (settled < this.loops.length) {
      const pending = this.loops.slice(settled);
      settled = this.loops.length;
      await Promise.all(pending);
    }
  }

  /** Counters per shard and in total, for the terminal summary (lag) and tests. */
  stats(): KinesisPollerStats {
    const now = Date.now();
    const shards = [...this.workers.values()].map((worker) => worker.stats(now));
    const sum = (pick: (shard: ShardStats) => number) =>
      shards.reduce((total, shard) => total + pick(shard), 0);
    return {
      streamName: this.options.streamName,
      streamArn: this.streamArn,
      shards,
      totals: {
        recordsRead: sum((s) => s.recordsRead),
        recordsDelivered: sum((s) => s.recordsDelivered),
        batches: sum((s) => s.batches),
        failures: sum((s) => s.failures),
        retries: sum((s) => s.retries),
        recordsDiscarded: sum((s) => s.recordsDiscarded),
        pendingRecords: sum((s) => s.pendingRecords),
        iteratorAgeMs: shards.reduce((most, shard) => Math.max(most, shard.iteratorAgeMs), 0),
      },
    };
  }

  private async waitForActiveStream(deadline: number): Promise<string> {
    const { kinesis, streamName } = this.options;
    let lastProblem = 'no answer';
    while (!this.abort.signal.aborted) {
      try {
        const { StreamDescriptionSummary: summary } = await kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: streamName }),
        );
        if (summary?.StreamStatus === 'ACTIVE' || summary?.StreamStatus === 'UPDATING') {
          return (
            summary.StreamARN ??
            `arn:aws:kinesis:${await kinesis.config.region()}:${LOCAL_ACCOUNT_ID}:stream/${streamName}`
          );
        }
        lastProblem = `the stream is ${summary?.StreamStatus ?? 'in an unknown state'}`;
      } catch (error) {
        lastProblem = describeError(error);
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())), this.abort.signal);
    }
    throw new KinesisStreamUnavailableError(`Kinesis stream ${streamName} is not available: ${lastProblem}`);
  }

  private async withRetries<T>(operation: string, deadline: number, call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (Date.now() >= deadline || this.abort.signal.aborted) {
          throw new KinesisStreamUnavailableError(
            `${operation} on ${this.options.streamName} failed: ${describeError(error)}`,
            { cause: error },
          );
        }
        await sleep(100, this.abort.signal);
      }
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.options.kinesis.send(
        nextToken
          ? new ListShardsCommand({ NextToken: nextToken })
          : new ListShardsCommand({ StreamName: this.options.streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  /**
   * Starts a worker per unknown shard. Shards found at start begin at the starting position (with
   * TRIM_HORIZON a child still waits for its parents); shards appearing later come from resharding, so
   * they are read from their beginning once their parents are done.
   */
  private async addShards(shards: readonly Shard[], startDeadline?: number): Promise<void> {
    const initial = startDeadline !== undefined;
    const context = this.context;
    if (!context) return;
    const opening: Promise<void>[] = [];
    const started: ShardWorker[] = [];
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (!shardId || this.workers.has(shardId)) continue;
      const position: StartingPosition = initial ? this.options.startingPosition : 'TRIM_HORIZON';
      const parents =
        position === 'TRIM_HORIZON'
          ? [shard.ParentShardId, shard.AdjacentParentShardId]
              .map((id) => (id ? this.workers.get(id) : undefined))
              .filter((worker): worker is ShardWorker => worker !== undefined)
          : [];
      const worker = new ShardWorker(context, shardId, position, parents);
      this.workers.set(shardId, worker);
      started.push(worker);
      // Only the first iterators are awaited (LATEST is "after start()"); a later shard opens in its loop.
      if (initial && parents.length === 0) opening.push(worker.open(startDeadline));
    }
    await Promise.all(opening);
    for (const worker of started) this.loops.push(worker.run());
  }

  private async discoverShards(): Promise<void> {
    const interval = this.options.shardDiscoveryIntervalMs ?? 2_000;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      await sleep(interval, this.abort.signal);
      if (this.abort.signal.aborted) return;
      try {
        await this.addShards(await this.listShards());
        failures = 0;
      } catch (error) {
        if (failures++ % 10 === 0) {
          this.logger.warn(
            `kinesis-poller: ${this.options.streamName}: ListShards failed, retrying: ${describeError(error)}`,
          );
        }
      }
    }
  }
}

function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function resolveConfig(options: KinesisPollerOptions): ShardWorkerConfig {
  const integer = (name: string, value: number, min: number, max: number): number => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidKinesisPollerOptionsError(
        `${name} must be an integer from ${min} to ${max}, got ${value}`,
      );
    }
    return value;
  };
  const positive = (name: string, value: number): number => {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidKinesisPollerOptionsError(`${name} must be a non-negative number, got ${value}`);
    }
    return value;
  };
  if (!options.streamName) throw new InvalidKinesisPollerOptionsError('streamName is required');
  if (options.startingPosition !== 'LATEST' && options.startingPosition !== 'TRIM_HORIZON') {
    throw new InvalidKinesisPollerOptionsError(
      `startingPosition must be LATEST or TRIM_HORIZON, got ${String(options.startingPosition)}`,
    );
  }
  if ((options.parallelizationFactor ?? 1) !== 1) {
    throw new InvalidKinesisPollerOptionsError('only parallelizationFactor 1 is supported');
  }
  if (options.onFailureQueueUrl && !options.sqs) {
    throw new InvalidKinesisPollerOptionsError('onFailureQueueUrl needs an sqs client');
  }
  const maximumRecordAgeSeconds = options.maximumRecordAgeSeconds ?? -1;
  if (
    maximumRecordAgeSeconds !== -1 &&
    !(maximumRecordAgeSeconds > 0 && maximumRecordAgeSeconds <= 604_800)
  ) {
    throw new InvalidKinesisPollerOptionsError(
      `maximumRecordAgeSeconds must be -1 or from 0 (exclusive) to 604800, got ${maximumRecordAgeSeconds}`,
    );
  }
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 100);
  if (pollIntervalMs === 0) throw new InvalidKinesisPollerOptionsError('pollIntervalMs must be above 0');
  return {
    batchSize: integer('batchSize', options.batchSize ?? 100, 1, 10_000),
    maximumBatchingWindowMs: integer(
      'maximumBatchingWindowMs',
      options.maximumBatchingWindowMs ?? 0,
      0,
      300_000,
    ),
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    bisectBatchOnFunctionError: options.bisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: integer('maximumRetryAttempts', options.maximumRetryAttempts ?? -1, -1, 10_000),
    maximumRecordAgeMs: maximumRecordAgeSeconds === -1 ? -1 : maximumRecordAgeSeconds * 1000,
    onFailureQueueUrl: options.onFailureQueueUrl,
    pollIntervalMs,
    idlePollIntervalMs: Math.max(
      pollIntervalMs,
      positive('idlePollIntervalMs', options.idlePollIntervalMs ?? pollIntervalMs),
    ),
    minReadIntervalMs: positive('minReadIntervalMs', options.minReadIntervalMs ?? 0),
    retryBackoffMs: positive('retryBackoffMs', options.retryBackoffMs ?? 100),
    maxBackoffMs: positive('maxBackoffMs', options.maxBackoffMs ?? 5_000),
  };
}
