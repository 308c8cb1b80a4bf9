/**
 * The shapes every detector shares: what goes in (one vehicle's batch), what comes out (events), and the
 * conventions of the state (plain JSON, `null` rather than absent, times as epoch milliseconds).
 */
import type { SignalSample } from '../state/coalesce.ts';
import type { SignalValue, VehicleAlert, VehicleError } from '../tesla/types.ts';
import type { DetailOf } from '../events/catalog/index.ts';
import type { DETAIL_TYPES } from '../events/catalog/common.ts';
import type { DetectorConfig } from './config.ts';
import type { Geofence } from './geofences.ts';
import type { AlertRule, AlertSeverity } from './alerts.ts';

export type { SignalSample } from '../state/coalesce.ts';
export type { SignalValue } from '../tesla/types.ts';

/** The detail-types the detectors produce. */
export type DetectorDetailType =
  | typeof DETAIL_TYPES.TripStarted
  | typeof DETAIL_TYPES.TripEnded
  | typeof DETAIL_TYPES.ChargingStarted
  | typeof DETAIL_TYPES.ChargingEnded
  | typeof DETAIL_TYPES.GeofenceEntered
  | typeof DETAIL_TYPES.GeofenceExited
  | typeof DETAIL_TYPES.VehicleAlertRaised
  | typeof DETAIL_TYPES.VehicleAlertCleared
  | typeof DETAIL_TYPES.VehicleErrorReported
  | typeof DETAIL_TYPES.VehicleConnectivityChanged;

/** One domain event, ready for `toPutEventsEntry` (which validates it against the catalog). */
export type DomainEvent = {
  [T in DetectorDetailType]: { readonly detailType: T; readonly detail: DetailOf<T> };
}[DetectorDetailType];

/** A record's signals, all measured at `at` (epoch ms): a `SignalRecord` without its key. */
export interface TimedSignals {
  readonly at: number;
  readonly signals: Readonly<Record<string, SignalValue>>;
}

/** Signal name → one sample; plain data, so it serializes as JSON. */
export type SampleMap = Readonly<Record<string, SignalSample<SignalValue>>>;

/**
 * An `alerts` record without its VIN: Tesla's alerts of one vehicle. A decoded record fits as it is (the
 * detectors never read or copy its `vin`).
 */
export interface AlertsObservation {
  /** The record's created_at, ISO-8601 UTC. */
  readonly createdAt: string;
  readonly alerts: readonly VehicleAlert[];
}

/** An `errors` record without its VIN. */
export interface ErrorsObservation {
  readonly createdAt: string;
  readonly errors: readonly VehicleError[];
}

/** A `connectivity` record without its VIN. */
export interface ConnectivityObservation {
  readonly createdAt: string;
  readonly connectionId: string;
  /** `CONNECTED`, `DISCONNECTED`; anything else is ignored. */
  readonly status: string | number;
  readonly networkInterface: string;
}

/** Which vehicle of which tenant: all a timer check (`tick…`, `checkSilence`) needs besides the state. */
export interface VehicleRef {
  readonly tenantId: string;
  /** The pseudonymous vehicle id (never the VIN). */
  readonly vehicleId: string;
}

/**
 * One vehicle's share of one ingest batch: the input of every detector. Each detector reads the parts it
 * needs; all parts are optional, so a batch with only a `connectivity` record is a valid input.
 */
export interface VehicleBatch extends VehicleRef {
  /**
   * The batch's coalesced telemetry (DESIGN.md §3 step 4): the newest sample per signal, each with its
   * record's `created_at`. Samples the detector has already processed, or older ones, are ignored.
   */
  readonly samples?: SampleMap;
  /**
   * The vehicle's `V` records of the batch, any order, duplicates allowed: when given, detectors see every
   * intermediate value (a whole trip inside one large batch, every route point), not only the newest per
   * signal. Read together with `samples`; the same sample in both counts once.
   */
  readonly records?: readonly TimedSignals[];
  /**
   * The vehicle's latest values from the latest-state store. Used only to fill in signals a detector has
   * never seen (a detector state that is new or expired); they never trigger a transition on their own.
   */
  readonly latest?: SampleMap;
  /** The `alerts` records of the batch, any order. */
  readonly alerts?: readonly AlertsObservation[];
  /** The `errors` records of the batch, any order. */
  readonly errors?: readonly ErrorsObservation[];
  /** The `connectivity` records of the batch, any order. */
  readonly connectivity?: readonly ConnectivityObservation[];
  /**
   * The newest `created_at` of the vehicle's `V` records in the batch (ms), also of signals no detector
   * reads: presence for the connectivity detector. Defaults to the newest sample.
   */
  readonly lastRecordAt?: number;
}

/** What a detector knows about the tenant and vehicle besides the batch. */
export interface DetectorContext {
  /** The resolved configuration ({@link resolveDetectorConfig}). */
  readonly config: DetectorConfig;
  /** The tenant's geofences, validated ({@link parseGeofences}). */
  readonly geofences?: readonly Geofence[];
  /** The tenant's alert rules, validated ({@link parseAlertRules}). */
  readonly rules?: readonly AlertRule[];
  /** The tenant's IANA time zone for time-of-day rules; UTC when absent. */
  readonly timeZone?: string;
  /** The vehicle's usable battery capacity, kWh, to turn battery levels into energy when needed. */
  readonly batteryCapacityKwh?: number | null;
  /** Tesla alert name → severity; others are `warning`. */
  readonly teslaAlertSeverities?: Readonly<Record<string, AlertSeverity>>;
  /**
   * The caller hands the previous state over (a copy of its own, parsed for this call): detectors then
   * advance it in place instead of deep-copying it first. Off by default, so a state in a cache is safe.
   */
  readonly ownsState?: boolean;
}

/** What a detector returns: its new state (store it) and the events to publish. */
export interface DetectorResult<S> {
  readonly state: S;
  readonly events: DomainEvent[];
}
