import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LatestStateStore, VehicleStateUpdate } from '../../src/ports/latest-state-store.ts';

function update(
  tenantId: string,
  vehicleId: string,
  signals: Record<string, [unknown, number]>,
): VehicleStateUpdate {
  const entries = Object.entries(signals).map(([name, [value, at]]) => [name, { value, at }] as const);
  return {
    tenantId,
    vehicleId,
    lastRecordAt: Math.max(...entries.map(([, s]) => s.at)),
    signals: new Map(entries),
  };
}

/**
 * The behaviour every {@link LatestStateStore} adapter must show; each adapter's test file runs it
 * against its real backend.
 */
export function latestStateStoreContract(name: string, storeOf: () => LatestStateStore): void {
  describe(`${name}: the LatestStateStore contract`, () => {
    it('merges last-write-wins per signal and reports what it accepted', async () => {
      // prepare
      const tenant = `t-${randomUUID()}`;
      await storeOf().apply([update(tenant, 'veh1', { VehicleSpeed: [50, 2_000], Soc: [80, 2_000] })]);
      // act: an older speed, a newer soc, an identical redelivery of gear
      const [first] = await storeOf().apply([update(tenant, 'veh1', { Gear: ['D', 1_500] })]);
      const [second] = await storeOf().apply([
        update(tenant, 'veh1', { VehicleSpeed: [10, 1_000], Soc: [79, 3_000], Gear: ['D', 1_500] }),
      ]);
      // assess
      expect([...first!.accepted.keys()]).toEqual(['Gear']);
      expect([...second!.accepted.keys()].sort()).toEqual(['Gear', 'Soc']);
      const state = await storeOf().vehicleState(tenant, 'veh1');
      expect(Object.fromEntries(state!.signals)).toEqual({
        VehicleSpeed: { value: 50, at: 2_000 },
        Soc: { value: 79, at: 3_000 },
        Gear: { value: 'D', at: 1_500 },
      });
      expect(state!.lastSeenAt).toBe(3_000);
    });

    it('indexes positions per tenant and never across tenants', async () => {
      const acme = `t-${randomUUID()}`;
      const globex = `t-${randomUUID()}`;
      await storeOf().apply([
        update(acme, 'near', { Location: [{ latitude: 52.52, longitude: 13.405 }, 1] }),
        update(acme, 'far', { Location: [{ latitude: 48.137, longitude: 11.575 }, 1] }),
        update(globex, 'other', { Location: [{ latitude: 52.52, longitude: 13.405 }, 1] }),
      ]);
      expect(await storeOf().vehiclesNear(acme, { latitude: 52.5, longitude: 13.4 }, 10_000)).toEqual([
        'near',
      ]);
      expect(await storeOf().vehicleIds(globex)).toEqual(['other']);
      expect(await storeOf().vehicleState(globex, 'near')).toBeUndefined();
    });

    it('reads many vehicles at once, in the order asked, leaving out unknown ones', async () => {
      const tenant = `t-${randomUUID()}`;
      await storeOf().apply([update(tenant, 'a', { Soc: [10, 1] }), update(tenant, 'b', { Soc: [20, 2] })]);
      const states = await storeOf().vehicleStates(tenant, ['b', 'unknown', 'a']);
      expect(states.map((s) => [s.vehicleId, s.signals.get('Soc')?.value])).toEqual([
        ['b', 20],
        ['a', 10],
      ]);
      expect(await storeOf().vehicleStates(`t-${randomUUID()}`, ['a'])).toEqual([]);
    });

    it('reads only the signals asked for, keeping last-seen and leaving out vehicles never seen', async () => {
      const tenant = `t-${randomUUID()}`;
      await storeOf().apply([
        update(tenant, 'a', { Soc: [10, 1], Gear: ['D', 2], VehicleSpeed: [50, 3] }),
        update(tenant, 'b', { Odometer: [100, 4] }),
      ]);
      const states = await storeOf().vehicleStates(tenant, ['a', 'b', 'unknown'], {
        signals: ['Gear', 'Soc', 'Locked'],
      });
      expect(states.map((s) => [s.vehicleId, s.lastSeenAt, Object.fromEntries(s.signals)])).toEqual([
        ['a', 3, { Soc: { value: 10, at: 1 }, Gear: { value: 'D', at: 2 } }],
        ['b', 4, {}],
      ]);
    });

    it('orders vehicles by last seen, newest first', async () => {
      const tenant = `t-${randomUUID()}`;
      await storeOf().apply([update(tenant, 'a', { Soc: [1, 10] }), update(tenant, 'b', { Soc: [1, 30] })]);
      await storeOf().apply([update(tenant, 'c', { Soc: [1, 20] }), update(tenant, 'b', { Soc: [2, 5] })]);
      expect(await storeOf().vehicleIds(tenant)).toEqual(['b', 'c', 'a']);
    });
  });
}
