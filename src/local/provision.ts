import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException as StreamInUseException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  NotFoundException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTableInput, TABLES, tableName } from '../adapters/aws/dynamodb/table-definitions.ts';
import { PSEUDONYM_KEY_ALIAS, VIN_VAULT_KEY_ALIAS } from '../adapters/aws/kms.ts';
import { WEBHOOK_SECRETS_KEY_ALIAS } from '../adapters/aws/webhook-secrets.ts';

/** The clients provisioning talks to the edge with. */
export interface ProvisioningClients {
  readonly dynamodb: DynamoDBClient;
  readonly kinesis: KinesisClient;
  readonly kms: KMSClient;
  readonly sqs: SQSClient;
}

/** What the local stack needs to exist on the edge. */
export interface LocalResources {
  readonly streams: readonly { readonly name: string; readonly shards: number }[];
  readonly queues: readonly string[];
}

/** What provisioning found or made. */
export interface ProvisionedResources {
  readonly tables: Record<string, string>;
  readonly streams: readonly string[];
  readonly queueUrls: Record<string, string>;
  readonly keys: {
    readonly pseudonymKeyId: string;
    readonly vinVaultKeyId: string;
    readonly webhookSecretsKeyId: string;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates, idempotently, the tables, streams, keys and queues that CDK creates in AWS, so the same
 * adapters run offline. Safe to run at every start: what exists (e.g. in a `--data-dir`) is kept.
 */
export async function provisionLocalResources(
  clients: ProvisioningClients,
  resources: LocalResources,
): Promise<ProvisionedResources> {
  const tables: Record<string, string> = {};
  for (const table of TABLES) {
    const name = tableName(table);
    tables[table.id] = name;
    try {
      await clients.dynamodb.send(new CreateTableCommand(createTableInput(table, name)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  for (const stream of resources.streams) {
    try {
      await clients.kinesis.send(
        new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shards }),
      );
    } catch (error) {
      if (!(error instanceof StreamInUseException)) throw error;
    }
  }
  const pseudonymKeyId = await ensureKey(clients.kms, PSEUDONYM_KEY_ALIAS, 'HMAC_256', 'GENERATE_VERIFY_MAC');
  const vinVaultKeyId = await ensureKey(
    clients.kms,
    VIN_VAULT_KEY_ALIAS,
    'SYMMETRIC_DEFAULT',
    'ENCRYPT_DECRYPT',
  );
  const webhookSecretsKeyId = await ensureKey(
    clients.kms,
    WEBHOOK_SECRETS_KEY_ALIAS,
    'SYMMETRIC_DEFAULT',
    'ENCRYPT_DECRYPT',
  );
  const queueUrls: Record<string, string> = {};
  for (const queue of resources.queues) {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queue }));
    if (!QueueUrl) throw new Error(`CreateQueue ${queue} answered without a QueueUrl`);
    queueUrls[queue] = QueueUrl;
  }
  await waitUntilActive(
    clients,
    Object.values(tables),
    resources.streams.map((s) => s.name),
  );
  return {
    tables,
    streams: resources.streams.map((s) => s.name),
    queueUrls,
    keys: { pseudonymKeyId, vinVaultKeyId, webhookSecretsKeyId },
  };
}

async function ensureKey(
  kms: KMSClient,
  alias: string,
  keySpec: 'HMAC_256' | 'SYMMETRIC_DEFAULT',
  keyUsage: 'GENERATE_VERIFY_MAC' | 'ENCRYPT_DECRYPT',
): Promise<string> {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (KeyMetadata?.KeyId) return KeyMetadata.KeyId;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: keyUsage, Description: `Fleetwire ${alias}` }),
  );
  if (!KeyMetadata?.KeyId) throw new Error(`CreateKey for ${alias} answered without a KeyId`);
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.KeyId }));
  return KeyMetadata.KeyId;
}

async function waitUntilActive(
  clients: ProvisioningClients,
  tables: string[],
  streams: string[],
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const tableStates = await Promise.all(
      tables.map(
        async (TableName) =>
          (await clients.dynamodb.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus,
      ),
    );
    const streamStates = await Promise.all(
      streams.map(
        async (StreamName) =>
          (await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName })))
            .StreamDescriptionSummary?.StreamStatus,
      ),
    );
    if ([...tableStates, ...streamStates].every((state) => state === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new Error('local tables and streams did not become ACTIVE within 15 s');
    await sleep(25);
  }
}
