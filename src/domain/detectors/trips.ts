/**
 * The trip detector: cuts trips out of gear and speed (DESIGN.md §3 step 5) and emits `Trip.Started` and
 * `Trip.Ended` with distance, duration, energy, positions and a downsampled route. Rules, thresholds and
 * the handling of gaps and duplicates are in docs/detectors.md, "Trips".
 */
import { DETAIL_TYPES } from '../events/catalog/common.ts';
import type { LocationValue } from '../tesla/types.ts';
import type { DetectorConfig } from './config.ts';
import { capPoints, encodePolyline, fromE5, haversineMeters, simplify, toE5, type E5Point } from './geo.ts';
import { deterministicId } from './ids.ts';
import {
  KM_PER_MILE,
  iso,
  locationOf,
  numberOf,
  round,
  secondsBetween,
  stringOf,
  type SeenSignals,
  walkSteps,
  workingState,
} from './timeline.ts';
import type { DetectorContext, DetectorResult, DomainEvent, VehicleBatch, VehicleRef } from './types.ts';

/** The signals the trip detector reads. */
export const TRIP_SIGNALS: ReadonlySet<string> = new Set([
  'Gear',
  'VehicleSpeed',
  'Odometer',
  'Location',
  'BatteryLevel',
  'Soc',
  'EnergyRemaining',
]);

/** A trip in progress. */
export interface OpenTrip {
  readonly id: string;
  readonly startedAt: number;
  readonly startPosition: LocationValue | null;
  /** Miles, as Tesla reports the odometer. */
  readonly startOdometerMiles: number | null;
  readonly startBatteryLevel: number | null;
  readonly startEnergyKwh: number | null;
  /** The time of the newest step processed in the trip. */
  lastStepAt: number;
  /** When the vehicle stopped (P, or no gear and no speed); `null` while driving. */
  parkedAt: number | null;
  lastSpeedKph: number | null;
  maxSpeedKph: number | null;
  /** Time spent above the stop speed, ms (each interval capped at the maximum gap). */
  movingMs: number;
  /** Distance along the sampled positions, m: the fallback when there is no odometer. */
  pathMeters: number;
  lastPosition: LocationValue | null;
  /** Spaced route points at polyline precision, first to newest. */
  route: E5Point[];
}

/** The trip detector's state for one vehicle: plain JSON. */
export interface TripState {
  readonly v: 1;
  /** The last processed sample of each trip signal. */
  view: SeenSignals;
  /** The newest step processed. */
  watermark: number | null;
  trip: OpenTrip | null;
}

/** A fresh state. */
export function initialTripState(): TripState {
  return { v: 1, view: {}, watermark: null, trip: null };
}

/** Tesla's VehicleSpeed is in mph. */
const KPH_PER_MPH = KM_PER_MILE;

type Motion = 'driving' | 'stopped' | 'unknown';

/**
 * Gear decides when it is known (D or R is driving, P is stopped); N, an unknown gear or no gear at all
 * fall back to the speed, because some vehicles stop reporting Gear while asleep and a car in N can roll.
 */
function motionOf(view: SeenSignals, config: DetectorConfig['trips']): Motion {
  const gear = stringOf(view, 'Gear');
  if (gear === 'D' || gear === 'R') return 'driving';
  if (gear === 'P') return 'stopped';
  const speed = numberOf(view, 'VehicleSpeed');
  if (speed === null) return 'unknown';
  const kph = speed * KPH_PER_MPH;
  if (kph > config.startSpeedKph) return 'driving';
  return kph <= config.stopSpeedKph ? 'stopped' : 'unknown';
}

function batteryLevelOf(view: SeenSignals): number | null {
  const level = numberOf(view, 'BatteryLevel') ?? numberOf(view, 'Soc');
  return level !== null && level >= 0 && level <= 100 ? level : null;
}

function odometerKm(miles: number | null): number | null {
  return miles !== null && miles >= 0 ? round(miles * KM_PER_MILE, 3) : null;
}

