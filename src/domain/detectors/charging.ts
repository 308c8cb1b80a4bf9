/**
 * The charging detector: cuts charging sessions out of the detailed charge state and emits
 * `Charging.Started` and `Charging.Ended` with energy added, peak power, AC/DC and battery levels. One
 * plug-in that pauses (Complete, Stopped, NoPower) and resumes within the resume window is one session.
 * Rules and thresholds: docs/detectors.md, "Charging sessions".
 */
import { DETAIL_TYPES } from '../events/catalog/common.ts';
import type { LocationValue } from '../tesla/types.ts';
import type { DetectorConfig } from './config.ts';
import { deterministicId } from './ids.ts';
import {
  booleanOf,
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

/** The signals the charging detector reads. */
export const CHARGING_SIGNALS: ReadonlySet<string> = new Set([
  'DetailedChargeState',
  'ChargeState',
  'ACChargingPower',
  'DCChargingPower',
  'ACChargingEnergyIn',
  'DCChargingEnergyIn',
  'FastChargerPresent',
  'FastChargerType',
  'BatteryLevel',
  'Soc',
  'EnergyRemaining',
  'ChargeLimitSoc',
  'Location',
]);

/** Why a session ends, as `Charging.Ended` says it. */
export type ChargingEndReason = 'completed' | 'stopped' | 'disconnected' | 'unknown';

/** A session-scoped energy counter (ACChargingEnergyIn / DCChargingEnergyIn), kWh. */
export interface EnergyCounter {
  last: number | null;
  /** Sum of the increases seen; a drop means the vehicle reset the counter, and counts from zero. */
  added: number;
}

/** A session in progress. */
export interface OpenSession {
  readonly id: string;
  readonly startedAt: number;
  readonly startBatteryLevel: number | null;
  readonly startEnergyKwh: number | null;
  position: LocationValue | null;
  dc: boolean;
  fastChargerType: string | null;
  maxPowerKw: number;
  ac: EnergyCounter;
  dcCounter: EnergyCounter;
  lastStepAt: number;
  /** Energy stopped flowing (Complete, Stopped, NoPower) with the cable in; `null` while charging. */
  pausedAt: number | null;
  pauseReason: ChargingEndReason | null;
}

/** The charging detector's state for one vehicle: plain JSON. */
export interface ChargingState {
  readonly v: 1;
  view: SeenSignals;
  watermark: number | null;
  session: OpenSession | null;
}

/** A fresh state. */
export function initialChargingState(): ChargingState {
  return { v: 1, view: {}, watermark: null, session: null };
}

type ChargeStatus =
  | { readonly kind: 'charging' }
  | { readonly kind: 'paused'; readonly reason: ChargingEndReason }
  | { readonly kind: 'unplugged' }
  | { readonly kind: 'unknown' };

/**
 * DetailedChargeState, else the older ChargeState (same names). Starting counts as charging so that the
 * session starts when the vehicle commits to it; NoPower is a pause, because power usually comes back
 * (an outage, a shared circuit), and if it does not the session ends as `disconnected`.
 */
function statusOf(view: SeenSignals): ChargeStatus {
  const state = stringOf(view, 'DetailedChargeState') ?? stringOf(view, 'ChargeState');
  switch (state) {
    case 'Starting':
    case 'Charging':
      return { kind: 'charging' };
    case 'Complete':
      return { kind: 'paused', reason: 'completed' };
    case 'Stopped':
      return { kind: 'paused', reason: 'stopped' };
    case 'NoPower':
      return { kind: 'paused', reason: 'disconnected' };
    case 'Disconnected':
      return { kind: 'unplugged' };
    default:
      return { kind: 'unknown' };
  }
}

function batteryLevelOf(view: SeenSignals): number | null {
  const level = numberOf(view, 'BatteryLevel') ?? numberOf(view, 'Soc');
  return level !== null && level >= 0 && level <= 100 ? level : null;
}

/** DC when the vehicle says a fast charger is present or DC power or energy flows. */
function isDc(view: SeenSignals): boolean {
  return booleanOf(view, 'FastChargerPresent') === true || (numberOf(view, 'DCChargingPower') ?? 0) > 0;
}

/** Tesla's FastChargerType by name, unless it says there is none. */
function fastChargerTypeOf(view: SeenSignals): string | null {
  const type = stringOf(view, 'FastChargerType');
  if (type === null || type === '' || type === 'Unknown' || type === 'SNA') return null;
  return type.slice(0, 64);
}

function feed(counter: EnergyCounter, value: number | null): void {
  if (value === null || value < 0) return;
  if (counter.last !== null) counter.added += value >= counter.last ? value - counter.last : value;
  counter.last = value;
}

class ChargingMachine {
  readonly events: DomainEvent[] = [];

  constructor(
    readonly state: ChargingState,
    readonly vehicle: VehicleRef,
    readonly context: DetectorContext,
  ) {}

  private get config(): DetectorConfig['charging'] {
    return this.context.config.charging;
  }

  /** Ends a session whose pause outlasted the resume window, or whose vehicle went silent, by time `t`. */
  advance(t: number): void {
    const session = this.state.session;
    if (!session) return;
    if (session.pausedAt !== null && t - session.pausedAt > this.config.resumeWindowSeconds * 1000) {
      this.end(session.pausedAt, session.pauseReason ?? 'unknown');
    } else if (t - session.lastStepAt > this.config.maxSilenceSeconds * 1000) {
      this.end(session.pausedAt ?? session.lastStepAt, session.pauseReason ?? 'unknown');
    }
  }

  step(t: number): void {
    const view = this.state.view;
    const status = statusOf(view);
    let session = this.state.session;
    if (!session) {
      if (status.kind !== 'charging') return;
      session = this.start(t);
    }
    this.track(session, t);
    if (status.kind === 'charging') {
      session.pausedAt = null;
      session.pauseReason = null;
    } else if (status.kind === 'paused') {
      if (session.pausedAt === null) {
        session.pausedAt = t;
        session.pauseReason = status.reason;
      }
    } else if (status.kind === 'unplugged') {
      // Pulled while charging: energy stopped now. Pulled during a pause: it stopped at the pause.
      if (session.pausedAt !== null) this.end(session.pausedAt, session.pauseReason ?? 'unknown');
      else this.end(t, 'disconnected');
    }
  }

  private start(t: number): OpenSession {
    const view = this.state.view;
    const dc = isDc(view);
    const session: OpenSession = {
      id: deterministicId('chg', [this.vehicle.tenantId, this.vehicle.vehicleId, t]),
      startedAt: t,
      startBatteryLevel: batteryLevelOf(view),
      startEnergyKwh: numberOf(view, 'EnergyRemaining'),
      position: locationOf(view),
      dc,
      fastChargerType: dc ? fastChargerTypeOf(view) : null,
      maxPowerKw: 0,
      ac: { last: null, added: 0 },
      dcCounter: { last: null, added: 0 },
      lastStepAt: t,
      pausedAt: null,
      pauseReason: null,
    };
    this.state.session = session;
    const limit = numberOf(view, 'ChargeLimitSoc');
    this.events.push({
      detailType: DETAIL_TYPES.ChargingStarted,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(t),
        vehicleId: this.vehicle.vehicleId,
        sessionId: session.id,
        startedAt: iso(t),
        currentType: dc ? 'DC' : 'AC',
        fastChargerType: session.fastChargerType,
        startBatteryLevelPercent: session.startBatteryLevel,
        chargeLimitPercent: limit !== null && limit >= 0 && limit <= 100 ? limit : null,
        position: session.position,
      },
    });
    return session;
  }

  private track(session: OpenSession, t: number): void {
    const view = this.state.view;
    session.lastStepAt = t;
    session.position ??= locationOf(view);
    if (isDc(view)) {
      session.dc = true;
      session.fastChargerType ??= fastChargerTypeOf(view);
    }
    const power = Math.max(numberOf(view, 'ACChargingPower') ?? 0, numberOf(view, 'DCChargingPower') ?? 0);
    session.maxPowerKw = Math.max(session.maxPowerKw, power);
    feed(session.ac, numberOf(view, 'ACChargingEnergyIn'));
    feed(session.dcCounter, numberOf(view, 'DCChargingEnergyIn'));
    if (session.dcCounter.added > 0) session.dc = true;
  }

  /**
   * Energy added: the vehicle's session counters when they moved, else the change of EnergyRemaining,
   * else the change of battery level times the capacity, else 0 (the schema has no "unknown").
   */
  private energyAdded(session: OpenSession, view: SeenSignals): number {
    const counted = session.ac.added + session.dcCounter.added;
    if (counted > 0) return counted;
    const endEnergy = numberOf(view, 'EnergyRemaining');
    if (session.startEnergyKwh !== null && endEnergy !== null)
      return Math.max(0, endEnergy - session.startEnergyKwh);
    const endLevel = batteryLevelOf(view);
    const capacity = this.context.batteryCapacityKwh ?? null;
    if (session.startBatteryLevel !== null && endLevel !== null && capacity !== null && capacity > 0) {
      return Math.max(0, ((endLevel - session.startBatteryLevel) / 100) * capacity);
    }
    return 0;
  }

  private end(endedAt: number, reason: ChargingEndReason): void {
    const session = this.state.session!;
    this.state.session = null;
    const view = this.state.view;
    this.events.push({
      detailType: DETAIL_TYPES.ChargingEnded,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(endedAt),
        vehicleId: this.vehicle.vehicleId,
        sessionId: session.id,
        startedAt: iso(session.startedAt),
        endedAt: iso(endedAt),
        durationSeconds: secondsBetween(session.startedAt, endedAt),
        currentType: session.dc ? 'DC' : 'AC',
        fastChargerType: session.dc ? session.fastChargerType : null,
        energyAddedKwh: round(this.energyAdded(session, view), 3),
        maxPowerKw: round(session.maxPowerKw, 1),
        startBatteryLevelPercent: session.startBatteryLevel,
        endBatteryLevelPercent: batteryLevelOf(view),
        endReason: reason,
        position: session.position,
      },
    });
  }
}

/** Runs a vehicle's batch through the charging detector (pure; a processed batch gives no events). */
export function detectCharging(
  previous: ChargingState | undefined,
  batch: VehicleBatch,
  context: DetectorContext,
): DetectorResult<ChargingState> {
  const state = workingState(previous, initialChargingState, 'charging', context.ownsState);
  const machine = new ChargingMachine(state, batch, context);
  walkSteps(
    state,
    batch,
    CHARGING_SIGNALS,
    (at) => machine.advance(at),
    (at) => machine.step(at),
  );
  return { state, events: machine.events };
}

/**
 * The timer check: ends a session paused for longer than the resume window, or silent for longer than the
 * maximum silence, by `now` (a vehicle left plugged in after Complete often sends nothing more).
 */
export function tickCharging(
  previous: ChargingState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: DetectorContext,
): DetectorResult<ChargingState> {
  const state = workingState(previous, initialChargingState, 'charging');
  const machine = new ChargingMachine(state, vehicle, context);
  machine.advance(now);
  return { state, events: machine.events };
}
