import { describe, expect, it } from 'vitest';
import { MemoryLatestStateStore } from '../../../src/adapters/memory/latest-state-store.ts';
import { SUMMARY_SIGNALS } from '../../../src/ports/latest-state-store.ts';
import {
  SIGNALS_OF_FIELD,
  createStateReader,
  signalsFor,
} from '../../../src/functions/state-reader/state-reader.ts';

const A = 'q0Vx3nF8T2mYb7LkPz4RwA';
const B = 'Hc9-2dJk_Wq5Ue1Ns7Yt0g';
const C = 'Zz9-2dJk_Wq5Ue1Ns7Yt0g';
const T0 = Date.parse('2025-03-14T09:26:53.120Z');

async function seeded() {
  const store = new MemoryLatestStateStore();
  const sample = (value: unknown, at = T0) => ({ value, at });
  await store.apply([
    {
      tenantId: 'acme',
      vehicleId: A,
      lastRecordAt: T0,
      signals: new Map([
        ['VehicleSpeed', sample(72.4)],
        ['Location', sample({ latitude: 52.520008, longitude: 13.404954 })],
        ['Soc', sample(64.5)],
        ['Gear', sample('D')],
        ['Locked', sample(true)],
        ['DetailedChargeState', sample('Disconnected')],
        ['EstBatteryRange', sample(null)],
      ]),
    },
    {
      tenantId: 'acme',
      vehicleId: B,
      lastRecordAt: T0 + 1000,
      signals: new Map([
        ['BatteryLevel', sample(80, T0 + 1000)],
        ['Soc', sample(81, T0 + 1000)],
        ['DetailedChargeState', sample('Charging', T0 + 1000)],
        ['Location', sample({ latitude: 52.53, longitude: 13.41 }, T0 + 1000)],
      ]),
    },
    { tenantId: 'globex', vehicleId: C, lastRecordAt: T0, signals: new Map([['VehicleSpeed', sample(10)]]) },
  ]);
  return createStateReader(store, () => new Date('2025-03-14T10:00:00.000Z'));
}

describe('the StateReader function', () => {
  it('answers a vehicle state with every signal and the typed fields derived from them', async () => {
    const read = await seeded();
    expect(await read({ operation: 'vehicleState', tenantId: 'acme', vehicleId: A })).toEqual({
      data: {
        vehicleId: A,
        lastSeenAt: '2025-03-14T09:26:53.120Z',
        signals: {
          VehicleSpeed: 72.4,
          Location: { latitude: 52.520008, longitude: 13.404954 },
          Soc: 64.5,
          Gear: 'D',
          Locked: true,
          DetailedChargeState: 'Disconnected',
          EstBatteryRange: null,
        },
        location: { latitude: 52.520008, longitude: 13.404954 },
        heading: null,
        speed: 72.4,
        batteryLevel: 64.5,
        range: null,
        gear: 'D',
        locked: true,
        charging: false,
        chargeState: 'Disconnected',
        chargeLimit: null,
        odometer: null,
        insideTemperature: null,
        outsideTemperature: null,
      },
    });
  });

  it('never reads across tenants', async () => {
    const read = await seeded();
    expect(await read({ operation: 'vehicleState', tenantId: 'globex', vehicleId: A })).toEqual({
      data: null,
    });
    const fleet = await read({ operation: 'fleetState', tenantId: 'globex' });
    expect(fleet).toMatchObject({
      data: { tenantId: 'globex', vehicles: [{ vehicleId: C }], truncated: false },
    });
  });

  it('answers the fleet newest first, and says when the limit cut it', async () => {
    const read = await seeded();
    expect(await read({ operation: 'fleetState', tenantId: 'acme' })).toMatchObject({
      data: {
        tenantId: 'acme',
        generatedAt: '2025-03-14T10:00:00.000Z',
        vehicles: [{ vehicleId: B, batteryLevel: 80, charging: true }, { vehicleId: A }],
        truncated: false,
      },
    });
    expect(await read({ operation: 'fleetState', tenantId: 'acme', limit: 1 })).toMatchObject({
      data: { vehicles: [{ vehicleId: B }], truncated: true },
    });
  });

  it('finds the tenant vehicles near a point, nearest first', async () => {
    const read = await seeded();
    const near = await read({
      operation: 'vehiclesNear',
      tenantId: 'acme',
      center: { latitude: 52.5301, longitude: 13.4101 },
      radiusMeters: 5000,
    });
    expect((near as { data: { vehicleId: string }[] }).data.map((v) => v.vehicleId)).toEqual([B, A]);
  });

  it('reads only the signals of the selected fields, and every signal when `signals` is selected', async () => {
    const read = await seeded();
    const fleet = await read({
      operation: 'fleetState',
      tenantId: 'acme',
      fields: ['vehicleId', 'speed', 'batteryLevel', 'charging', '__typename'],
    });
    const [b, a] = (fleet as unknown as { data: { vehicles: Record<string, unknown>[] } }).data.vehicles;
    expect(a).toMatchObject({ vehicleId: A, speed: 72.4, batteryLevel: 64.5, charging: false });
    expect(a).not.toHaveProperty('signals');
    expect(b).toMatchObject({ vehicleId: B, batteryLevel: 80, charging: true, speed: null });

    const all = await read({
      operation: 'vehicleState',
      tenantId: 'acme',
      vehicleId: A,
      fields: ['signals'],
    });
    expect(Object.keys((all as { data: { signals: object } }).data.signals)).toHaveLength(7);
  });

  it('reads every signal when a selected field is one it does not know', async () => {
    expect(signalsFor(['speed', 'somethingNew'])).toBeUndefined();
    expect(signalsFor(undefined)).toBeUndefined();
    expect(signalsFor(['location', 'gear', 'chargeState', 'charging'])).toEqual([
      'Location',
      'Gear',
      'DetailedChargeState',
    ]);
  });

  it('knows the signals of every VehicleState field it answers', async () => {
    const read = await seeded();
    const full = (await read({ operation: 'vehicleState', tenantId: 'acme', vehicleId: A })) as unknown as {
      data: Record<string, unknown>;
    };
    expect(Object.keys(SIGNALS_OF_FIELD).sort()).toEqual(Object.keys(full.data).sort());
  });

  it('derives every typed field from summary signals, so a fleet overview is one summary read', () => {
    const typed = Object.values(SIGNALS_OF_FIELD).flatMap((signals) => (signals === 'all' ? [] : signals));
    expect(typed.filter((name) => !(SUMMARY_SIGNALS as readonly string[]).includes(name))).toEqual([]);
  });

  it('answers BadRequest, with every issue, for an event it does not take', async () => {
    const read = await seeded();
    const result = await read({ operation: 'vehicleState', tenantId: 'acme}', vehicleId: 'x', extra: 1 });
    expect(result).toEqual({
      error: { type: 'BadRequest', message: expect.stringContaining('Invalid state read') },
    });
    const message = (result as { error: { message: string } }).error.message;
    expect(message).toMatch(/tenantId: must be a tenant id/);
    expect(message).toMatch(/vehicleId: must be a vehicle id/);
    expect(await read({ operation: 'drop' })).toMatchObject({ error: { type: 'BadRequest' } });
  });
});
