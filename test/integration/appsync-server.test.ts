import { runLibraryClient } from '../support/appsync-library.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { DynamoDbVehicleDirectory } from '../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { KmsMacProvider, KmsVinVault } from '../../src/adapters/aws/kms.ts';
import { RedisLatestStateStore } from '../../src/adapters/redis/latest-state-store.ts';
import { Pseudonymizer } from '../../src/domain/pseudonym/pseudonym.ts';
import { createStateReader } from '../../src/functions/state-reader/state-reader.ts';
import { createVehicleRegistrar } from '../../src/functions/vehicle-registrar/vehicle-registrar.ts';
import { LocalJwtIssuer } from '../../src/local/auth/issuer.ts';
import { createAppSyncEngine, type AppSyncEngine } from '../../src/local/appsync/engine.ts';
import { LocalAppSyncServer } from '../../src/local/appsync/server/server.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { postGraphQL, RealtimeProbe, sigV4Headers } from '../support/appsync-probe.ts';

/** Unique per run: the Redis of the test run is shared by every test file. */
const run = randomUUID().slice(0, 8);
const TENANT_A = `tenant-a-${run}`;
const TENANT_B = `tenant-b-${run}`;
/** A tenant whose state reads fail inside the function, to see what a client is (not) told. */
const BROKEN = `broken-${run}`;

const PUBLISH = /* GraphQL */ `
  mutation Publish($input: FleetUpdateInput!) {
    publishFleetUpdate(input: $input) {
      tenantId
      occurredAt
      vehicles {
        vehicleId
        at
        signals
      }
    }
  }
`;
const SUBSCRIBE = /* GraphQL */ `
  subscription {
    fleet: onFleetUpdate {
      __typename
      tenantId
      vehicles {
        vehicleId
        ... on VehicleUpdate {
          signals
        }
      }
    }
  }
`;

/** A pseudonymous vehicle id (22 URL-safe characters) that names its tenant and a tag, for assertions. */
function vehicleId(tag: string): string {
  return `v${tag}`.padEnd(22, '0').slice(0, 22);
}

function fleetUpdate(tenantId: string, tag: string) {
  return {
    input: {
      tenantId,
      occurredAt: '2030-01-01T00:00:00.000Z',
      vehicles: [
        { vehicleId: vehicleId(tag), at: '2030-01-01T00:00:00.000Z', signals: '{"VehicleSpeed":42}' },
      ],
    },
  };
}

