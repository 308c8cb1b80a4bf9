import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbTenantConfigStore } from '../../adapters/aws/dynamodb/tenant-config.ts';
import { createFleetConfig } from './fleet-config.ts';

/**
 * The Lambda entry point behind the `FleetConfig` data source. Wiring only; the table names come from
 * GEOFENCES_TABLE, ALERT_RULES_TABLE and TENANT_SETTINGS_TABLE.
 */
export const handler = createFleetConfig({
  store: new DynamoDbTenantConfigStore(new DynamoDBClient(awsClientConfig())),
});
