import type { SignalSample } from '../domain/state/coalesce.ts';

/** A coordinate as Fleetwire normalizes Tesla's `Location`. */
export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** One vehicle's coalesced signals of a batch, to be merged into its latest state. */
export interface VehicleStateUpdate {
  readonly tenantId: string;
  readonly vehicleId: string;
  /** The newest `created_at` of the vehicle's records in the batch (epoch ms). */
  readonly lastRecordAt: number;
  readonly signals: ReadonlyMap<string, SignalSample>;
}

/** What merging an update did: the signals whose stored value is now the update's. */
export interface AppliedStateUpdate {
  readonly tenantId: string;
  readonly vehicleId: string;
  /**
   * Signals stored now with the update's timestamp: newer ones, and ones equal to what was stored (a
   * redelivered batch must publish again what a failed attempt may not have published).
   */
  readonly accepted: ReadonlyMap<string, SignalSample>;
}

/** A vehicle's latest known state. */
export interface VehicleState {
  readonly vehicleId: string;
  /** Epoch ms of the newest record seen from the vehicle. */
  readonly lastSeenAt: number;
  readonly signals: ReadonlyMap<string, SignalSample>;
}

/**
 * The latest state of every vehicle, per tenant: Redis in AWS and offline, memory only as the offline
 * fallback. Merges are last-write-wins per signal by timestamp, so replays and duplicates are harmless.
 */
/**
 * The signals a fleet overview reads (position, speed, battery, gear, locks, charging, temperatures): a
 * store may keep them together per vehicle, so that reading them for a whole fleet is one lookup.
 */
export const SUMMARY_SIGNALS = [
  'Location',
  'GpsHeading',
  'VehicleSpeed',
  'BatteryLevel',
  'Soc',
  'EstBatteryRange',
  'Gear',
  'Locked',
  'DetailedChargeState',
  'ChargeLimitSoc',
  'Odometer',
  'InsideTemp',
  'OutsideTemp',
] as const;

/** What {@link LatestStateStore.vehicleStates} reads. */
export interface VehicleStatesOptions {
  /** Only these signals of each vehicle; every signal when absent. */
  readonly signals?: readonly string[];
}

export interface LatestStateStore {
  /** Merges a batch of updates in one round trip. */
  apply(updates: readonly VehicleStateUpdate[]): Promise<AppliedStateUpdate[]>;
  vehicleState(tenantId: string, vehicleId: string): Promise<VehicleState | undefined>;
  /**
   * The states of many vehicles in one round trip, in the order asked; unknown vehicles are left out.
   * With `signals`, each state holds only those signals (a fleet map needs a handful of a vehicle's ~100).
   */
  vehicleStates(
    tenantId: string,
    vehicleIds: readonly string[],
    options?: VehicleStatesOptions,
  ): Promise<VehicleState[]>;
  /** Vehicle ids of the tenant by last-seen time, newest first. */
  vehicleIds(tenantId: string, options?: { readonly limit?: number }): Promise<string[]>;
  /** Vehicles of the tenant within `radiusMeters` of a point, nearest first. */
  vehiclesNear(tenantId: string, center: GeoPoint, radiusMeters: number): Promise<string[]>;
}
