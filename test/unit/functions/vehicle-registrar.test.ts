import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVehicleRegistrar } from '../../../src/functions/vehicle-registrar/vehicle-registrar.ts';
import { Pseudonymizer } from '../../../src/domain/pseudonym/pseudonym.ts';
import { VehicleAlreadyRegisteredError } from '../../../src/domain/vehicles/errors.ts';
import type {
  VehicleDirectory,
  VehicleRegistration,
  VinVault,
} from '../../../src/ports/vehicle-directory.ts';

const VIN = '5YJ3E1EA7KF317001';

function registrar() {
  const rows = new Map<string, VehicleRegistration>();
  const sealed = new Map<string, string>();
  const directory: VehicleDirectory = {
    async lookup(ids) {
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
    async seal(vehicleId, _tenantId, vin) {
      sealed.set(vehicleId, vin);
    },
    async reveal(vehicleId) {
      return sealed.get(vehicleId);
    },
  };
  const pseudonyms = new Pseudonymizer({
    generateMac: async (m) => createHmac('sha256', 'k').update(m).digest(),
  });
  const register = createVehicleRegistrar({
    pseudonyms,
    directory,
    vault,
    now: () => new Date('2025-01-02T03:04:05Z'),
  });
  return { register, rows, sealed };
}

describe('the VehicleRegistrar function', () => {
  it('registers to the given tenant and answers the vehicle under its pseudonym, never the VIN', async () => {
    const { register, rows, sealed } = registrar();
    const result = await register({ tenantId: 'acme', vin: VIN, name: 'Truck 7' });
    expect(result).toEqual({
      data: {
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        name: 'Truck 7',
        registeredAt: '2025-01-02T03:04:05.000Z',
      },
    });
    expect(JSON.stringify(result)).not.toContain(VIN);
    const id = (result as { data: { id: string } }).data.id;
    expect(rows.get(id)?.tenantId).toBe('acme');
    expect(sealed.get(id)).toBe(VIN);
  });

  it('defaults the name and is idempotent', async () => {
    const { register } = registrar();
    const first = await register({ tenantId: 'acme', vin: VIN, name: null });
    const again = await register({ tenantId: 'acme', vin: VIN });
    expect(again).toEqual(first);
    expect((first as { data: { name: string } }).data.name).toMatch(/^Vehicle /);
  });

  it('answers Conflict for a vehicle of another tenant, without naming it', async () => {
    const { register } = registrar();
    const first = await register({ tenantId: 'acme', vin: VIN });
    const result = await register({ tenantId: 'globex', vin: VIN });
    expect(result).toEqual({
      error: { type: 'Conflict', message: expect.stringContaining('another tenant') },
    });
    expect(JSON.stringify(result)).not.toContain((first as { data: { id: string } }).data.id);
  });

  it('answers BadRequest for a malformed VIN without repeating it', async () => {
    const { register } = registrar();
    const result = await register({ tenantId: 'acme', vin: 'WVWZZZ1JZXW00000' });
    expect(result).toEqual({
      error: { type: 'BadRequest', message: expect.stringContaining('got 16 characters') },
    });
    expect(JSON.stringify(result)).not.toContain('WVWZZZ1JZXW00000');
    expect(await register({ tenantId: 'acme', vin: VIN, name: `My ${VIN}` })).toEqual({
      error: { type: 'BadRequest', message: 'vehicle name must not contain the VIN' },
    });
  });

  it('answers BadRequest for a malformed event, naming fields but not values', async () => {
    const { register } = registrar();
    const result = await register({ tenantId: 'acme', vin: 12345678901234567 });
    expect(result).toMatchObject({ error: { type: 'BadRequest', message: expect.stringContaining('vin:') } });
    expect(JSON.stringify(result)).not.toContain('12345678901234567');
  });

  it('lets back end failures fail the invocation', async () => {
    const failing = createVehicleRegistrar({
      pseudonyms: new Pseudonymizer({ generateMac: async () => Promise.reject(new Error('KMS throttled')) }),
      directory: { lookup: async () => new Map(), register: async () => {}, list: async () => [] },
      vault: { seal: async () => {}, reveal: async () => undefined },
    });
    await expect(failing({ tenantId: 'acme', vin: VIN })).rejects.toThrow('KMS throttled');
  });
});
