import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbFleetRecords } from '../../adapters/aws/dynamodb/fleet-records.ts';
import { DynamoDbTenantConfigSource } from '../../adapters/aws/dynamodb/tenant-config.ts';
import { createRecordsProjector } from './records-projector.ts';

const logger = new Logger({ serviceName: 'fleetwire-records-projector' });
const dynamodb = new DynamoDBClient(awsClientConfig());

/**
 * The Lambda entry point of the `records` rule. Wiring only: the tables come from TRIPS_TABLE,
 * CHARGING_SESSIONS_TABLE, ALERTS_TABLE and TENANT_SETTINGS_TABLE (retention), read once per container.
 */
export const handler = createRecordsProjector({
  records: new DynamoDbFleetRecords(dynamodb),
  tenantConfig: new DynamoDbTenantConfigSource(dynamodb),
  logger,
});
