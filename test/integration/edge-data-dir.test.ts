import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

describe('edge --data-dir: Kinesis and DynamoDB data survive a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-edge-'));
  let edge: TestEdge | undefined;
  afterEach(async () => {
    await edge?.stop();
    edge = undefined;
  });

  it('keeps streams, records, tables and items on disk', async () => {
    // prepare: first life of the edge
    edge = await startTestEdge({ dataDir });
    let kinesis = new KinesisClient(edge.clientConfig);
    let dynamodb = new DynamoDBClient(edge.clientConfig);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'tesla_alerts', ShardCount: 1 }));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'audit',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 1 },
      { StreamName: 'tesla_alerts' },
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 10, minDelay: 1 }, { TableName: 'audit' });
    const put = await kinesis.send(
      new PutRecordCommand({ StreamName: 'tesla_alerts', PartitionKey: 'k', Data: Buffer.from('kept') }),
    );
    await dynamodb.send(
      new PutItemCommand({ TableName: 'audit', Item: { pk: { S: 'a1' }, who: { S: 'alice' } } }),
    );
    kinesis.destroy();
    dynamodb.destroy();
    await edge.stop();

    // act: second life on the same directory
    edge = await startTestEdge({ dataDir });
    kinesis = new KinesisClient(edge.clientConfig);
    dynamodb = new DynamoDBClient(edge.clientConfig);
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'tesla_alerts',
        ShardId: put.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    const item = await dynamodb.send(new GetItemCommand({ TableName: 'audit', Key: { pk: { S: 'a1' } } }));
    kinesis.destroy();
    dynamodb.destroy();

    // assess
    expect(records.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['kept']);
    expect(item.Item?.who).toEqual({ S: 'alice' });
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
});
