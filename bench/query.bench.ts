/**
 * Query latency offline (`npm run bench:query`): a 1,000-vehicle tenant registered through the stack's edge,
 * its state fed into Redis by putting one Tesla record per vehicle into `fleetwire_V` (the real ingest
 * path), then `vehicles`, `vehicle(id)`, `fleetState` (the whole fleet, and a page of 100) over HTTP POST
 * with a JWT, sequentially (one in flight), after a warm-up. Prints p50/p99 per query against the target (p99 < 20 ms); the last line is JSON.
 *
 * Process layout: the stack runs as a child process (`bin/fleetwire.mjs start`, as `npm start` runs it), so
 * the client's request/JSON work does not share the server's event loop. Its data lives in a temporary
 * `--data-dir` (like `npm start`'s default, on disk), whose issuer key signs this process's token
 * (`LocalJwtIssuer.open`, as `fleetwire token` does); BENCH_IN_MEMORY=1 runs `--in-memory` and uses the
 * demo token printed at start.
 *
 * BENCH_QUERIES per query (default 2000: about two minutes in all), BENCH_WARMUP per query (200),
 * BENCH_VEHICLES (1000), BENCH_STACK_NODE_ARGS (node flags of the stack process, e.g. --cpu-prof).
 */
import { percentile, startStackProcess } from './support/stack-process.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientConfig } from '../src/adapters/aws/client-config.ts';
import { registerVehicle } from '../src/domain/vehicles/registration.ts';
import { LocalJwtIssuer } from '../src/local/auth/issuer.ts';
import {
  drivingSignals,
  drivingSnapshot,
  seededRandom,
  teslaVin,
  vehicleDataRecord,
} from '../test/support/tesla-records.ts';
import { awsRegistrationDependencies } from '../src/adapters/aws/vehicle-registration.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const VEHICLES = Number(process.env.BENCH_VEHICLES ?? 1000);
const IN_MEMORY = process.env.BENCH_IN_MEMORY === '1';
const TENANT = IN_MEMORY ? 'demo' : 'bench-query';
const TARGET_P99_MS = 20;

interface GraphQLResponse {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { message: string }[];
}

const VEHICLES_QUERY = /* GraphQL */ `
  query Vehicles($limit: Int) {
    vehicles(limit: $limit) {
      items {
        id
        name
        registeredAt
      }
      nextToken
    }
  }
`;
const VEHICLE_QUERY = /* GraphQL */ `
  query Vehicle($id: ID!) {
    vehicle(id: $id) {
      id
      name
      registeredAt
      state {
        vehicleId
        lastSeenAt
        signals
        location {
          latitude
          longitude
        }
        speed
        batteryLevel
        gear
      }
    }
  }
`;
const FLEET_STATE_QUERY = /* GraphQL */ `
  query FleetState($limit: Int) {
    fleetState(limit: $limit) {
      tenantId
      generatedAt
      truncated
      vehicles {
        vehicleId
        lastSeenAt
        location {
          latitude
          longitude
        }
        heading
        speed
        batteryLevel
        gear
        charging
      }
    }
  }
`;

const stack = await startStackProcess({ inMemory: IN_MEMORY, label: 'query' });
const config = awsClientConfig({ endpoint: stack.edgeUrl });
const clients = {
  dynamodb: new DynamoDBClient(config),
  kinesis: new KinesisClient(config),
  kms: new KMSClient(config),
};
try {
  const token = stack.dataDir
    ? (
        await LocalJwtIssuer.open({ dataDir: stack.dataDir }).issueToken({
          tenantId: TENANT,
          roles: ['viewer'],
          expiresInSeconds: 3600,
        })
      ).token
    : stack.demoToken;
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse;
    if (response.status !== 200 || body.errors?.length) {
      throw new Error(`query failed (${response.status}): ${JSON.stringify(body.errors ?? body)}`);
    }
    return body.data!;
  };

  // The tenant's vehicles, registered through the stack's edge.
  const registration = awsRegistrationDependencies(clients.kms, clients.dynamodb);
  const vins = Array.from({ length: VEHICLES }, (_, i) => teslaVin(i));
  const vehicleIds: string[] = [];
  for (let i = 0; i < vins.length; i += 25) {
    const ids = await Promise.all(
      vins
        .slice(i, i + 25)
        .map(async (vin) => (await registerVehicle({ tenantId: TENANT, vin }, registration)).vehicleId),
    );
    vehicleIds.push(...ids);
  }

  // Their state, through the real ingest path: one record per vehicle, then wait until all have state.
  const random = seededRandom(7);
  const now = Date.now();
  for (let i = 0; i < vins.length; i += 500) {
    await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'fleetwire_V',
        Records: vins.slice(i, i + 500).map((vin, j) => ({
          PartitionKey: vin,
          Data: vehicleDataRecord({
            vin,
            createdAt: new Date(now + i + j),
            data: drivingSignals(drivingSnapshot(i + j, random), 15),
          }),
        })),
      }),
    );
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const data = (await post(FLEET_STATE_QUERY)) as { fleetState: { vehicles: unknown[] } };
    if (data.fleetState.vehicles.length >= VEHICLES) break;
    if (Date.now() > deadline) {
      throw new Error(
        `only ${data.fleetState.vehicles.length} of ${VEHICLES} vehicles have state after 30 s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`stack up (pid ${stack.child.pid}); ${VEHICLES} vehicles of tenant ${TENANT} with state`);

  const cases: { name: string; run: (i: number) => Promise<Record<string, unknown>> }[] = [
    { name: 'vehicles(limit: 100)', run: () => post(VEHICLES_QUERY, { limit: 100 }) },
    {
      name: 'vehicle(id)',
      run: (i) => post(VEHICLE_QUERY, { id: vehicleIds[(i * 7919) % vehicleIds.length] }),
    },
    {
      name: `fleetState (all ${VEHICLES.toLocaleString('en-US')} vehicles)`,
      run: () => post(FLEET_STATE_QUERY),
    },
    // What a dashboard list view pages through; the full read above is the map's first paint.
    { name: 'fleetState(limit: 100)', run: () => post(FLEET_STATE_QUERY, { limit: 100 }) },
  ];
  const results: Record<string, unknown>[] = [];
  for (const { name, run } of cases) {
    for (let i = 0; i < WARMUP; i++) await run(i);
    const times: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const started = performance.now();
      const data = await run(i);
      times.push(performance.now() - started);
      if (i === 0 && name.startsWith('vehicle(') && !(data.vehicle as { state?: unknown } | null)?.state) {
        throw new Error('vehicle(id) answered no state');
      }
    }
    const sorted = times.sort((a, b) => a - b);
    const row = {
      query: name,
      count: sorted.length,
      p50Ms: Number(percentile(sorted, 50).toFixed(2)),
      p99Ms: Number(percentile(sorted, 99).toFixed(2)),
      maxMs: Number((sorted.at(-1) ?? NaN).toFixed(2)),
      meetsTarget: percentile(sorted, 99) < TARGET_P99_MS,
    };
    results.push(row);
    console.log(
      `${name}: p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, max ${row.maxMs} ms over ${row.count} ` +
        `(target p99 < ${TARGET_P99_MS} ms: ${row.meetsTarget ? 'met' : 'NOT met'})`,
    );
  }
  console.log(
    JSON.stringify({
      queries: results,
      targetP99Ms: TARGET_P99_MS,
      vehicles: VEHICLES,
      layout: IN_MEMORY ? 'child process, --in-memory' : 'child process, temp --data-dir',
    }),
  );
} finally {
  Object.values(clients).forEach((client) => client.destroy());
  await stack.stop();
}
