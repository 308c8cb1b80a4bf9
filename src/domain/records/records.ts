/**
 * The records dashboards read (trips, charging sessions, alerts), as pure projections of the domain events
 * the detectors publish. Each event becomes a change to one record; {@link projectEvent} applies it to the
 * stored record (or to none) and says whether anything changed.
 *
 * Events may arrive twice (EventBridge delivers at least once, archives replay) and in any order (a
 * `Trip.Ended` can overtake its `Trip.Started`). So every record remembers, per event kind, the
 * `occurredAt` of the event it last applied: an event not newer than that is a repeat and changes nothing,
 * and an event that starts something never undoes what an event that ends it already wrote.
 */
import type {
  AlertTrigger,
  ChargingEndedDetail,
  ChargingStartedDetail,
  FleetwireEvent,
  JsonValue,
  Location,
  TripEndedDetail,
  TripStartedDetail,
  VehicleAlertClearedDetail,
  VehicleAlertRaisedDetail,
  VehicleErrorReportedDetail,
} from '../events/catalog/index.ts';
import { DETAIL_TYPES } from '../events/catalog/common.ts';
import { deterministicId } from '../detectors/ids.ts';
import type { RetentionKind } from '../../ports/tenant-config.ts';
import { UnsupportedRecordEventError } from './errors.ts';

/** The kinds of record, each in its own table. */
export type RecordKind = 'trip' | 'chargingSession' | 'alert';

/** Which retention setting governs each kind of record. */
export const RETENTION_KIND_OF: Readonly<Record<RecordKind, RetentionKind>> = {
  trip: 'trips',
  chargingSession: 'chargingSessions',
  alert: 'alerts',
};

/** Whether a trip or session is still under way. */
export type RecordStatus = 'open' | 'completed';

/** A trip, as the `trips` table holds it. */
export interface TripRecord {
  readonly tenantId: string;
  /** `<startedAt ISO>#<tripId>`: the sort key, so a tenant's trips sort by start time. */
  readonly tripKey: string;
  readonly tripId: string;
  readonly vehicleId: string;
  readonly startedAt: string;
  readonly status: RecordStatus;
  readonly endedAt: string | null;
  readonly durationSeconds: number | null;
  readonly distanceKm: number | null;
  readonly energyUsedKwh: number | null;
  readonly startPosition: Location | null;
  readonly endPosition: Location | null;
  readonly startOdometerKm: number | null;
  readonly endOdometerKm: number | null;
  readonly startBatteryLevelPercent: number | null;
  readonly endBatteryLevelPercent: number | null;
  readonly maxSpeedKph: number | null;
  readonly averageSpeedKph: number | null;
  /** Google encoded polyline, precision 5; null while under way. */
  readonly routePolyline: string | null;
  readonly routePointCount: number | null;
  /** `occurredAt` of the `Trip.Started` applied, null if none was seen. */
  readonly startedEventAt: string | null;
  /** `occurredAt` of the `Trip.Ended` applied, null while none was seen. */
  readonly endedEventAt: string | null;
  /** Epoch seconds after which the record is expired (DynamoDB TTL; queries filter it offline). */
  readonly ttl: number;
}

/** A charging session, as the `charging-sessions` table holds it. */
export interface ChargingSessionRecord {
  readonly tenantId: string;
  /** `<startedAt ISO>#<sessionId>`. */
  readonly sessionKey: string;
  readonly sessionId: string;
  readonly vehicleId: string;
  readonly startedAt: string;
  readonly status: RecordStatus;
  readonly endedAt: string | null;
  readonly durationSeconds: number | null;
  /** `AC` or `DC`, as the events spell it. */
  readonly currentType: 'AC' | 'DC';
  readonly fastChargerType: string | null;
  readonly energyAddedKwh: number | null;
  readonly maxPowerKw: number | null;
  readonly startBatteryLevelPercent: number | null;
  readonly endBatteryLevelPercent: number | null;
  readonly chargeLimitPercent: number | null;
  readonly endReason: 'completed' | 'stopped' | 'disconnected' | 'unknown' | null;
  readonly position: Location | null;
  readonly startedEventAt: string | null;
  readonly endedEventAt: string | null;
  readonly ttl: number;
}

