/**
 * `fleetwire audit list|show`: the vehicle command audit trail for auditors, read from the audit log and
 * the commands table with the DynamoDB client and from the execution history with the Step Functions
 * client, on the local edge by default or in AWS with `--aws`.
 */
import type { Command } from 'commander';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbAuditLog } from '../../adapters/aws/dynamodb/audit-log.ts';
import { DynamoDbCommandStore } from '../../adapters/aws/dynamodb/command-store.ts';
import {
  COMMAND_AUDIT_TABLE,
  COMMANDS_TABLE,
  tableName,
} from '../../adapters/aws/dynamodb/table-definitions.ts';
import {
  executionArnOf,
  formatStory,
  formatSummaries,
  InvalidSinceError,
  maskVinsDeep,
  parseSince,
  storyTimeline,
  summarizeCommands,
  withoutTaskToken,
  type CommandStory,
} from '../../domain/commands/audit-timeline.ts';
import type { AuditEntry } from '../../ports/audit-log.ts';
import { CliError } from '../cli-error.ts';
import { endpointOf } from './vehicles.ts';

/** Entries or commands read per request; every page is read. */
const PAGE_SIZE = 500;
/** What Step Functions answers at most per `GetExecutionHistory` page. */
const HISTORY_PAGE_SIZE = 1000;

/** Options every `audit` subcommand takes. */
interface AuditConnectionOptions {
  readonly endpoint?: string;
  readonly aws?: boolean;
  readonly commandsTable: string;
  readonly auditTable: string;
  readonly json?: boolean;
}

/** `fleetwire audit list` and `fleetwire audit show`. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the vehicle command audit trail: audit log, command records and execution histories');

  withConnectionOptions(
    audit
      .command('list')
      .description(
        "list commands, one line each with its latest outcome: a tenant's from the audit log, or a " +
          "vehicle's from the commands table (never a table scan)",
      )
      .option('--tenant <id>', "the tenant's audit log (its byTenant index)")
      .option('--vehicle <id>', 'only this vehicle (its pseudonymous vehicle id)')
      .option(
        '--since <time>',
        'from this time: ISO-8601 (2025-03-01, 2025-03-01T12:00:00Z) or back 90m, 24h, 7d',
      ),
  ).action(
    async (options: AuditConnectionOptions & { tenant?: string; vehicle?: string; since?: string }) => {
      if (options.tenant === undefined && options.vehicle === undefined) {
        throw new CliError(
          'audit list needs --tenant (the audit log by tenant) or --vehicle (the commands of one vehicle); ' +
            'it reads indexes and never scans a table',
        );
      }
      const since = options.since === undefined ? undefined : sinceOf(options.since);
      const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: endpointOf(options) }));
      try {
        const auditLog = new DynamoDbAuditLog(dynamodb, options.auditTable);
        const entries =
          options.tenant !== undefined
            ? await tenantEntries(auditLog, options.tenant, options.vehicle, since)
            : await vehicleEntries(dynamodb, auditLog, options.commandsTable, options.vehicle!, since);
        const summaries = summarizeCommands(entries);
        if (options.json) {
          for (const summary of summaries) {
            const auditEntries = entries.filter((entry) => entry.commandId === summary.commandId);
            process.stdout.write(`${JSON.stringify(maskVinsDeep({ ...summary, auditEntries }))}\n`);
          }
        } else if (summaries.length === 0) {
          process.stdout.write('no commands\n');
        } else {
          process.stdout.write(`${formatSummaries(summaries).join('\n')}\n`);
        }
      } finally {
        dynamodb.destroy();
      }
    },
  );

  withConnectionOptions(
    audit
      .command('show')
      .description(
        "one command's whole story in time order: its record, its audit entries and its execution history",
      )
      .argument('<commandId>', 'the command id (also the name of its execution)'),
  ).action(async (commandId: string, options: AuditConnectionOptions) => {
    const endpoint = endpointOf(options);
    const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint }));
    try {
      const story = await readStory(commandId, dynamodb, endpoint, options);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(maskVinsDeep({ ...story, timeline: storyTimeline(story) }), null, 2)}\n`,
        );
      } else {
        process.stdout.write(formatStory(story));
      }
    } finally {
      dynamodb.destroy();
    }
  });
}

function withConnectionOptions(command: Command): Command {
  return command
    .option('--json', 'structured data instead of text')
    .option(
      '--commands-table <name>',
      'the commands table (default COMMANDS_TABLE or fleetwire-commands)',
      tableName(COMMANDS_TABLE),
    )
    .option(
      '--audit-table <name>',
      'the audit table (default COMMAND_AUDIT_TABLE or fleetwire-command-audit)',
      tableName(COMMAND_AUDIT_TABLE),
    )
    .option('--endpoint <url>', 'the local edge (default AWS_ENDPOINT_URL or http://127.0.0.1:4566)')
    .option('--aws', 'talk to AWS itself, not the local edge');
}

function sinceOf(value: string): string {
  try {
    return parseSince(value);
  } catch (error) {
    if (error instanceof InvalidSinceError) throw new CliError(error.message);
    throw error;
  }
}

/** The tenant's audit entries (at or after `since`, of one vehicle if given), every page. */
async function tenantEntries(
  auditLog: DynamoDbAuditLog,
  tenantId: string,
  vehicleId: string | undefined,
  since: string | undefined,
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await auditLog.listByTenant(tenantId, { since, vehicleId, limit: PAGE_SIZE, nextToken });
    entries.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return entries;
}

