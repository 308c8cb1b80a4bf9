import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { DynamoDbFleetRecords } from '../../src/adapters/aws/dynamodb/fleet-records.ts';
import { StaticTenantConfigSource } from '../../src/adapters/memory/tenant-config.ts';
import {
  toPutEventsEntry,
  type DetailOf,
  type DetailType,
  type PutEventsEntry,
} from '../../src/domain/events/catalog/index.ts';
import { FLEETWIRE_BUS_NAME, RECORDS_PROJECTOR_TARGET } from '../../src/domain/events/rules.ts';
import { createRecordsProjector } from '../../src/functions/records-projector/records-projector.ts';
import { DATA_SOURCES } from '../../src/graphql/resolvers/manifest.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type AppSyncIdentity,
} from '../../src/local/appsync/engine.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { eventFactories, sampleVehicleId } from '../support/event-factories.ts';
import { cognitoIdentity } from '../support/appsync-identities.ts';

const run = randomUUID().slice(0, 8);
const ACME = `acme-${run}`;
const GLOBEX = `globex-${run}`;
const ACME_CAR = sampleVehicleId(`${run}-acme-1`);
const ACME_VAN = sampleVehicleId(`${run}-acme-2`);
const GLOBEX_CAR = sampleVehicleId(`${run}-globex-1`);

/** Instants relative to now, so the records are inside the retention (queries hide expired ones). */
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const T = { tripStart: ago(120), tripEnd: ago(90), vanStart: ago(30), charge: ago(80), chargeEnd: ago(50) };

const person = (tenantId: string, groups: string[], sub = `user-${groups.join('-')}-${tenantId}`) =>
  cognitoIdentity(tenantId, groups, sub);

const entry = <T extends DetailType>(type: T, detail: DetailOf<T>): PutEventsEntry =>
  toPutEventsEntry(FLEETWIRE_BUS_NAME, type, detail);

/** What the detectors would publish for the scenario: acme's two trips, a session, an alert and an error. */
function scenario(): PutEventsEntry[] {
  const trip = { tenantId: ACME, vehicleId: ACME_CAR, tripId: `trp_${run}a`, startedAt: T.tripStart };
  return [
    // Out of order: the end overtakes the start.
    entry(
      'Trip.Ended',
      eventFactories.tripEnded({ ...trip, occurredAt: T.tripEnd, endedAt: T.tripEnd, durationSeconds: 1800 }),
    ),
    entry('Trip.Started', eventFactories.tripStarted({ ...trip, occurredAt: T.tripStart })),
    entry(
      'Trip.Started',
      eventFactories.tripStarted({
        tenantId: ACME,
        vehicleId: ACME_VAN,
        tripId: `trp_${run}b`,
        startedAt: T.vanStart,
        occurredAt: T.vanStart,
      }),
    ),
    entry(
      'Trip.Started',
      eventFactories.tripStarted({
        tenantId: GLOBEX,
        vehicleId: GLOBEX_CAR,
        tripId: `trp_${run}g`,
        startedAt: T.vanStart,
        occurredAt: T.vanStart,
      }),
    ),
    entry(
      'Charging.Started',
      eventFactories.chargingStarted({
        tenantId: ACME,
        vehicleId: ACME_CAR,
        sessionId: `chg_${run}a`,
        startedAt: T.charge,
        occurredAt: T.charge,
      }),
    ),
    entry(
      'Charging.Ended',
      eventFactories.chargingEnded({
        tenantId: ACME,
        vehicleId: ACME_CAR,
        sessionId: `chg_${run}a`,
        startedAt: T.charge,
        endedAt: T.chargeEnd,
        occurredAt: T.chargeEnd,
      }),
    ),
    entry(
      'Vehicle.Alert.Raised',
      eventFactories.vehicleAlertRaised({
        tenantId: ACME,
        vehicleId: ACME_VAN,
        alertId: `alr_${run}a`,
        startedAt: ago(20),
        occurredAt: ago(20),
      }),
    ),
    entry(
      'Vehicle.Alert.Raised',
      eventFactories.vehicleAlertRaised({
        tenantId: GLOBEX,
        vehicleId: GLOBEX_CAR,
        alertId: `alr_${run}g`,
        startedAt: ago(20),
        occurredAt: ago(20),
      }),
    ),
    entry(
      'Vehicle.Error.Reported',
      eventFactories.vehicleErrorReported({
        tenantId: ACME,
        vehicleId: ACME_CAR,
        reportedAt: ago(10),
        occurredAt: ago(10),
      }),
    ),
  ];
}

