import type { Redis } from 'ioredis';
import type { RedisConnection } from './connect.ts';
import type {
  DetectorDocumentWrite,
  DetectorStateKey,
  DetectorStateStore,
  QuietVehiclesQuery,
  StoredDetectorDocument,
} from '../../ports/detector-state-store.ts';

/**
 * Compare-and-set of one vehicle's detector document: stored only if the hash's revision is still the one
 * the caller read, so two pollers (the V and connectivity streams of one vehicle) cannot overwrite each
 * other's work. The tenant's sorted set of last record times only moves forward.
 *
 * KEYS: document hash, the tenant's detector last-seen sorted set. ARGV: expected revision, JSON,
 * vehicleId, lastRecordAt.
 */
const SAVE_SCRIPT = `
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'rev', rev + 1, 'doc', ARGV[2])
local seen = redis.call('ZSCORE', KEYS[2], ARGV[3])
if (not seen) or tonumber(ARGV[4]) > tonumber(seen) then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) end
return 1
`;

/**
 * Reads a document unless the caller already holds its revision: then only the revision comes back, so the
 * text is neither sent nor parsed again. KEYS: document hash. ARGV: the known revision, or ''.
 */
const LOAD_SCRIPT = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev and rev == ARGV[1] then return { rev } end
return { rev, redis.call('HGET', KEYS[1], 'doc') }
`;

type RedisWithSave = Redis & {
  fleetwireSaveDetectors(...args: (string | number)[]): Promise<number>;
  fleetwireLoadDetectors(...args: (string | number)[]): Promise<(string | null)[]>;
};

/**
 * Key names. The tenant is a hash tag, as in the latest-state store, so a vehicle's keys share its tenant's
 * Redis Cluster slot. The tenants set is the one key without a tenant: the ticker's list of tenants to visit.
 */
export const detectorRedisKeys = {
  document: (tenantId: string, vehicleId: string) => `fw:{${tenantId}}:detectors:${vehicleId}`,
  seen: (tenantId: string) => `fw:{${tenantId}}:detectors-seen`,
  tenants: () => 'fw:detector-tenants',
};

/** {@link DetectorStateStore} on Redis: one pipeline per call, a Lua compare-and-set per vehicle. */
export class RedisDetectorStateStore implements DetectorStateStore {
  private readonly redis: RedisWithSave;
  /** Tenants already added to the tenants set by this process: the set is written once per tenant. */
  private readonly knownTenants = new Set<string>();

  constructor(redis: RedisConnection) {
    if (!('fleetwireSaveDetectors' in redis)) {
      redis.defineCommand('fleetwireSaveDetectors', { numberOfKeys: 2, lua: SAVE_SCRIPT });
      redis.defineCommand('fleetwireLoadDetectors', { numberOfKeys: 1, lua: LOAD_SCRIPT });
    }
    this.redis = redis as unknown as RedisWithSave;
  }

  async load(
    keys: readonly DetectorStateKey[],
    knownRevisions: readonly (number | undefined)[] = [],
  ): Promise<StoredDetectorDocument[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as RedisWithSave & ReturnType<Redis['pipeline']>;
    for (const [i, key] of keys.entries()) {
      const known = knownRevisions[i];
      void pipeline.fleetwireLoadDetectors(
        detectorRedisKeys.document(key.tenantId, key.vehicleId),
        known === undefined ? '' : String(known),
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    return keys.map((_, i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      const [rev, doc] = reply as [string | null | undefined, (string | null)?];
      if (rev === null || rev === undefined) return { revision: 0, json: undefined };
      if ((reply as unknown[]).length === 1 && String(knownRevisions[i]) === rev) {
        return { revision: Number(rev), json: undefined, unchanged: true };
      }
      return { revision: Number(rev), json: doc ?? undefined };
    });
  }

  async save(writes: readonly DetectorDocumentWrite[]): Promise<boolean[]> {
    if (writes.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as RedisWithSave & ReturnType<Redis['pipeline']>;
    const newTenants = [...new Set(writes.map((w) => w.tenantId))].filter((t) => !this.knownTenants.has(t));
    for (const write of writes) {
      void pipeline.fleetwireSaveDetectors(
        detectorRedisKeys.document(write.tenantId, write.vehicleId),
        detectorRedisKeys.seen(write.tenantId),
        write.expectedRevision,
        write.json,
        write.vehicleId,
        write.lastRecordAt,
      );
    }
    if (newTenants.length > 0) pipeline.sadd(detectorRedisKeys.tenants(), ...newTenants);
    const replies = (await pipeline.exec()) ?? [];
    const stored = writes.map((_, i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      return Number(reply) === 1;
    });
    const last = replies[writes.length];
    if (newTenants.length > 0) {
      if (!last || last[0]) throw last?.[0] ?? new Error('no reply from Redis');
      for (const tenant of newTenants) this.knownTenants.add(tenant);
    }
    return stored;
  }

  tenants(): Promise<string[]> {
    return this.redis.smembers(detectorRedisKeys.tenants());
  }

  quietVehicles(query: QuietVehiclesQuery): Promise<string[]> {
    return this.redis.zrangebyscore(
      detectorRedisKeys.seen(query.tenantId),
      query.seenFrom,
      query.seenTo,
      'LIMIT',
      0,
      query.limit,
    );
  }
}
