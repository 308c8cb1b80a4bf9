import type {
  DetectorDocumentWrite,
  DetectorStateKey,
  DetectorStateStore,
  QuietVehiclesQuery,
  StoredDetectorDocument,
} from '../../ports/detector-state-store.ts';

/**
 * {@link DetectorStateStore} in process memory: for `npm start` on a machine without Redis and for unit
 * tests. Same semantics as the Redis store (compare-and-set on the revision, last-seen only forward).
 */
export class MemoryDetectorStateStore implements DetectorStateStore {
  private readonly documents = new Map<string, { revision: number; json: string }>();
  private readonly seen = new Map<string, Map<string, number>>();

  async load(
    keys: readonly DetectorStateKey[],
    knownRevisions: readonly (number | undefined)[] = [],
  ): Promise<StoredDetectorDocument[]> {
    return keys.map((key, i) => {
      const stored = this.documents.get(`${key.tenantId}\u0000${key.vehicleId}`);
      if (stored && stored.revision === knownRevisions[i]) {
        return { revision: stored.revision, json: undefined, unchanged: true };
      }
      return { revision: stored?.revision ?? 0, json: stored?.json };
    });
  }

  async save(writes: readonly DetectorDocumentWrite[]): Promise<boolean[]> {
    return writes.map((write) => {
      const id = `${write.tenantId}\u0000${write.vehicleId}`;
      const revision = this.documents.get(id)?.revision ?? 0;
      if (revision !== write.expectedRevision) return false;
      this.documents.set(id, { revision: revision + 1, json: write.json });
      const ofTenant = this.seen.get(write.tenantId) ?? new Map<string, number>();
      this.seen.set(write.tenantId, ofTenant);
      if ((ofTenant.get(write.vehicleId) ?? -Infinity) < write.lastRecordAt) {
        ofTenant.set(write.vehicleId, write.lastRecordAt);
      }
      return true;
    });
  }

  async tenants(): Promise<string[]> {
    return [...this.seen.keys()];
  }

  async quietVehicles(query: QuietVehiclesQuery): Promise<string[]> {
    return [...(this.seen.get(query.tenantId) ?? new Map<string, number>())]
      .filter(([, at]) => at >= query.seenFrom && at <= query.seenTo)
      .sort((a, b) => a[1] - b[1])
      .slice(0, query.limit)
      .map(([vehicleId]) => vehicleId);
  }
}
