import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbWebhookStore } from '../../adapters/aws/dynamodb/webhook-store.ts';
import { KmsWebhookSecretCipher, SqsWebhookDeadLetters } from '../../adapters/aws/webhook-secrets.ts';
import { createWebhookDeliverer } from './deliverer.ts';

const logger = new Logger({ serviceName: 'fleetwire-webhook-deliverer' });
const deadLetterQueueUrl = process.env.WEBHOOK_DLQ_URL;
if (!deadLetterQueueUrl) throw new Error('the webhook-deliverer function needs WEBHOOK_DLQ_URL');
const clientConfig = awsClientConfig();
const deliver = createWebhookDeliverer({
  store: new DynamoDbWebhookStore(new DynamoDBClient(clientConfig)),
  cipher: new KmsWebhookSecretCipher(new KMSClient(clientConfig)),
  deadLetters: new SqsWebhookDeadLetters(new SQSClient(clientConfig), deadLetterQueueUrl),
  urlPolicy: 'aws',
});

/**
 * The Lambda entry point of the `webhooks` rule's target (WEBHOOKS_TABLE, WEBHOOK_SECRETS_KEY_ID,
 * WEBHOOK_DLQ_URL): one EventBridge event per invocation.
 */
export const handler = async (event: unknown): Promise<unknown> => {
  try {
    const report = await deliver(event);
    if (report.deadLettered > 0) logger.warn('webhook deliveries dead-lettered', { ...report });
    return report;
  } catch (error) {
    logger.error('webhook delivery failed', { error });
    throw error;
  }
};
