/**
 * Which APPSYNC_JS resolver resolves which field, with which data source: read by the CDK api construct
 * (to deploy) and by the local AppSync engine (to run offline), so both attach the same code to the same
 * fields. A resolver file imports shared helpers from `lib/`; deploy and run it through `bundleResolver`
 * (`./bundle.ts`), never as the raw file.
 */
import { fileURLToPath } from 'node:url';
import {
  ALERT_RULES_TABLE,
  ALERTS_TABLE,
  CHARGING_SESSIONS_TABLE,
  GEOFENCES_TABLE,
  TELEMETRY_HISTORY_TABLE,
  TRIPS_TABLE,
  VEHICLES_TABLE,
  type TableDefinition,
} from '../../adapters/aws/dynamodb/table-definitions.ts';

/** The names of the API's data sources. The CDK construct creates them under exactly these names. */
export type DataSourceName =
  | 'VehiclesTable'
  | 'StateReader'
  | 'VehicleRegistrar'
  | 'CommandApi'
  | 'None'
  | 'GeofencesTable'
  | 'AlertRulesTable'
  | 'FleetConfig'
  | 'Webhooks'
  | 'TripsTable'
  | 'ChargingSessionsTable'
  | 'AlertsTable'
  | 'TelemetryHistoryTable';

/** A data source: what AppSync talks to, and what it needs to be allowed. */
export type DataSourceDefinition =
  | {
      readonly name:
        | 'VehiclesTable'
        | 'GeofencesTable'
        | 'AlertRulesTable'
        | 'TripsTable'
        | 'ChargingSessionsTable'
        | 'AlertsTable'
        | 'TelemetryHistoryTable';
      readonly kind: 'AMAZON_DYNAMODB';
      readonly description: string;
      /** The table, with its `byTenant` index; the resolvers only read (GetItem, Query). */
      readonly table: TableDefinition;
      /** `read-update`: the resolvers also update items (`acknowledgeAlert`), but never put or delete. */
      readonly access: 'read' | 'read-update';
    }
  | {
      readonly name: 'StateReader' | 'VehicleRegistrar' | 'CommandApi' | 'FleetConfig' | 'Webhooks';
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
  GeofencesTable: {
    name: 'GeofencesTable',
    kind: 'AMAZON_DYNAMODB',
    description: "The tenants' geofences (pk tenantId): read by the geofences query",
    table: GEOFENCES_TABLE,
    access: 'read',
  },
  AlertRulesTable: {
    name: 'AlertRulesTable',
    kind: 'AMAZON_DYNAMODB',
    description: "The tenants' alert rules (pk tenantId): read by the alertRules query",
    table: ALERT_RULES_TABLE,
    access: 'read',
  },
  FleetConfig: {
    name: 'FleetConfig',
    kind: 'AWS_LAMBDA',
    description: 'Manages geofences, alert rules and tenant settings: validation, limits, versions',
    entry: 'src/functions/fleet-config/handler.ts',
    needs: [
      'dynamodb:GetItem/PutItem/DeleteItem/Query on the geofences table (GEOFENCES_TABLE)',
      'dynamodb:GetItem/PutItem/DeleteItem/Query on the alert-rules table (ALERT_RULES_TABLE)',
      'dynamodb:GetItem/PutItem on the tenant-settings table (TENANT_SETTINGS_TABLE)',
    ],
  },
  Webhooks: {
    name: 'Webhooks',
    kind: 'AWS_LAMBDA',
    description: "Manages the tenant's webhooks: validation, limits, signing secrets (KMS-encrypted)",
    entry: 'src/functions/webhooks/handler.ts',
    needs: [
      'dynamodb:Query/PutItem/UpdateItem/DeleteItem on the webhooks table (WEBHOOKS_TABLE)',
      'kms:Encrypt on the webhook-secrets key (WEBHOOK_SECRETS_KEY_ID), never kms:Decrypt',
    ],
  },
  TripsTable: {
    name: 'TripsTable',
    kind: 'AMAZON_DYNAMODB',
    description: "The tenants' trips (pk tenantId, index byVehicle): read by the trips query",
    table: TRIPS_TABLE,
    access: 'read',
  },
  ChargingSessionsTable: {
    name: 'ChargingSessionsTable',
    kind: 'AMAZON_DYNAMODB',
    description: "The tenants' charging sessions (pk tenantId, index byVehicle): read by chargingSessions",
    table: CHARGING_SESSIONS_TABLE,
    access: 'read',
  },
  AlertsTable: {
    name: 'AlertsTable',
    kind: 'AMAZON_DYNAMODB',
    description: "The tenants' alerts (pk tenantId, sk alertId): read by alerts, updated by acknowledgeAlert",
    table: ALERTS_TABLE,
    access: 'read-update',
  },
  TelemetryHistoryTable: {
    name: 'TelemetryHistoryTable',
    kind: 'AMAZON_DYNAMODB',
    description: 'Downsampled telemetry history (pk <tenantId>#<vehicleId>, sk at): read by telemetryHistory',
    table: TELEMETRY_HISTORY_TABLE,
    access: 'read',
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
  resolver('Query', 'telemetryHistory', 'TelemetryHistoryTable'),
  resolver('Query', 'trips', 'TripsTable'),
  resolver('Query', 'chargingSessions', 'ChargingSessionsTable'),
  resolver('Query', 'alerts', 'AlertsTable'),
  resolver('Query', 'geofences', 'GeofencesTable'),
  resolver('Query', 'alertRules', 'AlertRulesTable'),
  resolver('Query', 'tenantSettings', 'FleetConfig'),
  resolver('Query', 'command', 'CommandApi'),
  resolver('Query', 'commands', 'CommandApi'),
  resolver('Query', 'commandAudit', 'CommandApi'),
  resolver('Query', 'webhooks', 'Webhooks'),
  resolver('Vehicle', 'state', 'StateReader'),
  resolver('Mutation', 'registerVehicle', 'VehicleRegistrar'),
  resolver('Mutation', 'sendCommand', 'CommandApi'),
  resolver('Mutation', 'decideCommand', 'CommandApi'),
  resolver('Mutation', 'acknowledgeAlert', 'AlertsTable'),
  resolver('Mutation', 'createGeofence', 'FleetConfig'),
  resolver('Mutation', 'updateGeofence', 'FleetConfig'),
  resolver('Mutation', 'deleteGeofence', 'FleetConfig'),
  resolver('Mutation', 'createAlertRule', 'FleetConfig'),
  resolver('Mutation', 'updateAlertRule', 'FleetConfig'),
  resolver('Mutation', 'deleteAlertRule', 'FleetConfig'),
  resolver('Mutation', 'updateTenantSettings', 'FleetConfig'),
  resolver('Mutation', 'createWebhook', 'Webhooks'),
  resolver('Mutation', 'deleteWebhook', 'Webhooks'),
  resolver('Mutation', 'rotateWebhookSecret', 'Webhooks'),
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
