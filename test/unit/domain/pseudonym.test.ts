import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  InvalidMacError,
  Pseudonymizer,
  VEHICLE_ID_PATTERN,
  VIN_PATTERN,
  vehicleIdFromMac,
} from '../../../src/domain/pseudonym/pseudonym.ts';
import type { MacProvider } from '../../../src/ports/mac-provider.ts';

/** A MAC provider computing a real HMAC locally, counting its calls (a pure unit stand-in for KMS). */
function countingHmac(key = 'test-key') {
  const calls: string[] = [];
  const provider: MacProvider = {
    async generateMac(message) {
      calls.push(Buffer.from(message).toString());
      return createHmac('sha256', key).update(message).digest();
    },
  };
  return { provider, calls };
}

describe('pseudonymous vehicle ids', () => {
  it('is the base64url of the first 16 bytes of the HMAC, 22 URL-safe characters', () => {
    const mac = createHmac('sha256', 'k').update('5YJ3E1EA7KF000001').digest();
    const id = vehicleIdFromMac(mac);
    expect(id).toBe(mac.subarray(0, 16).toString('base64url'));
    expect(id).toMatch(VEHICLE_ID_PATTERN);
  });

  it('never looks like a VIN, and a VIN never looks like a vehicle id', () => {
    expect('5YJ3E1EA7KF000001').toMatch(VIN_PATTERN);
    expect('5YJ3E1EA7KF000001').not.toMatch(VEHICLE_ID_PATTERN);
  });

  it('refuses a MAC too short to be an HMAC-SHA256', () => {
    expect(() => vehicleIdFromMac(new Uint8Array(8))).toThrow(InvalidMacError);
  });

  it('asks the provider once per VIN, also for concurrent requests', async () => {
    // prepare
    const { provider, calls } = countingHmac();
    const pseudonyms = new Pseudonymizer(provider);
    // act
    const [a, b] = await Promise.all([pseudonyms.vehicleIdOf('VIN-A'), pseudonyms.vehicleIdOf('VIN-A')]);
    const many = await pseudonyms.vehicleIdsOf(['VIN-A', 'VIN-B', 'VIN-B']);
    // assess
    expect(a).toBe(b);
    expect(many.get('VIN-A')).toBe(a);
    expect(many.get('VIN-B')).not.toBe(a);
    expect(calls).toEqual(['VIN-A', 'VIN-B']);
  });

  it('depends on the key: another key gives other ids', async () => {
    const one = await new Pseudonymizer(countingHmac('k1').provider).vehicleIdOf('VIN-A');
    const two = await new Pseudonymizer(countingHmac('k2').provider).vehicleIdOf('VIN-A');
    expect(one).not.toBe(two);
  });

  it('forgets the oldest VIN when full, and does not cache a failed call', async () => {
    const { provider, calls } = countingHmac();
    const pseudonyms = new Pseudonymizer(provider, 2);
    await pseudonyms.vehicleIdsOf(['A', 'B', 'C']);
    expect(pseudonyms.cached('A')).toBeUndefined();
    expect(pseudonyms.cached('C')).toBeDefined();

    let fail = true;
    const flaky = new Pseudonymizer({
      generateMac: async (message) => {
        if (fail) throw new Error('throttled');
        return provider.generateMac(message);
      },
    });
    await expect(flaky.vehicleIdOf('A')).rejects.toThrow('throttled');
    fail = false;
    await expect(flaky.vehicleIdOf('A')).resolves.toMatch(VEHICLE_ID_PATTERN);
    expect(calls.length).toBeGreaterThan(3);
  });
});
