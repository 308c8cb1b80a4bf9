import { afterAll, beforeAll, inject } from 'vitest';
import { Redis } from 'ioredis';
import { RedisLatestStateStore } from '../../../src/adapters/redis/latest-state-store.ts';
import { latestStateStoreContract } from '../../support/latest-state-store-contract.ts';

let redis: Redis;
let store: RedisLatestStateStore;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  store = new RedisLatestStateStore(redis);
});
afterAll(() => redis?.disconnect());

latestStateStoreContract('RedisLatestStateStore (real Redis)', () => store);
