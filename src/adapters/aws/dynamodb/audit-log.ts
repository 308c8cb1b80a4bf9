import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AuditEntryConflictError } from '../../../domain/commands/record-errors.ts';
import type {
  AuditEntry,
  AuditLog,
  AuditOutcome,
  AuditPage,
  AuditStep,
  TenantAuditQuery,
} from '../../../ports/audit-log.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { COMMAND_AUDIT_TABLE, tableName } from './table-definitions.ts';

/**
 * {@link AuditLog} on the DynamoDB audit table (`COMMAND_AUDIT_TABLE`). Entries are written with a
 * conditional put and never updated.
 *
 * `parameters` is stored as JSON text: the state machine writes most entries through the direct
 * DynamoDB integration, which cannot turn an arbitrary JSON object into attribute values, so every writer
 * stores the text and readers parse it.
 */
export class DynamoDbAuditLog implements AuditLog {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table = tableName(COMMAND_AUDIT_TABLE),
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async append(entry: AuditEntry): Promise<void> {
    const item = toItem(entry);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(entryId)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A retry of a put whose answer was lost: the same entry is already there, which is success.
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.table,
          Key: { commandId: entry.commandId, entryId: entry.entryId },
          ConsistentRead: true,
        }),
      );
      if (Item === undefined || canonical(toEntry(Item)) !== canonical(toEntry(item))) {
        throw new AuditEntryConflictError(
          `audit entry ${entry.entryId} of command ${entry.commandId} exists with other content`,
          { cause: error },
        );
      }
    }
  }

  async listForCommand(
    commandId: string,
    page: { limit: number; nextToken?: string | undefined },
  ): Promise<AuditPage> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'commandId = :command',
        ExpressionAttributeValues: { ':command': commandId },
        ConsistentRead: true,
        Limit: page.limit,
        ExclusiveStartKey: decodePageToken(page.nextToken, ['commandId', 'entryId']),
      }),
    );
    return {
      items: (result.Items ?? []).map(toEntry),
      nextToken: encodePageToken(result.LastEvaluatedKey),
    };
  }

  async listByTenant(tenantId: string, query: TenantAuditQuery): Promise<AuditPage> {
    const values: Record<string, unknown> = { ':tenant': tenantId };
    let condition = 'tenantId = :tenant';
    if (query.since !== undefined) {
      condition += ' AND #at >= :since';
      values[':since'] = query.since;
    }
    if (query.vehicleId !== undefined) values[':vehicle'] = query.vehicleId;
    let startKey: Record<string, unknown> | undefined = decodePageToken(query.nextToken, [
      'commandId',
      'entryId',
      'tenantId',
      'at',
    ]);
    const items: AuditEntry[] = [];
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byTenant',
          KeyConditionExpression: condition,
          ...(query.vehicleId !== undefined ? { FilterExpression: 'vehicleId = :vehicle' } : {}),
          ...(query.since !== undefined ? { ExpressionAttributeNames: { '#at': 'at' } } : {}),
          ExpressionAttributeValues: values,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map(toEntry));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < query.limit);
    return { items, nextToken: encodePageToken(startKey) };
  }
}

/** JSON with sorted keys, to compare two entries whatever the order their attributes came back in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function toItem(entry: AuditEntry): Record<string, unknown> {
  return { ...entry, parameters: JSON.stringify(entry.parameters) };
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function parametersOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function toEntry(item: Record<string, unknown>): AuditEntry {
  return {
    commandId: String(item.commandId),
    entryId: String(item.entryId),
    tenantId: String(item.tenantId),
    vehicleId: String(item.vehicleId),
    command: String(item.command),
    parameters: parametersOf(item.parameters),
    step: String(item.step) as AuditStep,
    outcome: String(item.outcome) as AuditOutcome,
    actor: optionalString(item.actor),
    requestedBy: String(item.requestedBy),
    approvedBy: optionalString(item.approvedBy),
    reason: optionalString(item.reason),
    message: optionalString(item.message),
    at: String(item.at),
    executionArn: String(item.executionArn),
    details:
      typeof item.details === 'object' && item.details !== null
        ? (item.details as Record<string, unknown>)
        : {},
  };
}
