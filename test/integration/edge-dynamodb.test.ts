import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

describe('edge: DynamoDB through dynalite', () => {
  let edge: TestEdge;
  let dynamodb: DynamoDBClient;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    edge = await startTestEdge();
    dynamodb = new DynamoDBClient(edge.clientConfig);
    documents = DynamoDBDocumentClient.from(dynamodb);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'vehicles',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'tenantId', AttributeType: 'S' },
          { AttributeName: 'name', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byTenant',
            KeySchema: [
              { AttributeName: 'tenantId', KeyType: 'HASH' },
              { AttributeName: 'name', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 10, minDelay: 1 }, { TableName: 'vehicles' });
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await edge?.stop();
  });

  it('queries a global secondary index by tenant, sorted by its range key', async () => {
    // prepare
    const items = [
      { pk: 'v1', tenantId: 'acme', name: 'Truck 2' },
      { pk: 'v2', tenantId: 'acme', name: 'Truck 1' },
      { pk: 'v3', tenantId: 'globex', name: 'Van 1' },
    ];
    for (const item of items) await documents.send(new PutCommand({ TableName: 'vehicles', Item: item }));

    // act
    const result = await documents.send(
      new QueryCommand({
        TableName: 'vehicles',
        IndexName: 'byTenant',
        KeyConditionExpression: 'tenantId = :t',
        ExpressionAttributeValues: { ':t': 'acme' },
      }),
    );

    // assess
    expect(result.Items?.map((item) => item.pk)).toEqual(['v2', 'v1']);
  });

  it('honours conditional puts and reports missing tables with the SDK exception classes', async () => {
    const put = () =>
      documents.send(
        new PutCommand({
          TableName: 'vehicles',
          Item: { pk: 'audit-1', tenantId: 'acme', name: 'x' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(
      documents.send(new PutCommand({ TableName: 'missing-table', Item: { pk: 'x' } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
