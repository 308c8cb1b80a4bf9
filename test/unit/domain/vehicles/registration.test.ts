import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../../../../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../../../../src/domain/vehicles/registration.ts';
import { CachedVehicleDirectory } from '../../../../src/domain/vehicles/cached-directory.ts';
import {
  InvalidRegistrationError,
  InvalidVinError,
  VehicleAlreadyRegisteredError,
} from '../../../../src/domain/vehicles/errors.ts';
import type {
  VehicleDirectory,
  VehicleRegistration,
  VinVault,
} from '../../../../src/ports/vehicle-directory.ts';

/** In-memory directory and vault: pure stand-ins for the DynamoDB and KMS adapters in unit tests. */
function fakes() {
  const rows = new Map<string, VehicleRegistration>();
  const sealed = new Map<string, { tenantId: string; vin: string }>();
  let lookups = 0;
  const directory: VehicleDirectory = {
    async lookup(ids) {
      lookups += 1;
      return new Map(ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!] as const] : [])));
    },
    async register(registration) {
      const existing = rows.get(registration.vehicleId);
      if (existing && existing.tenantId !== registration.tenantId)
        throw new VehicleAlreadyRegisteredError('taken');
      rows.set(registration.vehicleId, registration);
    },
    async list(tenantId) {
      return [...rows.values()].filter((r) => r.tenantId === tenantId);
    },
  };
  const vault: VinVault = {
    async seal(vehicleId, tenantId, vin) {
      sealed.set(vehicleId, { tenantId, vin });
    },
    async reveal(vehicleId) {
      return sealed.get(vehicleId)?.vin;
    },
  };
  const pseudonyms = new Pseudonymizer({
    generateMac: async (m) => createHmac('sha256', 'k').update(m).digest(),
  });
  return { directory, vault, pseudonyms, rows, sealed, lookups: () => lookups };
}

const VIN = '5YJ3E1EA7KF317000';

describe('registering a vehicle', () => {
  it('stores the pseudonym in the directory and the VIN only in the vault', async () => {
    // prepare
    const deps = fakes();
    // act
    const registration = await registerVehicle(
      { tenantId: 'acme', vin: ` ${VIN.toLowerCase()} `, name: 'Truck 7' },
      { ...deps, now: () => new Date('2026-01-02T03:04:05Z') },
    );
    // assess
    expect(registration).toEqual({
      vehicleId: await deps.pseudonyms.vehicleIdOf(VIN),
      tenantId: 'acme',
      name: 'Truck 7',
      registeredAt: '2026-01-02T03:04:05.000Z',
    });
    expect(JSON.stringify([...deps.rows.values()])).not.toContain(VIN);
    expect(deps.sealed.get(registration.vehicleId)).toEqual({ tenantId: 'acme', vin: VIN });
  });

  it('is idempotent for the same tenant and refuses another tenant', async () => {
    const deps = fakes();
    const first = await registerVehicle({ tenantId: 'acme', vin: VIN }, deps);
    const again = await registerVehicle({ tenantId: 'acme', vin: VIN, name: 'renamed' }, deps);
    expect(again).toEqual(first);
    await expect(registerVehicle({ tenantId: 'globex', vin: VIN }, deps)).rejects.toBeInstanceOf(
      VehicleAlreadyRegisteredError,
    );
    expect(deps.sealed.get(first.vehicleId)?.tenantId).toBe('acme');
  });

  it.each([
    ['a short VIN', { tenantId: 'acme', vin: '5YJ3E1EA7KF31' }, InvalidVinError, /17 characters/],
    ['a VIN with an O', { tenantId: 'acme', vin: '5YJ3E1EA7KF31700O' }, InvalidVinError, /without I, O, Q/],
    ['a bad tenant id', { tenantId: 'Acme Corp', vin: VIN }, InvalidRegistrationError, /tenant id/],
    [
      'a name holding the VIN',
      { tenantId: 'acme', vin: VIN, name: `car ${VIN}` },
      InvalidRegistrationError,
      /VIN/,
    ],
  ])(
    'refuses %s with a precise message that never repeats the VIN',
    async (_case, input, errorClass, message) => {
      const rejection = registerVehicle(input, fakes());
      await expect(rejection).rejects.toBeInstanceOf(errorClass);
      await expect(rejection).rejects.toThrow(message);
      await rejection.catch((error: Error) => expect(error.message).not.toContain(VIN.slice(0, 13)));
    },
  );
});

describe('the cached vehicle directory', () => {
  it('answers repeated lookups from memory, misses included, until they expire', async () => {
    // prepare
    const deps = fakes();
    const registration = await registerVehicle({ tenantId: 'acme', vin: VIN }, deps);
    const lookupsBefore = deps.lookups();
    let now = 0;
    const cached = new CachedVehicleDirectory(deps.directory, {
      ttlMs: 1_000,
      negativeTtlMs: 100,
      now: () => now,
    });
    // act
    const first = await cached.lookup([registration.vehicleId, 'unknown']);
    const second = await cached.lookup([registration.vehicleId, 'unknown']);
    const lookupsWhileFresh = deps.lookups() - lookupsBefore;
    now = 150;
    await cached.lookup([registration.vehicleId, 'unknown']);
    // assess
    expect([...first.keys()]).toEqual([registration.vehicleId]);
    expect(second).toEqual(first);
    expect(lookupsWhileFresh).toBe(1);
    expect(deps.lookups() - lookupsBefore).toBe(2);
  });
});