/** Runs one step of the detector; shared by {@link detectTrips} and {@link tickTrips}. */
class TripMachine {
  readonly events: DomainEvent[] = [];

  constructor(
    readonly state: TripState,
    readonly vehicle: VehicleRef,
    readonly context: DetectorContext,
  ) {}

  private get config(): DetectorConfig['trips'] {
    return this.context.config.trips;
  }

  /**
   * Ends the open trip if time `t` shows it is over: silence longer than the maximum gap, or a stop
   * longer than the dwell. Uses the view as it was before `t`, so a timer check and the next batch end a
   * trip identically.
   */
  advance(t: number): void {
    const trip = this.state.trip;
    if (!trip) return;
    const gapMs = this.config.maxGapSeconds * 1000;
    if (t - trip.lastStepAt > gapMs) this.end(trip.parkedAt ?? trip.lastStepAt);
    else if (trip.parkedAt !== null && t - trip.parkedAt >= this.config.parkDwellSeconds * 1000) {
      this.end(trip.parkedAt);
    }
  }

  /** Applies the transitions of a step whose samples are already in the view. */
  step(t: number): void {
    const motion = motionOf(this.state.view, this.config);
    if (!this.state.trip) {
      if (motion === 'driving') this.start(t);
      return;
    }
    const trip = this.state.trip;
    this.track(trip, t);
    if (motion === 'driving') trip.parkedAt = null;
    else if (motion === 'stopped') {
      trip.parkedAt ??= t;
      if (t - trip.parkedAt >= this.config.parkDwellSeconds * 1000) this.end(trip.parkedAt);
    }
  }

