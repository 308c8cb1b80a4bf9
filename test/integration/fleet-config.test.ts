import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import {
  DynamoDbTenantConfigSource,
  DynamoDbTenantConfigStore,
  type TenantConfigProblem,
  type TenantConfigTables,
} from '../../src/adapters/aws/dynamodb/tenant-config.ts';
import { createFleetConfig } from '../../src/functions/fleet-config/fleet-config.ts';
import { DATA_SOURCES } from '../../src/graphql/resolvers/manifest.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type AppSyncIdentity,
} from '../../src/local/appsync/engine.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { cognitoIdentity } from '../support/appsync-identities.ts';

/** Unique per run: the edge is fresh, but ids in messages stay readable. */
const run = randomUUID().slice(0, 8);
const ACME = `acme-${run}`;
const GLOBEX = `globex-${run}`;

const person = (tenantId: string, groups: string[]) => cognitoIdentity(tenantId, groups);

const GEOFENCE_FIELDS =
  'id name kind center { latitude longitude } radiusMeters polygon { latitude longitude } version';
const RULE_FIELDS = `id name enabled severity conditionKind condition { signal operator value clearValue }
  outsideGeofenceDuringHours { geofenceId from to days } forSeconds clearForSeconds version`;
const CREATE_GEOFENCE = `mutation C($input: CreateGeofenceInput!) { createGeofence(input: $input) { ${GEOFENCE_FIELDS} } }`;
const UPDATE_GEOFENCE = `mutation U($input: UpdateGeofenceInput!) { updateGeofence(input: $input) { ${GEOFENCE_FIELDS} } }`;
const DELETE_GEOFENCE = 'mutation D($id: ID!) { deleteGeofence(id: $id) }';
const CREATE_RULE = `mutation R($input: CreateAlertRuleInput!) { createAlertRule(input: $input) { ${RULE_FIELDS} } }`;
const GEOFENCES = `{ geofences { items { ${GEOFENCE_FIELDS} } nextToken } }`;
const RULES = `{ alertRules { items { ${RULE_FIELDS} } nextToken } }`;
const SETTINGS =
  '{ tenantSettings { timeZone retentionDays { telemetryHistory trips chargingSessions alerts } version } }';
const UPDATE_SETTINGS = `mutation S($input: UpdateTenantSettingsInput!) {
  updateTenantSettings(input: $input) { timeZone retentionDays { trips alerts } version } }`;

const depot = {
  name: 'Depot',
  kind: 'circle',
  center: { latitude: 52.5, longitude: 13.4 },
  radiusMeters: 250,
};
const yard = {
  name: 'Yard',
  kind: 'polygon',
  polygon: [
    { latitude: 52.52, longitude: 13.41 },
    { latitude: 52.52, longitude: 13.42 },
    { latitude: 52.53, longitude: 13.42 },
  ],
};

