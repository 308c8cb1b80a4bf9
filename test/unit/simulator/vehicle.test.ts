import { describe, expect, it } from 'vitest';
import {
  InvalidCommandParametersError,
  SimulatedVehicle,
  UnknownCommandError,
  VehicleUnavailableError,
} from '../../../src/simulator/index.ts';
import type { SimulatedVehicleOptions, VehicleStateView } from '../../../src/simulator/index.ts';
import { bearingDegrees, distanceMeters, turnDegrees } from '../../../src/simulator/geo.ts';

const START = Date.UTC(2025, 5, 2, 7, 30, 0);
const MINUTE = 60_000;

function vehicle(options: Partial<SimulatedVehicleOptions> = {}): SimulatedVehicle {
  return new SimulatedVehicle({ vin: '5YJFLEET6PF431116', index: 0, seed: 11, startMs: START, ...options });
}

/** The vehicle's state every `stepMs` for `durationMs`. */
function timeline(v: SimulatedVehicle, durationMs: number, stepMs = 1_000): VehicleStateView[] {
  const states = [v.state()];
  for (let t = v.now() + stepMs; t <= START + durationMs; t += stepMs) {
    v.advance(t);
    states.push(v.state());
  }
  return states;
}

describe('SimulatedVehicle', () => {
  it('is deterministic for a seed, and differs across seeds', () => {
    const a = vehicle({ index: 3 });
    const b = vehicle({ index: 3 });
    const c = vehicle({ index: 3, seed: 12 });
    const run = (v: SimulatedVehicle) =>
      timeline(v, 20 * MINUTE, 5_000).map((s) => [
        s.position.latitude,
        s.position.longitude,
        s.speedKph,
        s.energyKwh,
      ]);
    const ra = run(a);
    expect(run(b)).toEqual(ra);
    expect(run(c)).not.toEqual(ra);
    expect(a.signals()).toEqual(b.signals());
  });

  it('moves consistently with its speed and heading', () => {
    for (const index of [0, 1, 2, 3]) {
      const states = timeline(vehicle({ index, initial: 'driving' }), 40 * MINUTE);
      let moving = 0;
      for (let i = 1; i < states.length; i += 1) {
        const [before, after] = [states[i - 1] as VehicleStateView, states[i] as VehicleStateView];
        const meters = distanceMeters(before.position, after.position);
        const expected = (before.speedKph + after.speedKph) / 3.6 / 2;
        expect(Math.abs(meters - expected), `step ${i} of vehicle ${index}`).toBeLessThan(
          0.05 * expected + 1,
        );
        if (meters > 3) {
          moving += 1;
          // Reversing moves against the heading.
          const heading = (s: VehicleStateView) => (s.gear === 'R' ? s.headingDeg + 180 : s.headingDeg);
          const mid = heading(before) + turnDegrees(heading(before), heading(after)) / 2;
          expect(Math.abs(turnDegrees(mid, bearingDegrees(before.position, after.position)))).toBeLessThan(
            15,
          );
        }
      }
      expect(moving, `vehicle ${index} drove`).toBeGreaterThan(120);
    }
  });

  it('drives at plausible speeds, uses every gear, and keeps its odometer growing', () => {
    const gears = new Set<string>();
    let top = 0;
    for (const index of [0, 1, 2, 3, 4, 5]) {
      const states = timeline(vehicle({ index, initial: 'driving' }), 90 * MINUTE);
      for (let i = 1; i < states.length; i += 1) {
        const [before, after] = [states[i - 1] as VehicleStateView, states[i] as VehicleStateView];
        expect(after.odometerKm).toBeGreaterThanOrEqual(before.odometerKm);
        // No car goes from 0 to 100 km/h in a second, or stops dead from speed.
        expect(Math.abs(after.speedKph - before.speedKph)).toBeLessThan(15);
        gears.add(after.gear);
        top = Math.max(top, after.speedKph);
      }
      const first = states[0] as VehicleStateView;
      const last = states.at(-1) as VehicleStateView;
      expect(last.odometerKm - first.odometerKm).toBeGreaterThan(3);
    }
    expect([...gears].sort()).toEqual(['D', 'N', 'P', 'R']);
    expect(top).toBeGreaterThan(60);
    expect(top).toBeLessThanOrEqual(130.001);
  });

  it('drains its battery when driving', () => {
    const v = vehicle({ initial: 'driving', initialSoc: 70 });
    const states = timeline(v, 30 * MINUTE);
    const started = states.findIndex((s) => s.status === 'driving' && s.speedKph > 0);
    const parked = states.findIndex((s, i) => i > started && s.gear === 'P');
    expect(started).toBeGreaterThanOrEqual(0);
    expect(parked).toBeGreaterThan(started);
    const [a, b] = [states[started] as VehicleStateView, states[parked] as VehicleStateView];
    const km = b.odometerKm - a.odometerKm;
    const kwh = a.energyKwh - b.energyKwh;
    expect(km).toBeGreaterThan(1);
    // Between 100 and 400 Wh/km: what an EV uses in town and on the highway.
    expect((kwh * 1000) / km).toBeGreaterThan(100);
    expect((kwh * 1000) / km).toBeLessThan(400);
    expect(b.socPercent).toBeLessThan(a.socPercent);
  });

  it('fills its battery when charging, then stays plugged in after Complete', () => {
    const v = vehicle({
      initial: 'charging',
      initialSoc: 40,
      behaviour: { parkedMs: [10 * 3_600_000, 10 * 3_600_000] },
    });
    const states = timeline(v, 8 * 60 * MINUTE, 30_000);
    const charging = states.filter((s) => s.chargeState === 'Charging');
    expect(charging.length).toBeGreaterThan(5);
    for (let i = 1; i < charging.length; i += 1) {
      expect((charging[i] as VehicleStateView).energyKwh).toBeGreaterThan(
        (charging[i - 1] as VehicleStateView).energyKwh,
      );
    }
    const last = states.at(-1) as VehicleStateView;
    expect(last.chargeState).toBe('Complete');
    expect(last.plugged).toBe(true);
    expect(last.socPercent).toBeGreaterThanOrEqual(last.chargeLimitSoc - 0.5);
    expect(last.socPercent).toBeGreaterThan(60);
    const signals = v.signals();
    expect(signals).toMatchObject({
      DetailedChargeState: 'DetailedChargeStateComplete',
      ChargePortDoorOpen: true,
      ACChargingPower: 0,
      DCChargingPower: 0,
    });
  });

  it('reports charging power while it charges', () => {
    const v = vehicle({
      initial: 'charging',
      initialSoc: 30,
      behaviour: { parkedMs: [3_600_000, 3_600_000] },
    });
    v.advance(START + 2 * MINUTE);
    const s = v.signals();
    expect(s.DetailedChargeState).toBe('DetailedChargeStateCharging');
    expect(s.ACChargingPower + s.DCChargingPower).toBeGreaterThan(5);
    expect(s.ChargePortDoorOpen).toBe(true);
    expect(s.TimeToFullCharge).toBeGreaterThan(0);
  });

  it('locks and unlocks on command, and refuses what it cannot do', () => {
    const v = vehicle({
      initial: 'parked',
      behaviour: { parkedMs: [3_600_000, 3_600_000], offlinePerHour: 0 },
    });
    v.advance(START + 10_000);
    expect(v.applyCommand('door_unlock')).toEqual({ result: true, reason: '' });
    expect(v.signals().Locked).toBe(false);
    expect(v.takeChanged()).toBe(true);
    expect(v.applyCommand('door_lock')).toEqual({ result: true, reason: '' });
    expect(v.signals().Locked).toBe(true);
    expect(v.applyCommand('charge_start')).toEqual({ result: false, reason: 'disconnected' });
    expect(v.applyCommand('charge_stop')).toEqual({ result: false, reason: 'not_charging' });
    expect(v.applyCommand('honk_horn')).toEqual({ result: true, reason: '' });
    expect(() => v.applyCommand('launch_rocket')).toThrow(UnknownCommandError);
    expect(() => v.applyCommand('set_charge_limit', { percent: 120 })).toThrow(InvalidCommandParametersError);
    expect(() => v.applyCommand('set_charge_limit', {})).toThrow(InvalidCommandParametersError);
  });

  it('starts and stops charging and moves its charge limit on command', () => {
    const v = vehicle({
      initial: 'charging',
      initialSoc: 60,
      behaviour: { parkedMs: [3_600_000, 3_600_000] },
    });
    v.advance(START + MINUTE);
    expect(v.applyCommand('charge_stop')).toEqual({ result: true, reason: '' });
    expect(v.signals().DetailedChargeState).toBe('DetailedChargeStateStopped');
    const stopped = v.state().energyKwh;
    v.advance(START + 3 * MINUTE);
    expect(v.state().energyKwh).toBeLessThanOrEqual(stopped);
    expect(v.applyCommand('charge_start')).toEqual({ result: true, reason: '' });
    v.advance(START + 4 * MINUTE);
    expect(v.signals().DetailedChargeState).toBe('DetailedChargeStateCharging');
    expect(v.applyCommand('charge_start')).toEqual({ result: false, reason: 'is_charging' });
    // A limit below the current charge completes the session at once.
    expect(v.applyCommand('set_charge_limit', { percent: 50 })).toEqual({ result: true, reason: '' });
    expect(v.signals()).toMatchObject({
      ChargeLimitSoc: 50,
      DetailedChargeState: 'DetailedChargeStateComplete',
    });
    expect(v.applyCommand('set_charge_limit', { percent: 50 })).toEqual({
      result: false,
      reason: 'already_set',
    });
    // Raising it again resumes, as a Tesla does.
    expect(v.applyCommand('set_charge_limit', { percent: 90 })).toEqual({ result: true, reason: '' });
    v.advance(START + 5 * MINUTE);
    expect(v.signals().DetailedChargeState).toBe('DetailedChargeStateCharging');
  });

  it('falls asleep when left alone, refuses commands asleep, and wakes on wake_up', () => {
    // Vehicles with sentry mode never sleep; find one without.
    const sleeper = [0, 1, 2, 3, 4, 5, 6, 7]
      .map((index) =>
        vehicle({
          index,
          initial: 'parked',
          behaviour: { parkedMs: [3_600_000, 3_600_000], offlinePerHour: 0, sleepAfterMs: MINUTE },
        }),
      )
      .find((v) => {
        v.advance(START + 5 * MINUTE);
        return v.status() === 'asleep';
      });
    expect(sleeper).toBeDefined();
    const v = sleeper as SimulatedVehicle;
    expect(v.takeEvents().map((e) => e.kind)).toContain('disconnected');
    expect(() => v.applyCommand('door_lock')).toThrow(VehicleUnavailableError);
    expect(v.applyCommand('wake_up')).toEqual({ result: true, reason: '' });
    expect(v.status()).toBe('parked');
    expect(v.takeEvents()).toEqual([expect.objectContaining({ kind: 'connected' })]);
    expect(v.applyCommand('door_lock').result).toBe(true);
  });

  it('reports its signals under Tesla field names in Tesla units', () => {
    const v = vehicle({ initial: 'driving' });
    v.advance(START + 3 * MINUTE);
    const s = v.signals();
    const state = v.state();
    expect(s.VehicleSpeed).toBeCloseTo(state.speedKph / 1.609344, 0);
    expect(s.Odometer).toBeCloseTo(state.odometerKm / 1.609344, 2);
    expect(s.Soc).toBeGreaterThan(s.BatteryLevel);
    expect(s.EnergyRemaining).toBeCloseTo(state.energyKwh, 1);
    expect(s.Gear).toMatch(/^ShiftState[PRND]$/);
    expect(Object.keys(s.DoorState)).toHaveLength(6);
    expect(s.VehicleName).toMatch(/^\w+ 1$/);
  });
});