/**
 * The audit entries of the commands requested for a vehicle (at or after `since`): the audit table has no
 * vehicle index, so the command ids come from the commands table's `byVehicle` index. A vehicle id is a
 * pseudonym unique across tenants, so no tenant is needed.
 */
async function vehicleEntries(
  dynamodb: DynamoDBClient,
  auditLog: DynamoDbAuditLog,
  commandsTable: string,
  vehicleId: string,
  since: string | undefined,
): Promise<AuditEntry[]> {
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const commandIds: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: commandsTable,
        IndexName: 'byVehicle',
        KeyConditionExpression:
          since === undefined ? 'vehicleId = :vehicle' : 'vehicleId = :vehicle AND requestedAt >= :since',
        ExpressionAttributeValues:
          since === undefined ? { ':vehicle': vehicleId } : { ':vehicle': vehicleId, ':since': since },
        ProjectionExpression: 'commandId',
        Limit: PAGE_SIZE,
        ExclusiveStartKey: startKey,
      }),
    );
    commandIds.push(...(page.Items ?? []).map((item) => String(item.commandId)));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const entries: AuditEntry[] = [];
  for (const commandId of commandIds) {
    entries.push(...(await commandEntries(auditLog, commandId)));
  }
  return entries;
}

/** A command's audit entries, oldest first, every page. */
async function commandEntries(auditLog: DynamoDbAuditLog, commandId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await auditLog.listForCommand(commandId, { limit: PAGE_SIZE, nextToken });
    entries.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return entries;
}

/** The command's record, audit entries and execution history. */
async function readStory(
  commandId: string,
  dynamodb: DynamoDBClient,
  endpoint: string | undefined,
  options: AuditConnectionOptions,
): Promise<CommandStory> {
  const record = await new DynamoDbCommandStore(dynamodb, options.commandsTable).get(commandId);
  const auditEntries = await commandEntries(new DynamoDbAuditLog(dynamodb, options.auditTable), commandId);
  if (record === undefined && auditEntries.length === 0) {
    throw new CliError(
      `no command ${commandId}: neither ${options.commandsTable} nor ${options.auditTable} has it`,
      1,
    );
  }
  const executionArn = executionArnOf(record, auditEntries);
  const base = {
    commandId,
    command: record === undefined ? null : withoutTaskToken(record),
    auditEntries,
    executionArn,
  };
  if (executionArn === null) {
    return { ...base, executionHistory: null, historyUnavailable: 'no execution ARN recorded' };
  }
  const sfn = new SFNClient(awsClientConfig({ endpoint, region: regionOfArn(executionArn) }));
  try {
    return { ...base, executionHistory: await executionHistory(sfn, executionArn) };
  } catch (error) {
    // An expected gap, shown as such: Step Functions deletes a history 90 days after the execution ends,
    // while the audit log is kept; anything else is a real failure and propagates.
    if (error instanceof ExecutionDoesNotExist) {
      return {
        ...base,
        executionHistory: null,
        historyUnavailable: 'Step Functions no longer has this execution (histories are kept 90 days)',
      };
    }
    throw error;
  } finally {
    sfn.destroy();
  }
}

/** Every event of the execution's history, oldest first, without input and output (parameters). */
async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: HISTORY_PAGE_SIZE,
        includeExecutionData: false,
        nextToken,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

/** `arn:aws:states:<region>:…`: the client must ask the execution's own region. */
function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}
