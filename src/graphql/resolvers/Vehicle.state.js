/** `Vehicle.state`: a vehicle's latest state from Redis, through the StateReader function. */
import { READERS, requireUser } from './lib/identity.js';
import { selectedFields } from './lib/input.js';
import { lambdaData } from './lib/results.js';

/**
 * The tenant is the caller's, not the parent's: state lives under the tenant's Redis keys, so a vehicle id
 * of another tenant finds nothing.
 */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Invoke',
    payload: {
      operation: 'vehicleState',
      tenantId: caller.tenantId,
      vehicleId: ctx.source.id,
      fields: selectedFields(ctx, ''),
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, "Reading the vehicle's state");
}
