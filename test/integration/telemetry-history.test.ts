import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbTelemetryHistory } from '../../src/adapters/aws/dynamodb/telemetry-history.ts';
import { tickQuietVehicles } from '../../src/domain/ingest/detector-ticker.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type AppSyncIdentity,
} from '../../src/local/appsync/engine.ts';
import { teslaVin, vehicleDataRecord } from '../support/tesla-records.ts';
import {
  datums,
  startDetectorsFixture,
  type DetectorsFixture,
  type PlainSignals,
  type ScriptedRecord,
} from '../support/ingest-detectors-fixture.ts';
import { cognitoIdentity } from '../support/appsync-identities.ts';

const T0 = Date.UTC(2027, 2, 3, 10, 0, 0);
const sec = (n: number) => n * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function v(vin: string, at: number, signals: PlainSignals): ScriptedRecord {
  return { topic: 'V', vin, data: vehicleDataRecord({ vin, createdAt: at, data: datums(signals) }) };
}

const person = (tenantId: string) => cognitoIdentity(tenantId, ['viewer'], `viewer-${tenantId}`);

const HISTORY = `query History($vehicleId: ID!, $from: AWSDateTime, $to: AWSDateTime, $signals: [String!], $limit: Int, $nextToken: String) {
  telemetryHistory(vehicleId: $vehicleId, from: $from, to: $to, signals: $signals, limit: $limit, nextToken: $nextToken) {
    items { vehicleId at signals }
    nextToken
  }
}`;

interface HistoryPage {
  items: { vehicleId: string; at: string; signals: string }[];
  nextToken: string | null;
}

