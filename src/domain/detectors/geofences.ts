/**
 * The geofence detector: a vehicle's position against its tenant's circles and polygons, debounced by a
 * distance hysteresis and a dwell time so that GPS jitter at an edge makes no events. Emits
 * `Geofence.Entered` and `Geofence.Exited`. Rules: docs/detectors.md, "Geofences".
 */
import { z } from 'zod';
import { DETAIL_TYPES } from '../events/catalog/common.ts';
import { EntityIdSchema, LocationSchema } from '../events/catalog/common.ts';
import type { LocationValue } from '../tesla/types.ts';
import { InvalidGeofenceError, describeIssues } from './errors.ts';
import { signedDistanceToCircle, signedDistanceToPolygon } from './geo.ts';
import { iso, locationOf, secondsBetween, type SeenSignals, walkSteps, workingState } from './timeline.ts';
import type { DetectorContext, DetectorResult, DomainEvent, VehicleBatch, VehicleRef } from './types.ts';

/** A circle: centre and radius. */
export const CircleShapeSchema = z.strictObject({
  kind: z.literal('circle'),
  center: LocationSchema,
  radiusMeters: z.number().positive().max(1_000_000),
});

/** A simple polygon, vertices in order; a closing vertex equal to the first is allowed and dropped. */
export const PolygonShapeSchema = z.strictObject({
  kind: z.literal('polygon'),
  points: z.array(LocationSchema).min(3).max(1000),
});

/** A tenant's geofence, as GraphQL will manage it. */
export const GeofenceSchema = z.strictObject({
  id: EntityIdSchema,
  name: z.string().min(1).max(128),
  shape: z.discriminatedUnion('kind', [CircleShapeSchema, PolygonShapeSchema]),
});

/** A tenant's geofence. */
export type Geofence = z.output<typeof GeofenceSchema>;

/**
 * Validates a tenant's geofences: shapes, unique ids, polygons with three distinct vertices. Throws
 * {@link InvalidGeofenceError}.
 */
export function parseGeofences(input: unknown): Geofence[] {
  const result = z.array(GeofenceSchema).safeParse(input);
  if (!result.success)
    throw new InvalidGeofenceError(`invalid geofences: ${describeIssues(result.error.issues)}`);
  const ids = new Set<string>();
  return result.data.map((geofence) => {
    if (ids.has(geofence.id)) throw new InvalidGeofenceError(`geofence id ${geofence.id} is used twice`);
    ids.add(geofence.id);
    if (geofence.shape.kind === 'circle') return geofence;
    const points = [...geofence.shape.points];
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (points.length > 3 && first.latitude === last.latitude && first.longitude === last.longitude)
      points.pop();
    const distinct = new Set(points.map((p) => `${p.latitude},${p.longitude}`));
    if (distinct.size < 3) {
      throw new InvalidGeofenceError(
        `geofence ${geofence.id}: a polygon needs at least three distinct points`,
      );
    }
    return { ...geofence, shape: { kind: 'polygon', points } };
  });
}

/** Signed distance from a position to a geofence's boundary, metres: negative inside. */
export function signedDistanceToGeofence(position: LocationValue, geofence: Geofence): number {
  const shape = geofence.shape;
  return shape.kind === 'circle'
    ? signedDistanceToCircle(position, shape.center, shape.radiusMeters)
    : signedDistanceToPolygon(position, shape.points);
}

/** Where the vehicle is relative to one geofence, as far as the detector has confirmed. */
export type GeofenceStatus = 'inside' | 'outside' | 'unknown';

/** One geofence's debounce for one vehicle. */
export interface GeofenceTrack {
  status: GeofenceStatus;
  /** When the vehicle entered (the confirmed Entered's time); `null` if it was inside when first seen. */
  enteredAt: number | null;
  /** The side the evidence points to, since when and where, while it is not yet confirmed. */
  candidate: { side: 'inside' | 'outside'; at: number; position: LocationValue } | null;
  /** The newest reading: firmly inside, firmly outside, or within the hysteresis band. */
  lastReading: 'inside' | 'outside' | 'band';
}

/** The geofence detector's state for one vehicle: plain JSON. */
export interface GeofenceState {
  readonly v: 1;
  view: SeenSignals;
  watermark: number | null;
  /**
   * Tracks of the geofences whose status is not plainly "outside". Once the vehicle's first position is
   * processed, a geofence without a track is outside, which keeps the state small for large tenants.
   */
  tracks: Record<string, GeofenceTrack>;
  /** Whether a position has been processed: before it, nothing is known about any geofence. */
  located: boolean;
}

/** A fresh state. */
export function initialGeofenceState(): GeofenceState {
  return { v: 1, view: {}, watermark: null, tracks: {}, located: false };
}

const GEOFENCE_SIGNALS: ReadonlySet<string> = new Set(['Location']);

/** The confirmed status of a geofence in a state ({@link GeofenceState.tracks} without a track is outside). */
export function geofenceStatus(state: GeofenceState | undefined, geofenceId: string): GeofenceStatus {
  if (!state || !state.located) return 'unknown';
  return state.tracks[geofenceId]?.status ?? 'outside';
}

