import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalEdge, type LocalEdge } from '../../../src/local/edge/local-edge.ts';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { EventBridgePublisher } from '../../../src/adapters/aws/eventbridge-publisher.ts';
import { SqsDeadLetterQueue } from '../../../src/adapters/aws/sqs-dead-letter-queue.ts';
import type { EventBridgeEvent } from '../../../src/local/eventbridge/bus.ts';
import type { EventEntry } from '../../../src/ports/event-publisher.ts';
import type { FaultRule } from '../../../src/local/edge/faults.ts';

const entry = (i: number, detail = JSON.stringify({ i })): EventEntry => ({
  EventBusName: 'fleetwire',
  Source: 'fleetwire.test',
  DetailType: 'Test.Happened',
  Detail: detail,
});

describe('EventBridgePublisher and SqsDeadLetterQueue against the edge', () => {
  let edge: LocalEdge;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const seen: EventBridgeEvent[] = [];
  const countedClients: EventBridgeClient[] = [];
  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0 });
    events = new EventBridgeClient(awsClientConfig({ endpoint: edge.url }));
    sqs = new SQSClient(awsClientConfig({ endpoint: edge.url }));
    edge.eventBridge.subscribe((event) => void seen.push(event));
  });
  afterEach(async () => {
    await fetch(`${edge.url}/_edge/faults`, { method: 'DELETE' });
  });
  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    for (const client of countedClients) client.destroy();
    await edge?.stop();
  });

  /** Sets a fault on the edge the way the reliability suite and CLI users do: over its HTTP control route. */
  async function addFault(rule: FaultRule): Promise<void> {
    const response = await fetch(`${edge.url}/_edge/faults`, { method: 'POST', body: JSON.stringify(rule) });
    expect(response.status).toBe(201);
  }
  async function faultsInForce(): Promise<unknown[]> {
    const response = await fetch(`${edge.url}/_edge/faults`);
    return ((await response.json()) as { faults: unknown[] }).faults;
  }

  /** A real client that records how many entries each PutEvents call of the publisher carries. */
  function countingClient(maxAttempts?: number): { client: EventBridgeClient; calls: number[] } {
    const client = new EventBridgeClient({
      ...awsClientConfig({ endpoint: edge.url }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
    });
    countedClients.push(client);
    const calls: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') {
          calls.push((args.input as PutEventsCommandInput).Entries?.length ?? 0);
        }
        return next(args);
      },
      { step: 'initialize', name: 'countPutEventsCalls' },
    );
    return { client, calls };
  }
  const publishedIndices = () => seen.map((e) => (e.detail as { i: number }).i).sort((a, b) => a - b);

  it('publishes any number of entries, 10 per PutEvents call, and reports none failed', async () => {
    const failed = await new EventBridgePublisher(events).publish(
      Array.from({ length: 25 }, (_, i) => entry(i)),
    );
    expect(failed).toEqual([]);
    expect(seen.map((e) => (e.detail as { i: number }).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
  });

  it('reports exactly the entries the bus refused, by their index, and publishes the others', async () => {
    // prepare: entries 3 and 12 carry a detail that is not a JSON object
    const entries = Array.from({ length: 15 }, (_, i) =>
      i === 3 || i === 12 ? entry(i, '[not an object') : entry(i),
    );
    seen.length = 0;
    // act
    const failed = await new EventBridgePublisher(events, { attempts: 3, baseDelayMs: 1 }).publish(entries);
    // assess
    expect(failed.map((f) => f.index)).toEqual([3, 12]);
    expect(failed[0]).toMatchObject({ errorCode: 'MalformedDetail' });
    expect(seen).toHaveLength(13);
  });

  it('retries entries the bus throttled, only those, until all are published', async () => {
    // prepare: the first call has every other entry throttled
    await addFault({
      target: 'AWSEvents.PutEvents',
      effect: { kind: 'partial', entries: 'every-other', code: 'ThrottlingException' },
      times: 1,
    });
    const { client, calls } = countingClient();
    seen.length = 0;
    // act
    const failed = await new EventBridgePublisher(client, { attempts: 3, baseDelayMs: 1 }).publish(
      Array.from({ length: 10 }, (_, i) => entry(i)),
    );
    // assess
    expect(failed).toEqual([]);
    expect(calls).toEqual([10, 5]);
    expect(publishedIndices()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(seen).toHaveLength(10);
    expect(await faultsInForce()).toEqual([]);
  });

  it('reports entries still throttled after every attempt by their index and code', async () => {
    // prepare: every call has its every other entry throttled, so each retry narrows down to entry 7
    await addFault({
      target: 'AWSEvents.PutEvents',
      effect: {
        kind: 'partial',
        entries: 'every-other',
        code: 'ThrottlingException',
        message: 'Rate exceeded',
      },
    });
    const { client, calls } = countingClient();
    seen.length = 0;
    // act
    const failed = await new EventBridgePublisher(client, { attempts: 3, baseDelayMs: 1 }).publish(
      Array.from({ length: 10 }, (_, i) => entry(i)),
    );
    // assess: [0..9] → 1, 3, 5, 7, 9 retried → 3, 7 retried → 7 given up
    expect(calls).toEqual([10, 5, 2]);
    expect(failed).toEqual([{ index: 7, errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }]);
    expect(publishedIndices()).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9]);
  });

  it('reports entries refused with a code not worth a retry at once', async () => {
    await addFault({
      target: 'AWSEvents.PutEvents',
      effect: { kind: 'partial', entries: [2, 4], code: 'AccessDeniedException' },
      times: 1,
    });
    const { client, calls } = countingClient();
    seen.length = 0;
    const failed = await new EventBridgePublisher(client, { attempts: 3, baseDelayMs: 1 }).publish(
      Array.from({ length: 6 }, (_, i) => entry(i)),
    );
    expect(calls).toEqual([6]);
    expect(failed.map((f) => [f.index, f.errorCode])).toEqual([
      [2, 'AccessDeniedException'],
      [4, 'AccessDeniedException'],
    ]);
    expect(publishedIndices()).toEqual([0, 1, 3, 5]);
  });

  it('gets a call through that failed as a whole twice (InternalFailure 500): the SDK retries it', async () => {
    // prepare
    await addFault({
      target: 'AWSEvents.PutEvents',
      effect: { kind: 'error', code: 'InternalFailure', status: 500 },
      times: 2,
    });
    const { client, calls } = countingClient();
    seen.length = 0;
    // act
    const failed = await new EventBridgePublisher(client, { attempts: 3, baseDelayMs: 1 }).publish(
      Array.from({ length: 4 }, (_, i) => entry(i)),
    );
    // assess: one call of the publisher, three attempts of the SDK (the rule is spent)
    expect(failed).toEqual([]);
    expect(calls).toEqual([4]);
    expect(await faultsInForce()).toEqual([]);
    expect(publishedIndices()).toEqual([0, 1, 2, 3]);
  });

  it('gets a call through that failed as a whole twice: the publisher retries it when the SDK does not', async () => {
    // prepare: a client that makes one attempt per call
    await addFault({
      target: 'AWSEvents.PutEvents',
      effect: { kind: 'error', code: 'InternalFailure', status: 500 },
      times: 2,
    });
    const { client, calls } = countingClient(1);
    seen.length = 0;
    // act
    const failed = await new EventBridgePublisher(client, { attempts: 3, baseDelayMs: 1 }).publish(
      Array.from({ length: 4 }, (_, i) => entry(i)),
    );
    // assess
    expect(failed).toEqual([]);
    expect(calls).toEqual([4, 4, 4]);
    expect(publishedIndices()).toEqual([0, 1, 2, 3]);
  });

  it('sends poison records to the queue with their reason as a message attribute', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'poison-test' }));
    const records = Array.from({ length: 12 }, (_, i) => ({
      streamName: 'fleetwire_V',
      shardId: 'shardId-000000000000',
      sequenceNumber: String(i),
      dataBase64: 'AAEC',
      reason: `reason ${i}`,
    }));
    await new SqsDeadLetterQueue(sqs, QueueUrl!).send(records);
    const received: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      received.push(
        ...Messages.map((m) => ({
          body: JSON.parse(m.Body!),
          reason: m.MessageAttributes?.reason?.StringValue,
        })),
      );
    }
    expect(received).toHaveLength(12);
    expect(received).toContainEqual({ body: records[11], reason: 'reason 11' });
  });
});
