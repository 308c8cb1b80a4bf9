/**
 * Tenant configuration on DynamoDB: the `geofences`, `alert-rules` and `tenant-settings` tables.
 *
 * - {@link DynamoDbTenantConfigStore}: the management side (the FleetConfig function), raw items with a
 *   `version` and conditional writes.
 * - {@link DynamoDbTenantConfigSource}: the ingest side ({@link TenantConfigSource}), every item validated
 *   with the detectors' schemas and cached per tenant for a minute. A refresh that fails keeps serving the
 *   last good value (stale-while-error) and reports the failure; an invalid item is skipped and reported.
 *   Ingest is never failed by a tenant's bad configuration, nor by a brief DynamoDB hiccup once warm.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  InvalidAlertRuleError,
  InvalidGeofenceError,
  type AlertRule,
  type Geofence,
} from '../../../domain/detectors/index.ts';
import { alertRuleOf, geofenceOf, settingsOf } from '../../../domain/tenant-config/model.ts';
import type { TenantConfigSource, TenantSettings } from '../../../ports/tenant-config.ts';
import {
  ConfigItemNotFoundError,
  VersionConflictError,
  type StoredAlertRule,
  type StoredGeofence,
  type StoredMeta,
  type StoredTenantSettings,
  type TenantConfigStore,
  type TenantItemStore,
} from '../../../ports/tenant-config-store.ts';
import {
  ALERT_RULES_TABLE,
  GEOFENCES_TABLE,
  TENANT_SETTINGS_TABLE,
  tableName,
  type TableDefinition,
} from './table-definitions.ts';

/** Physical table names; each defaults to its definition's environment variable or local name. */
export interface TenantConfigTables {
  readonly geofences?: string;
  readonly alertRules?: string;
  readonly settings?: string;
}

/** One per-tenant list table (geofences or alert rules), sort key = the item's id. */
class DynamoDbItemStore<T extends StoredMeta> implements TenantItemStore<T> {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly definition: TableDefinition,
  ) {}

  private get idKey(): string {
    return this.definition.sortKey!;
  }

  async list(tenantId: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...((page.Items ?? []) as T[]));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return items;
  }

  async count(tenantId: string): Promise<number> {
    let count = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      count += page.Count ?? 0;
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return count;
  }

  async get(tenantId: string, id: string): Promise<T | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { tenantId, [this.idKey]: id },
        ConsistentRead: true,
      }),
    );
    return Item as T | undefined;
  }

  async create(item: T): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...item },
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': this.idKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(`${this.definition.id}: the id is taken`);
      throw error;
    }
  }

  async replace(item: T, expectedVersion: number): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...item },
          ConditionExpression: 'attribute_exists(#id) AND #version = :expected',
          ExpressionAttributeNames: { '#id': this.idKey, '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        if (error.Item === undefined) throw new ConfigItemNotFoundError(`${this.definition.id}: gone`);
        throw new VersionConflictError(`${this.definition.id}: changed since version ${expectedVersion}`);
      }
      throw error;
    }
  }

  async delete(tenantId: string, id: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { tenantId, [this.idKey]: id },
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#id': this.idKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConfigItemNotFoundError(`${this.definition.id}: no such item`);
      throw error;
    }
  }
}

/** {@link TenantConfigStore} on the three DynamoDB tables. */
export class DynamoDbTenantConfigStore implements TenantConfigStore {
  readonly geofences: TenantItemStore<StoredGeofence>;
  readonly alertRules: TenantItemStore<StoredAlertRule>;
  private readonly documents: DynamoDBDocumentClient;
  private readonly settingsTable: string;