/** Where an alert came from: Tesla's alerts topic, a tenant rule, or Tesla's errors topic. */
export type AlertSource = 'tesla' | 'rule' | 'error';

/** An alert occurrence, as the `alerts` table holds it. */
export interface AlertRecord {
  readonly tenantId: string;
  readonly alertId: string;
  readonly vehicleId: string;
  readonly startedAt: string;
  /** `raised` until a `Vehicle.Alert.Cleared`; errors stay `raised` (they are never cleared). */
  readonly status: 'raised' | 'cleared';
  readonly severity: 'info' | 'warning' | 'critical';
  readonly source: AlertSource;
  /** The trigger as the events carry it; for an error `{ kind: 'error', errorName }`. */
  readonly trigger: AlertTrigger | { readonly kind: 'error'; readonly errorName: string };
  readonly message: string | null;
  readonly endedAt: string | null;
  readonly durationSeconds: number | null;
  /** The signals of the latest change (raised or cleared). */
  readonly signals: Readonly<Record<string, JsonValue>>;
  /** An error's tags (source `error`); null otherwise. */
  readonly tags: Readonly<Record<string, string>> | null;
  /** The latest change's `occurredAt`. */
  readonly occurredAt: string;
  readonly raisedEventAt: string | null;
  readonly clearedEventAt: string | null;
  readonly ttl: number;
}

/** Any record, by kind. */
export interface RecordOfKind {
  readonly trip: TripRecord;
  readonly chargingSession: ChargingSessionRecord;
  readonly alert: AlertRecord;
}

/** Identifies one record: its kind, tenant and sort key (`tripKey`, `sessionKey` or `alertId`). */
export interface RecordAddress<K extends RecordKind = RecordKind> {
  readonly kind: K;
  readonly tenantId: string;
  readonly key: string;
}

/** What {@link projectEvent} decided. */
export type Projection<K extends RecordKind = RecordKind> =
  | { readonly outcome: 'created' | 'updated'; readonly record: RecordOfKind[K] }
  | { readonly outcome: 'unchanged' };

/** The detail-types the projector consumes. */
export const PROJECTED_DETAIL_TYPES = [
  DETAIL_TYPES.TripStarted,
  DETAIL_TYPES.TripEnded,
  DETAIL_TYPES.ChargingStarted,
  DETAIL_TYPES.ChargingEnded,
  DETAIL_TYPES.VehicleAlertRaised,
  DETAIL_TYPES.VehicleAlertCleared,
  DETAIL_TYPES.VehicleErrorReported,
] as const;

/** A detail-type the projector consumes. */
export type ProjectedDetailType = (typeof PROJECTED_DETAIL_TYPES)[number];

const SECONDS_PER_DAY = 86_400;

/**
 * An ISO instant in the one form records store (`toISOString`, always milliseconds), so that string order
 * is time order and a `Trip.Started` and `Trip.Ended` written with different precision meet on one key.
 */
export function canonicalInstant(iso: string): string {
  return new Date(iso).toISOString();
}

/** The sort key of a trip or session: `<startedAt ISO>#<id>`. */
export function timeKey(startedAt: string, id: string): string {
  return `${canonicalInstant(startedAt)}#${id}`;
}

/**
 * When a record expires: `retentionDays` after it ended (or started, while open), as epoch seconds. From
 * the end, so that a long-open alert is never expired while it is still of interest.
 */
export function expiryOf(startedAt: string, endedAt: string | null, retentionDays: number): number {
  const anchor = Date.parse(endedAt ?? startedAt);
  return Math.floor(anchor / 1000) + Math.round(retentionDays * SECONDS_PER_DAY);
}

/** Whether an event of `occurredAt` is newer than the one of the same kind already applied. */
function isNewer(occurredAt: string, applied: string | null): boolean {
  return applied === null || Date.parse(occurredAt) > Date.parse(applied);
}

