/**
 * `Mutation.updateTenantSettings` through the FleetConfig function, which validates with the detectors' schemas,
 * checks the time zone and the retention days, and writes conditionally on the version read. Admins only; the tenant is the caller's.
 */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { lambdaData } from './lib/results.js';

/** Cheap checks here for quick precise errors; the function checks everything again. */
export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  return {
    operation: 'Invoke',
    payload: { operation: 'updateTenantSettings', caller: callerOf(caller), input: ctx.args.input },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Changing the tenant settings');
}
