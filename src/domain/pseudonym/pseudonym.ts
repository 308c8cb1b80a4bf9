import type { MacProvider } from '../../ports/mac-provider.ts';

/** Bytes of the HMAC kept in a vehicle id: 128 bits make a collision in a fleet of millions negligible. */
const VEHICLE_ID_BYTES = 16;

/** A vehicle id: the base64url of the first 16 bytes of HMAC-SHA256(key, VIN), 22 characters. */
export const VEHICLE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A VIN as ISO 3779 writes it: 17 characters, no I, O or Q. */
export const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;

/**
 * Anything that could be a VIN in either case: what must never reach a table, cache, event, log or
 * metric. Written without flags so that JSON Schema (`pattern`) can use its source as it is.
 */
export const VIN_LIKE_PATTERN = /^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$/;

/** Base error of the pseudonym module. */
export class PseudonymError extends Error {
  override readonly name: string = 'PseudonymError';
}

/** The MAC provider answered something that cannot be an HMAC-SHA256. */
export class InvalidMacError extends PseudonymError {
  override readonly name = 'InvalidMacError';
}

/** Turns an HMAC-SHA256 of a VIN into the vehicle id used everywhere outside the VIN vault. */
export function vehicleIdFromMac(mac: Uint8Array): string {
  if (mac.length < VEHICLE_ID_BYTES) {
    throw new InvalidMacError(`a MAC of ${mac.length} bytes is too short for a vehicle id`);
  }
  return Buffer.from(mac.buffer, mac.byteOffset, VEHICLE_ID_BYTES).toString('base64url');
}

/** How many VINs a {@link Pseudonymizer} remembers: a fleet of 10,000 fits many times over. */
const DEFAULT_CACHE_SIZE = 100_000;

/**
 * Maps VINs to vehicle ids, asking the MAC provider once per VIN per process: KMS `GenerateMac` for every
 * record would cost more than the rest of the pipeline together (DESIGN.md §1).
 */
export class Pseudonymizer {
  private readonly cache = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly macs: MacProvider,
    private readonly cacheSize = DEFAULT_CACHE_SIZE,
  ) {}

  /** The cached vehicle id of a VIN, or undefined when the provider must be asked. */
  cached(vin: string): string | undefined {
    return this.cache.get(vin);
  }

  /** The vehicle id of a VIN. Concurrent calls for one VIN share one provider call. */
  vehicleIdOf(vin: string): Promise<string> {
    const hit = this.cache.get(vin);
    if (hit !== undefined) return Promise.resolve(hit);
    const inFlight = this.pending.get(vin);
    if (inFlight) return inFlight;
    const request = this.macs
      .generateMac(this.encoder.encode(vin))
      .then((mac) => {
        const vehicleId = vehicleIdFromMac(mac);
        this.remember(vin, vehicleId);
        return vehicleId;
      })
      .finally(() => this.pending.delete(vin));
    this.pending.set(vin, request);
    return request;
  }

  /** Vehicle ids of many VINs, asking the provider concurrently for those not cached. */
  async vehicleIdsOf(vins: Iterable<string>): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const misses: Promise<void>[] = [];
    for (const vin of vins) {
      const hit = this.cache.get(vin);
      if (hit !== undefined) result.set(vin, hit);
      else misses.push(this.vehicleIdOf(vin).then((id) => void result.set(vin, id)));
    }
    await Promise.all(misses);
    return result;
  }

  private remember(vin: string, vehicleId: string): void {
    // Insertion order makes the Map a cheap FIFO; a fleet fits, so eviction only guards against abuse.
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(vin, vehicleId);
  }
}
