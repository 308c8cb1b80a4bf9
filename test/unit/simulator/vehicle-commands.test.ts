import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/domain/commands/index.ts';
import {
  InvalidCommandParametersError,
  SIMULATED_COMMANDS,
  SimulatedFleet,
  SimulatedVehicle,
  TelemetryEmitter,
  Rng,
  VehicleUnavailableError,
} from '../../../src/simulator/index.ts';
import type { SimulatedVehicleOptions } from '../../../src/simulator/index.ts';
import { decodeRecord } from '../../../src/domain/tesla/index.ts';

const START = Date.UTC(2025, 5, 2, 7, 30, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A vehicle parked for an hour, connected, that never drops off. */
function parked(options: Partial<SimulatedVehicleOptions> = {}): SimulatedVehicle {
  const v = new SimulatedVehicle({
    vin: '5YJFLEET6PF431116',
    index: 0,
    seed: 11,
    startMs: START,
    initial: 'parked',
    behaviour: { parkedMs: [HOUR, HOUR], offlinePerHour: 0 },
    ...options,
  });
  v.advance(START + 10_000);
  return v;
}

function driving(): SimulatedVehicle {
  const v = new SimulatedVehicle({
    vin: '5YJFLEET6PF431116',
    index: 0,
    seed: 11,
    startMs: START,
    initial: 'driving',
    behaviour: { drivingDropsPerHour: 0, offlinePerHour: 0 },
  });
  v.advance(START + 30_000);
  expect(v.status()).toBe('driving');
  return v;
}

const ok = { result: true, reason: '' };

describe('SimulatedVehicle commands', () => {
  it('knows every command of the catalog', () => {
    expect([...SIMULATED_COMMANDS]).toEqual([...COMMAND_NAMES]);
  });

  it('validates parameters with the catalog, before looking at whether it is awake', () => {
    const v = parked();
    expect(() => v.applyCommand('set_temps', { driver_temp: 40, passenger_temp: 20 })).toThrow(
      new InvalidCommandParametersError(
        'set_temps',
        'set_temps: driver_temp must be a number from 15 to 28, got 40',
      ),
    );
    expect(() => v.applyCommand('door_lock', { x: 1 })).toThrow('door_lock: takes no parameters, got "x"');
  });

  it('sets the charge current, which caps AC charging power (not DC)', () => {
    const charging = (seed: number) => {
      const v = new SimulatedVehicle({
        vin: '5YJFLEET6PF431116',
        index: 0,
        seed,
        startMs: START,
        initial: 'charging',
        initialSoc: 40,
        behaviour: { parkedMs: [HOUR, HOUR] },
      });
      v.advance(START + MINUTE);
      return v;
    };
    const ac = charging(12);
    expect(ac.signals()).toMatchObject({
      FastChargerPresent: false,
      ChargeCurrentRequest: 32,
      ChargeCurrentRequestMax: 32,
      ACChargingPower: 11.5,
    });
    expect(ac.applyCommand('set_charging_amps', { charging_amps: 6 })).toEqual(ok);
    expect(ac.signals().ChargeCurrentRequest).toBe(6);
    expect(ac.applyCommand('set_charging_amps', { charging_amps: 6 })).toEqual({
      result: false,
      reason: 'already_set',
    });
    ac.advance(START + 2 * MINUTE);
    // 6 A on each of three 230 V phases.
    expect(ac.signals()).toMatchObject({ ACChargingPower: 4.1, ChargeAmps: 6 });
    // Above the car's maximum: capped, as a Tesla does.
    expect(ac.applyCommand('set_charging_amps', { charging_amps: 48 })).toEqual(ok);
    expect(ac.signals().ChargeCurrentRequest).toBe(32);

    const dc = charging(11);
    expect(dc.signals().FastChargerPresent).toBe(true);
    const power = dc.signals().DCChargingPower;
    dc.applyCommand('set_charging_amps', { charging_amps: 6 });
    dc.advance(START + 2 * MINUTE);
    expect(dc.signals().DCChargingPower).toBeGreaterThan(power * 0.8);
  });

  it('runs the climate control on command, towards the set temperatures', () => {
    const v = parked();
    expect(v.signals().HvacPower).toBe('HvacPowerStateOff');
    expect(v.applyCommand('set_temps', { driver_temp: 26, passenger_temp: 24 })).toEqual(ok);
    expect(v.signals()).toMatchObject({ HvacLeftTemperatureRequest: 26, HvacRightTemperatureRequest: 24 });
    expect(v.applyCommand('auto_conditioning_start')).toEqual(ok);
    expect(v.takeChanged()).toBe(true);
    expect(v.signals().HvacPower).toBe('HvacPowerStateOn');
    v.advance(START + 20 * MINUTE);
    expect(v.signals().InsideTemp).toBeCloseTo(25, 0);
    expect(v.applyCommand('auto_conditioning_stop')).toEqual(ok);
    expect(v.signals().HvacPower).toBe('HvacPowerStateOff');
  });

  it('turns a forgotten climate control off after 30 minutes', () => {
    const v = parked();
    v.applyCommand('auto_conditioning_start');
    v.advance(START + 29 * MINUTE);
    expect(v.state().climateOn).toBe(true);
    v.advance(START + 31 * MINUTE);
    expect(v.state().climateOn).toBe(false);
  });

  it('opens the trunks: the rear one toggles, the front one only opens', () => {
    const v = parked();
    expect(v.applyCommand('actuate_trunk', { which_trunk: 'rear' })).toEqual(ok);
    expect(v.signals().DoorState).toMatchObject({ TrunkRear: true, TrunkFront: false });
    expect(v.applyCommand('actuate_trunk', { which_trunk: 'rear' })).toEqual(ok);
    expect(v.signals().DoorState.TrunkRear).toBe(false);
    expect(v.applyCommand('actuate_trunk', { which_trunk: 'front' })).toEqual(ok);
    expect(v.signals().DoorState.TrunkFront).toBe(true);
    expect(v.applyCommand('actuate_trunk', { which_trunk: 'front' })).toEqual({
      result: false,
      reason: 'frunk_already_open',
    });
  });

  it('vents and closes the windows', () => {
    const v = parked();
    expect(v.signals().FdWindow).toBe('WindowStateClosed');
    expect(v.applyCommand('window_control', { command: 'vent' })).toEqual(ok);
    expect(v.signals()).toMatchObject({
      FdWindow: 'WindowStatePartiallyOpen',
      FpWindow: 'WindowStatePartiallyOpen',
      RdWindow: 'WindowStatePartiallyOpen',
      RpWindow: 'WindowStatePartiallyOpen',
    });
    expect(v.applyCommand('window_control', { command: 'close' })).toEqual(ok);
    expect(v.signals().RpWindow).toBe('WindowStateClosed');
  });

  it('allows keyless driving for two minutes', () => {
    const v = parked();
    expect(v.signals().RemoteStartEnabled).toBe(false);
    expect(v.applyCommand('remote_start_drive')).toEqual(ok);
    expect(v.signals().RemoteStartEnabled).toBe(true);
    v.advance(START + 10_000 + 119_000);
    expect(v.signals().RemoteStartEnabled).toBe(true);
    v.advance(START + 10_000 + 121_000);
    expect(v.signals().RemoteStartEnabled).toBe(false);
  });

  it('refuses what a moving car cannot do, and does the rest', () => {
    const v = driving();
    const moving = { result: false, reason: 'vehicle_in_motion' };
    expect(v.applyCommand('actuate_trunk', { which_trunk: 'rear' })).toEqual(moving);
    expect(v.applyCommand('window_control', { command: 'vent' })).toEqual(moving);
    expect(v.applyCommand('remote_start_drive')).toEqual(moving);
    expect(v.applyCommand('window_control', { command: 'close' })).toEqual(ok);
    expect(v.signals().HvacPower).toBe('HvacPowerStateOn');
    expect(v.applyCommand('auto_conditioning_stop')).toEqual(ok);
    expect(v.signals().HvacPower).toBe('HvacPowerStateOff');
    expect(v.applyCommand('flash_lights')).toEqual(ok);
  });

  it('arms and disarms sentry mode', () => {
    const v = parked();
    expect(v.applyCommand('set_sentry_mode', { on: true })).toEqual(ok);
    expect(v.signals().SentryMode).toBe('SentryModeStateArmed');
    expect(v.applyCommand('set_sentry_mode', { on: false })).toEqual(ok);
    expect(v.signals().SentryMode).toBe('SentryModeStateOff');
  });

  it('wakes asynchronously on requestWake: asleep until the delay has passed', () => {
    const fleet = new SimulatedFleet({
      vehicles: 8,
      startMs: START,
      seed: 11,
      initial: 'asleep',
      behaviour: { parkedMs: [HOUR, HOUR], offlinePerHour: 0 },
    });
    const v = fleet.vehicles().find((candidate) => candidate.status() === 'asleep');
    if (v === undefined) throw new Error('expected a sleeping vehicle');
    expect(v.requestWake(5_000)).toBe(START + 5_000);
    // A second request does not push the wake-up back.
    expect(v.requestWake(5_000)).toBe(START + 5_000);
    expect(v.state().wakingAt).toBe(START + 5_000);
    v.advance(START + 4_000);
    expect(() => v.applyCommand('door_lock')).toThrow(VehicleUnavailableError);
    v.advance(START + 5_250);
    expect(v.status()).not.toBe('asleep');
    expect(v.state().wakingAt).toBeNull();
    expect(v.applyCommand('door_lock')).toEqual(ok);
  });

  it('reports a command in the very next record, with the changed signal', () => {
    const v = parked();
    const emitter = new TelemetryEmitter(v, new Rng(3), {
      rate: 1,
      parkedIntervalMs: 10 * MINUTE,
      chargingIntervalMs: 10 * MINUTE,
      signalsPerRecord: 5,
      resendRatio: 0,
    });
    emitter.step(v.now()); // the full state on connect
    v.applyCommand('window_control', { command: 'vent' });
    const messages = emitter.step(v.now() + 250);
    const data = messages.filter((m) => m.topic === 'V');
    expect(data).toHaveLength(1);
    const keys = data[0]?.topic === 'V' ? data[0].input.data.map((d) => d.key) : [];
    expect(keys).toEqual(expect.arrayContaining(['FdWindow', 'FpWindow', 'RdWindow', 'RpWindow']));
  });

  it('encodes its new signals so that they decode under Tesla field names', () => {
    const fleet = new SimulatedFleet({
      vehicles: 1,
      startMs: START,
      seed: 4,
      initial: 'parked',
      duplicateRatio: 0,
      outOfOrderRatio: 0,
      format: 'mixed',
    });
    const first = fleet.step(START).find((r) => r.topic === 'V');
    if (first === undefined) throw new Error('expected a V record');
    const decoded = decodeRecord('V', first.data);
    if (decoded.topic !== 'V') throw new Error('expected V');
    expect(decoded.signals).toMatchObject({
      FdWindow: 'Closed',
      RemoteStartEnabled: false,
      ChargeCurrentRequest: 32,
      ChargeCurrentRequestMax: 32,
    });
    expect(typeof decoded.signals.HvacLeftTemperatureRequest).toBe('number');
  });
});
