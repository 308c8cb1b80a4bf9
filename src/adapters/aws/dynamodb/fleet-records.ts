/**
 * {@link FleetRecordsStore} on DynamoDB: the `trips`, `charging-sessions` and `alerts` tables. Each item is
 * the record's fields plus a `revision` number; a write is an `UpdateItem` of the projected fields
 * conditioned on the revision it read, so two deliveries of events of one record never lose each other's
 * change, and attributes the projection does not own (`acknowledgedBy`, `acknowledgedAt`) are never touched.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordAddress, RecordKind, RecordOfKind } from '../../../domain/records/records.ts';
import {
  RecordRevisionConflictError,
  type ExpectedRevision,
  type FleetRecordsStore,
  type StoredRecord,
} from '../../../ports/fleet-records.ts';
import {
  ALERTS_TABLE,
  CHARGING_SESSIONS_TABLE,
  TRIPS_TABLE,
  tableName,
  type TableDefinition,
} from './table-definitions.ts';

/** The table definition of each kind of record. */
export const RECORD_TABLES: Readonly<Record<RecordKind, TableDefinition>> = {
  trip: TRIPS_TABLE,
  chargingSession: CHARGING_SESSIONS_TABLE,
  alert: ALERTS_TABLE,
};

/** Attributes of an item that are not fields of the record. */
const NOT_PROJECTED = new Set(['revision', 'acknowledgedBy', 'acknowledgedAt']);

/** Physical table names by kind; each defaults to its definition's environment variable. */
export type RecordTableNames = Readonly<Record<RecordKind, string>>;

/** The physical names of the record tables from the environment (`TRIPS_TABLE`, …). */
export function recordTableNames(env: NodeJS.ProcessEnv = process.env): RecordTableNames {
  return {
    trip: tableName(TRIPS_TABLE, env),
    chargingSession: tableName(CHARGING_SESSIONS_TABLE, env),
    alert: tableName(ALERTS_TABLE, env),
  };
}

/** The records of trips, charging sessions and alerts in DynamoDB. */
export class DynamoDbFleetRecords implements FleetRecordsStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tables: RecordTableNames = recordTableNames(),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async read<K extends RecordKind>(address: RecordAddress<K>): Promise<StoredRecord<K> | undefined> {
    const definition = RECORD_TABLES[address.kind];
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tables[address.kind],
        Key: { [definition.partitionKey]: address.tenantId, [definition.sortKey!]: address.key },
        // A write conditioned on this revision must see the latest one, or it only retries.
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const record = Object.fromEntries(Object.entries(Item).filter(([name]) => !NOT_PROJECTED.has(name)));
    return { record: record as unknown as RecordOfKind[K], revision: Number(Item.revision ?? 0) };
  }

  async write<K extends RecordKind>(
    kind: K,
    record: RecordOfKind[K],
    expected: ExpectedRevision,
  ): Promise<void> {
    const definition = RECORD_TABLES[kind];
    const keyNames = new Set([definition.partitionKey, definition.sortKey!]);
    const fields = Object.entries(record as unknown as Record<string, unknown>).filter(
      ([name, value]) => !keyNames.has(name) && !NOT_PROJECTED.has(name) && value !== undefined,
    );
    const names: Record<string, string> = { '#revision': 'revision' };
    const values: Record<string, unknown> = { ':next': (expected ?? 0) + 1 };
    const assignments = ['#revision = :next'];
    fields.forEach(([name, value], index) => {
      // Placeholders for every name: record fields include DynamoDB reserved words (`status`, `ttl`).
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      assignments.push(`#f${index} = :f${index}`);
    });
    // DynamoDB refuses names and values the expressions do not use.
    if (expected === null) names['#pk'] = definition.partitionKey;
    else values[':expected'] = expected;
    const key = record as unknown as Record<string, unknown>;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables[kind],
          Key: {
            [definition.partitionKey]: key[definition.partitionKey],
            [definition.sortKey!]: key[definition.sortKey!],
          },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: expected === null ? 'attribute_not_exists(#pk)' : '#revision = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new RecordRevisionConflictError(
          `The ${kind} record ${String(key[definition.sortKey!])} is no longer at revision ${expected ?? 'none'}.`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
