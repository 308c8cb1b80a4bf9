import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StoredWebhook, WebhookStore } from '../../../ports/webhooks.ts';
import { tableName, WEBHOOKS_TABLE } from './table-definitions.ts';

/** {@link WebhookStore} on the `webhooks` table (pk `tenantId`, sk `webhookId`). */
export class DynamoDbWebhookStore implements WebhookStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    dynamodb: DynamoDBClient,
    private readonly table = tableName(WEBHOOKS_TABLE),
  ) {
    this.documents = DynamoDBDocumentClient.from(dynamodb);
  }

  async list(tenantId: string): Promise<StoredWebhook[]> {
    const items: StoredWebhook[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) items.push(toWebhook(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async create(webhook: StoredWebhook): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...webhook, detailTypes: [...webhook.detailTypes] },
          ConditionExpression: 'attribute_not_exists(webhookId)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async replaceSecret(
    tenantId: string,
    webhookId: string,
    secretCiphertext: string,
    rotatedAt: string,
  ): Promise<StoredWebhook | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { tenantId, webhookId },
          UpdateExpression: 'SET secretCiphertext = :secret, secretRotatedAt = :at',
          ConditionExpression: 'attribute_exists(webhookId)',
          ExpressionAttributeValues: { ':secret': secretCiphertext, ':at': rotatedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toWebhook(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async delete(tenantId: string, webhookId: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(
      new DeleteCommand({ TableName: this.table, Key: { tenantId, webhookId }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}

function toWebhook(item: Record<string, unknown>): StoredWebhook {
  return {
    tenantId: String(item.tenantId),
    webhookId: String(item.webhookId),
    url: String(item.url),
    detailTypes: Array.isArray(item.detailTypes) ? item.detailTypes.map(String) : [],
    enabled: item.enabled !== false,
    createdAt: String(item.createdAt),
    secretRotatedAt: String(item.secretRotatedAt ?? item.createdAt),
    secretCiphertext: String(item.secretCiphertext),
  };
}
