/**
 * Put → bus latency offline: Tesla records put into `fleetwire_V` with the real Kinesis client at a steady
 * rate, through the local poller and the ingest function (real Redis), to `Telemetry.Updated` on the local
 * bus. Prints p50/p95/p99 per rate; the last line is JSON. The GraphQL leg (bus → subscriber) is measured by
 * the end-to-end benchmark once the API exists.
 *
 * BENCH_RATES (records/s, default "1000,5000"), BENCH_SECONDS per rate (default 10), BENCH_VEHICLES (1000).
 */
import { DrivingRecords } from './support/driving-records.ts';
import { percentile } from './support/stack-process.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { awsClientConfig } from '../src/adapters/aws/client-config.ts';
import { KmsMacProvider, KmsVinVault } from '../src/adapters/aws/kms.ts';
import { DynamoDbVehicleDirectory } from '../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { RedisLatestStateStore } from '../src/adapters/redis/latest-state-store.ts';
import { Pseudonymizer } from '../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../src/domain/vehicles/registration.ts';
import { startLocalEdge } from '../src/local/edge/local-edge.ts';
import { LocalIngestRuntime } from '../src/local/ingest-runtime.ts';
import { provisionLocalResources } from '../src/local/provision.ts';
import { resolveRedis } from '../src/local/redis-server.ts';
import { localResources, ON_FAILURE_QUEUE_NAME, POISON_QUEUE_NAME } from '../src/local/resources.ts';
import { teslaVin } from '../test/support/tesla-records.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const RATES = (process.env.BENCH_RATES ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VEHICLES = Number(process.env.BENCH_VEHICLES ?? 1000);
const TICK_MS = 20;

const redis = await resolveRedis({ allowMemory: false });
if (redis.source.kind === 'memory') throw new Error('the benchmark needs Redis');
const edge = await startLocalEdge({ port: 0 });
const config = awsClientConfig({ endpoint: edge.url });
const clients = {
  dynamodb: new DynamoDBClient(config),
  kinesis: new KinesisClient(config),
  kms: new KMSClient(config),
  sqs: new SQSClient(config),
};
const provisioned = await provisionLocalResources(clients, localResources('fleetwire'));
const pseudonyms = new Pseudonymizer(new KmsMacProvider(clients.kms));
const registration = {
  pseudonyms,
  directory: new DynamoDbVehicleDirectory(clients.dynamodb),
  vault: new KmsVinVault(clients.kms, clients.dynamodb),
};
const vins = Array.from({ length: VEHICLES }, (_, i) => teslaVin(i));
const vinOf = new Map<string, string>();
for (const vin of vins) {
  const { vehicleId } = await registerVehicle(
    { tenantId: `tenant-${vins.indexOf(vin) % 10}`, vin },
    registration,
  );
  vinOf.set(vehicleId, vin);
}
const redisClient = new Redis(redis.source.url);
const ingest = new LocalIngestRuntime({
  endpoint: edge.url,
  state: new RedisLatestStateStore(redisClient),
  poisonQueueUrl: provisioned.queueUrls[POISON_QUEUE_NAME]!,
  onFailureQueueUrl: provisioned.queueUrls[ON_FAILURE_QUEUE_NAME]!,
  namespace: 'fleetwire',
  eventBusName: 'fleetwire',
  startingPosition: 'LATEST',
});
await ingest.start();

/** put time of (vin, createdAt ms) */
const putAt = new Map<string, number>();
const latencies: number[] = [];
edge.eventBridge.subscribe((event) => {
  if (event['detail-type'] !== 'Telemetry.Updated') return;
  const now = performance.now();
  for (const vehicle of (event.detail as { vehicles: { vehicleId: string; at: string }[] }).vehicles) {
    const key = `${vinOf.get(vehicle.vehicleId)}@${Date.parse(vehicle.at)}`;
    const sent = putAt.get(key);
    if (sent !== undefined) {
      latencies.push(now - sent);
      putAt.delete(key);
    }
  }
});

const results: Record<string, unknown>[] = [];
const source = new DrivingRecords(vins);
for (const rate of RATES) {
  latencies.length = 0;
  putAt.clear();
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const ticks = Math.round((SECONDS * 1000) / TICK_MS);
  let put = 0;
  let next = performance.now();
  source.restart();
  for (let tick = 0; tick < ticks; tick++) {
    const records = source.take(perTick, tick);
    const sentAt = performance.now();
    for (const r of records) putAt.set(`${r.vin}@${r.createdAt}`, sentAt);
    for (let i = 0; i < records.length; i += 500) {
      await clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: 'fleetwire_V',
          Records: records.slice(i, i + 500).map((r) => ({ PartitionKey: r.vin, Data: r.data })),
        }),
      );
    }
    put += records.length;
    next += TICK_MS;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const achieved = put / ((performance.now() - (next - ticks * TICK_MS)) / 1000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const sorted = [...latencies].sort((a, b) => a - b);
  const row = {
    targetRate: rate,
    achievedRate: Math.round(achieved),
    delivered: sorted.length,
    // a record superseded in its batch by a newer one of the same vehicle is coalesced away, not lost
    p50Ms: Math.round(percentile(sorted, 50)),
    p95Ms: Math.round(percentile(sorted, 95)),
    p99Ms: Math.round(percentile(sorted, 99)),
  };
  results.push(row);
  console.log(
    `rate ${rate}/s (achieved ${row.achievedRate}/s): put → Telemetry.Updated p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms, p99 ${row.p99Ms} ms over ${row.delivered} vehicle updates`,
  );
}
await ingest.stop();
redisClient.disconnect();
Object.values(clients).forEach((client) => client.destroy());
await edge.stop();
await redis.stop();
console.log(JSON.stringify({ putToBus: results }));
