/**
 * The detectors' timer checks for vehicles gone quiet (DESIGN.md §3 step 5): silence → offline, a parked
 * vehicle's trip end, a charging session's end after its resume window, geofence dwell, alert sustain and
 * time windows, and the closing of the open history window. Records drive the detectors while a vehicle
 * sends; a vehicle that stops sending needs a clock, which this provides (an interval offline, a scheduled
 * Lambda in AWS). The checks give the same events whenever they run (docs/detectors.md), so running them
 * late or twice changes nothing.
 */
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../detectors/index.ts';
import {
  DEFAULT_HISTORY_WINDOW_SECONDS,
  runVehicleDetectors,
  type DetectorCounts,
  type DetectorDependencies,
  type DetectorRunTarget,
  type VehicleWork,
} from './vehicle-detectors.ts';

/** How far back the ticker looks: vehicles silent longer than this are left alone. Default 48 h. */
export const DEFAULT_TICK_HORIZON_SECONDS = 48 * 3600;

/** Vehicles ticked per tenant and run, at most; the oldest first, the rest next time. */
const DEFAULT_TICK_LIMIT = 5_000;

/** What one tick run did. */
export interface TickResult {
  readonly tenants: number;
  readonly vehicles: number;
  /** Vehicles whose events or history could not be written (kept for the next tick). */
  readonly failedVehicles: number;
  readonly counts: DetectorCounts;
}

/** Options of {@link tickQuietVehicles}. */
export interface TickOptions {
  readonly horizonSeconds?: number;
  readonly limitPerTenant?: number;
}

/**
 * The shortest time after which a timer check can change anything: a vehicle silent for less than that
 * needs no tick. The shortest of the detectors' timeouts and the history window.
 */
export function smallestTimeoutMs(config: DetectorConfig, historyWindowSeconds: number): number {
  return (
    Math.min(
      config.trips.parkDwellSeconds,
      config.charging.resumeWindowSeconds,
      config.geofences.dwellSeconds,
      config.connectivity.silenceTimeoutSeconds,
      historyWindowSeconds,
    ) * 1000
  );
}

/**
 * Runs the timer checks at `now` for every tenant's vehicles whose last record is older than the smallest
 * timeout (and newer than the horizon), oldest first.
 */
export async function tickQuietVehicles(
  deps: DetectorDependencies,
  target: DetectorRunTarget,
  now: number,
  options: TickOptions = {},
): Promise<TickResult> {
  const config = deps.config ?? DEFAULT_DETECTOR_CONFIG;
  const quietMs = smallestTimeoutMs(config, deps.historyWindowSeconds ?? DEFAULT_HISTORY_WINDOW_SECONDS);
  const horizonMs = (options.horizonSeconds ?? DEFAULT_TICK_HORIZON_SECONDS) * 1000;
  const tenants = await deps.states.tenants();
  const works: VehicleWork[] = [];
  for (const tenantId of tenants) {
    const vehicleIds = await deps.states.quietVehicles({
      tenantId,
      seenFrom: now - horizonMs,
      seenTo: now - quietMs,
      limit: options.limitPerTenant ?? DEFAULT_TICK_LIMIT,
    });
    for (const vehicleId of vehicleIds) works.push({ tenantId, vehicleId });
  }
  const result = await runVehicleDetectors(works, deps, target, now);
  return {
    tenants: tenants.length,
    vehicles: works.length,
    failedVehicles: result.failedVehicles.size,
    counts: result.counts,
  };
}
