import { describe, expect, it } from 'vitest';
import {
  fleetApiVehicleId,
  handleFleetApiRequest,
  SimulatedFleet,
  SimulatorConfigError,
} from '../../../src/simulator/index.ts';
import type { FleetApiRequest, SimulatedVehicle } from '../../../src/simulator/index.ts';

const START = Date.UTC(2025, 5, 2, 7, 30, 0);
const HOUR = 3_600_000;
const TOKEN = 'test-token';
const AUTH = `Bearer ${TOKEN}`;

function setup(initial: 'parked' | 'asleep' = 'parked', wakeDelayMs = 3_000) {
  const fleet = new SimulatedFleet({
    vehicles: 8,
    startMs: START,
    seed: 11,
    initial,
    duplicateRatio: 0,
    outOfOrderRatio: 0,
    behaviour: { parkedMs: [HOUR, HOUR], offlinePerHour: 0 },
  });
  fleet.step(START);
  const api = handleFleetApiRequest({ simulator: fleet, token: TOKEN, wakeDelayMs });
  const call = (path: string, body: unknown = '', extra: Partial<FleetApiRequest> = {}) =>
    api({
      method: 'POST',
      path,
      authorization: AUTH,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...extra,
    });
  return { fleet, call };
}

const done = { status: 200, body: { response: { result: true, reason: '' } } };
const unavailable = {
  status: 408,
  body: { response: null, error: 'vehicle unavailable: vehicle is offline or asleep', error_description: '' },
};

