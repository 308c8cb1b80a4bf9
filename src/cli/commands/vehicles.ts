import type { Command } from 'commander';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DynamoDbVehicleDirectory } from '../../adapters/aws/dynamodb/vehicle-directory.ts';
import { registerVehicle } from '../../domain/vehicles/registration.ts';
import { VehicleError } from '../../domain/vehicles/errors.ts';
import { CliError } from '../cli-error.ts';
import { DEFAULT_EDGE_URL } from './events.ts';
import { awsRegistrationDependencies } from '../../adapters/aws/vehicle-registration.ts';

/** The endpoint option every command that talks to AWS (or the edge) takes. */
export function endpointOf(options: { endpoint?: string; aws?: boolean }): string | undefined {
  if (options.aws) return undefined;
  return options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? DEFAULT_EDGE_URL;
}

/** `fleetwire vehicles register|list`. */
export function registerVehiclesCommands(program: Command): void {
  const vehicles = program.command('vehicles').description('the vehicle directory');

  vehicles
    .command('register')
    .description('register a vehicle to a tenant; prints its pseudonymous vehicle id')
    .requiredOption('--tenant <id>', 'the tenant that owns the vehicle')
    .requiredOption('--vin <vin>', 'the VIN (stored only in the encrypted VIN vault)')
    .option('--name <name>', 'a display name')
    .option('--endpoint <url>', 'the local edge (default AWS_ENDPOINT_URL or http://127.0.0.1:4566)')
    .option('--aws', 'talk to AWS itself, not the local edge')
    .action(
      async (options: { tenant: string; vin: string; name?: string; endpoint?: string; aws?: boolean }) => {
        const config = awsClientConfig({ endpoint: endpointOf(options) });
        const kms = new KMSClient(config);
        const dynamodb = new DynamoDBClient(config);
        try {
          const registration = await registerVehicle(
            { tenantId: options.tenant, vin: options.vin, name: options.name },
            awsRegistrationDependencies(kms, dynamodb),
          );
          process.stdout.write(`${JSON.stringify(registration)}\n`);
        } catch (error) {
          if (error instanceof VehicleError) throw new CliError(error.message);
          throw error;
        } finally {
          kms.destroy();
          dynamodb.destroy();
        }
      },
    );

  vehicles
    .command('list')
    .description("list a tenant's vehicles as JSON lines")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--endpoint <url>', 'the local edge')
    .option('--aws', 'talk to AWS itself, not the local edge')
    .action(async (options: { tenant: string; endpoint?: string; aws?: boolean }) => {
      const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: endpointOf(options) }));
      try {
        for (const registration of await new DynamoDbVehicleDirectory(dynamodb).list(options.tenant)) {
          process.stdout.write(`${JSON.stringify(registration)}\n`);
        }
      } finally {
        dynamodb.destroy();
      }
    });
}
