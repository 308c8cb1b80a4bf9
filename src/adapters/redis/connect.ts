import { Cluster, Redis } from 'ioredis';

/** A Redis connection, standalone or cluster-mode: the state store works with either. */
export type RedisConnection = Redis | Cluster;

/**
 * Connects to Redis from a URL. ElastiCache Serverless speaks cluster mode only, behind one TLS endpoint
 * (`rediss://`): there ioredis's cluster client is used, pointed at that one endpoint and told not to
 * resolve it to node IPs, which would break TLS host verification. A plain `redis://` URL (local Redis,
 * tests) gets a standalone client.
 */
export function connectRedis(url: string, options: { readonly cluster?: boolean } = {}): RedisConnection {
  const parsed = new URL(url);
  const cluster = options.cluster ?? parsed.protocol === 'rediss:';
  if (!cluster) return new Redis(url);
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    dnsLookup: (address, callback) => callback(null, address),
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      tls: parsed.protocol === 'rediss:' ? { servername: parsed.hostname } : undefined,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    },
  });
}
