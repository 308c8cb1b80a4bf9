import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { VehicleDirectory, VehicleRegistration } from '../../../ports/vehicle-directory.ts';
import { VehicleAlreadyRegisteredError } from '../../../domain/vehicles/errors.ts';
import { tableName, VEHICLES_TABLE } from './table-definitions.ts';
import { withRetries } from '../retry.ts';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

/** {@link VehicleDirectory} on the DynamoDB vehicles table. */
export class DynamoDbVehicleDirectory implements VehicleDirectory {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table = tableName(VEHICLES_TABLE),
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async lookup(vehicleIds: readonly string[]): Promise<Map<string, VehicleRegistration>> {
    const found = new Map<string, VehicleRegistration>();
    const ids = [...new Set(vehicleIds)];
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = ids
        .slice(i, i + BATCH_GET_LIMIT)
        .map((vehicleId) => ({ vehicleId }));
      // UnprocessedKeys come back under throttling; ask again for exactly those, with backoff.
      await withRetries('BatchGetItem UnprocessedKeys', async () => {
        const result = await this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.table] ?? []) {
          const registration = toRegistration(item);
          found.set(registration.vehicleId, registration);
        }
        keys = result.UnprocessedKeys?.[this.table]?.Keys ?? [];
        return keys.length === 0;
      });
    }
    return found;
  }

  async register(registration: VehicleRegistration): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...registration },
          ConditionExpression: 'attribute_not_exists(vehicleId) OR tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': registration.tenantId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VehicleAlreadyRegisteredError(
          `vehicle ${registration.vehicleId} is registered to another tenant`,
        );
      }
      throw error;
    }
  }

  async list(tenantId: string): Promise<VehicleRegistration[]> {
    const registrations: VehicleRegistration[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byTenant',
          KeyConditionExpression: 'tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
          ExclusiveStartKey: cursor,
        }),
      );
      registrations.push(...(page.Items ?? []).map(toRegistration));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return registrations;
  }
}

function toRegistration(item: Record<string, unknown>): VehicleRegistration {
  return {
    vehicleId: String(item.vehicleId),
    tenantId: String(item.tenantId),
    name: String(item.name),
    registeredAt: String(item.registeredAt),
  };
}
