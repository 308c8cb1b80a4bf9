/**
 * `Mutation.registerVehicle`: registers a VIN to the caller's tenant through the VehicleRegistrar function,
 * which pseudonymizes it and seals it in the VIN vault. Admins only.
 */
import { ADMINS, requireUser } from './lib/identity.js';
import { lambdaData } from './lib/results.js';

/**
 * The VIN is handed on untouched and never put in an error message: the function checks it and answers
 * a precise `BadRequest` without repeating it. (AppSync's request logging must stay off for this field's
 * data: the API logs errors only.)
 */
export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  return {
    operation: 'Invoke',
    payload: {
      tenantId: caller.tenantId,
      vin: ctx.args.input.vin,
      name: ctx.args.input.name ?? null,
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Registering the vehicle');
}
