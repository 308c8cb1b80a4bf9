import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { createVehicleRegistrar } from './vehicle-registrar.ts';
import { awsRegistrationDependencies } from '../../adapters/aws/vehicle-registration.ts';

const clientConfig = awsClientConfig();
const kms = new KMSClient(clientConfig);
const dynamodb = new DynamoDBClient(clientConfig);

/**
 * The Lambda entry point behind the `VehicleRegistrar` data source. Wiring only; the key ids and table
 * names come from PSEUDONYM_KEY_ID, VIN_VAULT_KEY_ID, VEHICLES_TABLE and VIN_VAULT_TABLE. Nothing is logged:
 * the event holds a VIN. The directory is read uncached, so a registration always sees the latest owner.
 */
export const handler = createVehicleRegistrar(awsRegistrationDependencies(kms, dynamodb));
