import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { Pseudonymizer } from '../../domain/pseudonym/pseudonym.ts';
import type { RegistrationDependencies } from '../../domain/vehicles/registration.ts';
import { DynamoDbVehicleDirectory } from './dynamodb/vehicle-directory.ts';
import { KmsMacProvider, KmsVinVault } from './kms.ts';

/**
 * What {@link registerVehicle} needs, on AWS (or the edge): the KMS pseudonym key, the vehicles table and
 * the VIN vault, with their default names and aliases.
 */
export function awsRegistrationDependencies(
  kms: KMSClient,
  dynamodb: DynamoDBClient,
): RegistrationDependencies {
  return {
    pseudonyms: new Pseudonymizer(new KmsMacProvider(kms)),
    directory: new DynamoDbVehicleDirectory(dynamodb),
    vault: new KmsVinVault(kms, dynamodb),
  };
}
