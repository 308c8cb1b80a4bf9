/**
 * From stored configuration items to the detectors' models: each item is validated with the detectors'
 * own schemas (`GeofenceSchema` via `parseGeofences`, `AlertRuleSchema` via `parseAlertRules`), so what the
 * management API wrote and what ingest reads can never disagree about what is valid.
 */
import { parseAlertRules, parseGeofences, type AlertRule, type Geofence } from '../detectors/index.ts';
import {
  DEFAULT_RETENTION_DAYS,
  RETENTION_KINDS,
  type RetentionKind,
  type TenantSettings,
} from '../../ports/tenant-config.ts';
import type {
  StoredAlertRule,
  StoredGeofence,
  StoredTenantSettings,
} from '../../ports/tenant-config-store.ts';

/** Most days any kind of data is kept (ten years). */
export const MAX_RETENTION_DAYS = 3650;

/**
 * The detectors' geofence of a stored item. Throws `InvalidGeofenceError` (with the schema's precise
 * message) when the item does not validate.
 */
export function geofenceOf(item: Pick<StoredGeofence, 'geofenceId' | 'name' | 'shape'>): Geofence {
  return parseGeofences([{ id: item.geofenceId, name: item.name, shape: item.shape }])[0]!;
}

/** The detectors' alert rule of a stored item. Throws `InvalidAlertRuleError` when it does not validate. */
export function alertRuleOf(
  item: Pick<
    StoredAlertRule,
    'ruleId' | 'name' | 'severity' | 'enabled' | 'sustainSeconds' | 'clearSustainSeconds' | 'condition'
  >,
): AlertRule {
  return parseAlertRules([
    {
      id: item.ruleId,
      name: item.name,
      severity: item.severity,
      enabled: item.enabled,
      sustainSeconds: item.sustainSeconds,
      clearSustainSeconds: item.clearSustainSeconds,
      condition: item.condition,
    },
  ])[0]!;
}

/** Whether `timeZone` is an IANA zone this runtime knows (the alert detector converts with `Intl`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A valid retention: a whole number of days, 1 to {@link MAX_RETENTION_DAYS}. */
export function isValidRetention(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS;
}

/**
 * A tenant's settings from its stored item (or none), defaults filled in. A stored value that is not
 * valid (an unknown time zone, a retention out of range) is replaced by the default and named in
 * `problems`, so a bad item degrades one setting rather than failing ingest.
 */
export function settingsOf(item: StoredTenantSettings | undefined): {
  settings: TenantSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const retentionDays: Record<RetentionKind, number> = { ...DEFAULT_RETENTION_DAYS };
  for (const kind of RETENTION_KINDS) {
    const days = item?.retentionDays?.[kind];
    if (days === undefined || days === null) continue;
    if (isValidRetention(days)) retentionDays[kind] = days;
    else problems.push(`retentionDays.${kind} must be a whole number of days 1-${MAX_RETENTION_DAYS}`);
  }
  let timeZone: string | undefined;
  if (item?.timeZone !== undefined && item.timeZone !== null) {
    if (typeof item.timeZone === 'string' && isKnownTimeZone(item.timeZone)) timeZone = item.timeZone;
    else problems.push('timeZone is not a known IANA time zone; UTC is used');
  }
  return { settings: timeZone === undefined ? { retentionDays } : { timeZone, retentionDays }, problems };
}