/** The record an event is about, without reading it. */
export function addressOf(event: FleetwireEvent): RecordAddress {
  switch (event['detail-type']) {
    case DETAIL_TYPES.TripStarted:
    case DETAIL_TYPES.TripEnded:
      return {
        kind: 'trip',
        tenantId: event.detail.tenantId,
        key: timeKey(event.detail.startedAt, event.detail.tripId),
      };
    case DETAIL_TYPES.ChargingStarted:
    case DETAIL_TYPES.ChargingEnded:
      return {
        kind: 'chargingSession',
        tenantId: event.detail.tenantId,
        key: timeKey(event.detail.startedAt, event.detail.sessionId),
      };
    case DETAIL_TYPES.VehicleAlertRaised:
    case DETAIL_TYPES.VehicleAlertCleared:
      return { kind: 'alert', tenantId: event.detail.tenantId, key: event.detail.alertId };
    case DETAIL_TYPES.VehicleErrorReported:
      return { kind: 'alert', tenantId: event.detail.tenantId, key: errorAlertId(event.detail) };
    default:
      throw new UnsupportedRecordEventError(event['detail-type']);
  }
}

/**
 * The alert id of a reported error: errors carry no id, so one is derived from everything that identifies
 * the error (as the detector's dedup key does), and a replayed error lands on the same alert.
 */
export function errorAlertId(detail: VehicleErrorReportedDetail): string {
  const tags = Object.keys(detail.tags)
    .sort()
    .map((name) => [name, detail.tags[name]]);
  return deterministicId('alr', [
    'error',
    detail.tenantId,
    detail.vehicleId,
    detail.errorName,
    canonicalInstant(detail.reportedAt),
    detail.body,
    JSON.stringify(tags),
  ]);
}

/**
 * Applies one event to the record it is about (`existing`, undefined when there is none yet). Pure: the
 * caller reads and writes. `retentionDays` is the tenant's retention for the record's kind.
 */
export function projectEvent(
  event: FleetwireEvent,
  existing: RecordOfKind[RecordKind] | undefined,
  retentionDays: number,
): Projection {
  switch (event['detail-type']) {
    case DETAIL_TYPES.TripStarted:
      return tripStarted(event.detail, existing as TripRecord | undefined, retentionDays);
    case DETAIL_TYPES.TripEnded:
      return tripEnded(event.detail, existing as TripRecord | undefined, retentionDays);
    case DETAIL_TYPES.ChargingStarted:
      return chargingStarted(event.detail, existing as ChargingSessionRecord | undefined, retentionDays);
    case DETAIL_TYPES.ChargingEnded:
      return chargingEnded(event.detail, existing as ChargingSessionRecord | undefined, retentionDays);
    case DETAIL_TYPES.VehicleAlertRaised:
      return alertRaised(event.detail, existing as AlertRecord | undefined, retentionDays);
    case DETAIL_TYPES.VehicleAlertCleared:
      return alertCleared(event.detail, existing as AlertRecord | undefined, retentionDays);
    case DETAIL_TYPES.VehicleErrorReported:
      return errorReported(event.detail, existing as AlertRecord | undefined, retentionDays);
    default:
      throw new UnsupportedRecordEventError(event['detail-type']);
  }
}

const changed = <R extends RecordOfKind[RecordKind]>(existing: R | undefined, record: R): Projection => ({
  outcome: existing === undefined ? 'created' : 'updated',
  record,
});

/** `value` unless `current` already holds something: a start event only fills what an end event left out. */
const fill = <T>(current: T | null, value: T | null): T | null => current ?? value;