  private start(t: number): void {
    const view = this.state.view;
    const position = locationOf(view);
    const trip: OpenTrip = {
      id: deterministicId('trp', [this.vehicle.tenantId, this.vehicle.vehicleId, t]),
      startedAt: t,
      startPosition: position,
      startOdometerMiles: numberOf(view, 'Odometer'),
      startBatteryLevel: batteryLevelOf(view),
      startEnergyKwh: numberOf(view, 'EnergyRemaining'),
      lastStepAt: t,
      parkedAt: null,
      lastSpeedKph: null,
      maxSpeedKph: null,
      movingMs: 0,
      pathMeters: 0,
      lastPosition: null,
      route: [],
    };
    this.state.trip = trip;
    this.track(trip, t);
    this.events.push({
      detailType: DETAIL_TYPES.TripStarted,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(t),
        vehicleId: this.vehicle.vehicleId,
        tripId: trip.id,
        startedAt: iso(t),
        startPosition: trip.startPosition,
        startOdometerKm: odometerKm(trip.startOdometerMiles),
        startBatteryLevelPercent: trip.startBatteryLevel,
      },
    });
  }

  /** Folds a step into the trip's running figures: moving time, top speed, path and route. */
  private track(trip: OpenTrip, t: number): void {
    const view = this.state.view;
    if (trip.lastSpeedKph !== null && trip.lastSpeedKph > this.config.stopSpeedKph) {
      trip.movingMs += Math.min(t - trip.lastStepAt, this.config.maxGapSeconds * 1000);
    }
    trip.lastStepAt = t;
    const speed = numberOf(view, 'VehicleSpeed');
    trip.lastSpeedKph = speed === null ? null : Math.max(0, speed * KPH_PER_MPH);
    if (trip.lastSpeedKph !== null) trip.maxSpeedKph = Math.max(trip.maxSpeedKph ?? 0, trip.lastSpeedKph);
    const position = locationOf(view);
    if (position === null || view['Location']!.at !== t) return;
    if (trip.lastPosition !== null) trip.pathMeters += haversineMeters(trip.lastPosition, position);
    trip.lastPosition = position;
    const point = toE5(position);
    const lastKept = trip.route[trip.route.length - 1];
    if (
      lastKept === undefined ||
      haversineMeters(fromE5(lastKept), position) >= this.config.routeMinSpacingMeters
    ) {
      trip.route.push(point);
      if (trip.route.length > this.config.routeMaxPoints) {
        trip.route = capPoints(trip.route, this.config.routeMaxPoints - 1);
      }
    }
  }

  private end(endedAt: number): void {
    const trip = this.state.trip!;
    this.state.trip = null;
    const view = this.state.view;
    const endPosition = locationOf(view);
    const endOdometerMiles = numberOf(view, 'Odometer');
    const endBatteryLevel = batteryLevelOf(view);
    const endEnergyKwh = numberOf(view, 'EnergyRemaining');
    const odometerDeltaMiles =
      trip.startOdometerMiles !== null && endOdometerMiles !== null
        ? endOdometerMiles - trip.startOdometerMiles
        : null;
    const distanceKm =
      odometerDeltaMiles !== null && odometerDeltaMiles >= 0
        ? odometerDeltaMiles * KM_PER_MILE
        : trip.pathMeters / 1000;
    const capacity = this.context.batteryCapacityKwh ?? null;
    let energyUsedKwh: number | null = null;
    if (trip.startEnergyKwh !== null && endEnergyKwh !== null)
      energyUsedKwh = trip.startEnergyKwh - endEnergyKwh;
    else if (
      trip.startBatteryLevel !== null &&
      endBatteryLevel !== null &&
      capacity !== null &&
      capacity > 0
    ) {
      energyUsedKwh = ((trip.startBatteryLevel - endBatteryLevel) / 100) * capacity;
    }
    const movingHours = trip.movingMs / 3_600_000;
    let route = [...trip.route];
    if (endPosition !== null) {
      const last = route[route.length - 1];
      const point = toE5(endPosition);
      if (last === undefined || last[0] !== point[0] || last[1] !== point[1]) route.push(point);
    }
    route = capPoints(simplify(route, this.config.routeToleranceMeters), this.config.routeMaxPoints);
    this.events.push({
      detailType: DETAIL_TYPES.TripEnded,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(endedAt),
        vehicleId: this.vehicle.vehicleId,
        tripId: trip.id,
        startedAt: iso(trip.startedAt),
        endedAt: iso(endedAt),
        durationSeconds: secondsBetween(trip.startedAt, endedAt),
        distanceKm: round(distanceKm, 3),
        energyUsedKwh: energyUsedKwh === null ? null : round(energyUsedKwh, 3),
        startPosition: trip.startPosition,
        endPosition,
        startOdometerKm: odometerKm(trip.startOdometerMiles),
        endOdometerKm: odometerKm(endOdometerMiles),
        startBatteryLevelPercent: trip.startBatteryLevel,
        endBatteryLevelPercent: endBatteryLevel,
        maxSpeedKph: trip.maxSpeedKph === null ? null : round(trip.maxSpeedKph, 1),
        averageSpeedKph: movingHours > 0 ? round(distanceKm / movingHours, 1) : null,
        route: {
          encoding: 'google-polyline',
          precision: 5,
          polyline: encodePolyline(route),
          pointCount: route.length,
        },
      },
    });
  }
}

/**
 * Runs a vehicle's batch through the trip detector. Pure: the same state and batch always give the same
 * result, and a batch already processed gives no events.
 */
export function detectTrips(
  previous: TripState | undefined,
  batch: VehicleBatch,
  context: DetectorContext,
): DetectorResult<TripState> {
  const state = workingState(previous, initialTripState, 'trip', context.ownsState);
  const machine = new TripMachine(state, batch, context);
  walkSteps(
    state,
    batch,
    TRIP_SIGNALS,
    (at) => machine.advance(at),
    (at) => machine.step(at),
  );
  return { state, events: machine.events };
}

/**
 * The timer check: ends a trip whose vehicle has been parked for the dwell time or silent for longer than
 * the maximum gap by `now`, with the same event the next batch would have produced. Call it periodically
 * (vehicles that park often fall asleep and send nothing more).
 */
export function tickTrips(
  previous: TripState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: DetectorContext,
): DetectorResult<TripState> {
  const state = workingState(previous, initialTripState, 'trip');
  const machine = new TripMachine(state, vehicle, context);
  machine.advance(now);
  return { state, events: machine.events };
}