/** A page of a list query. */
interface Page {
  readonly items: ({ id: string } & Record<string, unknown>)[];
  readonly nextToken?: string | null;
}

/** A GraphQL answer's data: whichever of these fields the operation selected. */
interface Data {
  readonly trips: Page;
  readonly chargingSessions: Page;
  readonly alerts: Page;
  readonly acknowledgeAlert: Record<string, unknown>;
}

/** Built once: a replay sends exactly these entries again. */
const SCENARIO = scenario();

const TRIPS = `query Trips($vehicleId: ID, $from: AWSDateTime, $to: AWSDateTime) {
  trips(vehicleId: $vehicleId, from: $from, to: $to) {
    items { id vehicleId startedAt endedAt durationSeconds distanceKm startOdometerKm routePolyline }
    nextToken
  }
}`;
const SESSIONS = `{ chargingSessions { items { id vehicleId endedAt currentType energyAddedKwh chargeLimitPercent endReason } } }`;
const ALERTS = `query Alerts($status: AlertStatus, $vehicleId: ID) {
  alerts(status: $status, vehicleId: $vehicleId) {
    items { id vehicleId status severity trigger { kind alertName ruleId } message tags acknowledgedBy acknowledgedAt }
  }
}`;
const ACKNOWLEDGE = `mutation Ack($alertId: ID!) {
  acknowledgeAlert(alertId: $alertId) { id status acknowledgedBy acknowledgedAt }
}`;

