import { Worker } from 'node:worker_threads';
import type { TenantConfigTables } from '../adapters/aws/dynamodb/tenant-config.ts';
import type { KinesisPollerStats } from './kinesis-poller.ts';
import { TotalsIngestObserver, type DetectorTotals, type IngestTotals } from './ingest-runtime.ts';

/** What the local stack and its summary read of a running ingest runtime, in process or in a thread. */
export interface IngestRuntimeHandle {
  readonly observer: { readonly totals: IngestTotals; readonly detectorTotals: DetectorTotals };
  stats(): KinesisPollerStats[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Everything the thread builds its runtime from: URLs and names, nothing that cannot cross threads. */
export interface IngestThreadSettings {
  readonly endpoint: string;
  /** The Redis the latest state and the detectors' documents live in (a memory store cannot be shared). */
  readonly redisUrl: string;
  readonly poisonQueueUrl: string;
  readonly onFailureQueueUrl: string;
  readonly namespace: string;
  readonly eventBusName: string;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  readonly telemetryHistoryTable: string;
  readonly tenantConfigTables: TenantConfigTables;
  /** Registers unknown VINs to this tenant (the local runtime's `--auto-register`); none when absent. */
  readonly autoRegisterTenant?: string;
}

/** What the thread tells the main thread. */
export type IngestThreadMessage =
  | { readonly type: 'started' }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'warning'; readonly message: string }
  | {
      readonly type: 'figures';
      readonly totals: IngestTotals;
      readonly detectorTotals: DetectorTotals;
      readonly stats: KinesisPollerStats[];
    };

/** The ingest thread failed to start or to stop. */
export class IngestThreadError extends Error {
  override readonly name = 'IngestThreadError';
}

/**
 * The local ingest runtime in a worker thread. Ingest with the detectors is the stack's heaviest CPU work
 * (decoding, coalescing, five detectors per vehicle per batch, their documents' JSON); in the event loop of
 * the bus and the GraphQL server it delayed every subscriber's update at a few thousand records a second.
 * The thread talks to the same edge and Redis over their ports, as the Lambda function does in AWS.
 * The figures are copies, refreshed twice a second (the summary reads them every ten).
 */
export class IngestThread implements IngestRuntimeHandle {
  readonly observer: { totals: IngestTotals; detectorTotals: DetectorTotals };
  private latestStats: KinesisPollerStats[] = [];
  private worker: Worker | undefined;

  constructor(
    private readonly settings: IngestThreadSettings,
    private readonly warn: (message: string) => void,
  ) {
    const zero = new TotalsIngestObserver();
    this.observer = { totals: zero.totals, detectorTotals: zero.detectorTotals };
  }

  stats(): KinesisPollerStats[] {
    return this.latestStats;
  }

  async start(): Promise<void> {
    // A plain-JavaScript entry registers tsx in the thread, which does not inherit the main thread's hooks.
    const worker = new Worker(new URL('./ingest-worker-entry.mjs', import.meta.url), {
      workerData: this.settings,
    });
    this.worker = worker;
    worker.on('message', (message: IngestThreadMessage) => this.receive(message));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new IngestThreadError(`the ingest thread exited (${code})`));
      const onMessage = (message: IngestThreadMessage) => {
        if (message.type !== 'started' && message.type !== 'failed') return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', reject);
        if (message.type === 'started') resolve();
        else reject(new IngestThreadError(`the ingest thread failed to start: ${message.message}`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.once('error', reject);
    });
    worker.on('error', (error) => this.warn(`ingest thread: ${error.message}`));
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (message: IngestThreadMessage) => {
          if (message.type === 'stopped') resolve();
          else if (message.type === 'failed')
            reject(new IngestThreadError(`the ingest thread failed to stop: ${message.message}`));
        };
        worker.on('message', onMessage);
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      });
    } finally {
      // Whatever happened, the thread goes: a live thread would keep the process from exiting.
      await worker.terminate();
    }
  }

  private receive(message: IngestThreadMessage): void {
    if (message.type === 'figures') {
      Object.assign(this.observer.totals, message.totals);
      Object.assign(this.observer.detectorTotals, message.detectorTotals);
      this.latestStats = message.stats;
    } else if (message.type === 'warning') this.warn(message.message);
  }
}
