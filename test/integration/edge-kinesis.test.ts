import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

describe('edge: Kinesis through kinesalite', () => {
  let edge: TestEdge;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    edge = await startTestEdge();
    kinesis = new KinesisClient(edge.clientConfig);
  });
  afterAll(async () => {
    kinesis?.destroy();
    await edge?.stop();
  });

  it('puts records across shards and reads every one back from its shard, in order', async () => {
    // prepare
    await kinesis.send(new CreateStreamCommand({ StreamName: 'tesla_V', ShardCount: 4 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 10, minDelay: 1 }, { StreamName: 'tesla_V' });
    const records = Array.from({ length: 40 }, (_, i) => ({
      PartitionKey: `VIN${String(i % 10).padStart(14, '0')}`,
      Data: Buffer.from(JSON.stringify({ seq: i })),
    }));

    // act
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: 'tesla_V', Records: records }));
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: 'tesla_V' }));
    const read: { shardId: string; seq: number; key: string }[] = [];
    for (const shard of Shards) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'tesla_V',
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const batch = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      for (const record of batch.Records ?? []) {
        read.push({
          shardId: shard.ShardId!,
          seq: (JSON.parse(Buffer.from(record.Data!).toString()) as { seq: number }).seq,
          key: record.PartitionKey!,
        });
      }
    }

    // assess
    expect(put.FailedRecordCount).toBe(0);
    expect(Shards).toHaveLength(4);
    expect(read.map((r) => r.seq).sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    expect(new Set(read.map((r) => r.shardId)).size).toBeGreaterThan(1);
    for (const key of new Set(read.map((r) => r.key))) {
      const ofKey = read.filter((r) => r.key === key);
      expect(new Set(ofKey.map((r) => r.shardId)).size, `one partition key, one shard: ${key}`).toBe(1);
      expect(ofKey.map((r) => r.seq)).toEqual([...ofKey.map((r) => r.seq)].sort((a, b) => a - b));
    }
  });

  it('describes a stream and raises ResourceNotFoundException for a missing one', async () => {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'tesla_V' }));
    expect(summary.StreamDescriptionSummary?.OpenShardCount).toBe(4);
    await expect(
      kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
