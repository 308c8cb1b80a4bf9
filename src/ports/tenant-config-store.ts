/**
 * Where a tenant's configuration is kept for management (the FleetConfig function behind GraphQL): raw
 * stored items with a version for optimistic concurrency. The ingest path reads the same data through
 * {@link TenantConfigSource} (`./tenant-config.ts`), validated and cached.
 */
import type { RetentionKind } from './tenant-config.ts';

/** What every stored configuration item carries besides its content. */
export interface StoredMeta {
  readonly tenantId: string;
  /** 1 on creation, +1 on each change; an update is conditional on the version it read. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A stored geofence: the detectors' `Geofence` model, keyed by tenant and geofence id. */
export interface StoredGeofence extends StoredMeta {
  readonly geofenceId: string;
  readonly name: string;
  readonly shape:
    | { readonly kind: 'circle'; readonly center: Coordinates; readonly radiusMeters: number }
    | { readonly kind: 'polygon'; readonly points: readonly Coordinates[] };
}

/** A position as stored. */
export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/** A stored alert rule: the detectors' `AlertRule` model (condition as a JSON map), keyed by tenant and rule id. */
export interface StoredAlertRule extends StoredMeta {
  readonly ruleId: string;
  readonly name: string;
  readonly severity: string;
  readonly enabled: boolean;
  readonly sustainSeconds: number;
  readonly clearSustainSeconds: number;
  readonly condition: Readonly<Record<string, unknown>>;
}

/** A tenant's stored settings; absent fields take the defaults. */
export interface StoredTenantSettings {
  readonly tenantId: string;
  readonly timeZone?: string;
  readonly retentionDays?: Partial<Record<RetentionKind, number>>;
  readonly version: number;
  readonly updatedAt: string;
}

/** A conditional write lost: the item changed (or vanished) since it was read. */
export class TenantConfigStoreError extends Error {
  override readonly name: string = 'TenantConfigStoreError';
}

/** The item's version is not the one the write expected. */
export class VersionConflictError extends TenantConfigStoreError {
  override readonly name: string = 'VersionConflictError';
}

/** The item to change or delete does not exist. */
export class ConfigItemNotFoundError extends TenantConfigStoreError {
  override readonly name: string = 'ConfigItemNotFoundError';
}

/** One kind of per-tenant list (geofences or alert rules). */
export interface TenantItemStore<T extends StoredMeta> {
  /** Every item of the tenant (strongly consistent). */
  list(tenantId: string): Promise<T[]>;
  /** How many items the tenant has. */
  count(tenantId: string): Promise<number>;
  /** One item, or undefined. */
  get(tenantId: string, id: string): Promise<T | undefined>;
  /** Puts a new item; fails with {@link VersionConflictError} when the id exists. */
  create(item: T): Promise<void>;
  /**
   * Replaces an item whose stored version is `expectedVersion`: {@link VersionConflictError} when it is
   * another, {@link ConfigItemNotFoundError} when it is gone.
   */
  replace(item: T, expectedVersion: number): Promise<void>;
  /** Deletes an item; {@link ConfigItemNotFoundError} when there is none. */
  delete(tenantId: string, id: string): Promise<void>;
}

/** Everything the FleetConfig function reads and writes. */
export interface TenantConfigStore {
  readonly geofences: TenantItemStore<StoredGeofence>;
  readonly alertRules: TenantItemStore<StoredAlertRule>;
  /** The tenant's settings item, or undefined when it never set any. */
  getSettings(tenantId: string): Promise<StoredTenantSettings | undefined>;
  /**
   * Writes the settings if the stored version is `expectedVersion` (0: there is no item yet);
   * {@link VersionConflictError} otherwise.
   */
  putSettings(settings: StoredTenantSettings, expectedVersion: number): Promise<void>;
}