describe('trips, charging sessions and alerts: events → projector → tables → GraphQL', () => {
  let edge: LocalEdge;
  let dynamodb: DynamoDBClient;
  let eventBridge: EventBridgeClient;
  let engine: AppSyncEngine;
  let tables: Record<string, string>;
  const tenantConfig = new StaticTenantConfigSource();
  const projectorFailures: string[] = [];

  const gql = async (identity: AppSyncIdentity, query: string, variables?: Record<string, unknown>) =>
    JSON.parse(
      JSON.stringify(
        await engine.execute({ document: parse(query), identity, ...(variables ? { variables } : {}) }),
      ),
    ) as { data?: Data; errors?: Record<string, unknown>[] };

  const publish = async (entries: readonly PutEventsEntry[]) => {
    for (let index = 0; index < entries.length; index += 10) {
      const result = await eventBridge.send(
        new PutEventsCommand({ Entries: entries.slice(index, index + 10) }),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
    await edge.eventBridge.idle();
  };

  const scanAll = async () => {
    const items = [];
    for (const id of ['trips', 'charging-sessions', 'alerts']) {
      const { Items } = await dynamodb.send(
        new ScanCommand({ TableName: tables[id]!, ConsistentRead: true }),
      );
      items.push(...(Items ?? []));
    }
    return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };

  beforeAll(async () => {
    // One attempt per delivery: targets this test does not run (webhooks, publish*) fail fast and quietly.
    edge = await startLocalEdge({
      port: 0,
      provisioningDelayMs: 10,
      eventBridge: { delivery: { maxAttempts: 1 }, logger: { warn: () => {} } },
    });
    const config = awsClientConfig({ endpoint: edge.url });
    dynamodb = new DynamoDBClient(config);
    eventBridge = new EventBridgeClient(config);
    ({ tables } = await provisionLocalResources(
      {
        dynamodb,
        kinesis: new KinesisClient(config),
        kms: new KMSClient(config),
        sqs: new SQSClient(config),
      },
      { streams: [], queues: [] },
    ));
    const project = createRecordsProjector({
      records: new DynamoDbFleetRecords(dynamodb, {
        trip: tables.trips!,
        chargingSession: tables['charging-sessions']!,
        alert: tables.alerts!,
      }),
      tenantConfig,
      logger: { error: (message, ...extra) => projectorFailures.push(`${message} ${JSON.stringify(extra)}`) },
    });
    edge.eventBridge.registerTarget({ kind: 'function', name: RECORDS_PROJECTOR_TARGET }, async (input) => {
      await project(input);
    });
    // Every Lambda data source answers nothing here: only the records' DynamoDB data sources are used.
    const lambdas = Object.fromEntries(
      Object.values(DATA_SOURCES)
        .filter((source) => source.kind === 'AWS_LAMBDA')
        .map((source) => [
          source.name,
          async () => ({ error: { type: 'InternalFailure', message: 'unused' } }),
        ]),
    );
    engine = await createAppSyncEngine({
      dataSources: { dynamodb, tables: { ...tables, vehicles: tables.vehicles! }, lambdas },
    });

    await publish(SCENARIO);
  });

  afterAll(async () => {
    dynamodb?.destroy();
    eventBridge?.destroy();
    await edge?.stop();
  });

  it('projects every event onto its record without a failure', async () => {
    expect(projectorFailures).toEqual([]);
    expect(
      edge.eventBridge.undelivered().filter((failure) => failure.targetId === RECORDS_PROJECTOR_TARGET),
    ).toEqual([]);
  });

  it("lists the tenant's trips newest first, the one that ended before it was seen to start completed", async () => {
    const { data, errors } = await gql(person(ACME, ['viewer']), TRIPS);

    expect(errors).toBeUndefined();
    expect(data!.trips.items).toEqual([
      expect.objectContaining({ id: `trp_${run}b`, vehicleId: ACME_VAN, endedAt: null, distanceKm: null }),
      expect.objectContaining({
        id: `trp_${run}a`,
        vehicleId: ACME_CAR,
        startedAt: T.tripStart,
        endedAt: T.tripEnd,
        durationSeconds: 1800,
        distanceKm: 21.7,
        startOdometerKm: 18234.6,
        routePolyline: 'evn_IqmspAuSqt@_VkbAeVm|@',
      }),
    ]);
  });

  it('filters trips by vehicle and start time, and never shows another tenant’s vehicle', async () => {
    const viewer = person(ACME, ['viewer']);

    const byVehicle = await gql(viewer, TRIPS, { vehicleId: ACME_CAR });
    const inRange = await gql(viewer, TRIPS, { from: ago(60), to: ago(0) });
    const otherTenantsVehicle = await gql(viewer, TRIPS, { vehicleId: GLOBEX_CAR });
    const globex = await gql(person(GLOBEX, ['viewer']), TRIPS);

    expect(byVehicle.data!.trips.items.map((trip: { id: string }) => trip.id)).toEqual([`trp_${run}a`]);
    expect(inRange.data!.trips.items.map((trip: { id: string }) => trip.id)).toEqual([`trp_${run}b`]);
    expect(otherTenantsVehicle.data!.trips.items).toEqual([]);
    expect(globex.data!.trips.items.map((trip: { id: string }) => trip.id)).toEqual([`trp_${run}g`]);
  });

  it('lists charging sessions with what the Ended event says and the start’s charge limit', async () => {
    const { data, errors } = await gql(person(ACME, ['auditor']), SESSIONS);

    expect(errors).toBeUndefined();
    expect(data!.chargingSessions.items).toEqual([
      {
        id: `chg_${run}a`,
        vehicleId: ACME_CAR,
        endedAt: T.chargeEnd,
        currentType: 'dc',
        energyAddedKwh: 46.8,
        chargeLimitPercent: 80,
        endReason: 'completed',
      },
    ]);
    expect((await gql(person(GLOBEX, ['viewer']), SESSIONS)).data!.chargingSessions.items).toEqual([]);
  });

  it('lists alerts and reported errors of the tenant only, by status and vehicle', async () => {
    const viewer = person(ACME, ['viewer']);

    const all = await gql(viewer, ALERTS);
    const cleared = await gql(viewer, ALERTS, { status: 'cleared' });
    const ofTheVan = await gql(viewer, ALERTS, { vehicleId: ACME_VAN });

    expect(all.errors).toBeUndefined();
    expect(all.data!.alerts.items).toEqual([
      expect.objectContaining({
        vehicleId: ACME_CAR,
        status: 'raised',
        trigger: { kind: 'error', alertName: 'cloud_client_nil', ruleId: null },
        tags: JSON.stringify({ field: 'Location', component: 'telemetry' }),
      }),
      expect.objectContaining({
        id: `alr_${run}a`,
        vehicleId: ACME_VAN,
        status: 'raised',
        severity: 'warning',
        trigger: { kind: 'rule', alertName: null, ruleId: 'rule-speeding-urban' },
        message: 'VehicleSpeed 72.4 km/h is above 60 km/h',
        acknowledgedBy: null,
      }),
    ]);
    expect(cleared.data!.alerts.items).toEqual([]);
    expect(ofTheVan.data!.alerts.items.map((alert: { id: string }) => alert.id)).toEqual([`alr_${run}a`]);
  });

  it('acknowledges an alert once for a dispatcher, refuses a viewer, and does not find another tenant’s', async () => {
    const dispatcher = person(ACME, ['dispatcher'], 'dispatcher-1');

    const first = await gql(dispatcher, ACKNOWLEDGE, { alertId: `alr_${run}a` });
    const again = await gql(person(ACME, ['admin'], 'admin-1'), ACKNOWLEDGE, { alertId: `alr_${run}a` });
    const byViewer = await gql(person(ACME, ['viewer']), ACKNOWLEDGE, { alertId: `alr_${run}a` });
    const othersAlert = await gql(dispatcher, ACKNOWLEDGE, { alertId: `alr_${run}g` });

    expect(first.errors).toBeUndefined();
    expect(first.data!.acknowledgeAlert).toMatchObject({
      id: `alr_${run}a`,
      status: 'raised',
      acknowledgedBy: 'dispatcher-1',
    });
    expect(again.data!.acknowledgeAlert).toEqual(first.data!.acknowledgeAlert);
    expect(byViewer.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(othersAlert.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    const globexAlert = (await gql(person(GLOBEX, ['viewer']), ALERTS)).data!.alerts.items[0];
    expect(globexAlert).toMatchObject({ id: `alr_${run}g`, acknowledgedBy: null });
  });

  it('a replay of every event changes nothing, not even the acknowledgement', async () => {
    const before = await scanAll();
    expect(before.find((item) => item.alertId?.S === `alr_${run}a`)?.acknowledgedBy).toEqual({
      S: 'dispatcher-1',
    });

    // The very same entries again, as an archive replay or a redelivery sends them.
    await publish(SCENARIO);

    expect(await scanAll()).toEqual(before);
    expect(projectorFailures).toEqual([]);
  });

  it('clears an alert after its acknowledgement, keeping it', async () => {
    await publish([
      entry(
        'Vehicle.Alert.Cleared',
        eventFactories.vehicleAlertCleared({
          tenantId: ACME,
          vehicleId: ACME_VAN,
          alertId: `alr_${run}a`,
          startedAt: ago(20),
          endedAt: ago(5),
          durationSeconds: 900,
          occurredAt: ago(5),
        }),
      ),
    ]);

    const { data } = await gql(person(ACME, ['viewer']), ALERTS, { status: 'cleared' });

    expect(data!.alerts.items).toEqual([
      expect.objectContaining({ id: `alr_${run}a`, status: 'cleared', acknowledgedBy: 'dispatcher-1' }),
    ]);
  });

  it("hides records older than the tenant's retention (no TTL offline)", async () => {
    const tenant = `short-${run}`;
    tenantConfig.set(tenant, { retentionDays: { trips: 1 } });
    const old = { tenantId: tenant, vehicleId: ACME_CAR, tripId: `trp_${run}old` };
    await publish([
      entry(
        'Trip.Started',
        eventFactories.tripStarted({ ...old, startedAt: ago(3 * 1440), occurredAt: ago(3 * 1440) }),
      ),
      entry(
        'Trip.Started',
        eventFactories.tripStarted({
          ...old,
          tripId: `trp_${run}new`,
          startedAt: ago(60),
          occurredAt: ago(60),
        }),
      ),
    ]);

    const { data } = await gql(person(tenant, ['viewer']), TRIPS);

    expect(data!.trips.items.map((trip: { id: string }) => trip.id)).toEqual([`trp_${run}new`]);
  });
});
