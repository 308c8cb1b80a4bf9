import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startTestEdge, type TestEdge } from '../../support/aws-edge-fixture.ts';
import { KmsService } from '../../../src/local/edge/kms.ts';
import { SqsService } from '../../../src/local/edge/sqs.ts';
import { provisionLocalResources } from '../../../src/local/provision.ts';
import { KmsMacProvider, KmsVinVault } from '../../../src/adapters/aws/kms.ts';
import { DynamoDbVehicleDirectory } from '../../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { Pseudonymizer, VEHICLE_ID_PATTERN } from '../../../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../../../src/domain/vehicles/registration.ts';
import { VehicleAlreadyRegisteredError } from '../../../src/domain/vehicles/errors.ts';

const VIN = '5YJ3E1EA7KF317001';

describe('vehicle registration on the edge: KMS pseudonyms, DynamoDB directory, KMS-encrypted VIN vault', () => {
  let edge: TestEdge;
  let dynamodb: DynamoDBClient;
  let kms: KMSClient;
  let deps: Parameters<typeof registerVehicle>[1];

  beforeAll(async () => {
    edge = await startTestEdge({ services: [new KmsService({}), new SqsService({})] });
    dynamodb = new DynamoDBClient(edge.clientConfig);
    kms = new KMSClient(edge.clientConfig);
    const kinesis = new KinesisClient(edge.clientConfig);
    const sqs = new SQSClient(edge.clientConfig);
    await provisionLocalResources(
      { dynamodb, kinesis, kms, sqs },
      { streams: [{ name: 'fleetwire_V', shards: 1 }], queues: ['fleetwire-poison'] },
    );
    deps = {
      pseudonyms: new Pseudonymizer(new KmsMacProvider(kms)),
      directory: new DynamoDbVehicleDirectory(dynamodb),
      vault: new KmsVinVault(kms, dynamodb),
    };
  });
  afterAll(async () => {
    dynamodb?.destroy();
    kms?.destroy();
    await edge?.stop();
  });

  it('registers a vehicle: the directory knows its pseudonym, only the vault holds the VIN, encrypted', async () => {
    // act
    const registration = await registerVehicle({ tenantId: 'acme', vin: VIN, name: 'Truck 1' }, deps);
    // assess
    expect(registration.vehicleId).toMatch(VEHICLE_ID_PATTERN);
    expect([...(await deps.directory.lookup([registration.vehicleId])).values()]).toEqual([registration]);
    expect(await deps.directory.list('acme')).toEqual([registration]);
    expect(await deps.directory.list('globex')).toEqual([]);
    expect(await deps.vault.reveal(registration.vehicleId)).toBe(VIN);
    const everything = JSON.stringify([
      await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vehicles' })),
      await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vin-vault' })),
    ]);
    expect(everything).not.toContain(VIN);
  });

  it('gives the same pseudonym every time and refuses to move a vehicle to another tenant', async () => {
    const again = await registerVehicle({ tenantId: 'acme', vin: VIN }, deps);
    expect(again.vehicleId).toBe(await new Pseudonymizer(new KmsMacProvider(kms)).vehicleIdOf(VIN));
    await expect(registerVehicle({ tenantId: 'globex', vin: VIN }, deps)).rejects.toBeInstanceOf(
      VehicleAlreadyRegisteredError,
    );
    await expect(deps.directory.register({ ...again, tenantId: 'globex' })).rejects.toBeInstanceOf(
      VehicleAlreadyRegisteredError,
    );
  });

  it('provisioning again keeps what exists (same keys, same pseudonyms)', async () => {
    const before = await deps.pseudonyms.vehicleIdOf(VIN);
    await provisionLocalResources(
      { dynamodb, kinesis: new KinesisClient(edge.clientConfig), kms, sqs: new SQSClient(edge.clientConfig) },
      { streams: [{ name: 'fleetwire_V', shards: 1 }], queues: ['fleetwire-poison'] },
    );
    expect(await new Pseudonymizer(new KmsMacProvider(kms)).vehicleIdOf(VIN)).toBe(before);
  });
});