class GeofenceMachine {
  readonly events: DomainEvent[] = [];
  private readonly geofences: ReadonlyMap<string, Geofence>;

  constructor(
    readonly state: GeofenceState,
    readonly vehicle: VehicleRef,
    readonly context: DetectorContext,
  ) {
    this.geofences = new Map((context.geofences ?? []).map((geofence) => [geofence.id, geofence]));
    // A geofence the tenant deleted has no more events; its track goes.
    for (const id of Object.keys(state.tracks)) if (!this.geofences.has(id)) delete state.tracks[id];
  }

  private get dwellMs(): number {
    return this.context.config.geofences.dwellSeconds * 1000;
  }

  /** Confirms candidates whose dwell has passed by `t`, if the newest reading still supports them. */
  advance(t: number): void {
    for (const [id, track] of Object.entries(this.state.tracks)) {
      const candidate = track.candidate;
      if (candidate && track.lastReading === candidate.side && t - candidate.at >= this.dwellMs) {
        this.confirm(id, track);
      }
    }
  }

  /** Classifies the position of a step against every geofence. */
  step(t: number, position: LocationValue): void {
    const hysteresis = this.context.config.geofences.hysteresisMeters;
    const wasLocated = this.state.located;
    this.state.located = true;
    for (const [id, geofence] of this.geofences) {
      const distance = signedDistanceToGeofence(position, geofence);
      const reading = distance <= -hysteresis ? 'inside' : distance >= hysteresis ? 'outside' : 'band';
      let track = this.state.tracks[id];
      if (!track) {
        if (wasLocated && reading !== 'inside') continue; // outside and staying so: nothing to keep
        track = {
          status: wasLocated ? 'outside' : 'unknown',
          enteredAt: null,
          candidate: null,
          lastReading: reading,
        };
        this.state.tracks[id] = track;
      }
      track.lastReading = reading;
      if (reading === 'band') continue; // no evidence either way
      if (track.status === 'unknown') {
        // The first firm reading is adopted at once and silently: nothing was crossed that Fleetwire saw,
        // and the next transition is debounced as usual.
        track.status = reading;
        track.candidate = null;
        if (reading === 'outside') delete this.state.tracks[id];
        continue;
      }
      if (reading === track.status) track.candidate = null;
      else if (track.candidate?.side !== reading) track.candidate = { side: reading, at: t, position };
      if (track.candidate && t - track.candidate.at >= this.dwellMs) this.confirm(id, track);
      else if (track.status === 'outside' && !track.candidate) delete this.state.tracks[id];
    }
  }

  private confirm(id: string, track: GeofenceTrack): void {
    const candidate = track.candidate!;
    const geofence = this.geofences.get(id)!;
    const previous = track.status;
    track.status = candidate.side;
    track.candidate = null;
    const common = {
      version: 1 as const,
      tenantId: this.vehicle.tenantId,
      occurredAt: iso(candidate.at),
      vehicleId: this.vehicle.vehicleId,
      geofenceId: geofence.id,
      geofenceName: geofence.name,
      position: candidate.position,
    };
    if (candidate.side === 'inside') {
      // A vehicle first seen inside was there before Fleetwire knew: adopted without an event.
      track.enteredAt = previous === 'unknown' ? null : candidate.at;
      if (previous === 'outside')
        this.events.push({ detailType: DETAIL_TYPES.GeofenceEntered, detail: common });
      return;
    }
    if (previous === 'inside') {
      this.events.push({
        detailType: DETAIL_TYPES.GeofenceExited,
        detail: {
          ...common,
          enteredAt: track.enteredAt === null ? null : iso(track.enteredAt),
          dwellSeconds: track.enteredAt === null ? null : secondsBetween(track.enteredAt, candidate.at),
        },
      });
    }
    delete this.state.tracks[id];
  }
}

/** Runs a vehicle's batch through the geofence detector (pure; a processed batch gives no events). */
export function detectGeofences(
  previous: GeofenceState | undefined,
  batch: VehicleBatch,
  context: DetectorContext,
): DetectorResult<GeofenceState> {
  const state = workingState(previous, initialGeofenceState, 'geofence', context.ownsState);
  const machine = new GeofenceMachine(state, batch, context);
  walkSteps(
    state,
    batch,
    GEOFENCE_SIGNALS,
    (at) => machine.advance(at),
    (at) => {
      const position = locationOf(state.view);
      if (position !== null) machine.step(at, position);
    },
  );
  return { state, events: machine.events };
}

/** The timer check: confirms transitions whose dwell has passed by `now` (a vehicle that parked inside). */
export function tickGeofences(
  previous: GeofenceState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: DetectorContext,
): DetectorResult<GeofenceState> {
  const state = workingState(previous, initialGeofenceState, 'geofence');
  const machine = new GeofenceMachine(state, vehicle, context);
  machine.advance(now);
  return { state, events: machine.events };
}
