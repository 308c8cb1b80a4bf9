import type { AlertRule, Geofence } from '../domain/detectors/index.ts';

/** Kinds of stored data with a per-tenant retention. */
export const RETENTION_KINDS = ['telemetryHistory', 'trips', 'chargingSessions', 'alerts'] as const;

/** A kind of stored data with a per-tenant retention. */
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Retention defaults, in days, for a tenant that configured none. */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<RetentionKind, number>> = {
  telemetryHistory: 30,
  trips: 365,
  chargingSessions: 365,
  alerts: 180,
};

/** A tenant's settings that the ingest path and the stores need. */
export interface TenantSettings {
  /** IANA time zone for time-of-day alert rules, e.g. `Europe/Berlin`; UTC when absent. */
  readonly timeZone?: string;
  /** Days each kind of data is kept; {@link DEFAULT_RETENTION_DAYS} for a kind left out. */
  readonly retentionDays: Readonly<Record<RetentionKind, number>>;
}

/**
 * What the detectors need to know about a tenant: its geofences, alert rules and settings. Read on the
 * ingest path for every batch, so adapters cache (a change takes effect within a minute, not at once).
 */
export interface TenantConfigSource {
  /** The tenant's geofences, validated; empty when it has none. */
  geofences(tenantId: string): Promise<readonly Geofence[]>;
  /** The tenant's enabled alert rules, validated; empty when it has none. */
  alertRules(tenantId: string): Promise<readonly AlertRule[]>;
  /** The tenant's settings, defaults filled in. */
  settings(tenantId: string): Promise<TenantSettings>;
}
