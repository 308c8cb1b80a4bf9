import type { Redis } from 'ioredis';
import type { RedisConnection } from './connect.ts';
import type { SignalSample } from '../../domain/state/coalesce.ts';
import type {
  AppliedStateUpdate,
  GeoPoint,
  LatestStateStore,
  VehicleState,
  VehicleStateUpdate,
} from '../../ports/latest-state-store.ts';

/**
 * Merges signals into a vehicle's hash with last-write-wins per field, all in Redis so concurrent shards
 * cannot interleave a read and a write. Fields: `v:<signal>` (JSON value), `t:<signal>` (epoch ms).
 * Returns the names it accepted (newer, or equal and identical). Location also moves the tenant's geo
 * index; the last-seen sorted set only moves forward.
 *
 * KEYS: state hash, geo set, last-seen sorted set. ARGV: vehicleId, lastRecordAt, then name/at/json triples.
 */
const MERGE_SCRIPT = `
local accepted = {}
local location = nil
for i = 3, #ARGV, 3 do
  local name, at, value = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local stored = tonumber(redis.call('HGET', KEYS[1], 't:' .. name))
  local take = false
  if stored == nil or at > stored then
    take = true
  elseif at == stored then
    local current = redis.call('HGET', KEYS[1], 'v:' .. name)
    if current == value then
      accepted[#accepted + 1] = name
    elseif current == false or value > current then
      take = true
    end
  end
  if take then
    redis.call('HSET', KEYS[1], 'v:' .. name, value, 't:' .. name, ARGV[i + 1])
    accepted[#accepted + 1] = name
    if name == 'Location' then location = value end
  end
end
local seen = tonumber(redis.call('HGET', KEYS[1], 'seen'))
if seen == nil or tonumber(ARGV[2]) > seen then
  redis.call('HSET', KEYS[1], 'seen', ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
end
if location then
  local point = cjson.decode(location)
  local lat, lon = tonumber(point.latitude), tonumber(point.longitude)
  if lat and lon and lat >= -85.05112878 and lat <= 85.05112878 and lon >= -180 and lon <= 180 then
    redis.call('GEOADD', KEYS[2], lon, lat, ARGV[1])
  end
end
return accepted
`;

type RedisWithMerge = Redis & {
  fleetwireMergeState(...args: (string | number)[]): Promise<string[]>;
};

/** Key names. The tenant is a hash tag, so one tenant's keys share a Redis Cluster slot. */
export const redisKeys = {
  state: (tenantId: string, vehicleId: string) => `fw:{${tenantId}}:vehicle:${vehicleId}`,
  geo: (tenantId: string) => `fw:{${tenantId}}:positions`,
  lastSeen: (tenantId: string) => `fw:{${tenantId}}:last-seen`,
};

/** {@link LatestStateStore} on Redis: one pipeline per batch, a Lua merge per vehicle. */
export class RedisLatestStateStore implements LatestStateStore {
  private readonly redis: RedisWithMerge;

  /** Standalone or cluster mode: every key of one call shares the tenant's hash slot. */
  constructor(redis: RedisConnection) {
    if (!('fleetwireMergeState' in redis)) {
      redis.defineCommand('fleetwireMergeState', { numberOfKeys: 3, lua: MERGE_SCRIPT });
    }
    this.redis = redis as unknown as RedisWithMerge;
  }

  async apply(updates: readonly VehicleStateUpdate[]): Promise<AppliedStateUpdate[]> {
    if (updates.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as RedisWithMerge;
    for (const update of updates) {
      const args: (string | number)[] = [
        redisKeys.state(update.tenantId, update.vehicleId),
        redisKeys.geo(update.tenantId),
        redisKeys.lastSeen(update.tenantId),
        update.vehicleId,
        update.lastRecordAt,
      ];
      for (const [name, sample] of update.signals) args.push(name, sample.at, JSON.stringify(sample.value));
      void pipeline.fleetwireMergeState(...args);
    }
    const results = (await (pipeline as unknown as ReturnType<Redis['pipeline']>).exec()) ?? [];
    return updates.map((update, i) => {
      const [error, names] = results[i] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      const accepted = new Map<string, SignalSample>();
      for (const name of names as string[]) {
        const sample = update.signals.get(name);
        if (sample) accepted.set(name, sample);
      }
      return { tenantId: update.tenantId, vehicleId: update.vehicleId, accepted };
    });
  }

  async vehicleState(tenantId: string, vehicleId: string): Promise<VehicleState | undefined> {
    return stateOf(vehicleId, await this.redis.hgetall(redisKeys.state(tenantId, vehicleId)));
  }

  async vehicleStates(tenantId: string, vehicleIds: readonly string[]): Promise<VehicleState[]> {
    if (vehicleIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const vehicleId of vehicleIds) pipeline.hgetall(redisKeys.state(tenantId, vehicleId));
    const replies = (await pipeline.exec()) ?? [];
    return vehicleIds.flatMap((vehicleId, i) => {
      const [error, hash] = replies[i] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      const state = stateOf(vehicleId, hash as Record<string, string>);
      return state ? [state] : [];
    });
  }

  vehicleIds(tenantId: string, options: { readonly limit?: number } = {}): Promise<string[]> {
    return this.redis.zrevrange(redisKeys.lastSeen(tenantId), 0, (options.limit ?? 10_000) - 1);
  }

  async vehiclesNear(tenantId: string, center: GeoPoint, radiusMeters: number): Promise<string[]> {
    const ids = await this.redis.geosearch(
      redisKeys.geo(tenantId),
      'FROMLONLAT',
      center.longitude,
      center.latitude,
      'BYRADIUS',
      radiusMeters,
      'm',
      'ASC',
    );
    return ids as string[];
  }
}

/** A vehicle's state from its hash; undefined for a vehicle never seen. */
function stateOf(vehicleId: string, hash: Record<string, string>): VehicleState | undefined {
  if (!hash.seen) return undefined;
  const signals = new Map<string, SignalSample>();
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith('v:')) continue;
    const name = field.slice(2);
    signals.set(name, { value: JSON.parse(value) as unknown, at: Number(hash[`t:${name}`]) });
  }
  return { vehicleId, lastSeenAt: Number(hash.seen), signals };
}
