import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/domain/tesla/index.ts';
import { FleetApiListenError, Simulator, startSimulatedFleetApi } from '../../src/simulator/index.ts';
import type {
  PutOutcome,
  RecordSink,
  SimulatedFleetApi,
  SimulatedRecord,
} from '../../src/simulator/index.ts';

/** Keeps what the simulator puts, so a test can read a vehicle's telemetry after a command. */
class MemorySink implements RecordSink {
  readonly records: SimulatedRecord[] = [];
  async put(records: readonly SimulatedRecord[]): Promise<PutOutcome> {
    this.records.push(...records);
    return { put: records.length, failed: 0, retried: 0, calls: 1 };
  }
}

const TOKEN = 'fleet-api-test-token';
const WAKE_DELAY_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value, so a loaded machine's slower ticks do not fail the test. */
async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('simulated Fleet API over HTTP, with a running simulator', () => {
  const sink = new MemorySink();
  let simulator: Simulator;
  let api: SimulatedFleetApi;

  beforeAll(async () => {
    simulator = new Simulator({
      sink,
      vehicles: 6,
      seed: 11,
      tickMs: 25,
      initial: 'asleep',
      duplicateRatio: 0,
      outOfOrderRatio: 0,
      // No periodic or true-up records: the first record after a command is the one it caused.
      parkedIntervalMs: 600_000,
      resendRatio: 0,
      behaviour: { parkedMs: [3_600_000, 3_600_000], offlinePerHour: 0 },
    });
    await simulator.start();
    api = await startSimulatedFleetApi({ simulator, token: TOKEN, port: 0, wakeDelayMs: WAKE_DELAY_MS });
  });
  afterAll(async () => {
    await api?.stop();
    await simulator?.stop();
  });

  async function post(
    path: string,
    body?: unknown,
    token = TOKEN,
  ): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, json: await response.json() };
  }

  /** The signals of the vehicle's `V` records put after `from` (an index into the sink). */
  function signalsSince(vin: string, from: number): Record<string, unknown>[] {
    return sink.records
      .slice(from)
      .filter((r) => r.partitionKey === vin && r.topic === 'V')
      .map((r) => decodeRecord('V', r.data))
      .flatMap((record) => (record.topic === 'V' ? [record.signals as Record<string, unknown>] : []));
  }

  it('listens on loopback on a free port', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.port).toBeGreaterThan(0);
  });

  it('answers 408 while asleep, wakes after the delay, then locks and reports Locked promptly', async () => {
    const vin = simulator.vins().find((v) => simulator.vehicle(v)?.status() === 'asleep');
    if (vin === undefined) throw new Error('expected a sleeping vehicle');
    const base = `/api/1/vehicles/${vin}`;

    expect(await post(`${base}/command/door_unlock`)).toEqual({
      status: 408,
      json: {
        response: null,
        error: 'vehicle unavailable: vehicle is offline or asleep',
        error_description: '',
      },
    });
    const woken = await post(`${base}/wake_up`);
    expect(woken).toMatchObject({ status: 200, json: { response: { vin, state: 'asleep' } } });
    expect((await post(`${base}/command/door_unlock`)).status).toBe(408);

    const wokeAt = Date.now();
    await eventually(async () => {
      const polled = await fetch(`${api.url}${base}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await polled.json()) as { response: { state: string } };
      return body.response.state === 'online' ? true : undefined;
    }, 'the vehicle to come online');
    expect(Date.now() - wokeAt).toBeGreaterThanOrEqual(WAKE_DELAY_MS - 100);

    const before = sink.records.length;
    expect(await post(`${base}/command/door_unlock`)).toEqual({
      status: 200,
      json: { response: { result: true, reason: '' } },
    });
    await eventually(() => signalsSince(vin, before).find((s) => s.Locked === false), 'Locked = false');

    const mark = sink.records.length;
    expect(await post(`${base}/command/door_lock`, {})).toMatchObject({ status: 200 });
    // The next record carries the change: a record forced by the command, not the parked interval.
    const next = await eventually(() => signalsSince(vin, mark)[0], 'a record after door_lock');
    expect(next).toMatchObject({ Locked: true });
  });

  it('shows every kind of command in the telemetry', async () => {
    const vin = simulator.vins()[1] as string;
    const base = `/api/1/vehicles/${vin}`;
    await post(`${base}/wake_up`);
    await eventually(() => (simulator.vehicle(vin)?.isOnline() ? true : undefined), 'the vehicle to wake');

    const mark = sink.records.length;
    const commands: [string, unknown][] = [
      ['set_charge_limit', { percent: 65 }],
      ['set_sentry_mode', { on: true }],
      ['set_temps', { driver_temp: 24.5, passenger_temp: 23 }],
      ['auto_conditioning_start', undefined],
      ['window_control', { command: 'vent' }],
      ['actuate_trunk', { which_trunk: 'rear' }],
      ['remote_start_drive', undefined],
      ['set_charging_amps', { charging_amps: 10 }],
      ['honk_horn', undefined],
      ['flash_lights', undefined],
    ];
    for (const [name, body] of commands) {
      const answer = await post(`${base}/command/${name}`, body);
      expect({ name, ...answer }).toEqual({
        name,
        status: 200,
        json: { response: { result: true, reason: '' } },
      });
    }
    const latest = await eventually(() => {
      const merged = Object.assign({}, ...signalsSince(vin, mark)) as Record<string, unknown>;
      return merged.ChargeCurrentRequest === 10 ? merged : undefined;
    }, 'the last command in the telemetry');
    expect(latest).toMatchObject({
      ChargeLimitSoc: 65,
      SentryMode: 'Armed',
      HvacLeftTemperatureRequest: 24.5,
      HvacRightTemperatureRequest: 23,
      HvacPower: 'On',
      FdWindow: 'PartiallyOpen',
      RpWindow: 'PartiallyOpen',
      DoorState: expect.objectContaining({ TrunkRear: true }),
      RemoteStartEnabled: true,
      ChargeCurrentRequest: 10,
    });
  });

  it('refuses bad tokens, unknown VINs and commands, and bad parameters', async () => {
    const vin = simulator.vins()[2] as string;
    expect(await post(`/api/1/vehicles/${vin}/command/door_lock`, undefined, 'wrong')).toEqual({
      status: 401,
      json: { response: null, error: 'invalid bearer token', error_description: '' },
    });
    const anonymous = await fetch(`${api.url}/api/1/vehicles/${vin}/command/door_lock`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'invalid bearer token' });
    expect(await post('/api/1/vehicles/5YJ3E1EA7KF000000/command/door_lock')).toMatchObject({ status: 404 });
    expect(await post(`/api/1/vehicles/${vin}/command/self_destruct`)).toMatchObject({
      status: 400,
      json: { error: 'invalid_command' },
    });
    expect(
      await post(`/api/1/vehicles/${vin}/command/set_temps`, { driver_temp: 12, passenger_temp: 20 }),
    ).toEqual({
      status: 400,
      json: {
        response: null,
        error: 'set_temps: driver_temp must be a number from 15 to 28, got 12',
        error_description: '',
      },
    });
    expect(await post(`/api/1/vehicles/${vin}/command/set_charge_limit`, '{not json')).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('the body is not JSON') },
    });
    const big = await post(
      `/api/1/vehicles/${vin}/command/door_lock`,
      JSON.stringify({ x: 'y'.repeat(70_000) }),
    );
    expect(big.status).toBe(413);
  });

  it('says so when its port is taken', async () => {
    await expect(
      startSimulatedFleetApi({ simulator, token: TOKEN, port: api.port, wakeDelayMs: 0 }),
    ).rejects.toBeInstanceOf(FleetApiListenError);
  });
});
