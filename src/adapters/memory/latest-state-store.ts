import { newerSample, type SignalSample } from '../../domain/state/coalesce.ts';
import type {
  AppliedStateUpdate,
  GeoPoint,
  LatestStateStore,
  VehicleState,
  VehicleStateUpdate,
  VehicleStatesOptions,
} from '../../ports/latest-state-store.ts';

interface StoredVehicle {
  lastSeenAt: number;
  readonly signals: Map<string, SignalSample>;
  position?: GeoPoint;
}

const EARTH_RADIUS_METERS = 6_372_797.560856; // the radius Redis uses for its GEO commands

/** Great-circle distance, as Redis computes it, so both stores answer the same radius queries. */
function haversineMeters(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(h));
}

function isGeoPoint(value: unknown): value is GeoPoint {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GeoPoint).latitude === 'number' &&
    typeof (value as GeoPoint).longitude === 'number'
  );
}

/**
 * {@link LatestStateStore} in process memory: only for `npm start` on a machine with no Redis at all.
 * Same merge rules as the Redis store (last write wins, ties by value, equal redeliveries accepted).
 */
export class MemoryLatestStateStore implements LatestStateStore {
  private readonly tenants = new Map<string, Map<string, StoredVehicle>>();

  async apply(updates: readonly VehicleStateUpdate[]): Promise<AppliedStateUpdate[]> {
    return updates.map((update) => {
      let vehicles = this.tenants.get(update.tenantId);
      if (!vehicles) this.tenants.set(update.tenantId, (vehicles = new Map()));
      let stored = vehicles.get(update.vehicleId);
      if (!stored)
        vehicles.set(update.vehicleId, (stored = { lastSeenAt: update.lastRecordAt, signals: new Map() }));
      stored.lastSeenAt = Math.max(stored.lastSeenAt, update.lastRecordAt);
      const accepted = new Map<string, SignalSample>();
      for (const [name, sample] of update.signals) {
        const current = stored.signals.get(name);
        const identical =
          current !== undefined &&
          current.at === sample.at &&
          JSON.stringify(current.value) === JSON.stringify(sample.value);
        if (identical) accepted.set(name, sample);
        else if (newerSample(sample, current)) {
          stored.signals.set(name, sample);
          accepted.set(name, sample);
          if (name === 'Location' && isGeoPoint(sample.value)) stored.position = sample.value;
        }
      }
      return { tenantId: update.tenantId, vehicleId: update.vehicleId, accepted };
    });
  }

  async vehicleState(tenantId: string, vehicleId: string): Promise<VehicleState | undefined> {
    const stored = this.tenants.get(tenantId)?.get(vehicleId);
    if (!stored) return undefined;
    return { vehicleId, lastSeenAt: stored.lastSeenAt, signals: new Map(stored.signals) };
  }

  async vehicleStates(
    tenantId: string,
    vehicleIds: readonly string[],
    options: VehicleStatesOptions = {},
  ): Promise<VehicleState[]> {
    const wanted = options.signals && new Set(options.signals);
    const states = await Promise.all(vehicleIds.map((id) => this.vehicleState(tenantId, id)));
    return states.flatMap((state) => {
      if (!state) return [];
      if (!wanted) return [state];
      return [{ ...state, signals: new Map([...state.signals].filter(([name]) => wanted.has(name))) }];
    });
  }

  async vehicleIds(tenantId: string, options: { readonly limit?: number } = {}): Promise<string[]> {
    return [...(this.tenants.get(tenantId) ?? new Map<string, StoredVehicle>())]
      .sort(([, a], [, b]) => b.lastSeenAt - a.lastSeenAt)
      .slice(0, options.limit ?? 10_000)
      .map(([id]) => id);
  }

  async vehiclesNear(tenantId: string, center: GeoPoint, radiusMeters: number): Promise<string[]> {
    return [...(this.tenants.get(tenantId) ?? new Map<string, StoredVehicle>())]
      .flatMap(([id, v]) => (v.position ? [{ id, distance: haversineMeters(center, v.position) }] : []))
      .filter((v) => v.distance <= radiusMeters)
      .sort((a, b) => a.distance - b.distance)
      .map((v) => v.id);
  }
}