  constructor(client: DynamoDBClient, tables: TenantConfigTables = {}) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.geofences = new DynamoDbItemStore<StoredGeofence>(
      this.documents,
      tables.geofences ?? tableName(GEOFENCES_TABLE),
      GEOFENCES_TABLE,
    );
    this.alertRules = new DynamoDbItemStore<StoredAlertRule>(
      this.documents,
      tables.alertRules ?? tableName(ALERT_RULES_TABLE),
      ALERT_RULES_TABLE,
    );
    this.settingsTable = tables.settings ?? tableName(TENANT_SETTINGS_TABLE);
  }

  async getSettings(tenantId: string): Promise<StoredTenantSettings | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.settingsTable, Key: { tenantId }, ConsistentRead: true }),
    );
    return Item as StoredTenantSettings | undefined;
  }

  async putSettings(settings: StoredTenantSettings, expectedVersion: number): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.settingsTable,
          Item: { ...settings },
          ConditionExpression:
            expectedVersion === 0 ? 'attribute_not_exists(tenantId)' : '#version = :expected',
          ...(expectedVersion === 0
            ? {}
            : {
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(`tenant-settings: changed since version ${expectedVersion}`);
      throw error;
    }
  }
}

/** Something wrong with a tenant's configuration that ingest worked around. */
export interface TenantConfigProblem {
  /** `invalid-item`: a stored item was skipped (or a setting defaulted); `refresh-failed`: a stale value was served. */
  readonly kind: 'invalid-item' | 'refresh-failed';
  readonly tenantId: string;
  /** Which part: `geofences`, `alertRules` or `settings`. */
  readonly part: 'geofences' | 'alertRules' | 'settings';
  /** What went wrong; names ids and fields, never values. */
  readonly message: string;
  readonly error?: unknown;
}

/** Options of {@link DynamoDbTenantConfigSource}. */
export interface TenantConfigSourceOptions {
  /** How long a tenant's value is served before it is read again, ms. Default 60 000. */
  readonly ttlMs?: number;
  /** After a failed refresh, how long the stale value is served before trying again, ms. Default 5 000. */
  readonly retryAfterErrorMs?: number;
  /** Where problems go; default one JSON line on stderr. */
  readonly onProblem?: (problem: TenantConfigProblem) => void;
  /** The clock, ms. */
  readonly now?: () => number;
}

interface CacheEntry<T> {
  value?: T;
  /** When the value (or the last attempt) expires. */
  expiresAt: number;
  inFlight?: Promise<T>;
}

/** A per-tenant cache with a TTL, one load at a time per tenant, serving the last good value on errors. */
class StaleWhileErrorCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>();

  constructor(
    private readonly load: (tenantId: string) => Promise<T>,
    private readonly ttlMs: number,
    private readonly retryAfterErrorMs: number,
    private readonly now: () => number,
    private readonly onRefreshError: (tenantId: string, error: unknown) => void,
  ) {}

  get(tenantId: string): Promise<T> {
    const entry = this.entries.get(tenantId);
    if (entry && entry.value !== undefined && entry.expiresAt > this.now())
      return Promise.resolve(entry.value);
    if (entry?.inFlight) {
      // A stale value is good enough while its refresh runs; a first load is waited for.
      return entry.value !== undefined ? Promise.resolve(entry.value) : entry.inFlight;
    }
    const current: CacheEntry<T> = entry ?? { expiresAt: 0 };
    this.entries.set(tenantId, current);
    const refresh = this.load(tenantId).then(
      (value) => {
        current.value = value;
        current.expiresAt = this.now() + this.ttlMs;
        delete current.inFlight;
        return value;
      },
      (error: unknown) => {
        delete current.inFlight;
        if (current.value === undefined) {
          this.entries.delete(tenantId);
          throw error;
        }
        // Stale-while-error: keep the last good value, look again soon, and say so.
        current.expiresAt = this.now() + this.retryAfterErrorMs;
        this.onRefreshError(tenantId, error);
        return current.value;
      },
    );
    current.inFlight = refresh;
    return refresh;
  }

  /** Forgets a tenant (tests, or after a known change). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.entries.clear();
    else this.entries.delete(tenantId);
  }
}

const defaultProblemReporter = (problem: TenantConfigProblem): void => {
  const error =
    problem.error instanceof Error ? `${problem.error.name}: ${problem.error.message}` : undefined;
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: 'tenant configuration problem', ...problem, error })}\n`,
  );
};

/**
 * {@link TenantConfigSource} on DynamoDB, for the ingest path: validated, cached per tenant (60 s),
 * stale-while-error. The first read of a tenant that fails throws (there is nothing to serve yet).
 */
