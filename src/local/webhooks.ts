/**
 * Webhooks offline: the `Webhooks` data source's function and the `webhook-deliverer` target of the
 * `webhooks` rule, on the same adapters as in AWS (the table, KMS and SQS of the edge), with the `local`
 * URL policy so that receivers on 127.0.0.1 can be used.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb/webhook-store.ts';
import { KmsWebhookSecretCipher, SqsWebhookDeadLetters } from '../adapters/aws/webhook-secrets.ts';
import { WEBHOOK_DELIVERER_TARGET } from '../domain/events/rules.ts';
import type { WebhookRetryPolicy } from '../domain/webhooks/index.ts';
import { createWebhookDeliverer } from '../functions/webhook-deliverer/deliverer.ts';
import { createWebhooksApi } from '../functions/webhooks/webhooks.ts';
import type { LocalEventBridge } from './eventbridge/bus.ts';

/** What {@link startLocalWebhooks} needs. */
export interface LocalWebhooksOptions {
  readonly eventBridge: LocalEventBridge;
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  readonly sqs: SQSClient;
  /** The physical name of the `webhooks` table. */
  readonly table: string;
  readonly secretsKeyId: string;
  readonly deadLetterQueueUrl: string;
  /** Tests shorten the retries. */
  readonly retry?: WebhookRetryPolicy;
  /** Default 5 s offline, so a webhook created through the API is used almost at once. */
  readonly cacheTtlMs?: number;
}

/** The running webhooks. */
export interface LocalWebhooks {
  /** The `Webhooks` data source, for the AppSync engine's `lambdas`. */
  readonly api: (payload: unknown) => Promise<unknown>;
  /** Unregisters the deliverer from the bus. */
  stop(): Promise<void>;
}

/** Builds the API function and registers the deliverer as the `webhook-deliverer` target of the bus. */
export function startLocalWebhooks(options: LocalWebhooksOptions): LocalWebhooks {
  const store = new DynamoDbWebhookStore(options.dynamodb, options.table);
  const cipher = new KmsWebhookSecretCipher(options.kms, options.secretsKeyId);
  const api = createWebhooksApi({ store, cipher, urlPolicy: 'local' });
  const deliver = createWebhookDeliverer({
    store,
    cipher,
    deadLetters: new SqsWebhookDeadLetters(options.sqs, options.deadLetterQueueUrl),
    urlPolicy: 'local',
    cacheTtlMs: options.cacheTtlMs ?? 5000,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  const unregister = options.eventBridge.registerTarget(
    { kind: 'function', name: WEBHOOK_DELIVERER_TARGET },
    async (event) => {
      await deliver(event);
    },
  );
  return {
    api,
    stop: async () => unregister(),
  };
}
