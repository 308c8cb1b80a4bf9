import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisLatestStateStore, redisKeys } from '../../../src/adapters/redis/latest-state-store.ts';
import { latestStateStoreContract } from '../../support/latest-state-store-contract.ts';

let redis: Redis;
let store: RedisLatestStateStore;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  store = new RedisLatestStateStore(redis);
});
afterAll(() => redis?.disconnect());

latestStateStoreContract('RedisLatestStateStore (real Redis)', () => store);

describe('RedisLatestStateStore summaries', () => {
  const at = Date.parse('2026-01-01T00:00:00Z');
  const update = (tenantId: string, vehicleId: string, signals: Record<string, unknown>, time = at) => ({
    tenantId,
    vehicleId,
    lastRecordAt: time,
    signals: new Map(Object.entries(signals).map(([name, value]) => [name, { value, at: time }])),
  });

  it('answers a summary read exactly as the hash read, values unrounded', async () => {
    const tenant = `t-${randomUUID()}`;
    const location = { latitude: 52.520008123456789, longitude: -13.404954000000001 };
    await store.apply([
      update(tenant, 'a', { Location: location, VehicleSpeed: 72.39999999999999, Gear: 'D', Other: 1 }),
    ]);
    await store.apply([update(tenant, 'a', { VehicleSpeed: 0.1 + 0.2, Locked: true }, at + 5)]);
    const fromSummary = await store.vehicleStates(tenant, ['a'], { signals: ['Location', 'VehicleSpeed'] });
    const fromHash = await store.vehicleStates(tenant, ['a'], {
      signals: ['Location', 'VehicleSpeed', 'Other'],
    });
    expect(fromSummary).toEqual([
      {
        vehicleId: 'a',
        lastSeenAt: at + 5,
        signals: new Map([
          ['Location', { value: location, at }],
          ['VehicleSpeed', { value: 0.1 + 0.2, at: at + 5 }],
        ]),
      },
    ]);
    expect(fromHash[0]!.signals.get('Location')).toEqual(fromSummary[0]!.signals.get('Location'));
    expect(fromHash[0]!.signals.get('Other')).toEqual({ value: 1, at });
  });

  it('reads vehicles without a summary (written before summaries existed) from their hashes', async () => {
    const tenant = `t-${randomUUID()}`;
    await store.apply([update(tenant, 'a', { Soc: 40 }), update(tenant, 'b', { Soc: 50 })]);
    await redis.hdel(redisKeys.summaries(tenant), 'a');
    const states = await store.vehicleStates(tenant, ['a', 'b', 'never-seen'], { signals: ['Soc'] });
    expect(states.map((s) => [s.vehicleId, s.signals.get('Soc')?.value])).toEqual([
      ['a', 40],
      ['b', 50],
    ]);
  });
});