describe('tenant configuration through the local AppSync engine and the edge DynamoDB', () => {
  let edge: LocalEdge;
  let dynamodb: DynamoDBClient;
  let engine: AppSyncEngine;
  let tables: TenantConfigTables;
  const internalErrors: unknown[] = [];

  const gql = async (identity: AppSyncIdentity, query: string, variables?: Record<string, unknown>) =>
    JSON.parse(
      JSON.stringify(
        await engine.execute({ document: parse(query), identity, ...(variables ? { variables } : {}) }),
      ),
    ) as { data?: Record<string, unknown> | null; errors?: { message: string; errorType?: string }[] };

  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
    const config = awsClientConfig({ endpoint: edge.url });
    dynamodb = new DynamoDBClient(config);
    const provisioned = await provisionLocalResources(
      {
        dynamodb,
        kinesis: new KinesisClient(config),
        kms: new KMSClient(config),
        sqs: new SQSClient(config),
      },
      { streams: [], queues: [] },
    );
    tables = {
      geofences: provisioned.tables.geofences!,
      alertRules: provisioned.tables['alert-rules']!,
      settings: provisioned.tables['tenant-settings']!,
    };
    // Every other data source is out of scope here: their functions refuse, their tables exist.
    const lambdas: Record<string, (payload: unknown) => Promise<unknown>> = {};
    const engineTables: Record<string, string> = {};
    for (const definition of Object.values(DATA_SOURCES)) {
      if (definition.kind === 'AWS_LAMBDA')
        lambdas[definition.name] = async () => ({ error: { type: 'BadRequest', message: 'not under test' } });
      if (definition.kind === 'AMAZON_DYNAMODB')
        engineTables[definition.table.id] = provisioned.tables[definition.table.id]!;
    }
    lambdas.FleetConfig = createFleetConfig({ store: new DynamoDbTenantConfigStore(dynamodb, tables) });
    engine = await createAppSyncEngine({
      dataSources: { dynamodb, tables: engineTables as { vehicles: string }, lambdas },
      onInternalError: (error) => internalErrors.push(error),
      resolverConsole: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
    });
  }, 60_000);

  afterAll(async () => {
    dynamodb?.destroy();
    await edge?.stop();
  });

  it('lets an admin create geofences and a rule, a viewer read them, and keeps tenants apart', async () => {
    // prepare
    const admin = person(ACME, ['admin']);
    const viewer = person(ACME, ['viewer']);
    // act
    const circle = await gql(admin, CREATE_GEOFENCE, { input: depot });
    const polygon = await gql(admin, CREATE_GEOFENCE, { input: yard });
    const circleId = (circle.data?.createGeofence as { id: string }).id;
    const rule = await gql(admin, CREATE_RULE, {
      input: {
        name: 'Speeding',
        severity: 'warning',
        condition: { signal: 'VehicleSpeed', operator: 'gt', value: 120, clearValue: 110 },
        forSeconds: 30,
      },
    });
    const nightRule = await gql(admin, CREATE_RULE, {
      input: {
        name: 'Out at night',
        severity: 'critical',
        outsideGeofenceDuringHours: { geofenceId: circleId, from: '22:00', to: '06:00', days: [1, 2, 3] },
      },
    });
    const readGeofences = await gql(viewer, GEOFENCES);
    const readRules = await gql(viewer, RULES);
    const otherGeofences = await gql(person(GLOBEX, ['admin']), GEOFENCES);
    const otherRules = await gql(person(GLOBEX, ['viewer']), RULES);
    // assess
    expect([circle.errors, polygon.errors, rule.errors, nightRule.errors]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(circle.data?.createGeofence).toMatchObject({
      id: expect.stringMatching(/^geo_[A-Za-z0-9_-]{16}$/),
      kind: 'circle',
      radiusMeters: 250,
      polygon: null,
      version: 1,
    });
    const items = (readGeofences.data?.geofences as { items: unknown[] }).items;
    expect(items).toHaveLength(2);
    expect(items).toEqual(
      expect.arrayContaining([circle.data?.createGeofence, polygon.data?.createGeofence]),
    );
    expect((readRules.data?.alertRules as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([
        {
          ...(rule.data?.createAlertRule as object),
          condition: { signal: 'VehicleSpeed', operator: 'gt', value: '120', clearValue: 110 },
        },
        nightRule.data?.createAlertRule,
      ]),
    );
    expect(otherGeofences.data?.geofences).toEqual({ items: [], nextToken: null });
    expect(otherRules.data?.alertRules).toEqual({ items: [], nextToken: null });
    expect(internalErrors).toEqual([]);
  });

  it('refuses a viewer, and another tenant cannot change or delete what is not theirs', async () => {
    // prepare
    const created = await gql(person(ACME, ['admin']), CREATE_GEOFENCE, {
      input: { ...depot, name: 'Mine' },
    });
    const id = (created.data?.createGeofence as { id: string }).id;
    // act
    const byViewer = await gql(person(ACME, ['viewer']), CREATE_GEOFENCE, { input: depot });
    const update = await gql(person(GLOBEX, ['admin']), UPDATE_GEOFENCE, { input: { id, name: 'Taken' } });
    const remove = await gql(person(GLOBEX, ['admin']), DELETE_GEOFENCE, { id });
    const stillThere = await gql(person(ACME, ['viewer']), GEOFENCES);
    // assess
    expect(byViewer.errors?.[0]).toMatchObject({
      errorType: 'Unauthorized',
      message: expect.stringContaining('Mutation.createGeofence needs one of the roles admin'),
    });
    expect(update.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(remove.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    const names = (stillThere.data?.geofences as { items: { id: string; name: string }[] }).items;
    expect(names.find((g) => g.id === id)?.name).toBe('Mine');
  });

  it('refuses bad geometry with the precise message, and a stale version as a Conflict', async () => {
    // prepare
    const admin = person(ACME, ['admin']);
    const created = await gql(admin, CREATE_GEOFENCE, { input: { ...depot, name: 'Versioned' } });
    const id = (created.data?.createGeofence as { id: string }).id;
    // act
    const degenerate = await gql(admin, CREATE_GEOFENCE, {
      input: { ...yard, polygon: [yard.polygon[0], yard.polygon[1], yard.polygon[0]] },
    });
    const tiny = await gql(admin, CREATE_GEOFENCE, { input: { ...depot, radiusMeters: 5 } });
    const first = await gql(admin, UPDATE_GEOFENCE, { input: { id, radiusMeters: 500, expectedVersion: 1 } });
    const stale = await gql(admin, UPDATE_GEOFENCE, { input: { id, name: 'Late', expectedVersion: 1 } });
    // assess
    expect(degenerate.errors?.[0]).toMatchObject({
      errorType: 'BadRequest',
      message: 'input.polygon must have at least 3 distinct vertices; got 2.',
    });
    expect(tiny.errors?.[0]).toMatchObject({
      errorType: 'BadRequest',
      message: 'input.radiusMeters must be 10–100000; got 5.',
    });
    expect(first.data?.updateGeofence).toMatchObject({ radiusMeters: 500, version: 2 });
    expect(stale.errors?.[0]).toMatchObject({ errorType: 'Conflict' });
  });

  it('answers default settings to a viewer and lets an admin change them', async () => {
    const before = await gql(person(GLOBEX, ['viewer']), SETTINGS);
    const changed = await gql(person(GLOBEX, ['admin']), UPDATE_SETTINGS, {
      input: { timeZone: 'Europe/Berlin', retentionDays: { trips: 90 } },
    });
    const byViewer = await gql(person(GLOBEX, ['viewer']), UPDATE_SETTINGS, { input: { timeZone: 'UTC' } });
    expect(before.data?.tenantSettings).toEqual({
      timeZone: null,
      retentionDays: { telemetryHistory: 30, trips: 365, chargingSessions: 365, alerts: 180 },
      version: 0,
    });
    expect(changed.data?.updateTenantSettings).toEqual({
      timeZone: 'Europe/Berlin',
      retentionDays: { trips: 90, alerts: 180 },
      version: 1,
    });
    expect(byViewer.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
  });

  describe('DynamoDbTenantConfigSource', () => {
    it('returns what was stored, caches for its TTL, and skips an invalid item with a report', async () => {
      // prepare
      const tenant = `source-${run}`;
      const admin = person(tenant, ['admin']);
      await gql(admin, CREATE_GEOFENCE, { input: depot });
      await gql(admin, CREATE_RULE, {
        input: { name: 'Low', severity: 'info', condition: { signal: 'Soc', operator: 'lt', value: 20 } },
      });
      await gql(admin, CREATE_RULE, {
        input: {
          name: 'Off',
          severity: 'info',
          enabled: false,
          condition: { signal: 'Soc', operator: 'lt', value: 5 },
        },
      });
      await gql(admin, UPDATE_SETTINGS, {
        input: { timeZone: 'Europe/Paris', retentionDays: { alerts: 30 } },
      });
      // A corrupt item, as a bad migration or a hand edit might leave it.
      await dynamodb.send(
        new PutItemCommand({
          TableName: tables.geofences,
          Item: marshall({
            tenantId: tenant,
            geofenceId: 'geo_broken',
            name: 'Broken',
            shape: { kind: 'circle', center: { latitude: 120, longitude: 0 }, radiusMeters: 50 },
            version: 1,
            createdAt: '2030-01-01T00:00:00.000Z',
            updatedAt: '2030-01-01T00:00:00.000Z',
          }),
        }),
      );
      const problems: TenantConfigProblem[] = [];
      let now = 1_000_000;
      const source = new DynamoDbTenantConfigSource(dynamodb, tables, {
        onProblem: (problem) => problems.push(problem),
        now: () => now,
      });
      // act
      const geofences = await source.geofences(tenant);
      const rules = await source.alertRules(tenant);
      const settings = await source.settings(tenant);
      await gql(admin, CREATE_GEOFENCE, { input: yard });
      const cached = await source.geofences(tenant);
      now += 61_000;
      const refreshed = await source.geofences(tenant);
      // assess
      expect(geofences).toEqual([
        {
          id: expect.stringMatching(/^geo_/),
          name: 'Depot',
          shape: { kind: 'circle', center: depot.center, radiusMeters: 250 },
        },
      ]);
      expect(rules).toEqual([
        expect.objectContaining({
          name: 'Low',
          enabled: true,
          severity: 'info',
          condition: { kind: 'threshold', signal: 'Soc', op: '<', value: 20 },
        }),
      ]);
      expect(settings).toEqual({
        timeZone: 'Europe/Paris',
        retentionDays: { telemetryHistory: 30, trips: 365, chargingSessions: 365, alerts: 30 },
      });
      expect(cached).toBe(geofences);
      expect(refreshed.map((g) => g.name).sort()).toEqual(['Depot', 'Yard']);
      expect(problems.filter((p) => p.kind === 'invalid-item').map((p) => [p.part, p.message])).toEqual([
        [
          'geofences',
          expect.stringContaining(
            'geofence geo_broken is skipped: invalid geofences: 0.shape.center.latitude',
          ),
        ],
        ['geofences', expect.stringContaining('geofence geo_broken is skipped')],
      ]);
    });

    it('serves the last good value when a refresh fails, and reports it; a first read that fails throws', async () => {
      // prepare
      const tenant = `stale-${run}`;
      await gql(person(tenant, ['admin']), CREATE_GEOFENCE, { input: depot });
      const problems: TenantConfigProblem[] = [];
      let now = 0;
      let unreachable = false;
      // A real client whose requests fail on demand, as they would with DynamoDB unreachable.
      const client = new DynamoDBClient(awsClientConfig({ endpoint: edge.url }));
      client.middlewareStack.add(
        (next) => async (args) => {
          if (unreachable) throw new Error('connect ETIMEDOUT');
          return next(args);
        },
        { step: 'initialize', name: 'unreachable' },
      );
      const source = new DynamoDbTenantConfigSource(client, tables, {
        onProblem: (problem) => problems.push(problem),
        now: () => now,
      });
      const good = await source.geofences(tenant);
      // act
      unreachable = true;
      now += 61_000;
      const stale = await source.geofences(tenant);
      const cold = source.geofences(`never-read-${run}`);
      // assess
      expect(good).toHaveLength(1);
      expect(stale).toBe(good);
      await expect(cold).rejects.toThrow('connect ETIMEDOUT');
      expect(problems).toEqual([
        expect.objectContaining({ kind: 'refresh-failed', tenantId: tenant, part: 'geofences' }),
      ]);
      client.destroy();
    });
  });
});
