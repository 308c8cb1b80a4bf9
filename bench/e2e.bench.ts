/**
 * End to end offline (`npm run bench:e2e`): Tesla records put into `fleetwire_V` with the real Kinesis client
 * at a steady rate → local poller → ingest function (real Redis) → local EventBridge → `publishFleetUpdate`
 * → AppSync real-time → a raw `ws` subscriber of `onFleetUpdate`. Measures put → delivery per vehicle update
 * and prints, per rate, the achieved rate, p50/p95/p99, delivered and coalesced; the last line is JSON.
 *
 * Process layout: the stack runs as a child process (`bin/fleetwire.mjs start`, as `npm start` runs it), the
 * producer and the subscribers in this one. In process, the producer's PutRecords serialization and the
 * subscribers' JSON parsing would share the stack's event loop and inflate (or, by back-pressure, hide) the
 * stack's own latency; a separate process is what a real fleet-telemetry server and real dashboards see.
 * The clock is the same (both ends of the measurement are in this process).
 *
 * The stack keeps its data in a temporary `--data-dir` (the `npm start` default is on disk too), which also
 * holds the issuer key, so this process can issue tokens for the 10 tenants (`LocalJwtIssuer.open`, as
 * `fleetwire token` does). BENCH_IN_MEMORY=1 runs `--in-memory` instead: then the printed demo token is the
 * only valid one, so every vehicle is registered to `demo` and one subscriber listens.
 *
 * A record superseded in its batch by a newer record of the same vehicle is coalesced by ingest (one
 * `VehicleUpdate` per vehicle per event): it counts as coalesced, not lost, when a newer update of that vehicle
 * was delivered.
 *
 * Before the measured rates, a warm-up at 1,000 records/s (BENCH_WARMUP_SECONDS, default 3; 0 for none) meets every
 * vehicle once, so the figures are the steady state; the warm-up's own figures are printed (not counted).
 *
 * BENCH_RATES (records/s, default "1000,5000"), BENCH_SECONDS per rate (default 10), BENCH_VEHICLES (1000),
 * BENCH_TENANTS (10), BENCH_MAX_IN_FLIGHT (PutRecords calls in flight, 4), BENCH_STACK_NODE_ARGS (node flags of the stack
 * process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/e2eprof").
 */
import { DrivingRecords } from './support/driving-records.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import WebSocket from 'ws';
import { percentile, startStackProcess } from './support/stack-process.ts';
import { awsClientConfig } from '../src/adapters/aws/client-config.ts';
import { registerVehicle } from '../src/domain/vehicles/registration.ts';
import { LocalJwtIssuer } from '../src/local/auth/issuer.ts';
import { teslaVin } from '../test/support/tesla-records.ts';
import { awsRegistrationDependencies } from '../src/adapters/aws/vehicle-registration.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const RATES = (process.env.BENCH_RATES ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VEHICLES = Number(process.env.BENCH_VEHICLES ?? 1000);
const IN_MEMORY = process.env.BENCH_IN_MEMORY === '1';
const TENANTS = IN_MEMORY
  ? ['demo']
  : Array.from({ length: Number(process.env.BENCH_TENANTS ?? 10) }, (_, i) => `bench-tenant-${i}`);
const TICK_MS = 20;
/** The warm-up before the measured rates: long enough at this rate to put a record of every vehicle. */
const WARMUP_RATE = 1_000;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? Math.ceil((VEHICLES / WARMUP_RATE) * 3));
/** PutRecords calls in flight at most (the producer's pool). */
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 4);
/** How long after the last put of a rate to wait for late deliveries. */
const DRAIN_MS = 3_000;
const TARGET_P99_MS = 250;
const TARGET_RATE = 5_000;

// ---------------------------------------------------------------------------------------------------------
// The stack, as a child process

// ---------------------------------------------------------------------------------------------------------
// An AppSync real-time subscriber (raw protocol, as the integration tests speak it)

interface Delivery {
  readonly vehicleId: string;
  readonly at: string;
}

