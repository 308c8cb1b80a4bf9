import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import type { PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { teslaStreamNames, TESLA_TOPICS } from '../../src/domain/tesla/index.ts';
import type { TeslaTopic } from '../../src/domain/tesla/index.ts';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { KinesisPutError, KinesisWriter, StreamMissingError } from '../../src/simulator/index.ts';
import type { SimulatedRecord } from '../../src/simulator/index.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

type Call = { readonly stream: string; readonly keys: string[] };

function record(topic: SimulatedRecord['topic'], key: string, bytes = 10): SimulatedRecord {
  return {
    topic,
    partitionKey: key,
    data: new Uint8Array(bytes),
    format: 'protobuf',
    kind: 'original',
    resend: false,
    delayed: false,
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('KinesisWriter against a real edge', () => {
  let edge: TestEdge;
  let admin: KinesisClient;
  const clients: KinesisClient[] = [];

  /**
   * A real client for the writer, with its `PutRecords` calls recorded as the writer makes them (one per
   * `send`; the SDK's own retries of a call are not counted, as the writer does not see them).
   */
  function writerClient(config = edge.clientConfig): { client: KinesisClient; calls: Call[] } {
    const client = new KinesisClient(config);
    clients.push(client);
    const calls: Call[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRecordsCommand') {
          const input = args.input as PutRecordsCommandInput;
          calls.push({
            stream: input.StreamName ?? '',
            keys: (input.Records ?? []).map((r) => r.PartitionKey ?? ''),
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordPutRecordsCalls' },
    );
    return { client, calls };
  }

  async function createStreams(
    namespace: string,
    topics: readonly TeslaTopic[] = TESLA_TOPICS,
  ): Promise<void> {
    const names = teslaStreamNames(namespace);
    await Promise.all(
      topics.map(async (topic) => {
        const StreamName = names[topic];
        await admin.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
        // Polled rather than waited for: the SDK waiter sleeps a whole second, the edge needs 10 ms.
        for (;;) {
          const { StreamDescriptionSummary } = await admin.send(
            new DescribeStreamSummaryCommand({ StreamName }),
          );
          if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
  }

  /** The partition keys of a one-shard stream, in the order Kinesis holds the records. */
  async function keysOn(StreamName: string): Promise<string[]> {
    const { Shards = [] } = await admin.send(new ListShardsCommand({ StreamName }));
    let { ShardIterator } = await admin.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: Shards[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const keys: string[] = [];
    while (ShardIterator) {
      const batch = await admin.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      keys.push(...(batch.Records ?? []).map((r) => r.PartitionKey ?? ''));
      if ((batch.Records ?? []).length === 0) break;
      ShardIterator = batch.NextShardIterator;
    }
    return keys;
  }

  beforeAll(async () => {
    edge = await startTestEdge();
    admin = new KinesisClient(edge.clientConfig);
  });
  afterEach(() => {
    edge.edge.faults.clear();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    admin?.destroy();
    await edge?.stop();
  });

  it('puts each topic on its stream with the VIN as partition key', async () => {
    // prepare
    await createStreams('demo');
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'demo' });
    // act
    const outcome = await writer.put([
      record('V', 'VIN1'),
      record('alerts', 'VIN2'),
      record('V', 'VIN3'),
      record('connectivity', 'VIN1'),
    ]);
    // assess
    expect(outcome).toEqual({ put: 4, failed: 0, retried: 0, calls: 3 });
    expect(calls.sort((a, b) => (a.stream < b.stream ? -1 : 1))).toEqual([
      { stream: 'demo_V', keys: ['VIN1', 'VIN3'] },
      { stream: 'demo_alerts', keys: ['VIN2'] },
      { stream: 'demo_connectivity', keys: ['VIN1'] },
    ]);
    expect(await keysOn('demo_V')).toEqual(['VIN1', 'VIN3']);
    expect(await keysOn('demo_alerts')).toEqual(['VIN2']);
    expect(await keysOn('demo_connectivity')).toEqual(['VIN1']);
    expect(await keysOn('demo_errors')).toEqual([]);
  });

  it('puts many records in calls of at most 500, in order', async () => {
    // prepare
    await createStreams('many', ['V']);
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'many' });
    const keys = Array.from({ length: 1_201 }, (_, i) => `VIN${String(i).padStart(4, '0')}`);
    // act
    const outcome = await writer.put(keys.map((k) => record('V', k)));
    // assess
    expect(outcome).toEqual({ put: 1_201, failed: 0, retried: 0, calls: 3 });
    expect(calls.map((c) => c.keys.length)).toEqual([500, 500, 201]);
    expect(calls.flatMap((c) => c.keys)).toEqual(keys);
    expect(await keysOn('many_V')).toEqual(keys);
  });

  it('puts large records in calls of at most 5 MiB', async () => {
    // prepare: twelve records of just under 1 MiB (data and key), Kinesis's largest
    await createStreams('large', ['V']);
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'large' });
    const keys = Array.from({ length: 12 }, (_, i) => `K${String(i).padStart(2, '0')}`);
    // act
    const outcome = await writer.put(keys.map((k) => record('V', k, 1024 * 1024 - 3)));
    // assess
    expect(outcome).toEqual({ put: 12, failed: 0, retried: 0, calls: 3 });
    expect(calls.map((c) => c.keys.length)).toEqual([5, 5, 2]);
    expect(await keysOn('large_V')).toEqual(keys);
  });

  it('puts the entries Kinesis refused again, and only those', async () => {
    // prepare: the first call has its second and fourth records refused
    await createStreams('refused', ['V']);
    edge.edge.faults.add({
      target: 'Kinesis_20131202.PutRecords',
      effect: { kind: 'partial', entries: 'every-other', code: 'ProvisionedThroughputExceededException' },
      times: 1,
    });
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'refused', baseDelayMs: 1 });
    // act
    const outcome = await writer.put(['A', 'B', 'C', 'D'].map((k) => record('V', k)));
    // assess
    expect(calls.map((c) => c.keys)).toEqual([
      ['A', 'B', 'C', 'D'],
      ['B', 'D'],
    ]);
    expect(outcome).toEqual({ put: 4, failed: 0, retried: 2, calls: 2 });
    // Each record once; the retried ones after the others of their call.
    expect(await keysOn('refused_V')).toEqual(['A', 'C', 'B', 'D']);
  });

  it('backs off between attempts, within maxDelayMs', async () => {
    // prepare: every record refused, so the writer makes all its attempts
    await createStreams('backoff', ['V']);
    edge.edge.faults.add({
      target: 'Kinesis_20131202.PutRecords',
      effect: { kind: 'partial', entries: { ratio: 1 }, code: 'ProvisionedThroughputExceededException' },
    });
    const { client } = writerClient();
    const writer = new KinesisWriter({
      client,
      namespace: 'backoff',
      attempts: 4,
      baseDelayMs: 5_000,
      maxDelayMs: 100,
    });
    // act
    const started = performance.now();
    const outcome = await writer.put([record('V', 'A')]);
    // assess: three backoffs, each below the cap (the base alone would take 35 s)
    expect(outcome).toEqual({ put: 0, failed: 1, retried: 3, calls: 4 });
    expect(performance.now() - started).toBeLessThan(3 * 100 + 1_000);
  });

  it('gives up on entries still refused after every attempt, and counts them', async () => {
    // prepare
    await createStreams('giveup', ['errors']);
    const id = edge.edge.faults.add({
      target: 'Kinesis_20131202.PutRecords',
      effect: { kind: 'partial', entries: [0], code: 'ProvisionedThroughputExceededException' },
    });
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'giveup', attempts: 3, baseDelayMs: 1 });
    // act
    const outcome = await writer.put([record('errors', 'A')]);
    // assess
    expect(outcome).toEqual({ put: 0, failed: 1, retried: 2, calls: 3 });
    expect(calls).toHaveLength(3);
    expect(edge.edge.faults.list()).toEqual([expect.objectContaining({ id, applied: 3 })]);
    expect(await keysOn('giveup_errors')).toEqual([]);
  });

  it('fails clearly when a stream is missing, and creates nothing', async () => {
    // prepare: the default namespace, with its alerts and errors streams missing
    await createStreams('fleetwire', ['V', 'connectivity']);
    const { client } = writerClient();
    const writer = new KinesisWriter({ client });
    // act
    const verify = writer.verify();
    // assess
    await expect(verify).rejects.toBeInstanceOf(StreamMissingError);
    await expect(verify).rejects.toMatchObject({ streams: ['fleetwire_alerts', 'fleetwire_errors'] });
    await expect(writer.put([record('alerts', 'A')])).rejects.toBeInstanceOf(StreamMissingError);
    const { StreamNames = [] } = await admin.send(new ListStreamsCommand({}));
    expect(StreamNames.filter((name) => name.startsWith('fleetwire_')).sort()).toEqual([
      'fleetwire_V',
      'fleetwire_connectivity',
    ]);
  });

  it('reports a call that fails as a whole with the number of records it carried', async () => {
    // prepare: an endpoint nobody listens on
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const { client } = writerClient(awsClientConfig({ endpoint }));
    const writer = new KinesisWriter({ client });
    // act, assess
    await expect(writer.put([record('V', 'A'), record('V', 'B')])).rejects.toMatchObject({
      constructor: KinesisPutError,
      records: 2,
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it("reports a call Kinesis keeps failing as a whole after the SDK's retries", async () => {
    // prepare
    await createStreams('broken', ['V']);
    const id = edge.edge.faults.add({
      target: 'Kinesis_20131202.PutRecords',
      effect: { kind: 'error', code: 'InternalFailure' },
    });
    const { client, calls } = writerClient();
    const writer = new KinesisWriter({ client, namespace: 'broken' });
    // act
    const put = writer.put([record('V', 'A'), record('V', 'B'), record('V', 'C')]);
    // assess
    await expect(put).rejects.toMatchObject({
      constructor: KinesisPutError,
      records: 3,
      message: expect.stringContaining('InternalFailure'),
      cause: expect.objectContaining({ name: 'InternalFailure' }),
    });
    expect(calls).toHaveLength(1);
    // The SDK's three attempts, as configured by awsClientConfig.
    expect(edge.edge.faults.list()).toEqual([expect.objectContaining({ id, applied: 3 })]);
    expect(await keysOn('broken_V')).toEqual([]);
  });
});
