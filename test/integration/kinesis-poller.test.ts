import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { SqsService } from '../../src/local/edge/sqs.ts';
import {
  InMemoryCheckpointStore,
  KinesisPoller,
  KinesisStreamUnavailableError,
  type KinesisPollerOptions,
} from '../../src/local/kinesis-poller.ts';
import type {
  KinesisOnFailureRecord,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
} from '../../src/functions/kinesis-event.ts';

/** One record as the test put it, with where Kinesis placed it. */
interface Put {
  readonly n: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** What a handler saw of one invocation: the `n` of each record, and its shard. */
interface SeenBatch {
  readonly shardId: string;
  readonly ns: number[];
  readonly at: number;
}

describe('local Kinesis poller with event source mapping semantics', () => {
  let edge: TestEdge;
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  let streamCount = 0;
  const pollers: KinesisPoller[] = [];
  const quiet = { warn: () => undefined };

  beforeAll(async () => {
    edge = await startTestEdge({ services: [new SqsService({})] });
    kinesis = new KinesisClient(edge.clientConfig);
    sqs = new SQSClient(edge.clientConfig);
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  });
  afterAll(async () => {
    kinesis?.destroy();
    sqs?.destroy();
    await edge?.stop();
  });

  async function createStream(shards: number): Promise<string> {
    const name = `poller_${++streamCount}`;
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitForActive(name);
    return name;
  }

  /** Counts the GetRecords calls the real client makes, with a middleware of its own stack. */
  function countGetRecords(): { readonly count: number; stop(): void } {
    const name = `countGetRecords${++streamCount}`;
    const counter = { count: 0, stop: () => kinesis.middlewareStack.remove(name) };
    kinesis.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand') counter.count += 1;
        return next(args);
      },
      { step: 'initialize', name },
    );
    return counter;
  }