async function subscribe(
  realtimeUrl: string,
  graphqlUrl: string,
  token: string,
  onUpdate: (receivedAt: number, vehicles: readonly Delivery[]) => void,
): Promise<WebSocket> {
  const host = new URL(graphqlUrl).host;
  const authorization = { host, Authorization: token };
  const header = Buffer.from(JSON.stringify(authorization)).toString('base64url');
  const socket = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`]);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const started = new Promise<void>((resolve, reject) => {
    socket.on('message', (raw) => {
      const receivedAt = performance.now();
      const message = JSON.parse(String(raw)) as {
        type: string;
        payload?: { data?: { onFleetUpdate?: { vehicles: Delivery[] } } };
      };
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: 'fleet',
            type: 'start',
            payload: {
              data: JSON.stringify({
                query: 'subscription { onFleetUpdate { tenantId occurredAt vehicles { vehicleId at } } }',
                variables: {},
              }),
              extensions: { authorization },
            },
          }),
        );
      } else if (message.type === 'start_ack') resolve();
      else if (message.type === 'data') {
        const update = message.payload?.data?.onFleetUpdate;
        if (update) onUpdate(receivedAt, update.vehicles);
      } else if (message.type === 'error' || message.type === 'connection_error') {
        reject(new Error(`subscription refused: ${JSON.stringify(message)}`));
      }
    });
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await started;
  return socket;
}

// ---------------------------------------------------------------------------------------------------------

const stack = await startStackProcess({ inMemory: IN_MEMORY, label: 'e2e' });
const config = awsClientConfig({ endpoint: stack.edgeUrl });
const clients = {
  dynamodb: new DynamoDBClient(config),
  kinesis: new KinesisClient(config),
  kms: new KMSClient(config),
};
const sockets: WebSocket[] = [];
try {
  // 1,000 vehicles across the tenants, registered through the stack's edge (what `fleetwire vehicles register` does).
  const registration = awsRegistrationDependencies(clients.kms, clients.dynamodb);
  const vins = Array.from({ length: VEHICLES }, (_, i) => teslaVin(i));
  const vinOf = new Map<string, string>();
  const registeredAt = performance.now();
  for (let i = 0; i < vins.length; i += 25) {
    await Promise.all(
      vins.slice(i, i + 25).map(async (vin, j) => {
        const tenantId = TENANTS[(i + j) % TENANTS.length]!;
        const { vehicleId } = await registerVehicle({ tenantId, vin }, registration);
        vinOf.set(vehicleId, vin);
      }),
    );
  }
  console.log(
    `stack up (pid ${stack.child.pid}); ${VEHICLES} vehicles registered in ${TENANTS.length} tenant(s) in ${Math.round(performance.now() - registeredAt)} ms`,
  );

  // One subscriber per tenant.
  const issuer = stack.dataDir ? LocalJwtIssuer.open({ dataDir: stack.dataDir }) : undefined;
  /** put time of `${vin}@${createdAt ms}` */
  const putAt = new Map<string, number>();
  /** newest delivered createdAt per vin, to tell coalesced from lost */
  const newestDelivered = new Map<string, number>();
  const latencies: number[] = [];
  let duplicates = 0;
  const onUpdate = (receivedAt: number, vehicles: readonly Delivery[]) => {
    for (const vehicle of vehicles) {
      const vin = vinOf.get(vehicle.vehicleId);
      if (!vin) continue;
      const createdAt = Date.parse(vehicle.at);
      const key = `${vin}@${createdAt}`;
      const sent = putAt.get(key);
      if (sent === undefined) {
        duplicates += 1;
        continue;
      }
      latencies.push(receivedAt - sent);
      putAt.delete(key);
      if (createdAt > (newestDelivered.get(vin) ?? 0)) newestDelivered.set(vin, createdAt);
    }
  };
  for (const tenantId of TENANTS) {
    const token = issuer
      ? (await issuer.issueToken({ tenantId, roles: ['viewer'], expiresInSeconds: 3600 })).token
      : stack.demoToken;
    sockets.push(await subscribe(stack.realtimeUrl, stack.graphqlUrl, token, onUpdate));
  }

  const results: Record<string, unknown>[] = [];
  const source = new DrivingRecords(vins);
  /** Puts records at `rate` for `seconds`, waits for late deliveries, and answers the figures. */
  const measure = async (rate: number, seconds: number) => {
    latencies.length = 0;
    putAt.clear();
    newestDelivered.clear();
    duplicates = 0;
    const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
    const ticks = Math.round((seconds * 1000) / TICK_MS);
    let put = 0;
    let failedPuts = 0;
    const inFlight = new Set<Promise<unknown>>();
    let putError: string | undefined;
    const putAckMs: number[] = [];
    const started = performance.now();
    let next = started;
    source.restart();
    for (let tick = 0; tick < ticks; tick++) {
      const records = source.take(perTick, tick);
      const sentAt = performance.now();
      for (const r of records) putAt.set(`${r.vin}@${r.createdAt}`, sentAt);
      // Open loop: a tick's puts are not awaited before the next tick, so a slow PutRecords shows as
      // latency (as it would to a fleet-telemetry server), not as a lower offered rate.
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        const call: Promise<void> = clients.kinesis
          .send(
            new PutRecordsCommand({
              StreamName: 'fleetwire_V',
              Records: chunk.map((r) => ({ PartitionKey: r.vin, Data: r.data })),
            }),
          )
          .then((output) => {
            putAckMs.push(performance.now() - sentAt);
            failedPuts += output.FailedRecordCount ?? 0;
            output.Records?.forEach((result, index) => {
              if (result.ErrorCode) putAt.delete(`${chunk[index]!.vin}@${chunk[index]!.createdAt}`);
            });
          })
          .catch((error: unknown) => {
            failedPuts += chunk.length;
            putError ??= error instanceof Error ? error.message : String(error);
            for (const r of chunk) putAt.delete(`${r.vin}@${r.createdAt}`);
          })
          .finally(() => inFlight.delete(call));
        inFlight.add(call);
        // Bounded, as a real producer's connection pool is: beyond it the offered rate drops (and shows).
        while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      }
      put += records.length;
      next += TICK_MS;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const offeredFor = performance.now() - started;
    await Promise.all(inFlight);
    const achieved = put / (Math.max(offeredFor, performance.now() - started) / 1000);
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    let coalesced = 0;
    let lost = 0;
    for (const key of putAt.keys()) {
      const at = key.lastIndexOf('@');
      if ((newestDelivered.get(key.slice(0, at)) ?? 0) > Number(key.slice(at + 1))) coalesced += 1;
      else lost += 1;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const row = {
      targetRate: rate,
      achievedRate: Math.round(achieved),
      put,
      failedPuts,
      delivered: sorted.length,
      coalesced,
      lost,
      duplicates,
      p50Ms: Math.round(percentile(sorted, 50)),
      p95Ms: Math.round(percentile(sorted, 95)),
      p99Ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted.at(-1) ?? NaN),
      putAckP99Ms: Math.round(
        percentile(
          [...putAckMs].sort((a, b) => a - b),
          99,
        ),
      ),
    };
    const failures = failedPuts ? ` (${failedPuts} records failed to put: ${putError})` : '';
    const text =
      `put → subscriber p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms, p99 ${row.p99Ms} ms, max ${row.maxMs} ms ` +
      `(PutRecords ack p99 ${row.putAckP99Ms} ms); delivered ${row.delivered}, coalesced ${row.coalesced}, ` +
      `lost ${row.lost} of ${row.put} put${failures}`;
    return { row, text };
  };

  // A cold stack first meets every vehicle: a KMS GenerateMac for its pseudonym and a directory read for
  // its tenant (both cached afterwards, as in a warm Lambda container), and code not yet optimized by the
  // JIT. The first second or two then runs at hundreds of milliseconds. The figures are the steady state,
  // measured after a warm-up that meets every vehicle; the warm-up's own figures are printed too.
  if (WARMUP_SECONDS > 0) {
    const warmup = await measure(WARMUP_RATE, WARMUP_SECONDS);
    console.log(`warm-up ${WARMUP_RATE}/s for ${WARMUP_SECONDS} s (not counted): ${warmup.text}`);
  }
  for (const rate of RATES) {
    const { row, text } = await measure(rate, SECONDS);
    results.push(row);
    console.log(`rate ${rate}/s (achieved ${row.achievedRate}/s): ${text}`);
  }
  const atTarget = results.find((row) => row.targetRate === TARGET_RATE);
  if (atTarget) {
    const ok = (atTarget.p99Ms as number) < TARGET_P99_MS;
    console.log(
      `target: p99 < ${TARGET_P99_MS} ms at ${TARGET_RATE} records/s: ${ok ? 'met' : 'NOT met'} (p99 ${String(atTarget.p99Ms)} ms)`,
    );
  }
  console.log(
    JSON.stringify({
      putToSubscriber: results,
      layout: IN_MEMORY ? 'child process, --in-memory' : 'child process, temp --data-dir',
      warmupSeconds: WARMUP_SECONDS,
      tenants: TENANTS.length,
      vehicles: VEHICLES,
      targetP99Ms: TARGET_P99_MS,
      targetRate: TARGET_RATE,
    }),
  );
} finally {
  for (const socket of sockets) socket.close();
  Object.values(clients).forEach((client) => client.destroy());
  await stack.stop();
}
