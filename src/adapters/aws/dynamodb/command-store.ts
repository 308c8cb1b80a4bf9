import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  CommandAlreadyExistsError,
  CommandStateConflictError,
} from '../../../domain/commands/record-errors.ts';
import { isCommandStatus } from '../../../domain/commands/status.ts';
import type {
  CommandListQuery,
  CommandPage,
  CommandRecord,
  CommandStore,
} from '../../../ports/command-store.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { COMMANDS_TABLE, tableName } from './table-definitions.ts';

/** {@link CommandStore} on the DynamoDB commands table (`COMMANDS_TABLE`). */
export class DynamoDbCommandStore implements CommandStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table = tableName(COMMANDS_TABLE),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async create(record: CommandRecord): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...record },
          ConditionExpression: 'attribute_not_exists(commandId)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new CommandAlreadyExistsError(`command ${record.commandId} already exists`, { cause: error });
      }
      throw error;
    }
  }

  async get(commandId: string): Promise<CommandRecord | undefined> {
    const { Item } = await this.documents.send(
      // Strongly consistent: a decision right after the workflow parked the command must see its token.
      new GetCommand({ TableName: this.table, Key: { commandId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toRecord(Item);
  }

  async listByTenant(tenantId: string, query: CommandListQuery): Promise<CommandPage> {
    // A vehicle's commands come from its own index (a vehicle id is global), still filtered by tenant so
    // that a vehicle that changed tenants never shows its former owner's commands.
    const byVehicle = query.vehicleId !== undefined;
    const index = byVehicle ? 'byVehicle' : 'byTenant';
    const keyNames = byVehicle
      ? ['commandId', 'vehicleId', 'requestedAt']
      : ['commandId', 'tenantId', 'requestedAt'];
    let startKey: Record<string, unknown> | undefined = decodePageToken(query.nextToken, keyNames);
    const filters: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    if (byVehicle) {
      filters.push('tenantId = :tenant');
      values[':tenant'] = tenantId;
      values[':vehicle'] = query.vehicleId;
    } else values[':tenant'] = tenantId;
    if (query.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    const items: CommandRecord[] = [];
    // A filter applies after Limit, so keep reading until the page is full or the index is exhausted.
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: byVehicle ? 'vehicleId = :vehicle' : 'tenantId = :tenant',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map(toRecord));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < query.limit);
    return { items, nextToken: encodePageToken(startKey) };
  }

  async setApprovalToken(commandId: string, token: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { commandId },
          UpdateExpression: 'SET approvalTaskToken = :token',
          ConditionExpression: '#status = :waiting',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':waiting': 'approval_requested' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new CommandStateConflictError(
          `command ${commandId} does not exist or is not waiting for approval`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async claimApprovalToken(commandId: string, token: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { commandId },
          UpdateExpression: 'REMOVE approvalTaskToken',
          ConditionExpression: 'approvalTaskToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** An item as a record; attributes the workflow has not set yet are null. */
function toRecord(item: Record<string, unknown>): CommandRecord {
  const status = item.status;
  if (!isCommandStatus(status)) {
    throw new TypeError(`command ${String(item.commandId)} has an unknown status ${String(status)}`);
  }
  const parameters = item.parameters;
  return {
    commandId: String(item.commandId),
    tenantId: String(item.tenantId),
    vehicleId: String(item.vehicleId),
    command: String(item.command),
    parameters:
      typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {},
    status,
    requestedBy: String(item.requestedBy),
    requestedAt: String(item.requestedAt),
    updatedAt: String(item.updatedAt),
    executionArn: String(item.executionArn),
    approvedBy: optionalString(item.approvedBy),
    approvedAt: optionalString(item.approvedAt),
    deniedBy: optionalString(item.deniedBy),
    reason: optionalString(item.reason),
    message: optionalString(item.message),
    errorCode: optionalString(item.errorCode),
    attempts: typeof item.attempts === 'number' ? item.attempts : null,
    ...(typeof item.approvalTaskToken === 'string' ? { approvalTaskToken: item.approvalTaskToken } : {}),
  };
}