export class DynamoDbTenantConfigSource implements TenantConfigSource {
  private readonly store: DynamoDbTenantConfigStore;
  private readonly report: (problem: TenantConfigProblem) => void;
  private readonly geofenceCache: StaleWhileErrorCache<readonly Geofence[]>;
  private readonly ruleCache: StaleWhileErrorCache<readonly AlertRule[]>;
  private readonly settingsCache: StaleWhileErrorCache<TenantSettings>;

  constructor(
    client: DynamoDBClient,
    tables: TenantConfigTables = {},
    options: TenantConfigSourceOptions = {},
  ) {
    this.store = new DynamoDbTenantConfigStore(client, tables);
    this.report = options.onProblem ?? defaultProblemReporter;
    const ttl = options.ttlMs ?? 60_000;
    const retry = options.retryAfterErrorMs ?? 5_000;
    const now = options.now ?? Date.now;
    const cacheOf = <T>(part: TenantConfigProblem['part'], load: (tenantId: string) => Promise<T>) =>
      new StaleWhileErrorCache(load, ttl, retry, now, (tenantId, error) =>
        this.report({
          kind: 'refresh-failed',
          tenantId,
          part,
          message: `reading the ${part} failed; the last good value is used`,
          error,
        }),
      );
    this.geofenceCache = cacheOf('geofences', (t) => this.loadGeofences(t));
    this.ruleCache = cacheOf('alertRules', (t) => this.loadRules(t));
    this.settingsCache = cacheOf('settings', (t) => this.loadSettings(t));
  }

  geofences(tenantId: string): Promise<readonly Geofence[]> {
    return this.geofenceCache.get(tenantId);
  }

  alertRules(tenantId: string): Promise<readonly AlertRule[]> {
    return this.ruleCache.get(tenantId);
  }

  settings(tenantId: string): Promise<TenantSettings> {
    return this.settingsCache.get(tenantId);
  }

  /** Drops the cached values of a tenant (all tenants without an argument). */
  invalidate(tenantId?: string): void {
    this.geofenceCache.invalidate(tenantId);
    this.ruleCache.invalidate(tenantId);
    this.settingsCache.invalidate(tenantId);
  }

  private async loadGeofences(tenantId: string): Promise<readonly Geofence[]> {
    const geofences: Geofence[] = [];
    for (const item of await this.store.geofences.list(tenantId)) {
      try {
        geofences.push(geofenceOf(item));
      } catch (error) {
        this.skipped(tenantId, 'geofences', `geofence ${String(item.geofenceId)}`, error);
      }
    }
    return geofences;
  }

  private async loadRules(tenantId: string): Promise<readonly AlertRule[]> {
    const rules: AlertRule[] = [];
    for (const item of await this.store.alertRules.list(tenantId)) {
      try {
        const rule = alertRuleOf(item);
        if (rule.enabled) rules.push(rule);
      } catch (error) {
        this.skipped(tenantId, 'alertRules', `alert rule ${String(item.ruleId)}`, error);
      }
    }
    return rules;
  }

  private async loadSettings(tenantId: string): Promise<TenantSettings> {
    const { settings, problems } = settingsOf(await this.store.getSettings(tenantId));
    for (const message of problems)
      this.report({ kind: 'invalid-item', tenantId, part: 'settings', message });
    return settings;
  }

  private skipped(tenantId: string, part: TenantConfigProblem['part'], what: string, error: unknown): void {
    // Only the detectors' validation errors mean "this item is bad"; anything else is a bug, and throws.
    if (!(error instanceof InvalidGeofenceError || error instanceof InvalidAlertRuleError)) throw error;
    const reason = error.message;
    this.report({ kind: 'invalid-item', tenantId, part, message: `${what} is skipped: ${reason}`, error });
  }
}
