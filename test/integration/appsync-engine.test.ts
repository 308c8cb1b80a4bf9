import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { parse } from 'graphql';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { DynamoDbVehicleDirectory } from '../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { KmsMacProvider, KmsVinVault } from '../../src/adapters/aws/kms.ts';
import { RedisLatestStateStore } from '../../src/adapters/redis/latest-state-store.ts';
import { Pseudonymizer } from '../../src/domain/pseudonym/pseudonym.ts';
import { createStateReader } from '../../src/functions/state-reader/state-reader.ts';
import { createVehicleRegistrar } from '../../src/functions/vehicle-registrar/vehicle-registrar.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type AppSyncIdentity,
  type SubscriptionFilter,
} from '../../src/local/appsync/engine.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { teslaVin } from '../support/tesla-records.ts';

/** Unique per run: the Redis of the test run is shared by every test file. */
const run = randomUUID().slice(0, 8);
const ACME = `acme-${run}`;
const GLOBEX = `globex-${run}`;
const ACME_VINS = [teslaVin(9101), teslaVin(9102), teslaVin(9103)];
const GLOBEX_VINS = [teslaVin(9201)];

function person(
  tenantId: string | undefined,
  groups: string[],
  sub = `user-${groups.join('-') || 'none'}`,
): AppSyncIdentity {
  return {
    kind: 'cognito',
    sub,
    username: sub,
    claims: { sub, 'cognito:groups': groups, ...(tenantId ? { 'custom:tenantId': tenantId } : {}) },
    groups,
    issuer: 'http://127.0.0.1:4000/local-issuer',
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
  };
}

const EVENTBRIDGE: AppSyncIdentity = {
  kind: 'iam',
  accountId: '000000000000',
  userArn: 'arn:aws:sts::000000000000:assumed-role/fleetwire-events-appsync/events',
  sourceIp: ['127.0.0.1'],
};

const VEHICLES =
  'query Vehicles($limit: Int, $nextToken: String) { vehicles(limit: $limit, nextToken: $nextToken) { items { id name } nextToken } }';
const PUBLISH_FLEET_UPDATE = `mutation PublishFleetUpdate($input: FleetUpdateInput!) {
  publishFleetUpdate(input: $input) { tenantId occurredAt vehicles { vehicleId at signals } }
}`;

