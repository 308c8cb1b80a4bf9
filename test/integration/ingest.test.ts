import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { KmsMacProvider, KmsVinVault } from '../../src/adapters/aws/kms.ts';
import { DynamoDbVehicleDirectory } from '../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { RedisLatestStateStore } from '../../src/adapters/redis/latest-state-store.ts';
import { Pseudonymizer } from '../../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../../src/domain/vehicles/registration.ts';
import { decodeRecord, type DatumInput, type VehicleDataRecord } from '../../src/domain/tesla/index.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { LocalIngestRuntime } from '../../src/local/ingest-runtime.ts';
import type { EventBridgeEvent } from '../../src/local/eventbridge/bus.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIngestHandler } from '../../src/functions/ingest/ingest-function.ts';
import { ingestDependencies } from '../../src/functions/ingest/dependencies.ts';
import { PowertoolsIngestObserver } from '../../src/functions/ingest/powertools-observer.ts';
import type { KinesisStreamRecord } from '../../src/functions/kinesis-event.ts';
import {
  drivingSignals,
  drivingSnapshot,
  randomBytes,
  seededRandom,
  teslaVin,
  vehicleDataRecord,
} from '../support/tesla-records.ts';

const NAMESPACE = 'fleetwire';
const STEPS = 12;

interface PutRecord {
  readonly vin: string;
  readonly data: Uint8Array;
  readonly step?: number;
  readonly signals?: DatumInput[];
}

/** `STEPS` V records per VIN, one second apart. */
function drive(vins: readonly string[]): PutRecord[] {
  const random = seededRandom(7);
  return vins.flatMap((vin) =>
    Array.from({ length: STEPS }, (_, step) => {
      const signals = drivingSignals(drivingSnapshot(step, random), 15);
      const data = vehicleDataRecord({ vin, createdAt: { seconds: 1_800_000_000 + step }, data: signals });
      return { vin, data, step, signals };
    }),
  );
}

/** The state ingest must reach: per signal, the value of the record with the newest created_at. */
function expectedState(records: readonly PutRecord[], vin: string): Record<string, unknown> {
  const latest: Record<string, { at: number; value: unknown }> = {};
  for (const record of records) {
    const decoded = decodeRecord('V', record.data) as VehicleDataRecord;
    if (decoded.vin !== vin) continue;
    const at = Date.parse(decoded.createdAt);
    for (const [name, value] of Object.entries(decoded.signals)) {
      if (!latest[name] || latest[name].at < at) latest[name] = { at, value };
    }
  }
  return Object.fromEntries(Object.entries(latest).map(([name, { value }]) => [name, value]));
}

