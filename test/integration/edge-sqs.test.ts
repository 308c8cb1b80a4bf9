import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { SqsService } from '../../src/local/edge/sqs.ts';
import type { RequestContext } from '../../src/local/edge/aws-json.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

/** What a call rejected with; settling at once keeps a rejection from going unhandled while others run. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (reason: unknown) => reason,
  );
}

describe('edge: SQS', () => {
  let edge: TestEdge;
  let sqs: SQSClient;

  const createQueue = async (QueueName: string, Attributes: Record<string, string> = {}): Promise<string> => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
    return QueueUrl ?? '';
  };
  const attributesOf = async (QueueUrl: string, names: string[]): Promise<Record<string, string>> => {
    const AttributeNames = names as QueueAttributeName[];
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames }));
    return Attributes ?? {};
  };

  beforeAll(async () => {
    edge = await startTestEdge({ services: [new SqsService()] });
    sqs = new SQSClient(edge.clientConfig);
  });
  afterAll(async () => {
    sqs?.destroy();
    await edge?.stop();
  });

  it('creates queues idempotently and refuses the same name with other attributes', async () => {
    // prepare
    const url = await createQueue('telemetry', { VisibilityTimeout: '45' });

    // act
    const again = await createQueue('telemetry', { VisibilityTimeout: '45' });
    const conflicting = await rejectionOf(createQueue('telemetry', { VisibilityTimeout: '46' }));
    const resolved = await sqs.send(new GetQueueUrlCommand({ QueueName: 'telemetry' }));
    const attributes = await attributesOf(url, ['QueueArn', 'VisibilityTimeout', 'MessageRetentionPeriod']);

    // assess
    expect(url).toBe(`${edge.url}/000000000000/telemetry`);
    expect(again).toBe(url);
    expect(conflicting).toBeInstanceOf(QueueNameExists);
    expect(resolved.QueueUrl).toBe(url);
    expect(attributes).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:telemetry',
      VisibilityTimeout: '45',
      MessageRetentionPeriod: '345600',
    });
  });

  it('raises QueueDoesNotExist for a missing queue, and finds queues whatever host their URL names', async () => {
    // prepare
    await createQueue('anywhere');

    // act
    const byName = await rejectionOf(sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })));
    const byUrl = await rejectionOf(
      sqs.send(new SendMessageCommand({ QueueUrl: `${edge.url}/000000000000/missing`, MessageBody: 'x' })),
    );
    const otherHost = await sqs.send(
      new SendMessageCommand({
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/anywhere',
        MessageBody: 'x',
      }),
    );

    // assess
    expect(byName).toBeInstanceOf(QueueDoesNotExist);
    expect((byName as QueueDoesNotExist).message).toBe('The specified queue does not exist.');
    expect(byUrl).toBeInstanceOf(QueueDoesNotExist);
    expect(otherHost.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('digests String, Number and Binary attributes as AWS does and returns them on receive', async () => {
    // prepare
    const url = await createQueue('attributes');
    const MessageAttributes = {
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
      customNumberTypeAttrib: {
        DataType: 'Number.float',
        StringValue: '4563442423554324324264524243.32543234',
      },
      binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
    };

    // act
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello', MessageAttributes }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );

    // assess: the digest published for these three attributes by aws-md5-of-message-attributes
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(sent.MD5OfMessageAttributes).toBe('c932db14a896c663f83c260297d594ff');
    const [message] = Messages ?? [];
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.MD5OfMessageAttributes).toBe('c932db14a896c663f83c260297d594ff');
    expect(message?.MessageAttributes?.attribName1?.StringValue).toBe('attribValue 1');
    expect(Buffer.from(message?.MessageAttributes?.binaryAttribute?.BinaryValue ?? []).toString()).toBe(
      'Hello binary world!',
    );
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Object.keys(message?.Attributes ?? {}).sort()).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
    ]);
  });

  it('counts visible, in-flight and delayed messages in GetQueueAttributes', async () => {
    // prepare
    const url = await createQueue('counts');
    for (const body of ['a', 'b', 'c'])
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 60 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));

    // act
    const all = await attributesOf(url, ['All']);
    const unknown = await rejectionOf(attributesOf(url, ['NotAnAttribute']));

    // assess
    expect(all).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:counts',
      VisibilityTimeout: '30',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
    });
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
  });

  it('sends batches entry by entry and enforces the batch limits', async () => {
    // prepare
    const url = await createQueue('batches');
    const tooMany = Array.from({ length: 11 }, (_, index) => ({ Id: `m${index}`, MessageBody: 'x' }));

    // act
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'first', MessageBody: 'one' },
          { Id: 'empty', MessageBody: '' },
          { Id: 'third', MessageBody: 'three', DelaySeconds: 901 },
          { Id: 'fourth', MessageBody: 'four' },
        ],
      }),
    );
    const overLimit = await rejectionOf(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: tooMany })),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );

    // assess
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['first', 'fourth']);
    expect(result.Successful?.[0]?.MD5OfMessageBody).toBe('f97c5d29941bfb1b2fdab0874906ab82');
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'empty', Code: 'MissingParameter', SenderFault: true }),
      expect.objectContaining({ Id: 'third', Code: 'InvalidParameterValue', SenderFault: true }),
    ]);
    expect(overLimit).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(Messages?.map((message) => message.Body).sort()).toEqual(['four', 'one']);
  });

  it('deletes by the latest receipt handle, singly and in batches, and refuses a malformed handle', async () => {
    // prepare
    const url = await createQueue('deletions');
    for (const body of ['a', 'b', 'c'])
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3 }),
    );
    const [first, ...rest] = Messages;

    // act
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    const batch = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...rest.map((message, index) => ({ Id: `ok${index}`, ReceiptHandle: message.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    const malformed = await rejectionOf(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })),
    );
    const counts = await attributesOf(url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]);

    // assess
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['ok0', 'ok1']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    expect(malformed).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(counts).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('wakes a long poll as soon as a message arrives', async () => {
    // prepare
    const url = await createQueue('long-poll');
    const started = Date.now();

    // act
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const { Messages } = await polling;

    // assess
    expect(Messages?.map((message) => message.Body)).toEqual(['wake up']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('redelivers a message once its visibility timeout lapses, counting the receives', async () => {
    // prepare
    const url = await createQueue('visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    const started = Date.now();

    // act
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const redelivered = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }),
    );

    // assess
    expect(hidden.Messages).toBeUndefined();
    expect(redelivered.Messages?.[0]?.Body).toBe('retry me');
    expect(redelivered.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('makes a message visible again at once with ChangeMessageVisibility 0', async () => {
    // prepare
    const url = await createQueue('release');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'give back' }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 600 }),
    );

    // act
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: Messages[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // assess
    expect(again.Messages?.[0]?.Body).toBe('give back');
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    // prepare
    const dlqUrl = await createQueue('orders-dlq');
    const deadLetterTargetArn = 'arn:aws:sqs:us-east-1:000000000000:orders-dlq';
    const url = await createQueue('orders', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: '2' }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));

    // act
    const receives = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      receives.push(await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 })));
    }
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }),
    );
    const policy = await attributesOf(url, ['RedrivePolicy']);

    // assess
    expect(receives.map((receive) => receive.Messages?.length ?? 0)).toEqual([1, 1, 0]);
    expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(
      'arn:aws:sqs:us-east-1:000000000000:orders',
    );
    expect(JSON.parse(policy.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn, maxReceiveCount: 2 });
  });

  it('keeps FIFO order within a group, deduplicates, and holds a group while a message is in flight', async () => {
    // prepare
    const url = await createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const send = (MessageBody: string, MessageGroupId: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody, MessageGroupId }));
    const a1 = await send('a1', 'a');
    await send('a2', 'a');
    await send('b1', 'b');
    const duplicate = await send('a1', 'a');
    const missingGroup = await rejectionOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })),
    );

    // act
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const whileInFlight = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const afterDelete = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));

    // assess
    expect(duplicate.MessageId).toBe(a1.MessageId);
    expect(duplicate.SequenceNumber).toBe(a1.SequenceNumber);
    expect(missingGroup).toBeInstanceOf(SQSServiceException);
    expect((missingGroup as SQSServiceException).name).toBe('MissingParameter');
    expect(first.Messages?.map((message) => message.Body)).toEqual(['a1']);
    expect(whileInFlight.Messages?.map((message) => message.Body)).toEqual(['b1']);
    expect(afterDelete.Messages?.map((message) => message.Body)).toEqual(['a2']);
  });

  it('purges a queue and lists queues by prefix', async () => {
    // prepare
    const url = await createQueue('purge-me');
    await createQueue('purge-other');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'gone' }));

    // act
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const counts = await attributesOf(url, ['ApproximateNumberOfMessages']);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'purge-' }));
    const paged = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'purge-', MaxResults: 1 }));

    // assess
    expect(counts.ApproximateNumberOfMessages).toBe('0');
    expect(listed.QueueUrls).toEqual([url, `${edge.url}/000000000000/purge-other`]);
    expect(paged.QueueUrls).toEqual([url]);
    expect(paged.NextToken).toBeTruthy();
  });

  it('rejects out-of-range receive parameters with InvalidParameterValue', async () => {
    const url = await createQueue('validation');

    const tooMany = await rejectionOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );
    const tooLong = await rejectionOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })),
    );

    for (const error of [tooMany, tooLong]) {
      expect(error).toBeInstanceOf(SQSServiceException);
      expect((error as SQSServiceException).name).toBe('InvalidParameterValue');
    }
  });

  it('answers malformed and unknown requests in the AWS JSON error shape', async () => {
    // prepare
    const post = (target: string, body: string) =>
      fetch(edge.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
        body,
      });

    // act
    const wrongType = await post('AmazonSQS.SendMessage', '{"QueueUrl": 5, "MessageBody": "x"}');
    const missingQueue = await post('AmazonSQS.ReceiveMessage', '{"QueueUrl": "http://h/000000000000/none"}');
    const unknown = await post('AmazonSQS.TagQueue', '{}');

    // assess
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({
      __type: 'com.amazonaws.sqs#InvalidParameterValueException',
    });
    expect(wrongType.headers.get('x-amzn-query-error')).toBe('InvalidParameterValue;Sender');
    expect(missingQueue.headers.get('x-amzn-query-error')).toBe(
      'AWS.SimpleQueueService.NonExistentQueue;Sender',
    );
    expect(await missingQueue.json()).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('edge: SQS with a data directory', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-sqs-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps queues, their attributes and their messages across a restart', async () => {
    // prepare
    const first = await startTestEdge({ services: [new SqsService({ dataDir })] });
    const before = new SQSClient(first.clientConfig);
    const { QueueUrl } = await before.send(
      new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '45' } }),
    );
    await before.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight' }));
    await before.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 600 }));
    await before.send(new SendMessageCommand({ QueueUrl, MessageBody: 'waiting' }));
    before.destroy();
    await first.stop();

    // act
    const second = await startTestEdge({ services: [new SqsService({ dataDir })] });
    const after = new SQSClient(second.clientConfig);
    try {
      const url = (await after.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl;
      const { Attributes } = await after.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'VisibilityTimeout',
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
          ],
        }),
      );
      const { Messages } = await after.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );

      // assess
      expect(existsSync(join(dataDir, 'sqs', 'queues.json'))).toBe(true);
      expect(Attributes).toEqual({
        VisibilityTimeout: '45',
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
      });
      expect(Messages?.map((message) => message.Body)).toEqual(['waiting']);
    } finally {
      after.destroy();
      await second.stop();
    }
  });
});

describe('SqsService.close', () => {
  it('ends pending long polls with an empty answer', async () => {
    // prepare
    const service = new SqsService();
    const context: RequestContext = {
      region: 'us-east-1',
      accountId: '000000000000',
      origin: 'http://127.0.0.1:4566',
      headers: {},
    };
    const { QueueUrl } = (await service.handle('CreateQueue', { QueueName: 'closing' }, context)) as {
      QueueUrl: string;
    };
    const started = Date.now();
    const polling = service.handle('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20 }, context);

    // act
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.close();
    const answer = await polling;

    // assess
    expect(answer).toEqual({});
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
