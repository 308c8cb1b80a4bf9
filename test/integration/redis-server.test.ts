import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  RedisUnavailableError,
  resolveRedis,
  spawnRedisServer,
  type ResolvedRedis,
} from '../../src/local/redis-server.ts';

describe('Redis for tests and the local stack', () => {
  const started: ResolvedRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((redis) => redis.stop()));
  });

  it('the test run has a real Redis that answers commands', async () => {
    const client = new Redis(inject('redisUrl'));
    try {
      await client.set('fleetwire:test:ping', 'pong', 'EX', 10);
      expect(await client.get('fleetwire:test:ping')).toBe('pong');
    } finally {
      client.disconnect();
    }
  });

  it('uses REDIS_URL when it is given', async () => {
    const redis = await resolveRedis({ url: 'redis://127.0.0.1:1' });
    expect(redis.source).toEqual({ kind: 'env', url: 'redis://127.0.0.1:1' });
  });

  it('starts a redis-server on a free port and stops it afterwards', async () => {
    // prepare
    const redis = await spawnRedisServer();
    started.push(redis);
    if (redis.source.kind !== 'spawned')
      throw new Error(`expected a spawned server, got ${redis.source.kind}`);
    const client = new Redis(redis.source.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    // act
    const reply = await client.ping();
    await redis.stop();
    // assess
    expect(reply).toBe('PONG');
    await expect(client.ping()).rejects.toThrow();
    client.disconnect();
  });

  it('falls back to the in-memory store with a warning only when allowed', async () => {
    const warnings: string[] = [];
    const fallback = await resolveRedis({
      url: '',
      binary: '/nonexistent/redis-server',
      allowMemory: true,
      warn: (message) => warnings.push(message),
    });
    expect(fallback.source.kind).toBe('memory');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/in-memory store/);

    await expect(resolveRedis({ url: '', binary: '/nonexistent/redis-server' })).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
  });
});
