import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, type AwsEndpointOptions } from '../../adapters/aws/client-config.ts';
import { DynamoDbVehicleDirectory } from '../../adapters/aws/dynamodb/vehicle-directory.ts';
import { EventBridgePublisher } from '../../adapters/aws/eventbridge-publisher.ts';
import { KmsMacProvider } from '../../adapters/aws/kms.ts';
import { SqsDeadLetterQueue } from '../../adapters/aws/sqs-dead-letter-queue.ts';
import { RedisLatestStateStore } from '../../adapters/redis/latest-state-store.ts';
import { connectRedis } from '../../adapters/redis/connect.ts';
import { Pseudonymizer } from '../../domain/pseudonym/pseudonym.ts';
import { CachedVehicleDirectory } from '../../domain/vehicles/cached-directory.ts';
import { FLEETWIRE_BUS_NAME } from '../../domain/events/rules.ts';
import type { IngestDependencies } from '../../domain/ingest/ingest-batch.ts';
import type { LatestStateStore } from '../../ports/latest-state-store.ts';

/** What the ingest function is configured with (environment variables in Lambda). */
export interface IngestConfiguration {
  readonly aws: AwsEndpointOptions;
  readonly state: LatestStateStore;
  readonly poisonQueueUrl: string;
  readonly namespace: string;
  readonly eventBusName: string;
  readonly pseudonymKeyId?: string;
  readonly autoRegister?: IngestDependencies['autoRegister'];
}

/** Builds ingest's adapters: one set per Lambda container (or per local runtime), reused by every batch. */
export function ingestDependencies(config: IngestConfiguration): IngestDependencies {
  const clientConfig = awsClientConfig(config.aws);
  return {
    pseudonyms: new Pseudonymizer(new KmsMacProvider(new KMSClient(clientConfig), config.pseudonymKeyId)),
    directory: new CachedVehicleDirectory(new DynamoDbVehicleDirectory(new DynamoDBClient(clientConfig))),
    state: config.state,
    events: new EventBridgePublisher(new EventBridgeClient(clientConfig)),
    deadLetters: new SqsDeadLetterQueue(new SQSClient(clientConfig), config.poisonQueueUrl),
    namespace: config.namespace,
    eventBusName: config.eventBusName,
    ...(config.autoRegister ? { autoRegister: config.autoRegister } : {}),
  };
}

/** The configuration of the Lambda function, from its environment. */
export function ingestConfigurationFromEnv(env: NodeJS.ProcessEnv = process.env): IngestConfiguration {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`the ingest function needs the environment variable ${name}`);
    return value;
  };
  return {
    aws: {},
    state: new RedisLatestStateStore(connectRedis(required('REDIS_URL'))),
    poisonQueueUrl: required('POISON_QUEUE_URL'),
    namespace: env.TESLA_NAMESPACE ?? 'fleetwire',
    eventBusName: env.EVENT_BUS_NAME ?? FLEETWIRE_BUS_NAME,
    ...(env.PSEUDONYM_KEY_ID ? { pseudonymKeyId: env.PSEUDONYM_KEY_ID } : {}),
  };
}