describe('local AppSync server: HTTP and real-time protocols on the real engine', () => {
  let dataDir: string;
  let edge: LocalEdge;
  let dynamodb: DynamoDBClient;
  let kms: KMSClient;
  let redis: Redis;
  let engine: AppSyncEngine;
  let server: LocalAppSyncServer;
  let tokenA: string;
  let tokenB: string;
  const internalErrors: unknown[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-appsync-'));
    edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
    const config = awsClientConfig({ endpoint: edge.url });
    dynamodb = new DynamoDBClient(config);
    kms = new KMSClient(config);
    const provisioned = await provisionLocalResources(
      { dynamodb, kinesis: new KinesisClient(config), kms, sqs: new SQSClient(config) },
      { streams: [], queues: [] },
    );
    redis = new Redis(inject('redisUrl'));
    const readState = createStateReader(new RedisLatestStateStore(redis));
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
          Webhooks: async () => ({ error: { type: 'BadRequest', message: 'not under test here' } }),
          StateReader: async (event) => {
            if ((event as { tenantId?: unknown }).tenantId === BROKEN) {
              throw new Error('secret internals: redis://10.0.0.7:6379 at /srv/state-reader.ts:42');
            }
            return readState(event);
          },
          VehicleRegistrar: createVehicleRegistrar({
            pseudonyms: new Pseudonymizer(new KmsMacProvider(kms)),
            directory: new DynamoDbVehicleDirectory(dynamodb, provisioned.tables.vehicles),
            vault: new KmsVinVault(kms, dynamodb, provisioned.tables['vin-vault']),
          }),
          CommandApi: async () => {
            throw new Error('this test sends no commands');
          },
        },
      },
      onInternalError: (error) => internalErrors.push(error),
      resolverConsole: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
    });
    server = new LocalAppSyncServer({
      engine,
      realtime: { keepAliveIntervalMs: 200, connectionTimeoutMs: 60_000 },
      limits: { maxDepth: 4, maxDocumentBytes: 4096 },
      onInternalError: (error) => internalErrors.push(error),
    });
    await server.start({ port: 0, tlsPort: 0, dataDir });
    tokenA = (await server.issuer.issueToken({ tenantId: TENANT_A, roles: ['viewer'], username: 'ana' }))
      .token;
    tokenB = (await server.issuer.issueToken({ tenantId: TENANT_B, roles: ['viewer'], username: 'bo' }))
      .token;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    redis?.disconnect();
    dynamodb?.destroy();
    kms?.destroy();
    await edge?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const host = () => new URL(server.url).host;
  const expiredToken = async () =>
    (
      await server.issuer.issueToken({
        tenantId: TENANT_A,
        roles: ['viewer'],
        issuedAt: new Date(Date.now() - 2 * 3600_000),
      })
    ).token;

  describe('HTTP', () => {
    it('runs a query for a valid token, as the user the token names', async () => {
      const { status, body, headers } = await postGraphQL(
        server.url,
        { query: '{ me { username tenantId roles } }' },
        { authorization: tokenA },
      );
      expect(status).toBe(200);
      expect(body).toEqual({ data: { me: { username: 'ana', tenantId: TENANT_A, roles: ['viewer'] } } });
      expect(headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers.get('access-control-allow-origin')).toBe('*');
    });

    it('refuses a request without Authorization with 401 UnauthorizedException', async () => {
      const { status, body, headers } = await postGraphQL(server.url, { query: '{ me { username } }' });
      expect(status).toBe(401);
      expect(headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(body.errors).toEqual([
        expect.objectContaining({
          errorType: 'UnauthorizedException',
          message: 'Valid authorization header not provided.',
        }),
      ]);
    });

    it('refuses an expired token, a token of another issuer, an unknown key and garbage', async () => {
      const otherIssuer = LocalJwtIssuer.open({ dataDir, baseUrl: 'http://127.0.0.1:1' });
      const foreign = await otherIssuer.issueToken({ tenantId: TENANT_A, roles: ['viewer'] });
      // Opening an issuer on the data dir records its URL: put the server's back.
      LocalJwtIssuer.open({ dataDir, baseUrl: new URL(server.url).origin });
      const stranger = await LocalJwtIssuer.open().issueToken({ tenantId: TENANT_A, roles: ['viewer'] });
      const cases: [string, string, string][] = [
        [await expiredToken(), 'Token has expired.', 'expired'],
        [foreign.token, 'You are not authorized to make this call.', 'wrong-issuer'],
        [stranger.token, 'You are not authorized to make this call.', 'unknown-key'],
        ['not-a-jwt', 'You are not authorized to make this call.', 'malformed'],
      ];
      for (const [token, message, reason] of cases) {
        const { status, body } = await postGraphQL(
          server.url,
          { query: '{ me { username } }' },
          { authorization: token },
        );
        expect(status, reason).toBe(401);
        expect(body.errors?.[0]).toMatchObject({
          errorType: 'UnauthorizedException',
          message,
          errorInfo: { reason },
        });
      }
    });

    it('refuses a publish mutation to a user token, and runs it for a SigV4-signed request', async () => {
      const request = { query: PUBLISH, variables: fleetUpdate(TENANT_A, 'http') };
      const refused = await postGraphQL(server.url, request, { authorization: tokenA });
      expect(refused.status).toBe(200);
      expect(refused.body).toEqual({
        data: { publishFleetUpdate: null },
        errors: [
          {
            path: ['publishFleetUpdate'],
            data: null,
            errorType: 'Unauthorized',
            errorInfo: null,
            locations: [{ line: 3, column: 5, sourceName: null }],
            message: 'Not Authorized to access publishFleetUpdate on type Mutation',
          },
        ],
      });

      const body = JSON.stringify(request);
      const signed = await postGraphQL(server.url, body, await sigV4Headers(server.url, body));
      expect(signed.status).toBe(200);
      expect(signed.body).toEqual({ data: { publishFleetUpdate: request.variables.input } });
    });

    it('refuses user-pool fields to IAM callers, malformed signatures and API keys', async () => {
      const body = JSON.stringify({ query: '{ me { username } }' });
      const iam = await postGraphQL(server.url, body, await sigV4Headers(server.url, body));
      expect(iam.body.errors?.[0]).toMatchObject({
        errorType: 'Unauthorized',
        message: 'Not Authorized to access me on type Query',
      });
      const malformed = await postGraphQL(
        server.url,
        { query: '{ me { username } }' },
        { authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-date': '20300101T000000Z' },
      );
      expect(malformed.status).toBe(401);
      expect(malformed.body.errors?.[0]).toMatchObject({ errorInfo: { reason: 'malformed-signature' } });
      const apiKey = await postGraphQL(
        server.url,
        { query: '{ me { username } }' },
        { 'x-api-key': 'da2-x' },
      );
      expect(apiKey.status).toBe(401);
      expect(apiKey.body.errors?.[0]).toMatchObject({ errorInfo: { reason: 'api-key-not-enabled' } });
    });

    it('answers bad input with clear errors: JSON, syntax, validation, depth, size, method, body size', async () => {
      const auth = { authorization: tokenA };
      const badJson = await postGraphQL(server.url, '{"query": ', auth);
      expect(badJson.status).toBe(400);
      expect(badJson.body.errors).toEqual([
        { errorType: 'MalformedHttpRequestException', message: 'Invalid JSON payload in POST request.' },
      ]);

      const syntax = await postGraphQL(server.url, { query: '{ me { ' }, auth);
      expect(syntax.status).toBe(200);
      expect(syntax.body).toMatchObject({
        data: null,
        errors: [{ errorType: 'InvalidSyntax', locations: [{ line: 1 }] }],
      });

      const unknown = await postGraphQL(server.url, { query: '{ zzz }' }, auth);
      expect(unknown.body.errors?.[0]).toMatchObject({
        errorType: 'ValidationError',
        message: 'Cannot query field "zzz" on type "Query".',
      });

      const deep = await postGraphQL(
        server.url,
        { query: '{ vehicles { items { state { location { latitude } } } } }' },
        auth,
      );
      expect(deep.body).toEqual({
        data: null,
        errors: [expect.objectContaining({ message: 'The query is 5 levels deep; the limit is 4.' })],
      });
      const introspection = await postGraphQL(
        server.url,
        { query: '{ __schema { types { fields { type { ofType { ofType { name } } } } } } }' },
        auth,
      );
      expect(introspection.body.errors).toBeUndefined();

      const big = await postGraphQL(server.url, { query: `{ me { username } } # ${'x'.repeat(5000)}` }, auth);
      expect(big.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/the limit is 4096/) });

      const get = await fetch(server.url);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST, OPTIONS');

      const huge = await postGraphQL(
        server.url,
        { query: '{ me { username } }', variables: { x: 'y'.repeat(1_100_000) } },
        auth,
      );
      expect(huge.status).toBe(413);

      const subscription = await postGraphQL(server.url, { query: SUBSCRIBE }, auth);
      expect(subscription.body.errors?.[0]).toMatchObject({ errorType: 'UnsupportedOperation' });
    });

    it('never shows a client a stack trace or an internal message', async () => {
      internalErrors.length = 0;
      const broken = (await server.issuer.issueToken({ tenantId: BROKEN, roles: ['viewer'] })).token;
      const { body } = await postGraphQL(
        server.url,
        { query: '{ fleetState { tenantId } }' },
        { authorization: broken },
      );
      expect(body.errors?.[0]).toMatchObject({ path: ['fleetState'], errorType: 'InternalFailure' });
      expect(JSON.stringify(body)).not.toMatch(/secret|redis:|\.ts:\d+|at /);

      // The engine itself failing: the server answers InternalFailure and reports the error to its owner.
      const failing = new LocalAppSyncServer({
        engine: {
          ...engine,
          execute: async () => {
            throw new Error('secret internals at /srv/engine.ts:7');
          },
        },
        issuer: server.issuer,
        onInternalError: (error) => internalErrors.push(error),
      });
      await failing.start({ port: 0, tlsPort: false });
      try {
        const answer = await postGraphQL(
          failing.url,
          { query: '{ me { username } }' },
          { authorization: tokenA },
        );
        expect(answer.body).toEqual({
          data: null,
          errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }],
        });
      } finally {
        await failing.stop();
      }
      expect(String(internalErrors.at(-1))).toMatch(/secret internals/);
    });

    it('publishes the JWKS and the OpenID discovery document, and answers CORS preflights', async () => {
      const origin = new URL(server.url).origin;
      const jwks = (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as unknown;
      expect(jwks).toEqual(server.issuer.jwks());
      const discovery = (await (
        await fetch(`${server.issuer.issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery.issuer).toBe(server.issuer.issuer);
      expect(await (await fetch(String(discovery.jwks_uri))).json()).toEqual(jwks);
      const preflight = await fetch(server.url, { method: 'OPTIONS' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    });

    it('runs publishAsIam in process as the EventBridge target role', async () => {
      const result = await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, 'iam'));
      expect(result.data?.publishFleetUpdate).toMatchObject({ tenantId: TENANT_A });
      const refused = await server.publishAsIam('{ me { username } }');
      expect(refused.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    });
  });

  describe('real-time', () => {
    it('acknowledges connection_init with connectionTimeoutMs, then sends ka at the interval (header query parameter)', async () => {
      const probe = await RealtimeProbe.open(
        server.realtimeUrl,
        { Authorization: tokenA, host: host() },
        { via: 'query' },
      );
      expect(await probe.init()).toEqual({
        type: 'connection_ack',
        payload: { connectionTimeoutMs: 60_000 },
      });
      await probe.next((m) => m.type === 'ka');
      await probe.next((m) => m.type === 'ka', 1000);
      await probe.next((m) => m.type === 'ka', 1000);
      probe.close();
    });

    it('serves a client that skips the optional connection_init: start_ack, then ka', async () => {
      const auth = { Authorization: tokenA, host: host() };
      const probe = await RealtimeProbe.open(server.realtimeUrl, auth);
      expect(await probe.start('no-init', SUBSCRIBE, auth)).toEqual({ type: 'start_ack', id: 'no-init' });
      await probe.next((m) => m.type === 'ka', 1000);
      expect(probe.messages.some((m) => m.type === 'connection_ack')).toBe(false);
      probe.close();
    });

    it('subscribes with a header-<base64url> subprotocol, delivers what the subscription selected, and stops', async () => {
      const auth = { Authorization: tokenA, host: host() };
      const probe = await RealtimeProbe.open(server.realtimeUrl, auth);
      expect(probe.socket.protocol).toBe('graphql-ws');
      await probe.init();
      expect(await probe.start('sub-1', SUBSCRIBE, auth)).toEqual({ type: 'start_ack', id: 'sub-1' });
      await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, 'first'));
      expect(await probe.next((m) => m.type === 'data')).toEqual({
        type: 'data',
        id: 'sub-1',
        payload: {
          data: {
            fleet: {
              __typename: 'FleetUpdate',
              tenantId: TENANT_A,
              vehicles: [{ vehicleId: vehicleId('first'), signals: '{"VehicleSpeed":42}' }],
            },
          },
        },
      });

      probe.send({ type: 'stop', id: 'sub-1' });
      expect(await probe.next((m) => m.type === 'complete')).toEqual({ type: 'complete', id: 'sub-1' });
      await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, 'second'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(probe.takeData('sub-1')).toEqual([]);
      probe.close();
    });

    it('delivers updates in publish order', async () => {
      const auth = { Authorization: tokenA, host: host() };
      const probe = await RealtimeProbe.open(server.realtimeUrl, auth);
      await probe.init();
      await probe.start('ordered', SUBSCRIBE, auth);
      const tags = Array.from({ length: 20 }, (_, i) => `order${String(i).padStart(2, '0')}`);
      await Promise.all(tags.map((tag) => server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, tag))));
      const received: string[] = [];
      for (const _ of tags) {
        const message = await probe.next((m) => m.type === 'data');
        received.push(JSON.stringify(message).match(/"vehicleId":"v(order\d\d)/)![1]!);
      }
      expect(received).toEqual(tags);
      probe.close();
    });

    it('never gives a subscriber of tenant A an update of tenant B, whatever the publish order', async () => {
      const a = await RealtimeProbe.open(server.realtimeUrl, { Authorization: tokenA, host: host() });
      const b = await RealtimeProbe.open(server.realtimeUrl, { Authorization: tokenB, host: host() });
      await a.init();
      await b.init();
      expect(await a.start('a', SUBSCRIBE, { Authorization: tokenA, host: host() })).toMatchObject({
        type: 'start_ack',
      });
      expect(await b.start('b', SUBSCRIBE, { Authorization: tokenB, host: host() })).toMatchObject({
        type: 'start_ack',
      });
      for (let i = 0; i < 5; i++) {
        await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_B, `bbb${i}`));
        await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, `aaa${i}`));
      }
      const toA = [];
      const toB = [];
      for (let i = 0; i < 5; i++) {
        toA.push(JSON.stringify(await a.next((m) => m.type === 'data')));
        toB.push(JSON.stringify(await b.next((m) => m.type === 'data')));
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(a.takeData('a')).toEqual([]);
      expect(b.takeData('b')).toEqual([]);
      for (const message of toA) {
        expect(message).toContain(TENANT_A);
        expect(message).not.toContain(TENANT_B);
      }
      for (const message of toB) {
        expect(message).toContain(TENANT_B);
        expect(message).not.toContain(TENANT_A);
      }
      a.close();
      b.close();
    });

    it('answers a bad start with error: syntax, validation, not a subscription, auth, duplicate id, unknown type', async () => {
      const auth = { Authorization: tokenA, host: host() };
      const probe = await RealtimeProbe.open(server.realtimeUrl, auth);
      await probe.init();
      expect(await probe.start('s1', 'subscription { onFleetUpdate {', auth)).toMatchObject({
        type: 'error',
        id: 's1',
        payload: { errors: [{ errorType: 'InvalidSyntax' }] },
      });
      expect(await probe.start('s2', 'subscription { onFleetUpdate { zzz } }', auth)).toMatchObject({
        type: 'error',
        payload: { errors: [{ errorType: 'ValidationError' }] },
      });
      expect(await probe.start('s3', '{ me { username } }', auth)).toMatchObject({
        type: 'error',
        payload: {
          errors: [
            {
              errorType: 'UnsupportedOperation',
              message: 'query not supported through the realtime channel',
            },
          ],
        },
      });
      expect(await probe.start('s4', SUBSCRIBE, undefined)).toMatchObject({
        type: 'error',
        payload: { errors: [{ errorType: 'UnauthorizedException' }] },
      });
      expect(
        await probe.start('s5', SUBSCRIBE, { Authorization: await expiredToken(), host: host() }),
      ).toMatchObject({
        type: 'error',
        payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }] },
      });
      const iamBody = JSON.stringify({ query: SUBSCRIBE, variables: {} });
      expect(await probe.start('s6', SUBSCRIBE, await sigV4Headers(server.url, iamBody))).toMatchObject({
        type: 'error',
        payload: {
          errors: [
            {
              errorType: 'Unauthorized',
              message: 'Not Authorized to access onFleetUpdate on type Subscription',
            },
          ],
        },
      });
      const noTenant = (await server.issuer.issueToken({ tenantId: 'x', roles: ['viewer'] })).token;
      expect(
        await probe.start('s7', 'subscription { onAlert(vehicleId: "not an id") { id } }', {
          Authorization: noTenant,
        }),
      ).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'BadRequest' }] } });
      expect(await probe.start('s8', SUBSCRIBE, auth)).toMatchObject({ type: 'start_ack' });
      expect(await probe.start('s8', SUBSCRIBE, auth)).toMatchObject({
        type: 'error',
        payload: { errors: [{ errorType: 'DuplicatedOperationError' }] },
      });
      probe.send({ type: 'bogus' });
      expect(await probe.next((m) => m.type === 'error' && m.id === undefined)).toMatchObject({
        payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'bogus not supported' }] },
      });
      probe.close();
    });

    it('allows 100 subscriptions per connection', async () => {
      const auth = { Authorization: tokenA, host: host() };
      const probe = await RealtimeProbe.open(server.realtimeUrl, auth);
      await probe.init();
      for (let i = 0; i < 100; i++) {
        probe.send({
          id: `s${i}`,
          type: 'start',
          payload: { data: JSON.stringify({ query: SUBSCRIBE }), extensions: { authorization: auth } },
        });
      }
      for (let i = 0; i < 100; i++) await probe.next((m) => m.id === `s${i}` && m.type === 'start_ack');
      expect(server.realtimeStats().subscriptions).toBeGreaterThanOrEqual(100);
      expect(await probe.start('one-too-many', SUBSCRIBE, auth)).toEqual({
        type: 'error',
        id: 'one-too-many',
        payload: {
          errors: [
            {
              errorType: 'MaxSubscriptionsReachedError',
              message: 'Max number of 100 subscriptions reached.',
            },
          ],
        },
      });
      probe.close();
    });

    it('refuses a connection with an invalid or expired token, or no header, with connection_error', async () => {
      for (const [header, errorCode, message] of [
        [{ Authorization: 'not-a-token', host: host() }, 401, 'You are not authorized to make this call.'],
        [{ Authorization: await expiredToken(), host: host() }, 401, 'Token has expired.'],
        [undefined, 400, 'Both, the "header", and the "payload" query string parameters are missing'],
      ] as const) {
        const probe = await RealtimeProbe.open(server.realtimeUrl, header);
        expect(await probe.init()).toMatchObject({
          type: 'connection_error',
          payload: { errors: [{ errorType: 'UnauthorizedException', errorCode, message }] },
        });
        expect((await probe.closed).code).toBe(1000);
      }
    });

    it('refuses upgrades to other paths and without the graphql-ws subprotocol', async () => {
      const auth = { Authorization: tokenA, host: host() };
      await expect(
        RealtimeProbe.open(server.realtimeUrl.replace('/realtime', '/elsewhere'), auth),
      ).rejects.toThrow(/404/);
      await expect(
        RealtimeProbe.open(server.realtimeUrl, auth, { protocols: ['aws-appsync-event-ws'] }),
      ).rejects.toThrow(/400/);
    });

    it('serves wss:// with the self-signed certificate kept in the data dir, to clients that trust it', async () => {
      const certificate = server.certificate!;
      expect(certificate.certPath).toBe(join(dataDir, 'appsync', 'tls', 'cert.pem'));
      const ca = readFileSync(certificate.certPath!, 'utf8');
      const auth = { Authorization: tokenA, host: new URL(server.tlsUrl!).host };
      await expect(RealtimeProbe.open(server.tlsRealtimeUrl!, auth)).rejects.toThrow(/self[- ]signed/i);
      const probe = await RealtimeProbe.open(server.tlsRealtimeUrl!, auth, { ca });
      await probe.init();
      expect(await probe.start('tls', SUBSCRIBE, auth)).toMatchObject({ type: 'start_ack' });
      await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, 'overtls'));
      expect(JSON.stringify(await probe.next((m) => m.type === 'data'))).toContain(vehicleId('overtls'));
      probe.close();
    });

    it('keeps the certificate and the signing key across restarts', async () => {
      const again = new LocalAppSyncServer({ engine });
      await again.start({ port: 0, tlsPort: 0, dataDir });
      try {
        expect(again.certificate?.fingerprint256).toBe(server.certificate?.fingerprint256);
        expect(again.issuer.jwks()).toEqual(server.issuer.jwks());
      } finally {
        await again.stop();
        LocalJwtIssuer.open({ dataDir, baseUrl: new URL(server.url).origin });
      }
    });
  });

  describe("AWS's AppSync client library (aws-appsync-subscription-link)", () => {
    it('queries and subscribes over https:// and wss://, configured as for AWS, trusting the certificate by NODE_EXTRA_CA_CERTS', async () => {
      let publishing = true;
      const publisher = (async () => {
        for (let i = 0; publishing; i++) {
          await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_B, `libb${i}`));
          await server.publishAsIam(PUBLISH, fleetUpdate(TENANT_A, `liba${i}`));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        const { code, lines } = await runLibraryClient({
          APPSYNC_URL: server.tlsUrl!,
          TOKEN: tokenA,
          NODE_EXTRA_CA_CERTS: server.certificate!.certPath!,
          QUERY: 'query { me { username tenantId } }',
          SUBSCRIPTION: 'subscription { onFleetUpdate { tenantId vehicles { vehicleId } } }',
          COUNT: '3',
        });
        expect(lines[0]).toEqual({
          query: { me: { __typename: 'Caller', username: 'ana', tenantId: TENANT_A } },
        });
        const data = lines.slice(1);
        expect(data).toHaveLength(3);
        for (const line of data) {
          expect(line).toMatchObject({ data: { onFleetUpdate: { tenantId: TENANT_A } } });
          expect(JSON.stringify(line)).not.toContain(TENANT_B);
        }
        expect(code).toBe(0);
      } finally {
        publishing = false;
        await publisher;
      }
    });

    it('is refused with an expired token', async () => {
      const { code, lines } = await runLibraryClient({
        APPSYNC_URL: server.tlsUrl!,
        TOKEN: await expiredToken(),
        NODE_EXTRA_CA_CERTS: server.certificate!.certPath!,
        QUERY: 'query { me { username } }',
        SUBSCRIPTION: 'subscription { onFleetUpdate { tenantId } }',
        TIMEOUT_MS: '10000',
      });
      expect(lines[0]).toMatchObject({ error: expect.stringMatching(/401/) });
      expect(lines.some((line) => 'data' in line)).toBe(false);
      expect(code).toBe(1);
    });
  });
});