  /** The SDK waiter polls once a second; the edge provisions in 10 ms. */
  async function waitForActive(stream: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: stream }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`stream ${stream} did not become ACTIVE`);
  }

  async function put(
    stream: string,
    ns: readonly number[],
    key: (n: number) => string = () => 'VIN0',
  ): Promise<Put[]> {
    const output = await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: ns.map((n) => ({ PartitionKey: key(n), Data: Buffer.from(JSON.stringify({ n })) })),
      }),
    );
    expect(output.FailedRecordCount).toBe(0);
    return (output.Records ?? []).map((entry, i) => ({
      n: ns[i]!,
      shardId: entry.ShardId!,
      sequenceNumber: entry.SequenceNumber!,
    }));
  }

  function numbersOf(event: KinesisStreamEvent): number[] {
    return event.Records.map(
      (r) => (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { n: number }).n,
    );
  }

  function recorder(
    answer: (ns: number[], event: KinesisStreamEvent) => KinesisStreamBatchResponse | void = () => undefined,
  ) {
    const seen: SeenBatch[] = [];
    const handler = async (event: KinesisStreamEvent) => {
      const ns = numbersOf(event);
      seen.push({ shardId: event.Records[0]!.eventID.split(':')[0]!, ns, at: Date.now() });
      return answer(ns, event);
    };
    return { seen, handler };
  }

  async function startPoller(
    options: Omit<KinesisPollerOptions, 'kinesis' | 'startingPosition'> &
      Partial<Pick<KinesisPollerOptions, 'startingPosition'>>,
  ): Promise<KinesisPoller> {
    const poller = new KinesisPoller({
      kinesis,
      startingPosition: 'TRIM_HORIZON',
      pollIntervalMs: 10,
      retryBackoffMs: 5,
      logger: quiet,
      ...options,
    });
    pollers.push(poller);
    await poller.start();
    return poller;
  }

  async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function createQueue(): Promise<string> {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `poller-dlq-${streamCount}-${Date.now()}` }),
    );
    return QueueUrl!;
  }

  async function receiveAll(queueUrl: string, count: number): Promise<KinesisOnFailureRecord[]> {
    const bodies: KinesisOnFailureRecord[] = [];
    const deadline = Date.now() + 5_000;
    while (bodies.length < count && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages) {
        bodies.push(JSON.parse(message.Body!) as KinesisOnFailureRecord);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }),
        );
      }
      if (Messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return bodies;
  }

  it('reads an idle shard less and less often, and still delivers the first record after the pause', async () => {
    // prepare: count the GetRecords calls
    const stream = await createStream(1);
    const getRecords = countGetRecords();
    try {
      const { seen, handler } = recorder();
      await startPoller({ streamName: stream, handler, pollIntervalMs: 10, idlePollIntervalMs: 300 });
      // act: 1.5 s of silence, then a record
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const idleReads = getRecords.count;
      const putAt = Date.now();
      await put(stream, [1]);
      await waitFor(() => seen.length === 1, 'the record after the pause');
      // assess: without the backoff it would have read ~150 times; the wait after a pause is bounded
      expect(idleReads).toBeLessThan(20);
      expect(seen[0]!.ns).toEqual([1]);
      expect(seen[0]!.at - putAt).toBeLessThan(1_000);
    } finally {
      getRecords.stop();
    }
  });

  it('spaces the reads of a busy shard by minReadIntervalMs, so records gather into fewer batches', async () => {
    // prepare: count the GetRecords calls; records keep coming every 20 ms for a second
    const stream = await createStream(1);
    const getRecords = countGetRecords();
    try {
      const { seen, handler } = recorder();
      await startPoller({ streamName: stream, handler, pollIntervalMs: 5, minReadIntervalMs: 200 });
      const readsBefore = getRecords.count;
      const startedAt = Date.now();
      // act
      for (let n = 0; n < 50; n++) {
        await put(stream, [n]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await waitFor(() => seen.flatMap((batch) => batch.ns).length === 50, 'all 50 records');
      const elapsed = Date.now() - startedAt;
      // assess: at most one read per 200 ms (plus the one in flight when timing started); without the
      // spacing a 5 ms poll interval reads a busy shard after every batch
      expect(getRecords.count - readsBefore).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 1);
      expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 1);
      expect(seen.flatMap((batch) => batch.ns)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    } finally {
      getRecords.stop();
    }
  });

  it('delivers every record once, in order per shard, as Lambda event records', async () => {
    // prepare
    const stream = await createStream(4);
    const puts = await put(
      stream,
      Array.from({ length: 200 }, (_, i) => i),
      (n) => `VIN${n % 16}`,
    );
    const { seen, handler } = recorder();
    const events: KinesisStreamEvent[] = [];

    // act
    const poller = await startPoller({
      streamName: stream,
      batchSize: 10,
      handler: async (event) => {
        events.push(event);
        await handler(event);
      },
    });
    await waitFor(() => seen.flatMap((b) => b.ns).length >= 200, 'all records');

    // assess
    const delivered = seen.flatMap((b) => b.ns);
    expect([...delivered].sort((a, b) => a - b)).toEqual(puts.map((p) => p.n));
    expect(new Set(puts.map((p) => p.shardId)).size).toBeGreaterThan(1);
    for (const shardId of new Set(puts.map((p) => p.shardId))) {
      const expected = puts.filter((p) => p.shardId === shardId).map((p) => p.n);
      const got = seen.filter((b) => b.shardId === shardId).flatMap((b) => b.ns);
      expect(got, shardId).toEqual(expected);
    }
    expect(Math.max(...seen.map((b) => b.ns.length))).toBeLessThanOrEqual(10);
    const first = events[0]!.Records[0]!;
    const put0 = puts.find((p) => p.sequenceNumber === first.kinesis.sequenceNumber)!;
    expect(first).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventID: `${put0.shardId}:${put0.sequenceNumber}`,
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
      invokeIdentityArn: `arn:aws:iam::000000000000:role/${stream}-consumer-role`,
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `VIN${put0.n % 16}`,
        sequenceNumber: put0.sequenceNumber,
      },
    });
    expect(first.kinesis.approximateArrivalTimestamp).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(first.kinesis.approximateArrivalTimestamp).toBeLessThanOrEqual(Date.now() / 1000);
    const stats = poller.stats();
    expect(stats.totals).toMatchObject({
      recordsRead: 200,
      recordsDelivered: 200,
      failures: 0,
      recordsDiscarded: 0,
    });
    expect(stats.totals.batches).toBe(seen.length);
    expect(stats.shards).toHaveLength(4);
  });

  it('fills batches up to batchSize and waits no longer than the batching window', async () => {
    // prepare
    const stream = await createStream(1);
    await put(
      stream,
      Array.from({ length: 12 }, (_, i) => i),
    );
    const { seen, handler } = recorder();

    // act: 12 waiting records, batches of 5, a 300 ms window
    await startPoller({ streamName: stream, batchSize: 5, maximumBatchingWindowMs: 300, handler });
    await waitFor(() => seen.length >= 3, 'three batches');
    const trickleStart = seen.length;
    const putAt = Date.now();
    await put(stream, [100]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await put(stream, [101]);
    await waitFor(() => seen.length > trickleStart, 'the trickled batch');

    // assess: full batches go at once, the rest when the window ends, never later
    expect(seen.slice(0, 3).map((b) => b.ns)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [10, 11],
    ]);
    expect(seen[1]!.at - seen[0]!.at).toBeLessThan(200);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(250);
    expect(seen[2]!.at - seen[1]!.at).toBeLessThan(700);
    expect(seen[3]!.ns).toEqual([100, 101]);
    expect(seen[3]!.at - putAt).toBeGreaterThanOrEqual(250);
    expect(seen[3]!.at - putAt).toBeLessThan(700);
  });

  it('retries from the first failed record of a partial batch response', async () => {
    // prepare
    const stream = await createStream(1);
    const puts = await put(
      stream,
      Array.from({ length: 10 }, (_, i) => i),
    );
    let failed = false;
    const { seen, handler } = recorder((ns) => {
      // Record 2 fails once; record 3 is reported too, the lowest one counts.
      if (!failed && ns.includes(2)) {
        failed = true;
        return { batchItemFailures: [3, 2].map((n) => ({ itemIdentifier: puts[n]!.sequenceNumber })) };
      }
      return { batchItemFailures: [] };
    });

    // act
    const poller = await startPoller({ streamName: stream, batchSize: 4, handler });
    await waitFor(() => seen.flatMap((b) => b.ns).includes(9), 'the last record');

    // assess
    expect(seen.map((b) => b.ns)).toEqual([
      [0, 1, 2, 3],
      [2, 3, 4, 5],
      [6, 7, 8, 9],
    ]);
    expect(poller.stats().totals).toMatchObject({
      recordsDelivered: 10,
      failures: 1,
      retries: 1,
      recordsDiscarded: 0,
    });
  });

  it('takes a malformed partial batch response as a complete failure and retries the whole batch', async () => {
    const stream = await createStream(1);
    await put(stream, [0, 1, 2]);
    let calls = 0;
    const { seen, handler } = recorder(() =>
      calls++ === 0
        ? ({ batchItemFailures: [{ itemIdentifier: '' }] } as KinesisStreamBatchResponse)
        : undefined,
    );

    await startPoller({ streamName: stream, handler });
    await waitFor(() => seen.length >= 2, 'the retry');

    expect(seen.map((b) => b.ns)).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('bisects a batch whose invocation throws, isolates the bad record and discards it after its retries', async () => {
    // prepare
    const stream = await createStream(1);
    const queueUrl = await createQueue();
    const puts = await put(
      stream,
      Array.from({ length: 8 }, (_, i) => i),
    );
    const { seen, handler } = recorder((ns) => {
      if (ns.includes(5)) throw new Error('poison record 5');
    });

    // act
    const poller = await startPoller({
      streamName: stream,
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
      sqs,
      onFailureQueueUrl: queueUrl,
      handler,
    });
    await waitFor(
      () => seen.some((b) => b.ns.includes(7) && !b.ns.includes(5)),
      'the records after the bad one',
    );
    const [failureRecord] = await receiveAll(queueUrl, 1);

    // assess: halves are retried without spending the quota; the single bad record spends it
    expect(seen.map((b) => b.ns)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [4, 5],
      [4],
      [5],
      [5],
      [6, 7],
    ]);
    expect(failureRecord!.KinesisBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: puts[5]!.sequenceNumber,
      endSequenceNumber: puts[5]!.sequenceNumber,
    });
    expect(failureRecord!.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(poller.stats().shards[0]).toMatchObject({
      bisections: 3,
      recordsDelivered: 7,
      recordsDiscarded: 1,
    });
  });

  it('sends the documented invocation record to the on-failure queue when retries run out, then moves on', async () => {
    // prepare
    const stream = await createStream(1);
    const queueUrl = await createQueue();
    const puts = await put(stream, [0, 1, 2]);
    const { seen, handler } = recorder((ns) => {
      if (ns.includes(1)) throw new Error('cannot decode record 1');
    });

    // act
    const poller = await startPoller({
      streamName: stream,
      batchSize: 3,
      maximumRetryAttempts: 2,
      sqs,
      onFailureQueueUrl: queueUrl,
      functionName: 'ingest',
      handler,
    });
    await waitFor(() => seen.length >= 3, 'three invocations');
    const [record] = await receiveAll(queueUrl, 1);
    await put(stream, [3, 4]);
    await waitFor(() => seen.some((b) => b.ns.includes(4)), 'later records');

    // assess
    expect(seen.map((b) => b.ns)).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
      [3, 4],
    ]);
    expect(Object.keys(record!).sort()).toEqual([
      'KinesisBatchInfo',
      'requestContext',
      'responseContext',
      'timestamp',
      'version',
    ]);
    expect(record).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      KinesisBatchInfo: {
        shardId: puts[0]!.shardId,
        startSequenceNumber: puts[0]!.sequenceNumber,
        endSequenceNumber: puts[2]!.sequenceNumber,
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        batchSize: 3,
        streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
      },
    });
    expect(poller.stats().totals).toMatchObject({
      recordsDelivered: 2,
      recordsDiscarded: 3,
      failures: 3,
      retries: 2,
    });
  });

  it('discards records older than the maximum record age', async () => {
    // prepare
    const stream = await createStream(1);
    const queueUrl = await createQueue();
    await put(stream, [0, 1]);
    let healthy = false;
    const { seen, handler } = recorder(() => {
      if (!healthy) throw new Error('downstream unavailable');
    });

    // act
    await startPoller({
      streamName: stream,
      maximumRecordAgeSeconds: 0.4,
      sqs,
      onFailureQueueUrl: queueUrl,
      handler,
    });
    const [record] = await receiveAll(queueUrl, 1);
    const seenBeforeDiscard = seen.length;
    healthy = true;
    await put(stream, [2]);
    await waitFor(() => seen.some((b) => b.ns.includes(2)), 'a fresh record');

    // assess
    expect(record!.requestContext.condition).toBe('RecordAgeExceeded');
    expect(record!.requestContext.approximateInvokeCount).toBeGreaterThan(0);
    expect(record!.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record!.KinesisBatchInfo.batchSize).toBe(2);
    expect(seen.slice(0, seenBeforeDiscard).every((b) => b.ns.join() === '0,1')).toBe(true);
    expect(seen.slice(seenBeforeDiscard).map((b) => b.ns)).toEqual([[2]]);
  });

  it('starts at LATEST with only records put after start(), at TRIM_HORIZON with all of them', async () => {
    // prepare
    const stream = await createStream(2);
    await put(stream, [0, 1, 2], (n) => `VIN${n}`);
    const latest = recorder();
    const trim = recorder();

    // act
    await startPoller({ streamName: stream, startingPosition: 'LATEST', handler: latest.handler });
    await startPoller({ streamName: stream, startingPosition: 'TRIM_HORIZON', handler: trim.handler });
    await put(stream, [3, 4], (n) => `VIN${n}`);
    await waitFor(() => trim.seen.flatMap((b) => b.ns).length >= 5, 'all records at TRIM_HORIZON');
    await waitFor(() => latest.seen.flatMap((b) => b.ns).length >= 2, 'new records at LATEST');
    await new Promise((resolve) => setTimeout(resolve, 50));

    // assess
    expect(latest.seen.flatMap((b) => b.ns).sort((a, b) => a - b)).toEqual([3, 4]);
    expect(trim.seen.flatMap((b) => b.ns).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops gracefully: the batch in flight finishes and is checkpointed, a restart resumes after it', async () => {
    // prepare
    const stream = await createStream(1);
    await put(
      stream,
      Array.from({ length: 6 }, (_, i) => i),
    );
    const checkpointStore = new InMemoryCheckpointStore();
    let release: () => void = () => undefined;
    let finished = false;
    const first = recorder();
    const slow = async (event: KinesisStreamEvent) => {
      await first.handler(event);
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    };
    const poller = await startPoller({ streamName: stream, batchSize: 3, checkpointStore, handler: slow });
    await waitFor(() => first.seen.length === 1, 'the first batch in flight');

    // act
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedBeforeRelease = stopped;
    release();
    await stopping;
    const second = recorder();
    await startPoller({ streamName: stream, batchSize: 3, checkpointStore, handler: second.handler });
    await waitFor(() => second.seen.flatMap((b) => b.ns).includes(5), 'the rest after a restart');

    // assess
    expect(stoppedBeforeRelease).toBe(false);
    expect(finished).toBe(true);
    expect(first.seen.map((b) => b.ns)).toEqual([[0, 1, 2]]);
    expect(poller.stats().shards[0]).toMatchObject({ status: 'stopped', recordsDelivered: 3 });
    expect(second.seen.map((b) => b.ns)).toEqual([[3, 4, 5]]);
  });

  it('reads a parent shard to its end before its children after a split, and finds the children', async () => {
    // prepare
    const stream = await createStream(1);
    await put(stream, [0, 1, 2]);
    const { seen, handler } = recorder();
    const poller = await startPoller({
      streamName: stream,
      batchSize: 2,
      shardDiscoveryIntervalMs: 50,
      handler,
    });
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const parent = Shards[0]!;

    // act
    await kinesis.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: parent.ShardId,
        NewStartingHashKey: (BigInt(parent.HashKeyRange!.EndingHashKey!) / 2n).toString(),
      }),
    );
    await waitForActive(stream);
    const after = await put(stream, [3, 4, 5]);
    await waitFor(() => seen.flatMap((b) => b.ns).length >= 6, 'records of the children');

    // assess
    expect(after.every((p) => p.shardId !== parent.ShardId)).toBe(true);
    const delivered = seen.flatMap((b) => b.ns);
    expect(delivered.slice(0, 3)).toEqual([0, 1, 2]);
    expect([...delivered].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const stats = poller.stats();
    expect(stats.shards.find((s) => s.shardId === parent.ShardId)?.status).toBe('finished');
    expect(stats.shards).toHaveLength(3);
  });

  it('rides out an edge that fails for a while, then delivers everything once and in order', async () => {
    // prepare: the poller reaches the edge through a proxy that can answer 503 to everything
    const stream = await createStream(1);
    let failing = false;
    let refused = 0;
    const target = new URL(edge.url);
    const proxy = createServer((req, res) => {
      if (failing) {
        refused++;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'the edge is briefly away' }));
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const flakyKinesis = new KinesisClient({
      ...awsClientConfig({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` }),
      maxAttempts: 1,
    });
    const warnings: string[] = [];
    const { seen, handler } = recorder();
    try {
      const poller = new KinesisPoller({
        kinesis: flakyKinesis,
        streamName: stream,
        startingPosition: 'TRIM_HORIZON',
        pollIntervalMs: 10,
        logger: { warn: (line: string) => warnings.push(line) },
        handler,
      });
      pollers.push(poller);
      await poller.start();
      await put(stream, [0, 1, 2]);
      await waitFor(() => seen.flatMap((b) => b.ns).length === 3, 'records before the outage');

      // act
      failing = true;
      await put(stream, [3, 4]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await put(stream, [5]);
      failing = false;
      await waitFor(() => seen.flatMap((b) => b.ns).length >= 6, 'records after the outage');

      // assess
      expect(seen.flatMap((b) => b.ns)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(refused).toBeGreaterThan(0);
      expect(warnings.some((line) => line.includes('GetRecords failed'))).toBe(true);
    } finally {
      flakyKinesis.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('refuses to start on a stream that does not exist', async () => {
    const poller = new KinesisPoller({
      kinesis,
      streamName: 'no_such_stream',
      startingPosition: 'LATEST',
      handler: async () => undefined,
      startTimeoutMs: 200,
      logger: quiet,
    });
    await expect(poller.start()).rejects.toBeInstanceOf(KinesisStreamUnavailableError);
  });

  it('reports lag while records wait for a slow function', async () => {
    const stream = await createStream(1);
    let release: () => void = () => undefined;
    const poller = await startPoller({
      streamName: stream,
      batchSize: 1,
      handler: () => new Promise<void>((resolve) => (release = resolve)),
    });
    await put(stream, [0]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const behind = poller.stats().shards[0]!;
    release();
    await waitFor(() => poller.stats().shards[0]!.recordsDelivered === 1, 'the slow batch');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(behind.iteratorAgeMs).toBeGreaterThanOrEqual(100);
    expect(behind.pendingRecords).toBe(1);
    expect(poller.stats().shards[0]!.iteratorAgeMs).toBe(0);
    expect(poller.stats().shards[0]!.lastBatchIteratorAgeMs).toBeGreaterThanOrEqual(100);
  });
});
