import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * Fleetwire's DynamoDB tables, defined once: the local stack creates them on the edge from these
 * definitions and the CDK storage construct builds the same keys and indexes.
 */
export interface TableDefinition {
  /** Logical name; the physical name comes from the environment (`<envVar>`) or defaults to `fleetwire-<id>`. */
  readonly id: string;
  /** The environment variable a function reads the physical table name from. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly globalSecondaryIndexes?: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
  }[];
  /** The attribute DynamoDB TTL expires items by, in AWS; offline, queries filter expired items themselves. */
  readonly timeToLiveAttribute?: string;
}

/** Registered vehicles: pseudonym → tenant and display name. Never a VIN. */
export const VEHICLES_TABLE: TableDefinition = {
  id: 'vehicles',
  envVar: 'VEHICLES_TABLE',
  partitionKey: 'vehicleId',
  globalSecondaryIndexes: [{ name: 'byTenant', partitionKey: 'tenantId', sortKey: 'vehicleId' }],
};

/** The VIN vault: each registered vehicle's VIN, encrypted with the vault's KMS key. */
export const VIN_VAULT_TABLE: TableDefinition = {
  id: 'vin-vault',
  envVar: 'VIN_VAULT_TABLE',
  partitionKey: 'vehicleId',
};

/**
 * Vehicle commands, one item per command: what was asked, by whom, and where its workflow stands. The
 * approval task token lives here only while the command waits for an admin, and never leaves the back end.
 */
export const COMMANDS_TABLE: TableDefinition = {
  id: 'commands',
  envVar: 'COMMANDS_TABLE',
  partitionKey: 'commandId',
  globalSecondaryIndexes: [
    { name: 'byTenant', partitionKey: 'tenantId', sortKey: 'requestedAt' },
    { name: 'byVehicle', partitionKey: 'vehicleId', sortKey: 'requestedAt' },
  ],
};

/**
 * The command audit log: one item per workflow step outcome, written only by conditional puts and never
 * updated or deleted. `entryId` is `<ISO at>#<step>#<outcome>`, so a command's entries sort by time.
 */
export const COMMAND_AUDIT_TABLE: TableDefinition = {
  id: 'command-audit',
  envVar: 'COMMAND_AUDIT_TABLE',
  partitionKey: 'commandId',
  sortKey: 'entryId',
  globalSecondaryIndexes: [{ name: 'byTenant', partitionKey: 'tenantId', sortKey: 'at' }],
};

/** A tenant's geofences (circles and polygons), one item per geofence; read by ingest's detectors. */
export const GEOFENCES_TABLE: TableDefinition = {
  id: 'geofences',
  envVar: 'GEOFENCES_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'geofenceId',
};

/** A tenant's alert rules, one item per rule; read by ingest's alert detector. */
export const ALERT_RULES_TABLE: TableDefinition = {
  id: 'alert-rules',
  envVar: 'ALERT_RULES_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'ruleId',
};

/** A tenant's settings, one item per tenant: time zone and retention days per kind of data. */
export const TENANT_SETTINGS_TABLE: TableDefinition = {
  id: 'tenant-settings',
  envVar: 'TENANT_SETTINGS_TABLE',
  partitionKey: 'tenantId',
};

/**
 * Trips, one item per trip of a tenant, projected from `Trip.Started`/`Trip.Ended`. `tripKey` is
 * `<startedAt ISO>#<tripId>`, so a tenant's trips sort by start time; `ttl` is the tenant's trip retention.
 */
export const TRIPS_TABLE: TableDefinition = {
  id: 'trips',
  envVar: 'TRIPS_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'tripKey',
  globalSecondaryIndexes: [{ name: 'byVehicle', partitionKey: 'vehicleId', sortKey: 'startedAt' }],
  timeToLiveAttribute: 'ttl',
};

/** Charging sessions, as {@link TRIPS_TABLE}: `sessionKey` is `<startedAt ISO>#<sessionId>`. */
export const CHARGING_SESSIONS_TABLE: TableDefinition = {
  id: 'charging-sessions',
  envVar: 'CHARGING_SESSIONS_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'sessionKey',
  globalSecondaryIndexes: [{ name: 'byVehicle', partitionKey: 'vehicleId', sortKey: 'startedAt' }],
  timeToLiveAttribute: 'ttl',
};

/**
 * Alerts (Tesla alerts and errors, the tenant's rules), one item per occurrence. Keyed by the alert id
 * under the tenant, so `acknowledgeAlert(alertId)` addresses it with the caller's tenant alone; the
 * `byTenant` index lists a tenant's alerts by start time.
 */
export const ALERTS_TABLE: TableDefinition = {
  id: 'alerts',
  envVar: 'ALERTS_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'alertId',
  globalSecondaryIndexes: [
    { name: 'byTenant', partitionKey: 'tenantId', sortKey: 'startedAt' },
    { name: 'byVehicle', partitionKey: 'vehicleId', sortKey: 'startedAt' },
  ],
  timeToLiveAttribute: 'ttl',
};

/**
 * A tenant's webhooks, one item per webhook: URL, subscribed detail-types, and the signing secret
 * encrypted with the webhook-secrets KMS key (never in plaintext).
 */
export const WEBHOOKS_TABLE: TableDefinition = {
  id: 'webhooks',
  envVar: 'WEBHOOKS_TABLE',
  partitionKey: 'tenantId',
  sortKey: 'webhookId',
};

/**
 * Downsampled telemetry history: one item per vehicle and window (`at`, ISO ms, the window's start) with
 * the signals reported in it. `vehicleKey` is `<tenantId>#<vehicleId>`; `ttl` the tenant's retention.
 */
export const TELEMETRY_HISTORY_TABLE: TableDefinition = {
  id: 'telemetry-history',
  envVar: 'TELEMETRY_HISTORY_TABLE',
  partitionKey: 'vehicleKey',
  sortKey: 'at',
  timeToLiveAttribute: 'ttl',
};

export const TABLES: readonly TableDefinition[] = [
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
  COMMANDS_TABLE,
  COMMAND_AUDIT_TABLE,
  GEOFENCES_TABLE,
  ALERT_RULES_TABLE,
  TENANT_SETTINGS_TABLE,
  TRIPS_TABLE,
  CHARGING_SESSIONS_TABLE,
  ALERTS_TABLE,
  WEBHOOKS_TABLE,
  TELEMETRY_HISTORY_TABLE,
];

/** The physical name of a table: from its environment variable, else the local default. */
export function tableName(table: TableDefinition, env: NodeJS.ProcessEnv = process.env): string {
  return env[table.envVar] ?? `fleetwire-${table.id}`;
}

/** The `CreateTable` request for a definition (every key attribute is a string). */
export function createTableInput(table: TableDefinition, name = tableName(table)): CreateTableCommandInput {
  const attributes = new Set<string>([table.partitionKey]);
  if (table.sortKey) attributes.add(table.sortKey);
  for (const index of table.globalSecondaryIndexes ?? []) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
  const keySchema = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S' as const,
    })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.globalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
