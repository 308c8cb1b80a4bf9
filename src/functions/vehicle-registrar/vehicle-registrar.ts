/**
 * The VehicleRegistrar function's work: `registerVehicle` for the `registerVehicle` mutation. The tenant
 * is the one the resolver took from the caller's token. The VIN is pseudonymized and sealed in the vault
 * by the domain; this module never returns it, logs it or puts it in a message, and neither does anything
 * it answers (a rejected VIN is described by its length only).
 */
import { z } from 'zod';
import { registerVehicle, type RegistrationDependencies } from '../../domain/vehicles/registration.ts';
import {
  InvalidRegistrationError,
  InvalidVinError,
  VehicleAlreadyRegisteredError,
} from '../../domain/vehicles/errors.ts';

/** The event the `registerVehicle` resolver sends. */
export const VehicleRegistrarEventSchema = z.strictObject({
  tenantId: z.string().min(1),
  vin: z.string(),
  name: z.string().nullable().optional(),
});

/** The GraphQL `Vehicle` a registration answers (its `state` has its own resolver). */
export interface RegisteredVehicleView {
  readonly id: string;
  readonly name: string;
  readonly registeredAt: string;
}

/** What the function answers: the vehicle, or an expected failure the resolver turns into a GraphQL error. */
export type VehicleRegistrarResult =
  | { readonly data: RegisteredVehicleView }
  | { readonly error: { readonly type: 'BadRequest' | 'Conflict'; readonly message: string } };

/**
 * The VehicleRegistrar function on its collaborators. Invalid input answers `BadRequest`, a vehicle of
 * another tenant `Conflict` (without naming that tenant or the vehicle's id); failures of KMS or DynamoDB
 * throw, so the invocation fails and AppSync reports it.
 */
export function createVehicleRegistrar(deps: RegistrationDependencies) {
  return async (event: unknown): Promise<VehicleRegistrarResult> => {
    const parsed = VehicleRegistrarEventSchema.safeParse(event);
    if (!parsed.success) {
      // zod's messages name paths and expected types, never the received values.
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
      );
      return { error: { type: 'BadRequest', message: `Invalid registration: ${issues.join('; ')}` } };
    }
    const { tenantId, vin, name } = parsed.data;
    try {
      const registration = await registerVehicle({ tenantId, vin, name: name ?? undefined }, deps);
      return {
        data: {
          id: registration.vehicleId,
          name: registration.name,
          registeredAt: registration.registeredAt,
        },
      };
    } catch (error) {
      if (error instanceof InvalidVinError || error instanceof InvalidRegistrationError) {
        return { error: { type: 'BadRequest', message: error.message } };
      }
      if (error instanceof VehicleAlreadyRegisteredError) {
        return {
          error: {
            type: 'Conflict',
            message: 'This vehicle is registered to another tenant; it must be released there first.',
          },
        };
      }
      throw error;
    }
  };
}
