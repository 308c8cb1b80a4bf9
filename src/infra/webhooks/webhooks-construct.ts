/**
 * The webhooks context in AWS: the key signing secrets are encrypted with, the dead-letter queue of
 * deliveries given up on, the `Webhooks` function behind the GraphQL webhook fields and the
 * `webhook-deliverer` function, target of the `webhooks` rule (docs/adr/0002-webhooks.md). Grants are per
 * function and per action: only the API function encrypts secrets, only the deliverer decrypts them.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOKS_TABLE } from '../../adapters/aws/dynamodb/table-definitions.ts';
import { WEBHOOK_SECRETS_KEY_ALIAS } from '../../adapters/aws/webhook-secrets.ts';
import { API_FUNCTION_TIMEOUT, fleetwireFunction } from '../shared/fleetwire-function.ts';
import type { FleetwireStorage } from '../storage/storage-construct.ts';

/** The handler modules of the two functions. */
export const WEBHOOK_FUNCTION_ENTRIES = {
  api: 'src/functions/webhooks/handler.ts',
  deliverer: 'src/functions/webhook-deliverer/handler.ts',
} as const;

/** The environment variables the functions read. */
export const WEBHOOK_ENV = {
  secretsKeyId: 'WEBHOOK_SECRETS_KEY_ID',
  deadLetterQueueUrl: 'WEBHOOK_DLQ_URL',
} as const;

/** Properties of {@link FleetwireWebhooks}. */
export interface FleetwireWebhooksProps {
  /** Must hold the `webhooks` table. */
  readonly storage: FleetwireStorage;
  /** @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** What happens to the secrets key when removed from the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Webhook subscriptions and their delivery. */
export class FleetwireWebhooks extends Construct {
  /** Encrypts the signing secrets in the `webhooks` table. */
  public readonly secretsKey: kms.Key;
  /** Deliveries given up on, with the reason (14 days). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The `Webhooks` data source's function. */
  public readonly api: nodejs.NodejsFunction;
  /** The `webhooks` rule's target. */
  public readonly deliverer: nodejs.NodejsFunction;

  public constructor(scope: Construct, id: string, props: FleetwireWebhooksProps) {
    super(scope, id);
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    const table = props.storage.table(WEBHOOKS_TABLE);
    const tableEnvironment = props.storage.environmentFor(WEBHOOKS_TABLE);

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Fleetwire: encrypts the signing secrets of webhooks',
      alias: WEBHOOK_SECRETS_KEY_ALIAS,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // The letters hold whole events (pseudonymous, but tenants' data): encrypted, TLS only.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.api = fleetwireFunction(this, 'ApiFunction', {
      description: "Fleetwire API: lists, creates and deletes a tenant's webhooks, rotates their secrets",
      entry: WEBHOOK_FUNCTION_ENTRIES.api,
      serviceName: 'fleetwire-webhooks',
      memorySize: 256,
      timeout: API_FUNCTION_TIMEOUT,
      runtime,
      environment: { ...tableEnvironment, [WEBHOOK_ENV.secretsKeyId]: this.secretsKey.keyArn },
    });
    table.grant(this.api, 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    // Seals new secrets; cannot read them back.
    this.secretsKey.grant(this.api, 'kms:Encrypt');

    this.deliverer = fleetwireFunction(this, 'DelivererFunction', {
      description: "Fleetwire webhooks: POSTs each tenant event to the tenant's subscribed webhooks",
      entry: WEBHOOK_FUNCTION_ENTRIES.deliverer,
      serviceName: 'fleetwire-webhook-deliverer',
      memorySize: 256,
      // Worst case per event: 4 attempts of 5 s and about 15 s of backoff, webhooks in parallel.
      timeout: Duration.seconds(60),
      runtime,
      environment: {
        ...tableEnvironment,
        [WEBHOOK_ENV.secretsKeyId]: this.secretsKey.keyArn,
        [WEBHOOK_ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
      },
    });
    table.grant(this.deliverer, 'dynamodb:Query');
    this.secretsKey.grant(this.deliverer, 'kms:Decrypt');
    this.deadLetterQueue.grantSendMessages(this.deliverer);
  }
}
