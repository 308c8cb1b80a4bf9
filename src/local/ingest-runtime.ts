import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../adapters/aws/client-config.ts';
import { createIngestHandler, type IngestObserver } from '../functions/ingest/ingest-function.ts';
import { ingestDependencies, type IngestConfiguration } from '../functions/ingest/dependencies.ts';
import type { IngestCounts, IngestDependencies } from '../domain/ingest/ingest-batch.ts';
import { tickQuietVehicles } from '../domain/ingest/detector-ticker.ts';
import { KinesisPoller, type KinesisPollerOptions, type KinesisPollerStats } from './kinesis-poller.ts';
import { teslaStreamNames, TESLA_TOPICS } from '../domain/tesla/index.ts';

/**
 * Reads of a busy shard at most every 50 ms. Read right after each batch, a shard at thousands of records
 * a second made batches of a few dozen records, each costing one Telemetry.Updated event per tenant (bus,
 * publish mutation, subscriber messages): at 5,000 records/s that overhead saturated the event loop and
 * the tail latency grew. Spacing reads by 50 ms adds at most that much to a quiet stack (bench:e2e).
 */
const DEFAULT_MIN_READ_INTERVAL_MS = 50;

/** How often the local ticker runs the detectors' timer checks (the Lambda's schedule is every minute). */
const DEFAULT_TICK_INTERVAL_MS = 30_000;

/** Running totals of the local ingest function, for the terminal summary and tests. */
export interface IngestTotals {
  batches: number;
  failedBatches: number;
  records: number;
  poison: number;
  unregistered: number;
  autoRegistered: number;
  telemetryEvents: number;
  failedEvents: number;
  batchItemFailures: number;
  lastError?: string;
}

/** Running totals of the detectors on the local ingest path and its ticker. */
export interface DetectorTotals {
  domainEvents: number;
  failedDomainEvents: number;
  detectorStateErrors: number;
  historyItems: number;
  failedHistoryItems: number;
  ticks: number;
}

/** Counts batches offline, where CloudWatch metrics have nowhere to go. */
export class TotalsIngestObserver implements IngestObserver {
  readonly totals: IngestTotals = {
    batches: 0,
    failedBatches: 0,
    records: 0,
    poison: 0,
    unregistered: 0,
    autoRegistered: 0,
    telemetryEvents: 0,
    failedEvents: 0,
    batchItemFailures: 0,
  };
  readonly detectorTotals: DetectorTotals = {
    domainEvents: 0,
    failedDomainEvents: 0,
    detectorStateErrors: 0,
    historyItems: 0,
    failedHistoryItems: 0,
    ticks: 0,
  };

  batchProcessed(counts: IngestCounts, _durationMs: number, failures: number): void {
    const t = this.totals;
    t.batches += 1;
    t.records += counts.records;
    t.poison += counts.poison;
    t.unregistered += counts.unregistered;
    t.autoRegistered += counts.autoRegistered;
    t.telemetryEvents += counts.telemetryEvents;
    t.failedEvents += counts.failedEvents;
    t.batchItemFailures += failures;
    const d = this.detectorTotals;
    d.domainEvents += counts.domainEvents;
    d.failedDomainEvents += counts.failedDomainEvents;
    d.detectorStateErrors += counts.detectorStateErrors;
    d.historyItems += counts.historyItems;
    d.failedHistoryItems += counts.failedHistoryItems;
  }

  batchFailed(error: unknown): void {
    this.totals.failedBatches += 1;
    this.totals.lastError = error instanceof Error ? error.message : String(error);
  }
}

/** How to run ingest offline. */
export interface LocalIngestOptions extends Omit<IngestConfiguration, 'aws'> {
  readonly endpoint: string;
  /** Where discarded batches are described (the event source mapping's on-failure destination). */
  readonly onFailureQueueUrl: string;
  readonly startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  readonly batchSize?: number;
  /** Shortest time between two reads of a busy shard; default 50 ms. */
  readonly minReadIntervalMs?: KinesisPollerOptions['minReadIntervalMs'];
  readonly maximumBatchingWindowMs?: number;
  /** How often the detectors' timer checks run for quiet vehicles (with `detectorStates`); default 30 s. */
  readonly tickIntervalMs?: number;
  /** The ticker's clock; the wall clock when absent (tests drive it). */
  readonly now?: () => number;
}

/** The local twin of the ingest Lambda and its event source mappings: one poller per Tesla stream. */
export class LocalIngestRuntime {
  readonly observer = new TotalsIngestObserver();
  private readonly pollers: KinesisPoller[];
  private readonly kinesis: KinesisClient;
  private readonly sqs: SQSClient;
  private readonly deps: IngestDependencies;
  private ticker: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly options: LocalIngestOptions) {
    const clientConfig = awsClientConfig({ endpoint: options.endpoint });
    this.kinesis = new KinesisClient(clientConfig);
    this.sqs = new SQSClient(clientConfig);
    this.deps = ingestDependencies({ ...options, aws: { endpoint: options.endpoint } });
    const handler = createIngestHandler(this.deps, this.observer);
    const streams = teslaStreamNames(options.namespace);
    this.pollers = TESLA_TOPICS.map(
      (topic) =>
        new KinesisPoller({
          kinesis: this.kinesis,
          sqs: this.sqs,
          streamName: streams[topic],
          handler,
          startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
          batchSize: options.batchSize ?? 1_000,
          maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: 5,
          onFailureQueueUrl: options.onFailureQueueUrl,
          pollIntervalMs: 20,
          // An idle stack would otherwise spend ~40% of a core on four streams' empty GetRecords calls.
          idlePollIntervalMs: 200,
          minReadIntervalMs: options.minReadIntervalMs ?? DEFAULT_MIN_READ_INTERVAL_MS,
          functionName: 'fleetwire-ingest',
        }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.start()));
    if (this.deps.detectors) {
      this.ticker = setInterval(() => {
        // One tick at a time: a slow one (a large fleet, a slow bus) is not overlapped by the next.
        this.ticking ??= this.tick()
          .then(() => undefined)
          .catch((error: unknown) => {
            this.observer.totals.lastError = error instanceof Error ? error.message : String(error);
          })
          .finally(() => (this.ticking = undefined));
      }, this.options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS);
      this.ticker.unref();
    }
  }

  /**
   * Runs the detectors' timer checks once for the vehicles gone quiet (what the interval does; the
   * Lambda twin is `src/functions/detector-ticker`). Resolves to the number of domain events published.
   */
  async tick(now: number = this.options.now?.() ?? Date.now()): Promise<number> {
    if (!this.deps.detectors) return 0;
    const result = await tickQuietVehicles(
      this.deps.detectors,
      { events: this.deps.events, eventBusName: this.deps.eventBusName },
      now,
    );
    const d = this.observer.detectorTotals;
    d.ticks += 1;
    d.domainEvents += result.counts.domainEvents;
    d.failedDomainEvents += result.counts.failedDomainEvents;
    d.historyItems += result.counts.historyItems;
    d.failedHistoryItems += result.counts.failedHistoryItems;
    return result.counts.domainEvents;
  }

  stats(): KinesisPollerStats[] {
    return this.pollers.map((poller) => poller.stats());
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.ticking;
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    this.kinesis.destroy();
    this.sqs.destroy();
  }
}
