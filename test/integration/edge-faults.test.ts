import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  KinesisServiceException,
  ListShardsCommand,
  ListStreamsCommand,
  ProvisionedThroughputExceededException as KinesisThroughputExceeded,
  PutRecordsCommand,
  ResourceNotFoundException as KinesisResourceNotFound,
} from '@aws-sdk/client-kinesis';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ProvisionedThroughputExceededException as DynamoThroughputExceeded,
  waitUntilTableExists,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  EventBridgeClient,
  InternalException,
  PutEventsCommand,
  ThrottlingException as EventsThrottling,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EventBridgeService } from '../../src/local/edge/eventbridge.ts';
import { SqsService } from '../../src/local/edge/sqs.ts';
import { LocalEventBridge, type EventBridgeEvent } from '../../src/local/eventbridge/bus.ts';
import {
  crc32,
  EdgeFaultError,
  InvalidFaultRuleError,
  type ActiveFault,
  type FaultRule,
} from '../../src/local/edge/faults.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

const STREAM_TARGET = 'Kinesis_20131202.PutRecords';

describe('edge fault injection, seen through the real SDK clients', () => {
  let edge: TestEdge;
  let bus: LocalEventBridge;
  let kinesis: KinesisClient;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let events: EventBridgeClient;
  /** Clients that do not retry, to see each injected error exactly once. */
  let kinesisOnce: KinesisClient;
  let dynamodbOnce: DynamoDBClient;
  let sqsOnce: SQSClient;
  let eventsOnce: EventBridgeClient;
  const published: EventBridgeEvent[] = [];
  let streams = 0;

  /** A fresh one-shard stream, so each test reads back only its own records. */
  async function createStream(): Promise<string> {
    const StreamName = `faults-${++streams}`;
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    // Polled rather than waited for: the SDK waiter sleeps a whole second, the edge needs 10 ms.
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return StreamName;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The data of every record of a one-shard stream, as text, in order. */
  async function readStream(StreamName: string): Promise<string[]> {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: Shards[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    return Records.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString('utf8'));
  }

  const records = (...data: string[]) =>
    data.map((d) => ({ PartitionKey: `key-${d}`, Data: Buffer.from(d) }));

  const event = (i: number, detail = JSON.stringify({ i })): PutEventsRequestEntry => ({
    Source: 'fleetwire.faults',
    DetailType: 'Fault.Test',
    Detail: detail,
  });

  async function createTable(TableName: string): Promise<void> {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 10, minDelay: 1 }, { TableName });
  }

  const key = (pk: string): Record<string, AttributeValue> => ({ pk: { S: pk } });
  const put = (pk: string): WriteRequest => ({ PutRequest: { Item: { ...key(pk), v: { N: '1' } } } });

  async function exists(TableName: string, pk: string): Promise<boolean> {
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName, Key: key(pk), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async function receiveAll(QueueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return bodies.sort();
      bodies.push(...Messages.map((m) => m.Body ?? ''));
    }
  }

  /** Runs `call`, answering the name of the error it raised, or `ok`. */
  async function outcome(call: () => Promise<unknown>): Promise<string> {
    try {
      await call();
      return 'ok';
    } catch (error) {
      return (error as Error).name;
    }
  }

  function add(rule: FaultRule): string {
    return edge.edge.faults.add(rule);
  }

  beforeAll(async () => {
    bus = new LocalEventBridge({ rules: [], archives: [], logger: { warn: () => {} } });
    bus.subscribe((e) => void published.push(e));
    edge = await startTestEdge({ services: [new EventBridgeService(bus), new SqsService()] });
    kinesis = new KinesisClient(edge.clientConfig);
    dynamodb = new DynamoDBClient(edge.clientConfig);
    sqs = new SQSClient(edge.clientConfig);
    events = new EventBridgeClient(edge.clientConfig);
    kinesisOnce = new KinesisClient({ ...edge.clientConfig, maxAttempts: 1 });
    dynamodbOnce = new DynamoDBClient({ ...edge.clientConfig, maxAttempts: 1 });
    sqsOnce = new SQSClient({ ...edge.clientConfig, maxAttempts: 1 });
    eventsOnce = new EventBridgeClient({ ...edge.clientConfig, maxAttempts: 1 });
    await Promise.all([createTable('faults-a'), createTable('faults-b')]);
  });
  beforeEach(() => {
    published.length = 0;
  });
  afterEach(() => {
    edge.edge.faults.clear();
  });
  afterAll(async () => {
    for (const client of [kinesis, dynamodb, sqs, events, kinesisOnce, dynamodbOnce, sqsOnce, eventsOnce]) {
      client?.destroy();
    }
    await edge?.stop();
  });

  describe('error: the whole call fails before the service sees it', () => {
    it('raises the modelled Kinesis exception, and puts nothing', async () => {
      // prepare
      const StreamName = await createStream();
      add({
        target: STREAM_TARGET,
        effect: { kind: 'error', code: 'ProvisionedThroughputExceededException' },
      });
      // act
      const call = kinesisOnce.send(new PutRecordsCommand({ StreamName, Records: records('a', 'b') }));
      // assess
      await expect(call).rejects.toBeInstanceOf(KinesisThroughputExceeded);
      await expect(call).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
      edge.edge.faults.clear();
      expect(await readStream(StreamName)).toEqual([]);
    });

    it('answers Internal* codes with a 500 unless told otherwise, with the given message', async () => {
      add({
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'error', code: 'InternalFailure', message: 'the shard map is on fire' },
      });
      const call = kinesisOnce.send(new ListStreamsCommand({}));
      await expect(call).rejects.toBeInstanceOf(KinesisServiceException);
      await expect(call).rejects.toMatchObject({
        name: 'InternalFailure',
        message: 'the shard map is on fire',
        $metadata: { httpStatusCode: 500 },
      });
    });

    it('raises the modelled DynamoDB exception for a batch write', async () => {
      add({
        target: 'DynamoDB_20120810.BatchWriteItem',
        effect: { kind: 'error', code: 'ProvisionedThroughputExceededException' },
      });
      const call = dynamodbOnce.send(
        new BatchWriteItemCommand({ RequestItems: { 'faults-a': [put('e1')] } }),
      );
      await expect(call).rejects.toBeInstanceOf(DynamoThroughputExceeded);
      edge.edge.faults.clear();
      expect(await exists('faults-a', 'e1')).toBe(false);
    });

    it('raises the modelled SQS exception for a batch send', async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'faults-error' }));
      add({ target: 'AmazonSQS.SendMessageBatch', effect: { kind: 'error', code: 'QueueDoesNotExist' } });
      const call = sqsOnce.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }] }),
      );
      await expect(call).rejects.toBeInstanceOf(QueueDoesNotExist);
      edge.edge.faults.clear();
      expect(await receiveAll(QueueUrl!)).toEqual([]);
    });

    it('raises the modelled EventBridge exceptions, and publishes nothing', async () => {
      add({
        target: 'AWSEvents.PutEvents',
        effect: { kind: 'error', code: 'ThrottlingException' },
        times: 1,
      });
      add({ target: 'AWSEvents.PutEvents', effect: { kind: 'error', code: 'InternalException' }, times: 1 });
      const throttled = eventsOnce.send(new PutEventsCommand({ Entries: [event(1)] }));
      await expect(throttled).rejects.toBeInstanceOf(EventsThrottling);
      const internal = eventsOnce.send(new PutEventsCommand({ Entries: [event(2)] }));
      await expect(internal).rejects.toBeInstanceOf(InternalException);
      await expect(internal).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
      expect(published).toEqual([]);
    });

    it('is retried by the SDK like any throttling, and the retry goes through', async () => {
      const StreamName = await createStream();
      add({
        target: STREAM_TARGET,
        effect: { kind: 'error', code: 'ProvisionedThroughputExceededException' },
        times: 2,
      });
      // The default client makes three attempts.
      const response = await kinesis.send(new PutRecordsCommand({ StreamName, Records: records('a') }));
      expect(response.FailedRecordCount).toBe(0);
      expect(response.$metadata.attempts).toBe(3);
      expect(await readStream(StreamName)).toEqual(['a']);
    });
  });

  describe('partial: chosen entries fail with the per-entry shape, the others go through', () => {
    it('PutRecords: failed records carry ErrorCode and ErrorMessage, the others land on the stream', async () => {
      // prepare
      const StreamName = await createStream();
      add({
        target: STREAM_TARGET,
        effect: {
          kind: 'partial',
          entries: 'every-other',
          code: 'ProvisionedThroughputExceededException',
          message: 'Rate exceeded for shard shardId-000000000000',
        },
      });
      // act
      const response = await kinesis.send(
        new PutRecordsCommand({ StreamName, Records: records('a', 'b', 'c', 'd', 'e') }),
      );
      // assess
      expect(response.FailedRecordCount).toBe(2);
      expect(response.Records).toHaveLength(5);
      for (const i of [1, 3]) {
        expect(response.Records?.[i]).toEqual({
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard shardId-000000000000',
        });
      }
      for (const i of [0, 2, 4]) {
        expect(response.Records?.[i]).toMatchObject({
          SequenceNumber: expect.any(String),
          ShardId: 'shardId-000000000000',
        });
        expect(response.Records?.[i]?.ErrorCode).toBeUndefined();
      }
      edge.edge.faults.clear();
      expect(await readStream(StreamName)).toEqual(['a', 'c', 'e']);
    });

    it('PutRecords: a batch that fails entirely never reaches the stream', async () => {
      const StreamName = await createStream();
      add({
        target: STREAM_TARGET,
        effect: { kind: 'partial', entries: { ratio: 1 }, code: 'InternalFailure' },
      });
      const response = await kinesis.send(
        new PutRecordsCommand({ StreamName, Records: records('a', 'b', 'c') }),
      );
      expect(response.FailedRecordCount).toBe(3);
      expect(response.Records?.map((r) => r.ErrorCode)).toEqual([
        'InternalFailure',
        'InternalFailure',
        'InternalFailure',
      ]);
      edge.edge.faults.clear();
      expect(await readStream(StreamName)).toEqual([]);
    });

    it('PutRecords: a refusal of the whole call by Kinesis (missing stream) stands', async () => {
      add({ target: STREAM_TARGET, effect: { kind: 'partial', entries: [0], code: 'InternalFailure' } });
      const call = kinesis.send(
        new PutRecordsCommand({ StreamName: 'faults-nowhere', Records: records('a', 'b') }),
      );
      await expect(call).rejects.toBeInstanceOf(KinesisResourceNotFound);
    });

    it("PutEvents: per-entry ErrorCode merged with the bus's own refusals in FailedEntryCount", async () => {
      // prepare: entry 3 is refused by the bus itself
      add({
        target: 'AWSEvents.PutEvents',
        effect: { kind: 'partial', entries: [0, 2], code: 'ThrottlingException' },
      });
      // act
      const response = await events.send(
        new PutEventsCommand({ Entries: [event(0), event(1), event(2), event(3, '[not json'), event(4)] }),
      );
      // assess
      expect(response.FailedEntryCount).toBe(3);
      expect(response.Entries?.map((e) => e.ErrorCode)).toEqual([
        'ThrottlingException',
        undefined,
        'ThrottlingException',
        'MalformedDetail',
        undefined,
      ]);
      expect(response.Entries?.[0]?.ErrorMessage).toBe('injected fault: ThrottlingException');
      expect(response.Entries?.[1]?.EventId).toEqual(expect.any(String));
      expect(published.map((e) => (e.detail as { i: number }).i)).toEqual([1, 4]);
    });

    it('PutEvents: a batch PutEvents would refuse as a whole (11 entries) is refused, not split', async () => {
      add({
        target: 'AWSEvents.PutEvents',
        effect: { kind: 'partial', entries: [0], code: 'ThrottlingException' },
      });
      const call = events.send(
        new PutEventsCommand({ Entries: Array.from({ length: 11 }, (_, i) => event(i)) }),
      );
      await expect(call).rejects.toMatchObject({ name: 'ValidationException' });
      expect(published).toEqual([]);
    });

    it('SendMessageBatch: failed entries in Failed with Id, Code and SenderFault; the others are queued', async () => {
      // prepare
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'faults-partial' }));
      add({
        target: 'AmazonSQS.SendMessageBatch',
        effect: { kind: 'partial', entries: { ratio: 0.5 }, code: 'RequestThrottled' },
        seed: 3,
      });
      const entries = ['m0', 'm1', 'm2', 'm3'].map((id) => ({ Id: id, MessageBody: `body-${id}` }));
      // act
      const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
      // assess
      expect(response.Failed).toHaveLength(2);
      expect(response.Successful).toHaveLength(2);
      for (const failure of response.Failed ?? []) {
        expect(failure).toEqual({
          Id: expect.stringMatching(/^m[0-3]$/),
          Code: 'RequestThrottled',
          SenderFault: true,
          Message: 'injected fault: RequestThrottled',
        });
      }
      const failedIds = (response.Failed ?? []).map((f) => f.Id);
      expect(failedIds).toEqual([...failedIds].sort());
      const sentIds = (response.Successful ?? []).map((s) => s.Id).sort();
      expect([...failedIds, ...sentIds].sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect(await receiveAll(QueueUrl!)).toEqual(sentIds.map((id) => `body-${id}`));
    });

    it("SendMessageBatch: a server-side code is not the sender's fault", async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'faults-partial-500' }));
      add({
        target: 'AmazonSQS.SendMessageBatch',
        effect: { kind: 'partial', entries: [1], code: 'InternalError' },
      });
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'a', MessageBody: 'a' },
            { Id: 'b', MessageBody: 'b' },
          ],
        }),
      );
      expect(response.Failed).toEqual([
        { Id: 'b', Code: 'InternalError', SenderFault: false, Message: 'injected fault: InternalError' },
      ]);
      expect(await receiveAll(QueueUrl!)).toEqual(['a']);
    });

    it('BatchWriteItem: chosen requests come back in UnprocessedItems per table, the others are written', async () => {
      // prepare: entries are numbered table by table, in the order the request lists them
      add({
        target: 'DynamoDB_20120810.BatchWriteItem',
        effect: { kind: 'partial', entries: [1, 3], code: 'ProvisionedThroughputExceededException' },
      });
      // act
      const response = await dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: { 'faults-a': [put('w0'), put('w1')], 'faults-b': [put('w2'), put('w3'), put('w4')] },
        }),
      );
      // assess
      expect(response.UnprocessedItems).toEqual({ 'faults-a': [put('w1')], 'faults-b': [put('w3')] });
      edge.edge.faults.clear();
      expect(await exists('faults-a', 'w0')).toBe(true);
      expect(await exists('faults-a', 'w1')).toBe(false);
      expect(await exists('faults-b', 'w2')).toBe(true);
      expect(await exists('faults-b', 'w3')).toBe(false);
      expect(await exists('faults-b', 'w4')).toBe(true);
    });

    it('BatchWriteItem: a batch of which nothing is processed writes nothing', async () => {
      add({
        target: 'DynamoDB_20120810.BatchWriteItem',
        effect: { kind: 'partial', entries: [0], code: 'ProvisionedThroughputExceededException' },
      });
      const response = await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { 'faults-a': [put('n0')] } }),
      );
      expect(response.UnprocessedItems).toEqual({ 'faults-a': [put('n0')] });
      edge.edge.faults.clear();
      expect(await exists('faults-a', 'n0')).toBe(false);
    });

    it('BatchGetItem: chosen keys come back in UnprocessedKeys with their read options', async () => {
      // prepare
      await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { 'faults-a': ['g0', 'g1', 'g2', 'g3'].map(put) } }),
      );
      add({
        target: 'DynamoDB_20120810.BatchGetItem',
        effect: { kind: 'partial', entries: 'every-other', code: 'ProvisionedThroughputExceededException' },
      });
      // act
      const response = await dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: { 'faults-a': { Keys: ['g0', 'g1', 'g2', 'g3'].map(key), ConsistentRead: true } },
        }),
      );
      // assess
      expect(response.Responses?.['faults-a']?.map((item) => item.pk?.S).sort()).toEqual(['g0', 'g2']);
      expect(response.UnprocessedKeys).toEqual({
        'faults-a': { Keys: [key('g1'), key('g3')], ConsistentRead: true },
      });
    });
  });

  it('signs a merged DynamoDB answer with the x-amz-crc32 of its body, as DynamoDB does', async () => {
    // prepare: a raw request, to see the headers (dynalite checks that a request is signed, not the signature)
    add({
      target: 'DynamoDB_20120810.BatchWriteItem',
      effect: { kind: 'partial', entries: [0], code: 'ProvisionedThroughputExceededException' },
    });
    // act
    const response = await fetch(edge.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.BatchWriteItem',
        'X-Amz-Date': '20240101T000000Z',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=fleetwire-local/20240101/us-east-1/dynamodb/aws4_request, ' +
          'SignedHeaders=host;x-amz-date, Signature=00',
      },
      body: JSON.stringify({ RequestItems: { 'faults-a': [put('c0'), put('c1')] } }),
    });
    const body = Buffer.from(await response.arrayBuffer());
    // assess
    expect(response.status).toBe(200);
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({
      UnprocessedItems: { 'faults-a': [put('c0')] },
    });
    expect(response.headers.get('x-amz-crc32')).toBe(String(crc32(body)));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  describe('delay: the answer comes late', () => {
    it('delays the matching operation only, and then serves it', async () => {
      add({ target: 'DynamoDB_20120810.ListTables', effect: { kind: 'delay', ms: 300 } });
      let started = performance.now();
      const tables = await dynamodb.send(new ListTablesCommand({}));
      const delayed = performance.now() - started;
      started = performance.now();
      await dynamodb.send(new DescribeTableCommand({ TableName: 'faults-a' }));
      const undelayed = performance.now() - started;
      expect(tables.TableNames).toEqual(['faults-a', 'faults-b']);
      expect(delayed).toBeGreaterThanOrEqual(299);
      expect(undelayed).toBeLessThan(250);
    });

    it('adds up with a later error rule: late, then failed', async () => {
      add({ target: 'Kinesis_20131202.*', effect: { kind: 'delay', ms: 200 } });
      add({
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'error', code: 'LimitExceededException' },
      });
      const started = performance.now();
      expect(await outcome(() => kinesisOnce.send(new ListStreamsCommand({})))).toBe(
        'LimitExceededException',
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(199);
    });

    it('delays a partial batch too', async () => {
      const StreamName = await createStream();
      add({ target: STREAM_TARGET, effect: { kind: 'delay', ms: 150 } });
      add({ target: STREAM_TARGET, effect: { kind: 'partial', entries: [0], code: 'InternalFailure' } });
      const started = performance.now();
      const response = await kinesis.send(new PutRecordsCommand({ StreamName, Records: records('a', 'b') }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(149);
      expect(response.FailedRecordCount).toBe(1);
    });
  });

  describe('which requests a rule applies to', () => {
    it('times: the first n matching requests, then the rule is gone', async () => {
      add({
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'error', code: 'LimitExceededException' },
        times: 2,
      });
      const results: string[] = [];
      for (let i = 0; i < 4; i++)
        results.push(await outcome(() => kinesisOnce.send(new ListStreamsCommand({}))));
      expect(results).toEqual(['LimitExceededException', 'LimitExceededException', 'ok', 'ok']);
      expect(edge.edge.faults.list()).toEqual([]);
    });

    it("times: only requests for the rule's target count", async () => {
      const id = add({
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'error', code: 'LimitExceededException' },
        times: 1,
      });
      await dynamodbOnce.send(new ListTablesCommand({}));
      await kinesisOnce.send(new DescribeStreamSummaryCommand({ StreamName: await createStream() }));
      expect(edge.edge.faults.list()).toEqual([expect.objectContaining({ id, applied: 0, remaining: 1 })]);
      expect(await outcome(() => kinesisOnce.send(new ListStreamsCommand({})))).toBe(
        'LimitExceededException',
      );
    });

    it('probability: a seeded share of the requests, the same ones for the same seed', async () => {
      const run = async (seed: number): Promise<string> => {
        edge.edge.faults.clear();
        add({
          target: 'DynamoDB_20120810.ListTables',
          effect: { kind: 'error', code: 'ThrottlingException' },
          probability: 0.3,
          seed,
        });
        let pattern = '';
        for (let i = 0; i < 60; i++) {
          pattern += (await outcome(() => dynamodbOnce.send(new ListTablesCommand({})))) === 'ok' ? '.' : 'x';
        }
        return pattern;
      };
      const first = await run(42);
      const failures = [...first].filter((c) => c === 'x').length;
      expect(failures).toBeGreaterThanOrEqual(8);
      expect(failures).toBeLessThanOrEqual(32);
      expect(await run(42)).toBe(first);
      expect(await run(43)).not.toBe(first);
    });

    it('probability with times: times counts only the requests the rule applied to', async () => {
      add({
        target: 'DynamoDB_20120810.ListTables',
        effect: { kind: 'error', code: 'ThrottlingException' },
        probability: 0.5,
        times: 3,
        seed: 7,
      });
      let failures = 0;
      for (let i = 0; i < 40; i++) {
        if ((await outcome(() => dynamodbOnce.send(new ListTablesCommand({})))) !== 'ok') failures += 1;
      }
      expect(failures).toBe(3);
    });

    it('Prefix.*: every operation of that service and no other', async () => {
      add({ target: 'DynamoDB_20120810.*', effect: { kind: 'error', code: 'ThrottlingException' } });
      expect(await outcome(() => dynamodbOnce.send(new ListTablesCommand({})))).toBe('ThrottlingException');
      expect(
        await outcome(() => dynamodbOnce.send(new DescribeTableCommand({ TableName: 'faults-a' }))),
      ).toBe('ThrottlingException');
      expect(await outcome(() => kinesisOnce.send(new ListStreamsCommand({})))).toBe('ok');
    });

    it('the first rule added wins among error and partial rules', async () => {
      add({
        target: 'Kinesis_20131202.*',
        effect: { kind: 'error', code: 'LimitExceededException' },
        times: 1,
      });
      add({
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'error', code: 'ResourceInUseException' },
      });
      expect(await outcome(() => kinesisOnce.send(new ListStreamsCommand({})))).toBe(
        'LimitExceededException',
      );
      expect(await outcome(() => kinesisOnce.send(new ListStreamsCommand({})))).toBe(
        'ResourceInUseException',
      );
    });

    it('serves normally again after clear()', async () => {
      // prepare
      const StreamName = await createStream();
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'faults-cleared' }));
      add({ target: 'Kinesis_20131202.*', effect: { kind: 'error', code: 'InternalFailure' } });
      add({
        target: 'AWSEvents.PutEvents',
        effect: { kind: 'partial', entries: { ratio: 1 }, code: 'ThrottlingException' },
      });
      add({
        target: 'AmazonSQS.SendMessageBatch',
        effect: { kind: 'partial', entries: [0], code: 'RequestThrottled' },
      });
      add({ target: 'DynamoDB_20120810.*', effect: { kind: 'delay', ms: 5_000 } });
      // act
      expect(edge.edge.faults.clear()).toBe(4);
      const put = await kinesisOnce.send(new PutRecordsCommand({ StreamName, Records: records('a', 'b') }));
      const published = await eventsOnce.send(new PutEventsCommand({ Entries: [event(1)] }));
      const sent = await sqsOnce.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }] }),
      );
      const started = performance.now();
      await dynamodbOnce.send(new ListTablesCommand({}));
      // assess
      expect(put.FailedRecordCount).toBe(0);
      expect(published.FailedEntryCount).toBe(0);
      expect(sent.Failed ?? []).toEqual([]);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(await readStream(StreamName)).toEqual(['a', 'b']);
    });
  });

  describe('configuration in code', () => {
    it('refuses a malformed rule with InvalidFaultRuleError', () => {
      const bad = {
        target: 'Kinesis_20131202.ListStreams',
        effect: { kind: 'partial', entries: [0], code: 'X' },
      };
      expect(() => add(bad as FaultRule)).toThrow(InvalidFaultRuleError);
      expect(() => add(bad as FaultRule)).toThrow(EdgeFaultError);
      expect(() => add(bad as FaultRule)).toThrow(/partial effect needs a batch operation as target/);
      expect(edge.edge.faults.list()).toEqual([]);
    });

    it('lists and removes rules by id', () => {
      const first = add({ target: 'AWSEvents.*', effect: { kind: 'delay', ms: 10 } });
      const second = add({
        target: 'AWSEvents.PutEvents',
        effect: { kind: 'error', code: 'ThrottlingException' },
        times: 2,
      });
      expect(edge.edge.faults.list().map((f) => f.id)).toEqual([first, second]);
      expect(edge.edge.faults.remove(first)).toBe(true);
      expect(edge.edge.faults.remove(first)).toBe(false);
      expect(edge.edge.faults.list()).toEqual([
        {
          id: second,
          rule: {
            target: 'AWSEvents.PutEvents',
            effect: { kind: 'error', code: 'ThrottlingException' },
            times: 2,
          },
          applied: 0,
          remaining: 2,
        },
      ]);
    });
  });

  describe('configuration over HTTP: /_edge/faults', () => {
    const control = async (method: string, body?: string) => {
      const response = await fetch(`${edge.url}/_edge/faults`, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('POST adds a rule that applies, GET lists it, and it goes when spent', async () => {
      // act
      const created = await control(
        'POST',
        JSON.stringify({
          target: 'Kinesis_20131202.PutRecords',
          effect: { kind: 'error', code: 'ProvisionedThroughputExceededException' },
          times: 1,
        }),
      );
      const listed = await control('GET');
      const call = kinesisOnce.send(
        new PutRecordsCommand({ StreamName: await createStream(), Records: records('a') }),
      );
      // assess
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^fault-\d+$/),
        rule: {
          target: 'Kinesis_20131202.PutRecords',
          effect: { kind: 'error', code: 'ProvisionedThroughputExceededException' },
          times: 1,
        },
        applied: 0,
        remaining: 1,
      });
      expect(listed).toEqual({ status: 200, body: { faults: [created.body] } });
      await expect(call).rejects.toBeInstanceOf(KinesisThroughputExceeded);
      expect(await control('GET')).toEqual({ status: 200, body: { faults: [] } });
    });

    it('DELETE removes every rule', async () => {
      await control('POST', JSON.stringify({ target: 'AWSEvents.*', effect: { kind: 'delay', ms: 1 } }));
      await control('POST', JSON.stringify({ target: 'AmazonSQS.*', effect: { kind: 'delay', ms: 1 } }));
      expect(await control('DELETE')).toEqual({ status: 200, body: { removed: 2 } });
      const listed = await control('GET');
      expect((listed.body.faults as ActiveFault[]).length).toBe(0);
    });

    it.each([
      ['a body that is not JSON', '{target', /not valid JSON/],
      ['a rule that is not an object', '[1]', /a rule must be a JSON object/],
      [
        'an unknown field',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"delay","ms":1},"time":1}',
        /time is not a field/,
      ],
      [
        'a target without operation',
        '{"target":"Kinesis_20131202","effect":{"kind":"delay","ms":1}}',
        /target must be "Prefix.Operation"/,
      ],
      [
        'an unknown effect',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"explode"}}',
        /effect.kind must be one of error, partial, delay, got "explode"/,
      ],
      [
        'an error without code',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"error"}}',
        /effect.code must be an AWS error code/,
      ],
      [
        'a status that is no error',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"error","code":"X","status":200}}',
        /effect.status must be an HTTP error status from 400 to 599, got 200/,
      ],
      [
        'partial on a non-batch operation',
        '{"target":"AmazonSQS.SendMessage","effect":{"kind":"partial","entries":[0],"code":"X"}}',
        /batch operation as target .*AmazonSQS.SendMessageBatch.*got AmazonSQS.SendMessage$/,
      ],
      [
        'partial entries of the wrong kind',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"partial","entries":"odd","code":"X"}}',
        /effect.entries must be "every-other", a list of indices or \{ "ratio": 0..1 \}, got "odd"/,
      ],
      [
        'a negative index',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"partial","entries":[-1],"code":"X"}}',
        /effect.entries must hold entry indices/,
      ],
      [
        'a ratio above 1',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"partial","entries":{"ratio":1.5},"code":"X"}}',
        /effect.entries.ratio must be a number from 0 to 1, got 1.5/,
      ],
      [
        'a negative delay',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"delay","ms":-5}}',
        /effect.ms must be an integer from 0 to 300000, got -5/,
      ],
      [
        'times of zero',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"delay","ms":1},"times":0}',
        /times must be a positive integer, got 0/,
      ],
      [
        'a probability above 1',
        '{"target":"AWSEvents.PutEvents","effect":{"kind":"delay","ms":1},"probability":2}',
        /probability must be a number from 0 to 1, got 2/,
      ],
    ])('POST refuses %s with a 400 that says what is wrong', async (_case, body, message) => {
      const response = await control('POST', body);
      expect(response.status).toBe(400);
      expect(response.body.__type).toBe('InvalidFaultRule');
      expect(response.body.message).toMatch(/^invalid fault rule: /);
      expect(response.body.message).toMatch(message);
      expect(edge.edge.faults.list()).toEqual([]);
    });
  });
});
