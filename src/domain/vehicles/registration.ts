import { VIN_PATTERN, type Pseudonymizer } from '../pseudonym/pseudonym.ts';
import type { VehicleDirectory, VehicleRegistration, VinVault } from '../../ports/vehicle-directory.ts';
import { InvalidRegistrationError, InvalidVinError, VehicleAlreadyRegisteredError } from './errors.ts';

import { TENANT_ID_PATTERN } from '../events/catalog/common.ts';

/** What registering a vehicle needs. */
export interface RegisterVehicleInput {
  readonly tenantId: string;
  readonly vin: string;
  readonly name?: string | undefined;
}

/** The collaborators of {@link registerVehicle}. */
export interface RegistrationDependencies {
  readonly pseudonyms: Pseudonymizer;
  readonly directory: VehicleDirectory;
  readonly vault: VinVault;
  readonly now?: () => Date;
}

/** Normalizes and checks a VIN; the message never repeats the VIN, which may be real. */
export function normalizeVin(vin: string): string {
  const normalized = vin.trim().toUpperCase();
  if (!VIN_PATTERN.test(normalized)) {
    throw new InvalidVinError(
      `a VIN is 17 characters of A-Z (without I, O, Q) and 0-9; got ${normalized.length} characters`,
    );
  }
  return normalized;
}

/**
 * Registers a vehicle to a tenant and returns its pseudonymous id. The directory entry is written first
 * (conditionally, so a vehicle cannot silently change tenant), then the VIN is sealed in the vault; both
 * writes are idempotent, so a failed registration is completed by running it again.
 */
export async function registerVehicle(
  input: RegisterVehicleInput,
  deps: RegistrationDependencies,
): Promise<VehicleRegistration> {
  if (!TENANT_ID_PATTERN.test(input.tenantId)) {
    throw new InvalidRegistrationError(
      `tenant id must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit: ${JSON.stringify(input.tenantId)}`,
    );
  }
  const vin = normalizeVin(input.vin);
  const vehicleId = await deps.pseudonyms.vehicleIdOf(vin);
  const name = input.name?.trim() || `Vehicle ${vehicleId.slice(0, 6)}`;
  if (name.length > 100) throw new InvalidRegistrationError('vehicle name must be at most 100 characters');
  if (name.toUpperCase().includes(vin))
    throw new InvalidRegistrationError('vehicle name must not contain the VIN');

  const [existing] = (await deps.directory.lookup([vehicleId])).values();
  if (existing) {
    if (existing.tenantId !== input.tenantId) {
      throw new VehicleAlreadyRegisteredError(`vehicle ${vehicleId} is registered to another tenant`);
    }
    await deps.vault.seal(vehicleId, input.tenantId, vin);
    return existing;
  }
  const registration: VehicleRegistration = {
    vehicleId,
    tenantId: input.tenantId,
    name,
    registeredAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await deps.directory.register(registration);
  await deps.vault.seal(vehicleId, input.tenantId, vin);
  return registration;
}