describe('the local AppSync engine on the edge, Redis and the real functions', () => {
  let edge: LocalEdge;
  let dynamodb: DynamoDBClient;
  let kms: KMSClient;
  let redis: Redis;
  let engine: AppSyncEngine;
  const internalErrors: unknown[] = [];
  const commandApiEvents: unknown[] = [];
  const ids: Record<string, string[]> = { [ACME]: [], [GLOBEX]: [] };

  const gql = async (
    identity: AppSyncIdentity,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: unknown; errors?: Record<string, unknown>[] }> =>
    JSON.parse(
      JSON.stringify(
        await engine.execute({ document: parse(query), identity, ...(variables ? { variables } : {}) }),
      ),
    );

  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
    const config = awsClientConfig({ endpoint: edge.url });
    dynamodb = new DynamoDBClient(config);
    kms = new KMSClient(config);
    const provisioned = await provisionLocalResources(
      { dynamodb, kinesis: new KinesisClient(config), kms, sqs: new SQSClient(config) },
      { streams: [], queues: [] },
    );
    redis = new Redis(inject('redisUrl'));
    const state = new RedisLatestStateStore(redis);
    engine = await createAppSyncEngine({
      dataSources: {
        dynamodb,
        tables: {
          vehicles: provisioned.tables.vehicles!,
          ...{ geofences: provisioned.tables.geofences!, 'alert-rules': provisioned.tables['alert-rules']! },
          ...{ 'telemetry-history': provisioned.tables['telemetry-history']! },
          // Trips, sessions and alerts have their own integration test (fleet-records.test.ts).
          ...{
            trips: provisioned.tables.trips!,
            'charging-sessions': provisioned.tables['charging-sessions']!,
            alerts: provisioned.tables.alerts!,
          },
        },
        lambdas: {
          // Geofences and alert rules have their own integration test (fleet-config.test.ts).
          FleetConfig: async () => ({ error: { type: 'BadRequest', message: 'not under test here' } }),
          // Webhooks have their own integration test (webhooks.test.ts).
          Webhooks: async () => ({ error: { type: 'BadRequest', message: 'not under test here' } }),
          StateReader: createStateReader(state),
          VehicleRegistrar: createVehicleRegistrar({
            pseudonyms: new Pseudonymizer(new KmsMacProvider(kms)),
            directory: new DynamoDbVehicleDirectory(dynamodb, provisioned.tables.vehicles),
            vault: new KmsVinVault(kms, dynamodb, provisioned.tables['vin-vault']),
          }),
          // The command workflow has its own integration test (commands.test.ts); here only what reaches it.
          CommandApi: async (event) => {
            commandApiEvents.push(event);
            const { vehicleId, command, caller } = event as {
              vehicleId: string;
              command: string;
              caller: { userId: string };
            };
            return {
              data: {
                id: 'cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2',
                vehicleId,
                command,
                parameters: {},
                status: 'requested',
                requestedBy: caller.userId,
                requestedAt: '2030-01-01T00:00:00.000Z',
                approvedBy: null,
                reason: null,
                message: null,
                updatedAt: '2030-01-01T00:00:00.000Z',
              },
            };
          },
        },
      },
      onInternalError: (error) => internalErrors.push(error),
      resolverConsole: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
    });

    // Registration through the API, as an admin of each tenant would.
    const register = `mutation Register($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id name registeredAt state { vehicleId } } }`;
    for (const [tenant, vins] of [
      [ACME, ACME_VINS],
      [GLOBEX, GLOBEX_VINS],
    ] as const) {
      for (const [i, vin] of vins.entries()) {
        const result = await gql(person(tenant, ['admin']), register, {
          input: { vin, name: `${tenant} truck ${i}` },
        });
        expect(result.errors).toBeUndefined();
        const vehicle = (result.data as { registerVehicle: { id: string; state: unknown } }).registerVehicle;
        expect(vehicle.state).toBeNull();
        ids[tenant]!.push(vehicle.id);
      }
    }
    // Telemetry as ingest would have merged it.
    const now = Date.now();
    await state.apply(
      [...ids[ACME]!, ...ids[GLOBEX]!].map((vehicleId, i) => ({
        tenantId: ids[ACME]!.includes(vehicleId) ? ACME : GLOBEX,
        vehicleId,
        lastRecordAt: now + i,
        signals: new Map<string, { value: unknown; at: number }>([
          ['VehicleSpeed', { value: 40 + i, at: now + i }],
          ['Locked', { value: i % 2 === 0, at: now + i }],
          ['Location', { value: { latitude: 52.5 + i / 1000, longitude: 13.4 }, at: now + i }],
        ]),
      })),
    );
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    dynamodb?.destroy();
    kms?.destroy();
    await edge?.stop();
  });

  it('registers through the API without the VIN showing anywhere but the vault', async () => {
    const tables = JSON.stringify(await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vehicles' })));
    for (const vin of [...ACME_VINS, ...GLOBEX_VINS]) expect(tables).not.toContain(vin);
    expect(JSON.stringify(internalErrors)).not.toMatch(/[A-HJ-NPR-Z0-9]{17}/);
  });

  it('lists only the caller tenant vehicles, page by page', async () => {
    for (const [tenant, expected] of [
      [ACME, ids[ACME]!],
      [GLOBEX, ids[GLOBEX]!],
    ] as const) {
      const seen: string[] = [];
      let nextToken: string | null = null;
      do {
        const result = await gql(person(tenant, ['viewer']), VEHICLES, { limit: 2, nextToken });
        expect(result.errors).toBeUndefined();
        const page = (result.data as { vehicles: { items: { id: string }[]; nextToken: string | null } })
          .vehicles;
        seen.push(...page.items.map((item) => item.id));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen.sort()).toEqual([...expected].sort());
    }
  });

  it('serves a vehicle with its latest state to its tenant, and null to any other', async () => {
    const [acmeVehicle] = ids[ACME]!;
    const query = `query One($id: ID!) { vehicle(id: $id) { id name state { vehicleId speed locked location { latitude longitude } signals } } }`;
    const own = await gql(person(ACME, ['viewer']), query, { id: acmeVehicle });
    expect(own).toEqual({
      data: {
        vehicle: {
          id: acmeVehicle,
          name: `${ACME} truck 0`,
          state: {
            vehicleId: acmeVehicle,
            speed: 40,
            locked: true,
            location: { latitude: 52.5, longitude: 13.4 },
            signals: JSON.stringify({
              VehicleSpeed: 40,
              Locked: true,
              Location: { latitude: 52.5, longitude: 13.4 },
            }),
          },
        },
      },
    });
    expect(await gql(person(GLOBEX, ['admin']), query, { id: acmeVehicle })).toEqual({
      data: { vehicle: null },
    });
  });

  it('answers the fleet state of the caller tenant only', async () => {
    const query = '{ fleetState { tenantId truncated vehicles { vehicleId speed } } }';
    const acme = (await gql(person(ACME, ['auditor']), query)).data as {
      fleetState: { tenantId: string; vehicles: { vehicleId: string }[] };
    };
    expect(acme.fleetState.tenantId).toBe(ACME);
    expect(acme.fleetState.vehicles.map((v) => v.vehicleId).sort()).toEqual([...ids[ACME]!].sort());
    const globex = (await gql(person(GLOBEX, ['viewer']), query)).data as {
      fleetState: { vehicles: { vehicleId: string }[] };
    };
    expect(globex.fleetState.vehicles.map((v) => v.vehicleId)).toEqual(ids[GLOBEX]);
  });

  it("refuses sendCommand to a viewer after the workflow recorded the attempt, and starts a dispatcher's", async () => {
    const send = `mutation { sendCommand(input: { vehicleId: "${ids[ACME]![0]}", command: "door_lock" }) { id status } }`;
    expect(await gql(person(ACME, ['viewer']), send)).toEqual({
      data: null,
      errors: [
        {
          path: ['sendCommand'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: [{ line: 1, column: 12, sourceName: null }],
          message:
            'Mutation.sendCommand needs one of the roles dispatcher, admin; your token has the role(s) viewer. ' +
            'The attempt is recorded as command cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2 (denied).',
        },
      ],
    });
    expect(await gql(person(ACME, ['dispatcher']), send)).toEqual({
      data: { sendCommand: { id: 'cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2', status: 'requested' } },
    });
    expect(commandApiEvents.at(-1)).toMatchObject({
      operation: 'sendCommand',
      caller: { tenantId: ACME, roles: ['dispatcher'] },
      vehicleId: ids[ACME]![0],
      command: 'door_lock',
      parameters: {},
    });
  });

  it('refuses registration to non-admins, and answers precise errors without echoing the VIN', async () => {
    const register = 'mutation R($vin: String!) { registerVehicle(input: { vin: $vin }) { id } }';
    expect((await gql(person(ACME, ['dispatcher']), register, { vin: teslaVin(9301) })).errors).toMatchObject(
      [{ errorType: 'Unauthorized' }],
    );
    const bad = await gql(person(ACME, ['admin']), register, { vin: 'WVWZZZ1JZXW00000' });
    expect(bad.errors).toMatchObject([
      { errorType: 'BadRequest', message: expect.stringContaining('got 16 characters') },
    ]);
    expect(JSON.stringify(bad)).not.toContain('WVWZZZ1JZXW00000');
    const taken = await gql(person(GLOBEX, ['admin']), register, { vin: ACME_VINS[0] });
    expect(taken.errors).toMatchObject([{ errorType: 'Conflict' }]);
    expect(JSON.stringify(taken)).not.toContain(ACME_VINS[0]);
  });

  it('lets only IAM publish, and hands the result to the hub', async () => {
    const published: [string, Record<string, unknown>][] = [];
    const stop = engine.onPublish((field, payload) => published.push([field, payload]));
    const input = {
      tenantId: ACME,
      occurredAt: '2025-03-14T09:26:53.589Z',
      vehicles: [
        { vehicleId: ids[ACME]![0], at: '2025-03-14T09:26:53.120Z', signals: { VehicleSpeed: 72.4 } },
      ],
    };
    const asUser = await gql(person(ACME, ['admin']), PUBLISH_FLEET_UPDATE, { input });
    expect(asUser).toMatchObject({
      data: { publishFleetUpdate: null },
      errors: [
        {
          errorType: 'Unauthorized',
          message: 'Not Authorized to access publishFleetUpdate on type Mutation',
        },
      ],
    });
    expect(published).toEqual([]);

    const asEventBridge = await gql(EVENTBRIDGE, PUBLISH_FLEET_UPDATE, { input });
    expect(asEventBridge.errors).toBeUndefined();
    const expected = { ...input, vehicles: [{ ...input.vehicles[0], signals: '{"VehicleSpeed":72.4}' }] };
    expect(asEventBridge.data).toEqual({ publishFleetUpdate: expected });
    expect(JSON.parse(JSON.stringify(published))).toEqual([['publishFleetUpdate', expected]]);

    // IAM cannot read anything else.
    expect((await gql(EVENTBRIDGE, '{ vehicles { items { id } } }')).errors).toMatchObject([
      { errorType: 'Unauthorized', message: 'Not Authorized to access vehicles on type Query' },
    ]);
    stop();
  });

  it('pins each subscription to the caller tenant, so a publish reaches only that tenant', async () => {
    const document = parse('subscription { onFleetUpdate { tenantId vehicles { vehicleId signals } } }');
    const acme = await engine.subscribe({ document, identity: person(ACME, ['viewer']) });
    const globex = await engine.subscribe({ document, identity: person(GLOBEX, ['viewer']) });
    expect(acme).toEqual({
      fieldName: 'onFleetUpdate',
      mutations: ['publishFleetUpdate'],
      filter: { filterGroup: [{ filters: [{ fieldName: 'tenantId', operator: 'eq', value: ACME }] }] },
    });
    const payload = { tenantId: ACME, occurredAt: '2025-03-14T09:26:53.589Z', vehicles: [] };
    expect(engine.matches((acme as { filter: SubscriptionFilter }).filter, payload)).toBe(true);
    expect(engine.matches((globex as { filter: SubscriptionFilter }).filter, payload)).toBe(false);

    const message = await engine.renderSubscriptionPayload({
      document,
      identity: person(ACME, ['viewer']),
      payload: {
        ...payload,
        vehicles: [{ vehicleId: ids[ACME]![0], at: payload.occurredAt, signals: '{"Gear":"D"}' }],
      },
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual({
      data: {
        onFleetUpdate: { tenantId: ACME, vehicles: [{ vehicleId: ids[ACME]![0], signals: '{"Gear":"D"}' }] },
      },
    });
  });

  it('refuses subscriptions without a tenant, from IAM, or with bad arguments', async () => {
    const document = parse('subscription { onFleetUpdate { tenantId } }');
    expect(await engine.subscribe({ document, identity: person(undefined, ['viewer']) })).toMatchObject({
      errors: [{ errorType: 'Unauthorized', message: expect.stringContaining('no custom:tenantId claim') }],
    });
    expect(await engine.subscribe({ document, identity: EVENTBRIDGE })).toMatchObject({
      errors: [
        { errorType: 'Unauthorized', message: 'Not Authorized to access onFleetUpdate on type Subscription' },
      ],
    });
    expect(
      await engine.subscribe({
        document: parse('subscription { onAlert(vehicleId: "nope") { id } }'),
        identity: person(ACME, ['viewer']),
      }),
    ).toMatchObject({ errors: [{ errorType: 'BadRequest' }] });
    expect(
      await engine.subscribe({
        document: parse('subscription { onFleetUpdate { nope } }'),
        identity: person(ACME, ['viewer']),
      }),
    ).toMatchObject({
      errors: [{ message: 'Cannot query field "nope" on type "FleetUpdate".' }],
    });
  });

  it('applies AppSync enhanced-filter semantics', () => {
    const filter = (...groups: [string, string, unknown][][]) =>
      ({
        filterGroup: groups.map((filters) => ({
          filters: filters.map(([fieldName, operator, value]) => ({ fieldName, operator, value })),
        })),
      }) as SubscriptionFilter;
    const alert = {
      tenantId: ACME,
      vehicleId: 'v1',
      severity: 'warning',
      durationSeconds: 90,
      trigger: { kind: 'rule' },
    };
    const table: [SubscriptionFilter | null, boolean][] = [
      [null, true],
      [filter([['tenantId', 'eq', ACME]]), true],
      [filter([['tenantId', 'ne', ACME]]), false],
      [filter([['severity', 'in', ['warning', 'critical']]]), true],
      [filter([['severity', 'notIn', ['warning']]]), false],
      [filter([['durationSeconds', 'gt', 60]]), true],
      [filter([['durationSeconds', 'ge', 90]]), true],
      [filter([['durationSeconds', 'lt', 90]]), false],
      [filter([['durationSeconds', 'le', 90]]), true],
      [filter([['durationSeconds', 'between', [60, 120]]]), true],
      [filter([['tenantId', 'contains', 'acme']]), true],
      [filter([['tenantId', 'notContains', 'acme']]), false],
      [filter([['tenantId', 'beginsWith', 'globex']]), false],
      [filter([['trigger.kind', 'eq', 'rule']]), true],
      [
        filter([
          ['tenantId', 'eq', ACME],
          ['severity', 'eq', 'critical'],
        ]),
        false,
      ],
      [
        filter(
          [
            ['tenantId', 'eq', ACME],
            ['severity', 'eq', 'critical'],
          ],
          [
            ['tenantId', 'eq', ACME],
            ['vehicleId', 'eq', 'v1'],
          ],
        ),
        true,
      ],
    ];
    for (const [candidate, expected] of table)
      expect({ candidate, matches: engine.matches(candidate, alert) }).toEqual({
        candidate,
        matches: expected,
      });
  });

  it('answers bad input with precise messages and never a stack trace', async () => {
    const results = [
      await gql(person(ACME, ['viewer']), '{ vehicles(limit: 500) { items { id } } }'),
      await gql(person(ACME, ['viewer']), '{ vehicles { items { vin } } }'),
      await gql(
        person(ACME, ['viewer']),
        'query H($from: AWSDateTime) { trips(from: $from) { items { id } } }',
        { from: 'yesterday' },
      ),
      await gql(person(ACME, ['viewer']), '{ vehicles(nextToken: "not-a-token") { items { id } } }'),
    ];
    expect(results[0]!.errors).toMatchObject([
      { errorType: 'BadRequest', message: 'limit must be between 1 and 100; got 500.' },
    ]);
    expect(results[1]).toEqual({
      data: null,
      errors: [
        {
          locations: [{ line: 1, column: 22, sourceName: null }],
          message: 'Cannot query field "vin" on type "Vehicle". Did you mean "id"?',
        },
      ],
    });
    expect(results[2]!.errors![0]!.message).toContain(
      'AWSDateTime must be an ISO 8601 date and time with an offset',
    );
    expect(results[3]!.errors).toMatchObject([
      { errorType: 'BadRequest', message: expect.stringContaining('nextToken') },
    ]);
    expect(JSON.stringify(results)).not.toMatch(/\bat .*\.(ts|js):\d+|stack/);
  });
});
