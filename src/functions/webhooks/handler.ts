import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbWebhookStore } from '../../adapters/aws/dynamodb/webhook-store.ts';
import { KmsWebhookSecretCipher } from '../../adapters/aws/webhook-secrets.ts';
import { createWebhooksApi } from './webhooks.ts';

const logger = new Logger({ serviceName: 'fleetwire-webhooks' });
const clientConfig = awsClientConfig();
const api = createWebhooksApi({
  store: new DynamoDbWebhookStore(new DynamoDBClient(clientConfig)),
  cipher: new KmsWebhookSecretCipher(new KMSClient(clientConfig)),
  urlPolicy: 'aws',
});

/**
 * The Lambda entry point behind the `Webhooks` data source (WEBHOOKS_TABLE, WEBHOOK_SECRETS_KEY_ID);
 * adapters are built once per container.
 */
export const handler = async (event: unknown): Promise<unknown> => {
  try {
    return await api(event);
  } catch (error) {
    logger.error('webhooks API failed', {
      operation: (event as { operation?: unknown } | null)?.operation,
      error,
    });
    throw error;
  }
};