/** A Kinesis record as Lambda delivers it. */
function kinesisRecord(vin: string, data: Uint8Array, i: number): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: vin,
      sequenceNumber: String(9_000 + i),
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1_900_000_100,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${9_000 + i}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/ingest',
    awsRegion: 'us-east-1',
    eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${NAMESPACE}_V`,
  };
}

function shuffle<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('ingest: Kinesis records through the edge into Redis state and bus events', () => {
  let edge: LocalEdge;
  let redis: Redis;
  let runtime: LocalIngestRuntime;
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let poisonQueueUrl: string;
  let pseudonyms: Pseudonymizer;
  const events: EventBridgeEvent[] = [];
  const run = randomUUID().slice(0, 8);
  const tenants = { acme: `acme-${run}`, globex: `globex-${run}`, noisy: `noisy-${run}` };
  const acmeVins = [teslaVin(101), teslaVin(102), teslaVin(103)];
  const globexVins = [teslaVin(201), teslaVin(202)];
  const noisyVins = [teslaVin(301), teslaVin(302), teslaVin(303)];
  const unregisteredVin = teslaVin(999);

  async function put(records: readonly PutRecord[], stream = `${NAMESPACE}_V`): Promise<void> {
    for (let i = 0; i < records.length; i += 500) {
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: records.slice(i, i + 500).map((r) => ({ PartitionKey: r.vin, Data: r.data })),
        }),
      );
      expect(result.FailedRecordCount).toBe(0);
    }
  }

  async function stateOf(tenantId: string, vin: string): Promise<Record<string, unknown>> {
    const vehicleId = await pseudonyms.vehicleIdOf(vin);
    const state = await new RedisLatestStateStore(redis).vehicleState(tenantId, vehicleId);
    return Object.fromEntries(
      [...(state?.signals ?? new Map())].map(([name, sample]) => [name, sample.value]),
    );
  }

  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
    const config = awsClientConfig({ endpoint: edge.url });
    kinesis = new KinesisClient(config);
    sqs = new SQSClient(config);
    dynamodb = new DynamoDBClient(config);
    const kms = new KMSClient(config);
    const provisioned = await provisionLocalResources(
      { dynamodb, kinesis, kms, sqs },
      {
        streams: ['V', 'alerts', 'errors', 'connectivity'].map((topic) => ({
          name: `${NAMESPACE}_${topic}`,
          shards: topic === 'V' ? 4 : 1,
        })),
        queues: ['fleetwire-ingest-poison', 'fleetwire-ingest-on-failure'],
      },
    );
    poisonQueueUrl = provisioned.queueUrls['fleetwire-ingest-poison']!;
    pseudonyms = new Pseudonymizer(new KmsMacProvider(kms));
    const registration = {
      pseudonyms,
      directory: new DynamoDbVehicleDirectory(dynamodb),
      vault: new KmsVinVault(kms, dynamodb),
    };
    for (const vin of acmeVins) await registerVehicle({ tenantId: tenants.acme, vin }, registration);
    for (const vin of globexVins) await registerVehicle({ tenantId: tenants.globex, vin }, registration);
    for (const vin of noisyVins) await registerVehicle({ tenantId: tenants.noisy, vin }, registration);

    redis = new Redis(inject('redisUrl'));
    edge.eventBridge.subscribe((event) => void events.push(event));
    runtime = new LocalIngestRuntime({
      endpoint: edge.url,
      state: new RedisLatestStateStore(redis),
      poisonQueueUrl,
      onFailureQueueUrl: provisioned.queueUrls['fleetwire-ingest-on-failure']!,
      namespace: NAMESPACE,
      eventBusName: 'fleetwire',
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    redis?.disconnect();
    await edge?.stop();
  });

  it('turns records into the latest state per vehicle and one packed Telemetry.Updated per tenant and batch', async () => {
    // prepare
    const records = drive([...acmeVins, ...globexVins, unregisteredVin]);
    // act
    await put(records);
    await expect
      .poll(() => runtime.observer.totals.records, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(records.length);
    // assess: state
    for (const vin of acmeVins) expect(await stateOf(tenants.acme, vin)).toEqual(expectedState(records, vin));
    for (const vin of globexVins)
      expect(await stateOf(tenants.globex, vin)).toEqual(expectedState(records, vin));
    expect(runtime.observer.totals.unregistered).toBe(STEPS);
    // assess: events, each scoped to one tenant and carrying only its vehicles
    await edge.eventBridge.idle();
    const telemetry = events.filter((e) => e['detail-type'] === 'Telemetry.Updated');
    const acmeIds = new Set(await Promise.all(acmeVins.map((vin) => pseudonyms.vehicleIdOf(vin))));
    const acmeEvents = telemetry.filter((e) => (e.detail as { tenantId: string }).tenantId === tenants.acme);
    expect(acmeEvents.length).toBeGreaterThan(0);
    const acmeVehicles = acmeEvents.flatMap(
      (e) => (e.detail as { vehicles: { vehicleId: string }[] }).vehicles,
    );
    expect(new Set(acmeVehicles.map((v) => v.vehicleId))).toEqual(acmeIds);
    expect(runtime.observer.totals.failedBatches).toBe(0);
  });

  it('reaches the same state with 20% duplicates, resends and shuffled order', async () => {
    // prepare: the noisy fleet drives exactly like the acme fleet
    const clean = drive(acmeVins);
    const noisy = drive(noisyVins);
    const random = seededRandom(11);
    // The server's true-ups: the newest values again, flagged is_resend.
    const resends = noisy
      .filter((record) => record.step === STEPS - 1)
      .map((last) => ({
        vin: last.vin,
        data: vehicleDataRecord({
          vin: last.vin,
          isResend: true,
          createdAt: { seconds: 1_800_000_000 + STEPS - 1 },
          data: last.signals!.slice(0, 3),
        }),
      }));
    const withDuplicates = [...noisy, ...noisy.filter(() => random() < 0.2), ...resends];
    const before = runtime.observer.totals.records;
    // act
    await put(shuffle(withDuplicates, 5));
    await expect
      .poll(() => runtime.observer.totals.records - before, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(withDuplicates.length);
    // assess
    for (const [i, vin] of noisyVins.entries()) {
      expect(await stateOf(tenants.noisy, vin)).toEqual(await stateOf(tenants.acme, acmeVins[i]!));
      expect(await stateOf(tenants.noisy, vin)).toEqual(expectedState(clean, acmeVins[i]!));
    }
  });

  it('sends a poison record to the dead-letter queue with its reason, and ingests the rest of its batch', async () => {
    // prepare
    const vin = acmeVins[0]!;
    const poison = { vin, data: randomBytes(64, 3) };
    const good = {
      vin,
      data: vehicleDataRecord({
        vin,
        createdAt: { seconds: 1_900_000_000 },
        data: [{ key: 'VehicleSpeed', value: { doubleValue: 42.5 } }],
      }),
    };
    // act
    await put([poison, good]);
    // assess
    await expect
      .poll(async () => (await stateOf(tenants.acme, vin)).VehicleSpeed, { timeout: 10_000 })
      .toBe(42.5);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: poisonQueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    const dead = JSON.parse(Messages[0]!.Body!) as Record<string, unknown>;
    expect(dead).toMatchObject({
      streamName: `${NAMESPACE}_V`,
      shardId: expect.stringMatching(/^shardId-/),
      sequenceNumber: expect.stringMatching(/^\d+$/),
      dataBase64: Buffer.from(poison.data).toString('base64'),
      reason: expect.any(String),
    });
    expect(String(dead.reason).length).toBeGreaterThan(10);
    expect(runtime.observer.totals.poison).toBe(1);
  });

  it('logs and measures a batch through Powertools without a VIN in any line', async () => {
    // prepare: the Lambda path, with Powertools writing to stdout and stderr as it does in Lambda
    const output: string[] = [];
    const streams = [process.stdout, process.stderr];
    const writes = streams.map((stream) => stream.write.bind(stream));
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => (
        output.push(String(chunk)),
        true
      )) as typeof stream.write;
    }
    const vin = acmeVins[1]!;
    const event = {
      Records: [vehicleDataRecord({ vin, createdAt: { seconds: 1_900_000_100 } }), randomBytes(32, 8)].map(
        (data, i) => kinesisRecord(vin, data, i),
      ),
    };
    try {
      // act
      const handler = createIngestHandler(
        ingestDependencies({
          aws: { endpoint: edge.url },
          state: new RedisLatestStateStore(redis),
          poisonQueueUrl,
          namespace: NAMESPACE,
          eventBusName: 'fleetwire',
        }),
        new PowertoolsIngestObserver(
          new Logger({ serviceName: 'ingest-test' }),
          new Metrics({ namespace: 'Test', serviceName: 'ingest' }),
        ),
      );
      const response = await handler(event);
      // assess
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      streams.forEach((stream, i) => (stream.write = writes[i]!));
    }
    const text = output.join('');
    expect(text).toContain('"PoisonRecords"');
    expect(text).toContain('ingest batch had failures');
    for (const known of [...acmeVins, ...globexVins, ...noisyVins]) expect(text).not.toContain(known);
  });

  it('leaves no real VIN in Redis, DynamoDB (outside the vault) or events', async () => {
    const vins = [...acmeVins, ...globexVins, ...noisyVins, unregisteredVin];
    const keys = await redis.keys(`fw:{*-${run}}:*`);
    const redisDump: string[] = [...keys];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') redisDump.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'zset') redisDump.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
    }
    const tables = JSON.stringify(await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vehicles' })));
    const everything = [redisDump.join('\n'), tables, JSON.stringify(events)].join('\n');
    expect(keys.length).toBeGreaterThan(0);
    for (const vin of vins) expect(everything).not.toContain(vin);
  });
});