describe('telemetry history: downsampled items written by ingest, read through GraphQL by their tenant', () => {
  let fx: DetectorsFixture;
  let engine: AppSyncEngine;
  let tenant: string;
  let other: string;
  let vin: string;
  let vehicleId: string;

  const history = async (identity: AppSyncIdentity, variables: Record<string, unknown>) => {
    const result = JSON.parse(
      JSON.stringify(await engine.execute({ document: parse(HISTORY), identity, variables })),
    ) as { data?: { telemetryHistory: HistoryPage }; errors?: unknown[] };
    expect(result.errors).toBeUndefined();
    return result.data!.telemetryHistory;
  };

  beforeAll(async () => {
    fx = await startDetectorsFixture();
    tenant = `history-${fx.run}`;
    other = `other-${fx.run}`;
    vin = teslaVin(700);
    vehicleId = await fx.register(tenant, vin);
    const unused = async () => ({ error: { type: 'BadRequest', message: 'not under test here' } });
    engine = await createAppSyncEngine({
      dataSources: {
        dynamodb: fx.dynamodb,
        tables: { ...fx.tables, vehicles: fx.tables.vehicles! },
        lambdas: {
          StateReader: unused,
          VehicleRegistrar: unused,
          CommandApi: unused,
          FleetConfig: unused,
          Webhooks: unused,
        },
      },
      onInternalError: (error) => console.error(error),
      resolverConsole: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
    });
  }, 60_000);

  afterAll(async () => {
    await fx?.stop();
  });

  it('writes one item per vehicle and minute with the newest values of the minute, and closes the last by the ticker', async () => {
    // prepare: a record every 10 s for 2.5 minutes, speed rising; retention 7 days
    fx.tenantConfig.set(tenant, { retentionDays: { telemetryHistory: 7 } });
    const records = Array.from({ length: 16 }, (_, i) =>
      v(vin, T0 + sec(10 * i), { VehicleSpeed: 10 + i, ...(i % 6 === 0 ? { InsideTemp: 20 + i } : {}) }),
    );
    // act: two overlapping batches (the second repeats part of the first), then a tick once quiet
    expect(await fx.ingest(fx.batchOf(records.slice(0, 8)))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(records.slice(5)))).toEqual([]);
    const written = fx.counts.reduce((sum, c) => sum + c.historyItems, 0);
    const tick = await tickQuietVehicles(
      fx.deps.detectors!,
      { events: fx.deps.events, eventBusName: fx.deps.eventBusName },
      T0 + sec(150) + sec(120),
    );
    // assess
    const { Items = [] } = await fx.dynamodb.send(
      new QueryCommand({
        TableName: fx.tables['telemetry-history']!,
        KeyConditionExpression: 'vehicleKey = :k',
        ExpressionAttributeValues: { ':k': { S: `${tenant}#${vehicleId}` } },
      }),
    );
    expect(written).toBe(2);
    expect(tick.counts.historyItems).toBe(1);
    expect(Items.map((item) => unmarshall(item))).toEqual([
      {
        vehicleKey: `${tenant}#${vehicleId}`,
        at: iso(T0),
        signals: { InsideTemp: 20, VehicleSpeed: 15 },
        ttl: T0 / 1000 + 7 * 86_400,
      },
      {
        vehicleKey: `${tenant}#${vehicleId}`,
        at: iso(T0 + sec(60)),
        signals: { InsideTemp: 26, VehicleSpeed: 21 },
        ttl: (T0 + sec(60)) / 1000 + 7 * 86_400,
      },
      {
        vehicleKey: `${tenant}#${vehicleId}`,
        at: iso(T0 + sec(120)),
        signals: { InsideTemp: 32, VehicleSpeed: 25 },
        ttl: (T0 + sec(120)) / 1000 + 7 * 86_400,
      },
    ]);
  });

  it('answers the history through GraphQL, paged, by time range and signal, to its tenant only', async () => {
    // act
    const page1 = await history(person(tenant), { vehicleId, limit: 2 });
    const page2 = await history(person(tenant), { vehicleId, limit: 2, nextToken: page1.nextToken });
    const ranged = await history(person(tenant), {
      vehicleId,
      from: '2027-03-03T11:01:00+01:00',
      to: iso(T0 + sec(150)),
      signals: ['InsideTemp'],
    });
    const stranger = await history(person(other), { vehicleId });
    // assess
    expect(page1.items.map((i) => i.at)).toEqual([iso(T0), iso(T0 + sec(60))]);
    expect(page1.items[0]).toEqual({
      vehicleId,
      at: iso(T0),
      signals: '{"InsideTemp":20,"VehicleSpeed":15}',
    });
    expect(page2.items.map((i) => i.at)).toEqual([iso(T0 + sec(120))]);
    expect(ranged.items.map((i) => [i.at, JSON.parse(i.signals)])).toEqual([
      [iso(T0 + sec(60)), { InsideTemp: 26 }],
      [iso(T0 + sec(120)), { InsideTemp: 32 }],
    ]);
    expect(stranger).toEqual({ items: [], nextToken: null });
  });

  it('leaves out expired items, which the offline edge never deletes', async () => {
    // prepare: an item of the same vehicle whose retention has passed
    const writer = new DynamoDbTelemetryHistory(fx.dynamodb, fx.tables['telemetry-history']!);
    const failed = await writer.write([
      {
        tenantId: tenant,
        vehicleId,
        at: T0 - sec(3600),
        signals: { VehicleSpeed: 1 },
        expiresAt: Math.floor(Date.now() / 1000) - 10,
      },
    ]);
    // act
    const page = await history(person(tenant), { vehicleId, to: iso(T0 - sec(1)) });
    // assess
    expect(failed).toEqual([]);
    expect(page.items).toEqual([]);
  });

  it('retries unprocessed items and reports what still fails as batch item failures', async () => {
    // prepare: every BatchWriteItem call leaves its items unprocessed, more times than the writer retries
    const other = teslaVin(701);
    const otherId = await fx.register(tenant, other);
    const rule = fx.edge.faults.add({
      target: 'DynamoDB_20120810.BatchWriteItem',
      effect: { kind: 'partial', entries: [0], code: 'ProvisionedThroughputExceededException' },
    });
    const records = [v(other, T0, { VehicleSpeed: 5 }), v(other, T0 + sec(61), { VehicleSpeed: 6 })];
    const batch = fx.batchOf(records);
    // act
    const failed = await fx.ingest(batch);
    fx.edge.faults.remove(rule);
    const redelivered = await fx.ingest(batch);
    // assess
    expect(failed.sort()).toEqual(batch.Records.map((r) => r.kinesis.sequenceNumber).sort());
    expect(redelivered).toEqual([]);
    const page = await history(person(tenant), { vehicleId: otherId });
    expect(page.items.map((i) => [i.at, JSON.parse(i.signals)])).toEqual([[iso(T0), { VehicleSpeed: 5 }]]);
  });
});
