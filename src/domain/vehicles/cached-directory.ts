import type { VehicleDirectory, VehicleRegistration } from '../../ports/vehicle-directory.ts';

/** How long the cache trusts an answer. */
export interface DirectoryCacheOptions {
  /** A registration rarely changes; default 5 minutes. */
  readonly ttlMs?: number;
  /**
   * An unknown vehicle is asked again after this long (default 30 s), so a vehicle registered while it
   * streams is picked up soon without asking DynamoDB for every record of every unknown VIN.
   */
  readonly negativeTtlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly registration: VehicleRegistration | undefined;
  readonly expiresAt: number;
}

/** A {@link VehicleDirectory} that remembers lookups, including misses, for the life of a container. */
export class CachedVehicleDirectory implements VehicleDirectory {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: VehicleDirectory,
    options: DirectoryCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async lookup(vehicleIds: readonly string[]): Promise<Map<string, VehicleRegistration>> {
    const now = this.now();
    const found = new Map<string, VehicleRegistration>();
    const misses: string[] = [];
    for (const id of new Set(vehicleIds)) {
      const entry = this.entries.get(id);
      if (entry && entry.expiresAt > now) {
        if (entry.registration) found.set(id, entry.registration);
      } else {
        misses.push(id);
      }
    }
    if (misses.length > 0) {
      const fetched = await this.inner.lookup(misses);
      for (const id of misses) {
        const registration = fetched.get(id);
        this.entries.set(id, {
          registration,
          expiresAt: now + (registration ? this.ttlMs : this.negativeTtlMs),
        });
        if (registration) found.set(id, registration);
      }
    }
    return found;
  }

  async register(registration: VehicleRegistration): Promise<void> {
    await this.inner.register(registration);
    this.entries.set(registration.vehicleId, { registration, expiresAt: this.now() + this.ttlMs });
  }

  list(tenantId: string): Promise<VehicleRegistration[]> {
    return this.inner.list(tenantId);
  }
}