describe('simulated Fleet API (handler)', () => {
  it('carries out a command and answers as Tesla does', () => {
    const { fleet, call } = setup();
    const vin = fleet.vins()[0] as string;
    expect(call(`/api/1/vehicles/${vin}/command/door_unlock`)).toEqual(done);
    expect(fleet.vehicle(vin)?.signals().Locked).toBe(false);
    expect(call(`/api/1/vehicles/${vin}/command/set_charge_limit`, { percent: 60 })).toEqual(done);
    expect(fleet.vehicle(vin)?.signals().ChargeLimitSoc).toBe(60);
    // An empty JSON object and no body at all are the same for a command without parameters.
    expect(call(`/api/1/vehicles/${vin}/command/honk_horn`, {})).toEqual(done);
  });

  it('answers a refusal by the vehicle with 200 and result false', () => {
    const { fleet, call } = setup();
    const vin = fleet.vins()[0] as string;
    expect(call(`/api/1/vehicles/${vin}/command/charge_stop`)).toEqual({
      status: 200,
      body: { response: { result: false, reason: 'not_charging' } },
    });
  });

  it('refuses a missing or wrong bearer token with 401, before anything else', () => {
    const { fleet, call } = setup();
    const vin = fleet.vins()[0] as string;
    const unauthorized = {
      status: 401,
      body: { response: null, error: 'invalid bearer token', error_description: '' },
    };
    for (const authorization of [undefined, '', 'Bearer', 'Bearer wrong', `Basic ${TOKEN}`, `${TOKEN}`]) {
      expect(call(`/api/1/vehicles/${vin}/command/door_unlock`, '', { authorization })).toEqual(unauthorized);
      expect(call('/api/1/vehicles/NOPE/command/launch', '', { authorization })).toEqual(unauthorized);
    }
    expect(fleet.vehicle(vin)?.signals().Locked).toBe(true);
    expect(
      call(`/api/1/vehicles/${vin}/command/door_unlock`, '', { authorization: `bearer ${TOKEN}` }),
    ).toEqual(done);
  });

  it('answers 400 invalid_command, 404 for an unknown VIN, 400 with the message for bad bodies', () => {
    const { fleet, call } = setup();
    const vin = fleet.vins()[0] as string;
    expect(call(`/api/1/vehicles/${vin}/command/launch_rocket`)).toEqual({
      status: 400,
      body: {
        response: null,
        error: 'invalid_command',
        error_description: 'unknown vehicle command "launch_rocket"',
      },
    });
    expect(call('/api/1/vehicles/5YJ3E1EA7KF000000/command/door_lock')).toMatchObject({
      status: 404,
      body: { response: null, error: 'not_found' },
    });
    expect(call(`/api/1/vehicles/${vin}/command/set_charge_limit`, { percent: 120 })).toEqual({
      status: 400,
      body: {
        response: null,
        error: 'set_charge_limit: percent must be an integer from 50 to 100, got 120',
        error_description: '',
      },
    });
    expect(call(`/api/1/vehicles/${vin}/command/set_charge_limit`, '{"percent":')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^set_charge_limit: the body is not JSON: /) },
    });
    expect(call(`/api/1/vehicles/${vin}/command/door_lock`, '[1]')).toMatchObject({
      status: 400,
      body: { error: 'door_lock: parameters must be a JSON object, got an array' },
    });
    expect(call(`/api/1/vehicles/${vin}/command/wake_up`, { now: true })).toMatchObject({
      status: 400,
      body: { error: 'wake_up: takes no parameters, got "now"' },
    });
    expect(call('/api/1/elsewhere')).toMatchObject({ status: 404 });
    expect(call('/api/1/vehicles/%E0/command/door_lock')).toMatchObject({ status: 404 });
    expect(call(`/api/1/vehicles/${vin}/command/%E0`)).toMatchObject({
      status: 400,
      body: { error: 'invalid_command' },
    });
    expect(call(`/api/1/vehicles/${vin}/command/door_lock`, '', { method: 'GET' })).toMatchObject({
      status: 405,
      headers: { allow: 'POST' },
    });
  });

  it('finds a vehicle by its numeric id as well as by VIN', () => {
    const { fleet, call } = setup();
    const vin = fleet.vins()[2] as string;
    const id = fleetApiVehicleId(vin);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(String(id)).toHaveLength(16);
    expect(call(`/api/1/vehicles/${id}`, '', { method: 'GET' })).toMatchObject({
      status: 200,
      body: { response: { id, id_s: String(id), vin, state: 'online', in_service: false } },
    });
  });

  it('wakes a sleeping vehicle after the wake delay; commands answer 408 until then', () => {
    const { fleet, call } = setup('asleep', 3_000);
    const sleeper = fleet.vehicles().find((v) => v.status() === 'asleep') as SimulatedVehicle;
    expect(sleeper).toBeDefined();
    const vin = sleeper.vin;
    expect(call(`/api/1/vehicles/${vin}/command/door_unlock`)).toEqual(unavailable);
    expect(call(`/api/1/vehicles/${vin}/wake_up`)).toMatchObject({
      status: 200,
      body: { response: { vin, state: 'asleep', display_name: sleeper.name } },
    });
    fleet.step(START + 2_000);
    expect(call(`/api/1/vehicles/${vin}/command/door_unlock`)).toEqual(unavailable);
    expect(call(`/api/1/vehicles/${vin}`, '', { method: 'GET' })).toMatchObject({
      body: { response: { state: 'asleep' } },
    });
    fleet.step(START + 3_500);
    expect(call(`/api/1/vehicles/${vin}`, '', { method: 'GET' })).toMatchObject({
      body: { response: { state: 'online' } },
    });
    expect(call(`/api/1/vehicles/${vin}/command/door_unlock`)).toEqual(done);
    // wake_up as a command works too, and on an awake vehicle it only answers.
    expect(call(`/api/1/vehicles/${vin}/command/wake_up`)).toEqual(done);
  });

  it('refuses options that cannot work', () => {
    const fleet = new SimulatedFleet({ vehicles: 1, startMs: START });
    expect(() => handleFleetApiRequest({ simulator: fleet, token: '' })).toThrow(SimulatorConfigError);
    expect(() => handleFleetApiRequest({ simulator: fleet, token: 't', wakeDelayMs: -1 })).toThrow(
      SimulatorConfigError,
    );
  });
});
