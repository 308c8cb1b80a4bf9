/**
 * The domain detectors (DESIGN.md §3 step 5): pure functions from a vehicle's previous detector state and
 * one batch to its next state and the domain events to publish. No I/O and no clock: time comes from the
 * records (`created_at`) or, for the timer checks, from the caller's `now`. See docs/detectors.md.
 *
 * ```ts
 * const { state, events } = detect(previousState, batch, { config, geofences, rules, timeZone });
 * // store `state` next to the latest state; publish each event with toPutEventsEntry
 * ```
 */
import { detectAlerts, initialAlertState, tickAlerts, type AlertState } from './alerts.ts';
import { detectCharging, initialChargingState, tickCharging, type ChargingState } from './charging.ts';
import {
  checkSilence,
  detectConnectivity,
  initialConnectivityState,
  type ConnectivityState,
} from './connectivity.ts';
import { DetectorStateError } from './errors.ts';
import { detectGeofences, initialGeofenceState, tickGeofences, type GeofenceState } from './geofences.ts';
import { detectTrips, initialTripState, tickTrips, type TripState } from './trips.ts';
import type { DetectorContext, DetectorResult, DomainEvent, VehicleBatch, VehicleRef } from './types.ts';

export * from './alerts.ts';
export * from './charging.ts';
export * from './config.ts';
export * from './connectivity.ts';
export * from './errors.ts';
export * from './geo.ts';
export * from './geofences.ts';
export * from './ids.ts';
export * from './timeline.ts';
export * from './trips.ts';
export * from './types.ts';

/** Every detector's state for one vehicle: one JSON document, stored next to the latest state. */
export interface DetectorState {
  readonly v: 1;
  trips: TripState;
  charging: ChargingState;
  geofences: GeofenceState;
  alerts: AlertState;
  connectivity: ConnectivityState;
}

/** A fresh state. */
export function initialDetectorState(): DetectorState {
  return {
    v: 1,
    trips: initialTripState(),
    charging: initialChargingState(),
    geofences: initialGeofenceState(),
    alerts: initialAlertState(),
    connectivity: initialConnectivityState(),
  };
}

const PARTS = ['trips', 'charging', 'geofences', 'alerts', 'connectivity'] as const;

/**
 * Reads a stored state (already `JSON.parse`d). Throws {@link DetectorStateError} for anything that is not
 * a version-1 detector state, rather than guess: see the error's comment.
 */
export function parseDetectorState(value: unknown): DetectorState {
  if (typeof value !== 'object' || value === null)
    throw new DetectorStateError('detector state is not an object');
  const state = value as Record<string, unknown>;
  if (state['v'] !== 1) throw new DetectorStateError(`detector state version ${String(state['v'])} is not 1`);
  for (const part of PARTS) {
    const inner = state[part];
    if (typeof inner !== 'object' || inner === null || (inner as { v?: unknown }).v !== 1) {
      throw new DetectorStateError(`detector state has no version-1 ${part} part`);
    }
  }
  return value as DetectorState;
}

/** Events in the order things happened (stable: one instant keeps the detectors' order). */
function inTimeOrder(events: DomainEvent[]): DomainEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.detail.occurredAt.localeCompare(b.event.detail.occurredAt) || a.index - b.index)
    .map(({ event }) => event);
}

/**
 * Runs one vehicle's batch through every detector. The geofence detector runs before the alerts, whose
 * geofence rules read its new state.
 */
export function detect(
  previous: DetectorState | undefined,
  batch: VehicleBatch,
  context: DetectorContext,
): DetectorResult<DetectorState> {
  const base = previous === undefined ? initialDetectorState() : parseDetectorState(previous);
  const connectivity = detectConnectivity(base.connectivity, batch, context);
  const trips = detectTrips(base.trips, batch, context);
  const charging = detectCharging(base.charging, batch, context);
  const geofences = detectGeofences(base.geofences, batch, context);
  const alerts = detectAlerts(base.alerts, batch, { ...context, geofenceState: geofences.state });
  return {
    state: {
      v: 1,
      trips: trips.state,
      charging: charging.state,
      geofences: geofences.state,
      alerts: alerts.state,
      connectivity: connectivity.state,
    },
    events: inTimeOrder([
      ...connectivity.events,
      ...trips.events,
      ...charging.events,
      ...geofences.events,
      ...alerts.events,
    ]),
  };
}

/**
 * Every timer check at `now`: silence, trip dwell and gaps, charging resume windows, geofence dwell, alert
 * sustain and time windows. Run it periodically for vehicles that stopped sending.
 */
export function tick(
  previous: DetectorState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: DetectorContext,
): DetectorResult<DetectorState> {
  const base = previous === undefined ? initialDetectorState() : parseDetectorState(previous);
  const connectivity = checkSilence(base.connectivity, vehicle, now, context);
  const trips = tickTrips(base.trips, vehicle, now, context);
  const charging = tickCharging(base.charging, vehicle, now, context);
  const geofences = tickGeofences(base.geofences, vehicle, now, context);
  const alerts = tickAlerts(base.alerts, vehicle, now, { ...context, geofenceState: geofences.state });
  return {
    state: {
      v: 1,
      trips: trips.state,
      charging: charging.state,
      geofences: geofences.state,
      alerts: alerts.state,
      connectivity: connectivity.state,
    },
    events: inTimeOrder([
      ...connectivity.events,
      ...trips.events,
      ...charging.events,
      ...geofences.events,
      ...alerts.events,
    ]),
  };
}
