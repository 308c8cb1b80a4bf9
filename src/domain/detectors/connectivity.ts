/**
 * The connectivity detector: online/offline from Tesla's `connectivity` topic, from telemetry arriving,
 * and from silence. Emits `Vehicle.Connectivity.Changed` only when the status changes, so repeated
 * CONNECTED records and resends make no events. Rules: docs/detectors.md, "Connectivity".
 */
import { DETAIL_TYPES } from '../events/catalog/common.ts';
import { iso, newestSampleAt, workingState } from './timeline.ts';
import type {
  ConnectivityObservation,
  DetectorContext,
  DetectorResult,
  DomainEvent,
  VehicleBatch,
  VehicleRef,
} from './types.ts';

/** A vehicle's presence, as the last event said it. */
export type Presence = 'online' | 'offline' | 'unknown';

/** The connectivity detector's state for one vehicle: plain JSON. */
export interface ConnectivityState {
  readonly v: 1;
  status: Presence;
  /** The time of the newest status input applied (a connectivity record, a timeout, revival by telemetry). */
  changedAt: number | null;
  /** The current (or last) telemetry connection, to pair a disconnect with its connect. */
  connectionId: string | null;
  networkInterface: string | null;
  /** The newest record from the vehicle: telemetry or a CONNECTED. */
  lastSeenAt: number | null;
}

/** A fresh state. */
export function initialConnectivityState(): ConnectivityState {
  return {
    v: 1,
    status: 'unknown',
    changedAt: null,
    connectionId: null,
    networkInterface: null,
    lastSeenAt: null,
  };
}

type Cause = 'connected' | 'disconnected' | 'silence_timeout';

type Input =
  | { readonly kind: 'record'; readonly at: number; readonly record: ConnectivityObservation }
  | { readonly kind: 'telemetry'; readonly at: number };

class ConnectivityMachine {
  readonly events: DomainEvent[] = [];

  constructor(
    readonly state: ConnectivityState,
    readonly vehicle: VehicleRef,
    readonly context: DetectorContext,
  ) {}

  /** Offline by silence if the vehicle has been quiet for the timeout by `t`. */
  advance(t: number): void {
    const { status, lastSeenAt } = this.state;
    const timeoutMs = this.context.config.connectivity.silenceTimeoutSeconds * 1000;
    if (status !== 'online' || lastSeenAt === null || t - lastSeenAt < timeoutMs) return;
    this.change('offline', 'silence_timeout', lastSeenAt + timeoutMs);
  }

  apply(input: Input): void {
    const state = this.state;
    const stale = state.changedAt !== null && input.at < state.changedAt;
    if (input.kind === 'telemetry') {
      state.lastSeenAt = Math.max(state.lastSeenAt ?? input.at, input.at);
      // Telemetry newer than the last status input proves a connection even if its CONNECTED is
      // late or lost (it travels on another stream).
      if (state.status !== 'online' && !(state.changedAt !== null && input.at <= state.changedAt)) {
        this.change('online', 'connected', input.at);
      }
      return;
    }
    const record = input.record;
    const connectionId = record.connectionId === '' ? null : record.connectionId.slice(0, 128);
    if (record.status === 'CONNECTED') {
      state.lastSeenAt = Math.max(state.lastSeenAt ?? input.at, input.at);
      if (stale) return;
      state.connectionId = connectionId ?? state.connectionId;
      state.networkInterface = record.networkInterface === '' ? null : record.networkInterface.slice(0, 32);
      if (state.status === 'online') state.changedAt = Math.max(state.changedAt ?? input.at, input.at);
      else this.change('online', 'connected', input.at);
      return;
    }
    if (record.status !== 'DISCONNECTED' || stale) return;
    // The end of an older socket after the vehicle reconnected on a new one changes nothing.
    if (
      state.status === 'online' &&
      connectionId !== null &&
      state.connectionId !== null &&
      connectionId !== state.connectionId
    ) {
      return;
    }
    if (state.status === 'offline') state.changedAt = Math.max(state.changedAt ?? input.at, input.at);
    else {
      state.connectionId = connectionId ?? state.connectionId;
      this.change('offline', 'disconnected', input.at);
    }
  }

  private change(status: 'online' | 'offline', cause: Cause, at: number): void {
    const state = this.state;
    const previousStatus = state.status;
    state.status = status;
    state.changedAt = at;
    this.events.push({
      detailType: DETAIL_TYPES.VehicleConnectivityChanged,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(at),
        vehicleId: this.vehicle.vehicleId,
        status,
        previousStatus,
        cause,
        networkInterface: status === 'online' ? state.networkInterface : null,
        connectionId: state.connectionId,
        lastSeenAt: state.lastSeenAt === null ? null : iso(state.lastSeenAt),
      },
    });
  }
}

/**
 * Runs a vehicle's batch through the connectivity detector: its `connectivity` records and the presence
 * its telemetry shows, in time order. Pure; a processed batch gives no events.
 */
export function detectConnectivity(
  previous: ConnectivityState | undefined,
  batch: VehicleBatch,
  context: DetectorContext,
): DetectorResult<ConnectivityState> {
  const state = workingState(previous, initialConnectivityState, 'connectivity', context.ownsState);
  const machine = new ConnectivityMachine(state, batch, context);
  const inputs: Input[] = [];
  for (const record of batch.connectivity ?? []) {
    const at = Date.parse(record.createdAt);
    if (Number.isFinite(at)) inputs.push({ kind: 'record', at, record });
  }
  const telemetryAt = batch.lastRecordAt ?? newestSampleAt(batch);
  if (telemetryAt !== null && Number.isFinite(telemetryAt))
    inputs.push({ kind: 'telemetry', at: telemetryAt });
  // Time order; at one instant a connect before a disconnect (the server's order for one socket), and
  // telemetry last. The tie-breaks make the outcome independent of arrival order.
  const rank = (input: Input) =>
    input.kind === 'telemetry' ? 2 : input.record.status === 'CONNECTED' ? 0 : 1;
  inputs.sort(
    (a, b) =>
      a.at - b.at ||
      rank(a) - rank(b) ||
      (a.kind === 'record' && b.kind === 'record'
        ? a.record.connectionId.localeCompare(b.record.connectionId)
        : 0),
  );
  for (const input of inputs) {
    machine.advance(input.at);
    machine.apply(input);
  }
  return { state, events: machine.events };
}

/**
 * The silence check: a vehicle online whose last record is older than the timeout at `now` goes offline,
 * at `lastSeenAt + timeout` (not at `now`), so the event is the same whenever the check runs.
 */
export function checkSilence(
  previous: ConnectivityState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: DetectorContext,
): DetectorResult<ConnectivityState> {
  const state = workingState(previous, initialConnectivityState, 'connectivity');
  const machine = new ConnectivityMachine(state, vehicle, context);
  machine.advance(now);
  return { state, events: machine.events };
}