function tripStarted(d: TripStartedDetail, existing: TripRecord | undefined, days: number): Projection {
  if (existing && !isNewer(d.occurredAt, existing.startedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  if (existing === undefined) {
    return changed(existing, {
      tenantId: d.tenantId,
      tripKey: timeKey(startedAt, d.tripId),
      tripId: d.tripId,
      vehicleId: d.vehicleId,
      startedAt,
      status: 'open',
      endedAt: null,
      durationSeconds: null,
      distanceKm: null,
      energyUsedKwh: null,
      startPosition: d.startPosition,
      endPosition: null,
      startOdometerKm: d.startOdometerKm,
      endOdometerKm: null,
      startBatteryLevelPercent: d.startBatteryLevelPercent,
      endBatteryLevelPercent: null,
      maxSpeedKph: null,
      averageSpeedKph: null,
      routePolyline: null,
      routePointCount: null,
      startedEventAt: d.occurredAt,
      endedEventAt: null,
      ttl: expiryOf(startedAt, null, days),
    });
  }
  // Already ended (Trip.Ended overtook it) or a newer Started: never reopen, only fill gaps.
  return changed(existing, {
    ...existing,
    startPosition: fill(existing.startPosition, d.startPosition),
    startOdometerKm: fill(existing.startOdometerKm, d.startOdometerKm),
    startBatteryLevelPercent: fill(existing.startBatteryLevelPercent, d.startBatteryLevelPercent),
    startedEventAt: d.occurredAt,
  });
}

function tripEnded(d: TripEndedDetail, existing: TripRecord | undefined, days: number): Projection {
  if (existing && !isNewer(d.occurredAt, existing.endedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  const endedAt = canonicalInstant(d.endedAt);
  // Trip.Ended carries everything Trip.Started does, so it completes a trip even if Started was never seen.
  return changed(existing, {
    tenantId: d.tenantId,
    tripKey: timeKey(startedAt, d.tripId),
    tripId: d.tripId,
    vehicleId: d.vehicleId,
    startedAt,
    status: 'completed',
    endedAt,
    durationSeconds: d.durationSeconds,
    distanceKm: d.distanceKm,
    energyUsedKwh: d.energyUsedKwh,
    startPosition: d.startPosition ?? existing?.startPosition ?? null,
    endPosition: d.endPosition,
    startOdometerKm: d.startOdometerKm ?? existing?.startOdometerKm ?? null,
    endOdometerKm: d.endOdometerKm,
    startBatteryLevelPercent: d.startBatteryLevelPercent ?? existing?.startBatteryLevelPercent ?? null,
    endBatteryLevelPercent: d.endBatteryLevelPercent,
    maxSpeedKph: d.maxSpeedKph,
    averageSpeedKph: d.averageSpeedKph,
    routePolyline: d.route.polyline,
    routePointCount: d.route.pointCount,
    startedEventAt: existing?.startedEventAt ?? null,
    endedEventAt: d.occurredAt,
    ttl: expiryOf(startedAt, endedAt, days),
  });
}

function chargingStarted(
  d: ChargingStartedDetail,
  existing: ChargingSessionRecord | undefined,
  days: number,
): Projection {
  if (existing && !isNewer(d.occurredAt, existing.startedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  if (existing === undefined) {
    return changed(existing, {
      tenantId: d.tenantId,
      sessionKey: timeKey(startedAt, d.sessionId),
      sessionId: d.sessionId,
      vehicleId: d.vehicleId,
      startedAt,
      status: 'open',
      endedAt: null,
      durationSeconds: null,
      currentType: d.currentType,
      fastChargerType: d.fastChargerType,
      energyAddedKwh: null,
      maxPowerKw: null,
      startBatteryLevelPercent: d.startBatteryLevelPercent,
      endBatteryLevelPercent: null,
      chargeLimitPercent: d.chargeLimitPercent,
      endReason: null,
      position: d.position,
      startedEventAt: d.occurredAt,
      endedEventAt: null,
      ttl: expiryOf(startedAt, null, days),
    });
  }
  return changed(existing, {
    ...existing,
    startBatteryLevelPercent: fill(existing.startBatteryLevelPercent, d.startBatteryLevelPercent),
    chargeLimitPercent: fill(existing.chargeLimitPercent, d.chargeLimitPercent),
    position: fill(existing.position, d.position),
    startedEventAt: d.occurredAt,
  });
}

function chargingEnded(
  d: ChargingEndedDetail,
  existing: ChargingSessionRecord | undefined,
  days: number,
): Projection {
  if (existing && !isNewer(d.occurredAt, existing.endedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  const endedAt = canonicalInstant(d.endedAt);
  // The Ended event says what the whole session showed (AC/DC), so it wins over what was known at the start.
  return changed(existing, {
    tenantId: d.tenantId,
    sessionKey: timeKey(startedAt, d.sessionId),
    sessionId: d.sessionId,
    vehicleId: d.vehicleId,
    startedAt,
    status: 'completed',
    endedAt,
    durationSeconds: d.durationSeconds,
    currentType: d.currentType,
    fastChargerType: d.fastChargerType,
    energyAddedKwh: d.energyAddedKwh,
    maxPowerKw: d.maxPowerKw,
    startBatteryLevelPercent: d.startBatteryLevelPercent ?? existing?.startBatteryLevelPercent ?? null,
    endBatteryLevelPercent: d.endBatteryLevelPercent,
    chargeLimitPercent: existing?.chargeLimitPercent ?? null,
    endReason: d.endReason,
    position: d.position ?? existing?.position ?? null,
    startedEventAt: existing?.startedEventAt ?? null,
    endedEventAt: d.occurredAt,
    ttl: expiryOf(startedAt, endedAt, days),
  });
}

/** The later of two instants (null counts as never). */
const later = (a: string | null, b: string): string => (a !== null && Date.parse(a) > Date.parse(b) ? a : b);

function alertRaised(
  d: VehicleAlertRaisedDetail,
  existing: AlertRecord | undefined,
  days: number,
): Projection {
  if (existing && !isNewer(d.occurredAt, existing.raisedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  if (existing === undefined) {
    return changed(existing, {
      tenantId: d.tenantId,
      alertId: d.alertId,
      vehicleId: d.vehicleId,
      startedAt,
      status: 'raised',
      severity: d.severity,
      source: d.trigger.kind,
      trigger: d.trigger,
      message: d.message,
      endedAt: null,
      durationSeconds: null,
      signals: d.signals,
      tags: null,
      occurredAt: d.occurredAt,
      raisedEventAt: d.occurredAt,
      clearedEventAt: null,
      ttl: expiryOf(startedAt, null, days),
    });
  }
  // Cleared overtook it: keep it cleared (and its signals); the Raised adds only its message.
  const cleared = existing.clearedEventAt !== null;
  return changed(existing, {
    ...existing,
    message: d.message,
    signals: cleared ? existing.signals : d.signals,
    occurredAt: later(existing.occurredAt, d.occurredAt),
    raisedEventAt: d.occurredAt,
  });
}

function alertCleared(
  d: VehicleAlertClearedDetail,
  existing: AlertRecord | undefined,
  days: number,
): Projection {
  if (existing && !isNewer(d.occurredAt, existing.clearedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.startedAt);
  const endedAt = canonicalInstant(d.endedAt);
  return changed(existing, {
    tenantId: d.tenantId,
    alertId: d.alertId,
    vehicleId: d.vehicleId,
    startedAt,
    status: 'cleared',
    severity: d.severity,
    source: d.trigger.kind,
    trigger: d.trigger,
    message: existing?.message ?? null,
    endedAt,
    durationSeconds: d.durationSeconds,
    signals: d.signals,
    tags: existing?.tags ?? null,
    occurredAt: later(existing?.occurredAt ?? null, d.occurredAt),
    raisedEventAt: existing?.raisedEventAt ?? null,
    clearedEventAt: d.occurredAt,
    ttl: expiryOf(startedAt, endedAt, days),
  });
}

/** Alerts carry at most 1024 characters of message (the catalog's limit for alert messages). */
const MAX_MESSAGE_LENGTH = 1024;

function errorReported(
  d: VehicleErrorReportedDetail,
  existing: AlertRecord | undefined,
  days: number,
): Projection {
  // An error is one event: once recorded, a replay or redelivery has nothing to add.
  if (existing && !isNewer(d.occurredAt, existing.raisedEventAt)) return { outcome: 'unchanged' };
  const startedAt = canonicalInstant(d.reportedAt);
  const text = d.body === '' ? d.errorName : `${d.errorName}: ${d.body}`;
  return changed(existing, {
    tenantId: d.tenantId,
    alertId: errorAlertId(d),
    vehicleId: d.vehicleId,
    startedAt,
    status: 'raised',
    severity: 'warning',
    source: 'error',
    trigger: { kind: 'error', errorName: d.errorName },
    message: text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text,
    endedAt: null,
    durationSeconds: null,
    signals: {},
    tags: d.tags,
    occurredAt: d.occurredAt,
    raisedEventAt: d.occurredAt,
    clearedEventAt: null,
    ttl: expiryOf(startedAt, null, days),
  });
}
