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
import { RedisDetectorStateStore } from '../../adapters/redis/detector-state-store.ts';
import { connectRedis } from '../../adapters/redis/connect.ts';
import { DynamoDbTelemetryHistory } from '../../adapters/aws/dynamodb/telemetry-history.ts';
import { TELEMETRY_HISTORY_TABLE, tableName } from '../../adapters/aws/dynamodb/table-definitions.ts';
import { StaticTenantConfigSource } from '../../adapters/memory/tenant-config.ts';
import { DynamoDbTenantConfigSource } from '../../adapters/aws/dynamodb/tenant-config.ts';
import type { DetectorStateStore } from '../../ports/detector-state-store.ts';
import type { TenantConfigSource } from '../../ports/tenant-config.ts';
import { DetectorDocumentCache, type DetectorDependencies } from '../../domain/ingest/vehicle-detectors.ts';
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
  /** Where the detectors keep their state; without it ingest runs no detectors and writes no history. */
  readonly detectorStates?: DetectorStateStore;
  /** The tenants' geofences, rules and settings; none (defaults) when absent. */
  readonly tenantConfig?: TenantConfigSource;
  /** The history table's physical name; `TELEMETRY_HISTORY_TABLE` or the local default when absent. */
  readonly telemetryHistoryTable?: string;
  /** Told once per vehicle whose stored detector state could not be read (it starts afresh). */
  readonly onDetectorStateError?: DetectorDependencies['onStateError'];
}

/** Builds ingest's adapters: one set per Lambda container (or per local runtime), reused by every batch. */
export function ingestDependencies(config: IngestConfiguration): IngestDependencies {
  const clientConfig = awsClientConfig(config.aws);
  const dynamodb = new DynamoDBClient(clientConfig);
  const detectors: DetectorDependencies | undefined = config.detectorStates && {
    states: config.detectorStates,
    tenantConfig: config.tenantConfig ?? new StaticTenantConfigSource(),
    history: new DynamoDbTelemetryHistory(
      dynamodb,
      config.telemetryHistoryTable ?? tableName(TELEMETRY_HISTORY_TABLE),
    ),
    cache: new DetectorDocumentCache(),
    ...(config.onDetectorStateError ? { onStateError: config.onDetectorStateError } : {}),
  };
  return {
    pseudonyms: new Pseudonymizer(new KmsMacProvider(new KMSClient(clientConfig), config.pseudonymKeyId)),
    directory: new CachedVehicleDirectory(new DynamoDbVehicleDirectory(dynamodb)),
    state: config.state,
    events: new EventBridgePublisher(new EventBridgeClient(clientConfig)),
    deadLetters: new SqsDeadLetterQueue(new SQSClient(clientConfig), config.poisonQueueUrl),
    namespace: config.namespace,
    eventBusName: config.eventBusName,
    ...(config.autoRegister ? { autoRegister: config.autoRegister } : {}),
    ...(detectors ? { detectors } : {}),
  };
}

/** The configuration of the Lambda function, from its environment. */
export function ingestConfigurationFromEnv(env: NodeJS.ProcessEnv = process.env): IngestConfiguration {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`the ingest function needs the environment variable ${name}`);
    return value;
  };
  const redis = connectRedis(required('REDIS_URL'));
  return {
    aws: {},
    state: new RedisLatestStateStore(redis),
    detectorStates: new RedisDetectorStateStore(redis),
    // The tables' names come from GEOFENCES_TABLE, ALERT_RULES_TABLE and TENANT_SETTINGS_TABLE.
    tenantConfig: new DynamoDbTenantConfigSource(new DynamoDBClient(awsClientConfig({}))),
    poisonQueueUrl: required('POISON_QUEUE_URL'),
    namespace: env.TESLA_NAMESPACE ?? 'fleetwire',
    eventBusName: env.EVENT_BUS_NAME ?? FLEETWIRE_BUS_NAME,
    ...(env.PSEUDONYM_KEY_ID ? { pseudonymKeyId: env.PSEUDONYM_KEY_ID } : {}),
  };
}
