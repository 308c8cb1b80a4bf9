/**
 * Which APPSYNC_JS resolver resolves which field, with which data source: read by the CDK api construct
 * (to deploy) and by the local AppSync engine (to run offline), so both attach the same code to the same
 * fields. A resolver file imports shared helpers from `lib/`; deploy and run it through `bundleResolver`
 * (`./bundle.ts`), never as the raw file.
 */
import { fileURLToPath } from 'node:url';
import { VEHICLES_TABLE, type TableDefinition } from '../../adapters/aws/dynamodb/table-definitions.ts';

/** The names of the API's data sources. The CDK construct creates them under exactly these names. */
export type DataSourceName = 'VehiclesTable' | 'StateReader' | 'VehicleRegistrar' | 'CommandApi' | 'None';

/** A data source: what AppSync talks to, and what it needs to be allowed. */
export type DataSourceDefinition =
  | {
      readonly name: 'VehiclesTable';
      readonly kind: 'AMAZON_DYNAMODB';
      readonly description: string;
      /** The table, with its `byTenant` index; the resolvers only read (GetItem, Query). */
      readonly table: TableDefinition;
      readonly access: 'read';
    }
  | {
      readonly name: 'StateReader' | 'VehicleRegistrar' | 'CommandApi';
      readonly kind: 'AWS_LAMBDA';
      readonly description: string;
      /** The function's handler module, relative to the repository root (export `handler`). */
      readonly entry: string;
      /** What the function needs, for the construct's grants and environment. */
      readonly needs: readonly string[];
    }
  | { readonly name: 'None'; readonly kind: 'NONE'; readonly description: string };

/** Every data source the resolvers use. */
export const DATA_SOURCES: { readonly [N in DataSourceName]: DataSourceDefinition & { readonly name: N } } = {
  VehiclesTable: {
    name: 'VehiclesTable',
    kind: 'AMAZON_DYNAMODB',
    description: 'The vehicle directory: pseudonymous id → tenant, name (never a VIN)',
    table: VEHICLES_TABLE,
    access: 'read',
  },
  StateReader: {
    name: 'StateReader',
    kind: 'AWS_LAMBDA',
    description: 'Reads the latest vehicle state from Redis (ElastiCache), per tenant',
    entry: 'src/functions/state-reader/handler.ts',
    needs: [
      'REDIS_URL: the state cache endpoint (rediss:// in AWS)',
      'the state cache VPC and security group',
    ],
  },
  VehicleRegistrar: {
    name: 'VehicleRegistrar',
    kind: 'AWS_LAMBDA',
    description: 'Registers a VIN: pseudonym (KMS GenerateMac), directory entry, encrypted VIN vault entry',
    entry: 'src/functions/vehicle-registrar/handler.ts',
    needs: [
      'kms:GenerateMac on the pseudonym key (PSEUDONYM_KEY_ID)',
      'kms:Encrypt on the VIN vault key (VIN_VAULT_KEY_ID), never kms:Decrypt',
      'dynamodb:GetItem/BatchGetItem/PutItem on the vehicles table (VEHICLES_TABLE)',
      'dynamodb:PutItem on the VIN vault table (VIN_VAULT_TABLE)',
    ],
  },
  CommandApi: {
    name: 'CommandApi',
    kind: 'AWS_LAMBDA',
    description:
      'Sends and decides vehicle commands (the vehicle-command state machine) and reads them and their audit trail',
    entry: 'src/functions/commands/command-api/handler.ts',
    needs: [
      'STATE_MACHINE_ARN: the vehicle-command state machine',
      'states:StartExecution on the state machine',
      'states:SendTaskSuccess and states:SendTaskFailure on the state machine (approvals)',
      'states:DescribeExecution and states:GetExecutionHistory on its executions (audit trails)',
      'dynamodb:GetItem/PutItem/UpdateItem/Query on the commands table and its indexes (COMMANDS_TABLE)',
      'dynamodb:Query/GetItem on the audit table and its index (COMMAND_AUDIT_TABLE)',
      'dynamodb:PutItem on the audit table: refused approval attempts (conditional, append-only)',
    ],
  },
  None: {
    name: 'None',
    kind: 'NONE',
    description: 'Local resolution: publish mutations, subscriptions, checks of fields later issues fill',
  },
};

/** One unit resolver: a field, its code and its data source. */
export interface ResolverDefinition {
  readonly typeName: 'Query' | 'Mutation' | 'Subscription' | 'Vehicle';
  readonly fieldName: string;
  readonly dataSource: DataSourceName;
  /** The resolver's file, relative to {@link RESOLVERS_DIRECTORY}: `<typeName>.<fieldName>.js`. */
  readonly file: string;
}

/** The directory of the resolver files. */
export const RESOLVERS_DIRECTORY = fileURLToPath(new URL('.', import.meta.url));

const resolver = (
  typeName: ResolverDefinition['typeName'],
  fieldName: string,
  dataSource: DataSourceName,
): ResolverDefinition => ({ typeName, fieldName, dataSource, file: `${typeName}.${fieldName}.js` });

/** Every resolver of the API: each field of Query, Mutation and Subscription, and `Vehicle.state`. */
export const RESOLVERS: readonly ResolverDefinition[] = [
  resolver('Query', 'me', 'None'),
  resolver('Query', 'vehicles', 'VehiclesTable'),
  resolver('Query', 'vehicle', 'VehiclesTable'),
  resolver('Query', 'fleetState', 'StateReader'),
  resolver('Query', 'vehiclesNear', 'StateReader'),
  resolver('Query', 'telemetryHistory', 'None'),
  resolver('Query', 'trips', 'None'),
  resolver('Query', 'chargingSessions', 'None'),
  resolver('Query', 'alerts', 'None'),
  resolver('Query', 'geofences', 'None'),
  resolver('Query', 'alertRules', 'None'),
  resolver('Query', 'command', 'CommandApi'),
  resolver('Query', 'commands', 'CommandApi'),
  resolver('Query', 'commandAudit', 'CommandApi'),
  resolver('Vehicle', 'state', 'StateReader'),
  resolver('Mutation', 'registerVehicle', 'VehicleRegistrar'),
  resolver('Mutation', 'sendCommand', 'CommandApi'),
  resolver('Mutation', 'decideCommand', 'CommandApi'),
  resolver('Mutation', 'acknowledgeAlert', 'None'),
  resolver('Mutation', 'createGeofence', 'None'),
  resolver('Mutation', 'updateGeofence', 'None'),
  resolver('Mutation', 'deleteGeofence', 'None'),
  resolver('Mutation', 'createAlertRule', 'None'),
  resolver('Mutation', 'updateAlertRule', 'None'),
  resolver('Mutation', 'deleteAlertRule', 'None'),
  resolver('Mutation', 'publishFleetUpdate', 'None'),
  resolver('Mutation', 'publishAlert', 'None'),
  resolver('Mutation', 'publishCommandUpdate', 'None'),
  resolver('Subscription', 'onFleetUpdate', 'None'),
  resolver('Subscription', 'onAlert', 'None'),
  resolver('Subscription', 'onCommandUpdate', 'None'),
];

/** The absolute path of a resolver's source file (bundle it with `bundleResolver` before use). */
export function resolverPath(definition: Pick<ResolverDefinition, 'file'>): string {
  return fileURLToPath(new URL(definition.file, new URL('.', import.meta.url)));
}

/** The schema file, next to the resolvers' directory. */
export const SCHEMA_PATH = fileURLToPath(new URL('../schema.graphql', import.meta.url));
