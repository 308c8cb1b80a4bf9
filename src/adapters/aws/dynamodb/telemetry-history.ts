import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TelemetryHistoryItem, TelemetryHistoryWriter } from '../../../ports/telemetry-history.ts';
import type { RetryOptions } from '../retry.ts';
import { TELEMETRY_HISTORY_TABLE, tableName } from './table-definitions.ts';

/** BatchWriteItem takes at most 25 items per call. */
const BATCH_WRITE_MAX_ITEMS = 25;

/** The table's partition key of a vehicle: the tenant is part of it, so a query cannot cross tenants. */
export function historyVehicleKey(tenantId: string, vehicleId: string): string {
  return `${tenantId}#${vehicleId}`;
}

/**
 * {@link TelemetryHistoryWriter} on DynamoDB `BatchWriteItem`: 25 items per call, calls in parallel, and
 * the `UnprocessedItems` of each call retried with exponential backoff and full jitter. Items still
 * unprocessed after the last attempt, or whose call failed as a whole (after the SDK's own retries), are
 * reported by index.
 */
export class DynamoDbTelemetryHistory implements TelemetryHistoryWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string = tableName(TELEMETRY_HISTORY_TABLE),
    private readonly retry: RetryOptions = {},
  ) {}

  async write(items: readonly TelemetryHistoryItem[]): Promise<number[]> {
    const chunks: number[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_MAX_ITEMS) {
      chunks.push(Array.from({ length: Math.min(BATCH_WRITE_MAX_ITEMS, items.length - i) }, (_, j) => i + j));
    }
    const failed = await Promise.all(chunks.map((chunk) => this.writeChunk(items, chunk)));
    return failed.flat().sort((a, b) => a - b);
  }

  private async writeChunk(items: readonly TelemetryHistoryItem[], indexes: number[]): Promise<number[]> {
    const attempts = this.retry.attempts ?? 5;
    const base = this.retry.baseDelayMs ?? 50;
    const max = this.retry.maxDelayMs ?? 2_000;
    const indexOfKey = new Map<string, number>();
    let pending: WriteRequest[] = indexes.map((index) => {
      const item = items[index]!;
      const vehicleKey = historyVehicleKey(item.tenantId, item.vehicleId);
      const at = new Date(item.at).toISOString();
      indexOfKey.set(`${vehicleKey}|${at}`, index);
      return {
        PutRequest: {
          Item: marshall(
            { vehicleKey, at, signals: item.signals, ttl: item.expiresAt },
            { removeUndefinedValues: true, convertClassInstanceToMap: false },
          ),
        },
      };
    });
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.random() * Math.min(max, base * 2 ** attempt)),
        );
      }
      try {
        const response = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }),
        );
        pending = response.UnprocessedItems?.[this.table] ?? [];
      } catch (error) {
        // The SDK has retried the call already; a call that still fails (throttled table, network) fails
        // its items, which the caller turns into batch item failures. Validation errors are bugs: rethrow.
        if ((error as Error).name === 'ValidationException') throw error;
        break;
      }
    }
    return pending.map((request) => {
      const item = request.PutRequest!.Item!;
      return indexOfKey.get(`${item['vehicleKey']!.S}|${item['at']!.S}`)!;
    });
  }
}
