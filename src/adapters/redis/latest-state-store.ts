import type { Redis } from 'ioredis';
import type { RedisConnection } from './connect.ts';
import type { SignalSample } from '../../domain/state/coalesce.ts';
import type {
  AppliedStateUpdate,
  GeoPoint,
  LatestStateStore,
  VehicleState,
  VehicleStateUpdate,
  VehicleStatesOptions,
} from '../../ports/latest-state-store.ts';
import { SUMMARY_SIGNALS } from '../../ports/latest-state-store.ts';

/**
 * Merges signals into a vehicle's hash with last-write-wins per field, all in Redis so concurrent shards
 * cannot interleave a read and a write. Fields: `v:<signal>` (JSON value), `t:<signal>` (epoch ms).
 * Returns the names it accepted (newer, or equal and identical). Location also moves the tenant's geo
 * index; the last-seen sorted set only moves forward. When a summary signal or the last-seen time changed,
 * the vehicle's summary is rebuilt from the hash: `[seen, {name: value}, {name: at}]` over the
 * {@link SUMMARY_SIGNALS}, spliced from the stored JSON values (nothing decoded, nothing rounded).
 *
 * KEYS: state hash, geo set, last-seen sorted set, summaries hash. ARGV: vehicleId, lastRecordAt, then
 * name/at/json triples.
 */
const MERGE_SCRIPT = `
local summarized = { ${SUMMARY_SIGNALS.map((name) => `${name} = true`).join(', ')} }
local summaryNames = { ${SUMMARY_SIGNALS.map((name) => `'${name}'`).join(', ')} }
local accepted = {}
local location = nil
local summaryChanged = false
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
    if summarized[name] then summaryChanged = true end
    if name == 'Location' then location = value end
  end
end
local seen = tonumber(redis.call('HGET', KEYS[1], 'seen'))
if seen == nil or tonumber(ARGV[2]) > seen then
  redis.call('HSET', KEYS[1], 'seen', ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
  summaryChanged = true
end
if summaryChanged then
  local fields = { 'seen' }
  for _, name in ipairs(summaryNames) do
    fields[#fields + 1] = 'v:' .. name
    fields[#fields + 1] = 't:' .. name
  end
  local got = redis.call('HMGET', KEYS[1], unpack(fields))
  local values, times = {}, {}
  for j, name in ipairs(summaryNames) do
    local value = got[2 * j]
    if value then
      values[#values + 1] = '"' .. name .. '":' .. value
      times[#times + 1] = '"' .. name .. '":' .. (got[2 * j + 1] or 'null')
    end
  end
  redis.call('HSET', KEYS[4], ARGV[1],
    '[' .. got[1] .. ',{' .. table.concat(values, ',') .. '},{' .. table.concat(times, ',') .. '}]')
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
  /** vehicleId → the vehicle's summary (see the merge script). */
  summaries: (tenantId: string) => `fw:{${tenantId}}:summaries`,
};

const SUMMARIZED: ReadonlySet<string> = new Set(SUMMARY_SIGNALS);

/** {@link LatestStateStore} on Redis: one pipeline per batch, a Lua merge per vehicle. */
export class RedisLatestStateStore implements LatestStateStore {
  private readonly redis: RedisWithMerge;

  /** Standalone or cluster mode: every key of one call shares the tenant's hash slot. */
  constructor(redis: RedisConnection) {
    if (!('fleetwireMergeState' in redis)) {
      redis.defineCommand('fleetwireMergeState', { numberOfKeys: 4, lua: MERGE_SCRIPT });
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
        redisKeys.summaries(update.tenantId),
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

  async vehicleStates(
    tenantId: string,
    vehicleIds: readonly string[],
    options: VehicleStatesOptions = {},
  ): Promise<VehicleState[]> {
    if (vehicleIds.length === 0) return [];
    const { signals } = options;
    // A fleet overview asks for summary signals only: one HMGET of the summaries answers a string per
    // vehicle, where reading the hashes answers two per signal (decoding those is most of a fleet read).
    if (signals?.every((name) => SUMMARIZED.has(name))) {
      const summaries = await this.redis.hmget(redisKeys.summaries(tenantId), ...vehicleIds);
      const wanted = new Set(signals);
      const states = new Map<string, VehicleState>();
      const unsummarized: string[] = [];
      const found: string[] = [];
      const texts: string[] = [];
      vehicleIds.forEach((vehicleId, i) => {
        const summary = summaries[i];
        if (summary) {
          found.push(vehicleId);
          texts.push(summary);
        } else unsummarized.push(vehicleId);
      });
      // One parse of all summaries costs less than a thousand small ones.
      const parsed = JSON.parse(`[${texts.join(',')}]`) as StoredSummary[];
      parsed.forEach((summary, i) => states.set(found[i]!, summaryState(found[i]!, summary, wanted)));
      // Vehicles last written before summaries existed (or never seen): read from their hashes.
      for (const state of await this.readHashes(tenantId, unsummarized, signals)) {
        states.set(state.vehicleId, state);
      }
      return vehicleIds.flatMap((vehicleId) => {
        const state = states.get(vehicleId);
        return state ? [state] : [];
      });
    }
    return this.readHashes(tenantId, vehicleIds, signals);
  }

  private async readHashes(
    tenantId: string,
    vehicleIds: readonly string[],
    signals: readonly string[] | undefined,
  ): Promise<VehicleState[]> {
    if (vehicleIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const fields = signals && ['seen', ...signals.flatMap((name) => [`v:${name}`, `t:${name}`])];
    for (const vehicleId of vehicleIds) {
      const key = redisKeys.state(tenantId, vehicleId);
      if (fields) pipeline.hmget(key, ...fields);
      else pipeline.hgetall(key);
    }
    const replies = (await pipeline.exec()) ?? [];
    return vehicleIds.flatMap((vehicleId, i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      const hash = fields ? hashOf(fields, reply as (string | null)[]) : (reply as Record<string, string>);
      const state = stateOf(vehicleId, hash);
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

/** A vehicle's summary as the merge script writes it. */
type StoredSummary = [seen: number, values: Record<string, unknown>, times: Record<string, number | null>];

/** The `wanted` signals of a vehicle's summary. */
function summaryState(vehicleId: string, summary: StoredSummary, wanted: ReadonlySet<string>): VehicleState {
  const [seen, values, times] = summary;
  const signals = new Map<string, SignalSample>();
  for (const name in values) {
    if (wanted.has(name)) signals.set(name, { value: values[name], at: times[name] ?? Number.NaN });
  }
  return { vehicleId, lastSeenAt: seen, signals };
}

/** The fields HMGET found, as HGETALL would have answered them. */
function hashOf(fields: readonly string[], values: readonly (string | null)[]): Record<string, string> {
  const hash: Record<string, string> = {};
  fields.forEach((field, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) hash[field] = value;
  });
  return hash;
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
