/**
 * The worker-thread side of {@link IngestThread}: the local ingest runtime (pollers, the ingest function,
 * the detectors and their ticker) with clients of its own, built from URLs and names only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Redis } from 'ioredis';
import { awsClientConfig } from '../adapters/aws/client-config.ts';
import { DynamoDbTenantConfigSource } from '../adapters/aws/dynamodb/tenant-config.ts';
import { RedisDetectorStateStore } from '../adapters/redis/detector-state-store.ts';
import { RedisLatestStateStore } from '../adapters/redis/latest-state-store.ts';
import { registerVehicle } from '../domain/vehicles/registration.ts';
import { LocalIngestRuntime } from './ingest-runtime.ts';
import type { IngestThreadMessage, IngestThreadSettings } from './ingest-thread.ts';
import { awsRegistrationDependencies } from '../adapters/aws/vehicle-registration.ts';

/** How often the figures (totals, poller stats) go to the main thread. */
const FIGURES_INTERVAL_MS = 500;

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs in a worker thread only');
const settings = workerData as IngestThreadSettings;
const post = (message: IngestThreadMessage) => port.postMessage(message);

const redis = new Redis(settings.redisUrl);
const clientConfig = awsClientConfig({ endpoint: settings.endpoint });
const dynamodb = new DynamoDBClient(clientConfig);
const kms = new KMSClient(clientConfig);
const registration = awsRegistrationDependencies(kms, dynamodb);
const { autoRegisterTenant } = settings;
const runtime = new LocalIngestRuntime({
  endpoint: settings.endpoint,
  state: new RedisLatestStateStore(redis),
  poisonQueueUrl: settings.poisonQueueUrl,
  onFailureQueueUrl: settings.onFailureQueueUrl,
  namespace: settings.namespace,
  eventBusName: settings.eventBusName,
  startingPosition: settings.startingPosition,
  detectorStates: new RedisDetectorStateStore(redis),
  tenantConfig: new DynamoDbTenantConfigSource(dynamodb, settings.tenantConfigTables, {
    onProblem: (problem) =>
      post({ type: 'warning', message: `tenant ${problem.tenantId} ${problem.part}: ${problem.message}` }),
  }),
  telemetryHistoryTable: settings.telemetryHistoryTable,
  ...(autoRegisterTenant
    ? { autoRegister: (vin: string) => registerVehicle({ tenantId: autoRegisterTenant, vin }, registration) }
    : {}),
});

const figures = (): IngestThreadMessage => ({
  type: 'figures',
  totals: { ...runtime.observer.totals },
  detectorTotals: { ...runtime.observer.detectorTotals },
  stats: runtime.stats(),
});
let reporter: NodeJS.Timeout | undefined;

port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  if (reporter) clearInterval(reporter);
  runtime
    .stop()
    .then(() => {
      post(figures());
      dynamodb.destroy();
      kms.destroy();
      // disconnect, not quit: on Ctrl-C the spawned redis-server may be gone already.
      redis.disconnect();
      post({ type: 'stopped' });
    })
    .catch((error: unknown) => post({ type: 'failed', message: describe(error) }));
});

runtime
  .start()
  .then(() => {
    reporter = setInterval(() => post(figures()), FIGURES_INTERVAL_MS);
    post({ type: 'started' });
  })
  .catch((error: unknown) => post({ type: 'failed', message: describe(error) }));

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
