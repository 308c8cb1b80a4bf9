import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalEdge, type LocalEdge } from '../../../src/local/edge/local-edge.ts';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { EventBridgePublisher } from '../../../src/adapters/aws/eventbridge-publisher.ts';
import { SqsDeadLetterQueue } from '../../../src/adapters/aws/sqs-dead-letter-queue.ts';
import type { EventBridgeEvent } from '../../../src/local/eventbridge/bus.ts';
import type { EventEntry } from '../../../src/ports/event-publisher.ts';

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
  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0 });
    events = new EventBridgeClient(awsClientConfig({ endpoint: edge.url }));
    sqs = new SQSClient(awsClientConfig({ endpoint: edge.url }));
    edge.eventBridge.subscribe((event) => void seen.push(event));
  });
  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    await edge?.stop();
  });

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
