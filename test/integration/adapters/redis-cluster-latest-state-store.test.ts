import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedis, type RedisConnection } from '../../../src/adapters/redis/connect.ts';
import { RedisLatestStateStore } from '../../../src/adapters/redis/latest-state-store.ts';
import { spawnRedisServer, type ResolvedRedis } from '../../../src/local/redis-server.ts';
import { latestStateStoreContract } from '../../support/latest-state-store-contract.ts';

// ElastiCache Serverless answers only cluster-mode clients: the store must work through one, which it can
// because every key of a call carries the tenant's hash tag. A one-node cluster owning every slot stands
// in for it here.
let server: ResolvedRedis;
let connection: RedisConnection;
let store: RedisLatestStateStore;

beforeAll(async () => {
  server = await spawnRedisServer('redis-server', [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-announce-ip',
    '127.0.0.1',
  ]);
  if (server.source.kind !== 'spawned') throw new Error('expected a spawned redis-server');
  const admin = new Redis(server.source.url);
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const deadline = Date.now() + 10_000;
  while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
    if (Date.now() > deadline) throw new Error('the one-node cluster did not become ok');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  admin.disconnect();
  connection = connectRedis(server.source.url, { cluster: true });
  store = new RedisLatestStateStore(connection);
});
afterAll(async () => {
  connection?.disconnect();
  await server?.stop();
});

latestStateStoreContract('RedisLatestStateStore through a cluster-mode client', () => store);
