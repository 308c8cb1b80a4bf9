import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { FLEETWIRE_BUS_NAME } from '../../src/domain/events/rules.ts';
import { verifyWebhookSignature } from '../../src/domain/webhooks/index.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type AppSyncIdentity,
} from '../../src/local/appsync/engine.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import { WEBHOOK_DLQ_NAME } from '../../src/local/resources.ts';
import { DATA_SOURCES } from '../../src/graphql/resolvers/manifest.ts';
import { startLocalWebhooks, type LocalWebhooks } from '../../src/local/webhooks.ts';
import type { WebhookDeadLetter } from '../../src/ports/webhooks.ts';
import { cognitoIdentity } from '../support/appsync-identities.ts';

const ACME = 'acme-webhooks';
const GLOBEX = 'globex-webhooks';

const person = (tenantId: string, groups: string[]) => cognitoIdentity(tenantId, groups);

/** One request the receiver got. */
interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local HTTP receiver: per path, the statuses to answer in turn (the last one repeats; 200 by default). */
class Receiver {
  readonly requests: Received[] = [];
  private readonly server: Server;
  private readonly scripts = new Map<string, number[]>();
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const script = this.scripts.get(path) ?? [200];
        const status = script.length > 1 ? (script.shift() as number) : (script[0] ?? 200);
        res.writeHead(status).end();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(path: string, statuses: number[]): string {
    this.scripts.set(path, statuses);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.requests.filter((request) => request.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const CREATE = `mutation Create($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret webhook { id url detailTypes enabled createdAt } }
}`;

describe('webhooks: GraphQL management and signed delivery from the local bus', () => {
  let edge: LocalEdge;
  let engine: AppSyncEngine;
  let webhooks: LocalWebhooks;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;
  const receiver = new Receiver();
  const internalErrors: unknown[] = [];

  const gql = async (identity: AppSyncIdentity, query: string, variables?: Record<string, unknown>) =>
    JSON.parse(
      JSON.stringify(
        await engine.execute({ document: parse(query), identity, ...(variables ? { variables } : {}) }),
      ),
    ) as { data?: Record<string, unknown>; errors?: { message: string; errorType?: string }[] };

  const createWebhook = async (tenantId: string, url: string, detailTypes: string[]) => {
    const result = await gql(person(tenantId, ['admin']), CREATE, { input: { url, detailTypes } });
    expect(result.errors).toBeUndefined();
    return result.data?.createWebhook as { secret: string; webhook: { id: string } };
  };

  const publish = async (tenantId: string, detailType: string, extra: Record<string, unknown> = {}) => {
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: FLEETWIRE_BUS_NAME,
            Source: 'fleetwire.trips',
            DetailType: detailType,
            Detail: JSON.stringify({ version: 1, tenantId, occurredAt: new Date().toISOString(), ...extra }),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    return result.Entries?.[0]?.EventId as string;
  };

  const waitFor = async (check: () => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const deadLetters = async (): Promise<WebhookDeadLetter[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const message of Messages ?? []) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    return (Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as WebhookDeadLetter);
  };

  beforeAll(async () => {
    await receiver.start();
    // The other rules' targets (publish* mutations) are not registered here: their warnings are noise.
    edge = await startLocalEdge({
      port: 0,
      provisioningDelayMs: 10,
      eventBridge: { logger: { warn() {} }, delivery: { maxAttempts: 1 } },
    });
    const config = awsClientConfig({ endpoint: edge.url });
    const dynamodb = new DynamoDBClient(config);
    const kms = new KMSClient(config);
    sqs = new SQSClient(config);
    eventBridge = new EventBridgeClient(config);
    const provisioned = await provisionLocalResources(
      { dynamodb, kinesis: new KinesisClient(config), kms, sqs },
      { streams: [], queues: [WEBHOOK_DLQ_NAME] },
    );
    queueUrl = provisioned.queueUrls[WEBHOOK_DLQ_NAME]!;
    webhooks = startLocalWebhooks({
      eventBridge: edge.eventBridge,
      dynamodb,
      kms,
      sqs,
      table: provisioned.tables.webhooks!,
      secretsKeyId: provisioned.keys.webhookSecretsKeyId,
      deadLetterQueueUrl: queueUrl,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 2000 },
      cacheTtlMs: 0,
    });
    // Only the Webhooks data source is under test; the others answer a failure if reached.
    const unused = async () => {
      throw new Error('not under test here');
    };
    const lambdas = Object.fromEntries(
      Object.values(DATA_SOURCES)
        .filter((source) => source.kind === 'AWS_LAMBDA')
        .map((source) => [source.name, source.name === 'Webhooks' ? webhooks.api : unused]),
    );
    engine = await createAppSyncEngine({
      dataSources: {
        dynamodb,
        tables: provisioned.tables as { vehicles: string },
        lambdas,
      },
      onInternalError: (error) => internalErrors.push(error),
      resolverConsole: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
    });
  }, 30_000);

  afterAll(async () => {
    await webhooks?.stop();
    await edge?.stop();
    await receiver.stop();
    expect(internalErrors).toEqual([]);
  });

  it('POSTs a subscribed event with a valid signature, event id and type; not the others', async () => {
    // prepare
    const url = receiver.answer('/signed', [200]);
    const { secret, webhook } = await createWebhook(ACME, url, ['Trip.Ended']);
    expect(secret).toMatch(/^whsec_/);
    expect(webhook.id).toMatch(/^wh_/);

    // act
    const eventId = await publish(ACME, 'Trip.Ended', { tripId: 'trip-1' });
    await publish(ACME, 'Trip.Started', { tripId: 'trip-2' });
    await waitFor(() => receiver.at('/signed').length >= 1, 'the delivery');
    await edge.eventBridge.idle();

    // assess
    const [request, ...others] = receiver.at('/signed');
    expect(others).toEqual([]);
    expect(request?.headers['x-fleetwire-event-id']).toBe(eventId);
    expect(request?.headers['x-fleetwire-event-type']).toBe('Trip.Ended');
    expect(request?.headers['content-type']).toBe('application/json');
    const header = request?.headers['x-fleetwire-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ body: request?.body ?? '', header, secret })).toBe(true);
    expect(verifyWebhookSignature({ body: request?.body ?? '', header, secret: `${secret}x` })).toBe(false);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      id: eventId,
      'detail-type': 'Trip.Ended',
      source: 'fleetwire.trips',
      detail: { tenantId: ACME, tripId: 'trip-1' },
    });
  });

  it('retries a 500 and delivers on the 200 that follows', async () => {
    // prepare
    const url = receiver.answer('/flaky', [500, 200]);
    await createWebhook(ACME, url, ['Trip.*']);

    // act
    const eventId = await publish(ACME, 'Trip.Ended');
    await waitFor(() => receiver.at('/flaky').length >= 2, 'the retry');
    await edge.eventBridge.idle();

    // assess
    const attempts = receiver.at('/flaky');
    expect(attempts).toHaveLength(2);
    expect(attempts.map((attempt) => attempt.headers['x-fleetwire-event-id'])).toEqual([eventId, eventId]);
    expect((await deadLetters()).filter((letter) => letter.url === url)).toEqual([]);
  });

  it('sends what always fails to the dead-letter queue with its reason', async () => {
    // prepare
    const url = receiver.answer('/broken', [503]);
    const { webhook } = await createWebhook(GLOBEX, url, ['Trip.Ended']);

    // act
    const eventId = await publish(GLOBEX, 'Trip.Ended');
    await waitFor(() => receiver.at('/broken').length >= 3, 'the attempts');
    await edge.eventBridge.idle();

    // assess
    expect(receiver.at('/broken')).toHaveLength(3);
    const letters = (await deadLetters()).filter((letter) => letter.url === url);
    expect(letters).toEqual([
      expect.objectContaining({
        tenantId: GLOBEX,
        webhookId: webhook.id,
        eventId,
        detailType: 'Trip.Ended',
        reason: 'HTTP 503 after 3 attempt(s)',
        attempts: 3,
      }),
    ]);
  });

  it("never delivers another tenant's events", async () => {
    // prepare
    const url = receiver.answer('/acme-only', [200]);
    await createWebhook(ACME, url, ['Charging.Ended']);

    // act
    await publish(GLOBEX, 'Charging.Ended');
    const acmeEvent = await publish(ACME, 'Charging.Ended');
    await waitFor(() => receiver.at('/acme-only').length >= 1, 'the delivery');
    await edge.eventBridge.idle();

    // assess
    expect(receiver.at('/acme-only').map((request) => request.headers['x-fleetwire-event-id'])).toEqual([
      acmeEvent,
    ]);
  });

  it('refuses webhooks to viewers, bad URLs and unknown event types', async () => {
    const viewer = await gql(person(ACME, ['viewer']), CREATE, {
      input: { url: `${receiver.url}/x`, detailTypes: ['Trip.Ended'] },
    });
    const remote = await gql(person(ACME, ['admin']), CREATE, {
      input: { url: 'http://example.com/hook', detailTypes: ['Trip.Ended'] },
    });
    const unknown = await gql(person(ACME, ['admin']), CREATE, {
      input: { url: `${receiver.url}/x`, detailTypes: ['Trip.Teleported'] },
    });

    expect(viewer.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(remote.errors?.[0]).toMatchObject({
      errorType: 'BadRequest',
      message: expect.stringContaining('https'),
    });
    expect(unknown.errors?.[0]).toMatchObject({
      errorType: 'BadRequest',
      message: expect.stringContaining('Trip.Teleported'),
    });
  });

  it('lists, rotates and deletes webhooks of the caller tenant only, never showing a secret again', async () => {
    // prepare
    const { webhook, secret } = await createWebhook(GLOBEX, `${receiver.url}/managed`, ['Command.*']);

    // act
    const listed = await gql(person(GLOBEX, ['admin']), '{ webhooks { id url detailTypes } }');
    const otherTenant = await gql(
      person(ACME, ['admin']),
      `mutation { rotateWebhookSecret(id: "${webhook.id}") { secret } }`,
    );
    const rotated = await gql(
      person(GLOBEX, ['admin']),
      `mutation { rotateWebhookSecret(id: "${webhook.id}") { secret webhook { id } } }`,
    );
    const deleted = await gql(person(GLOBEX, ['admin']), `mutation { deleteWebhook(id: "${webhook.id}") }`);
    const after = await gql(person(GLOBEX, ['admin']), '{ webhooks { id } }');

    // assess
    expect(listed.data?.webhooks).toContainEqual({
      id: webhook.id,
      url: `${receiver.url}/managed`,
      detailTypes: ['Command.*'],
    });
    expect(otherTenant.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    const newSecret = (rotated.data?.rotateWebhookSecret as { secret: string }).secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    expect(deleted.data?.deleteWebhook).toBe(webhook.id);
    expect((after.data?.webhooks as { id: string }[]).map((w) => w.id)).not.toContain(webhook.id);
  });
});
