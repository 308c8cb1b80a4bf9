/**
 * `Mutation.deleteAlertRule` through the FleetConfig function, which validates with the detectors' schemas,
 * and answers NotFound for an id the tenant does not have. Admins only; the tenant is the caller's.
 */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { lambdaData } from './lib/results.js';

/** Cheap checks here for quick precise errors; the function checks everything again. */
export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  return {
    operation: 'Invoke',
    payload: { operation: 'deleteAlertRule', caller: callerOf(caller), id: entityIdArg(ctx.args.id, 'id') },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Deleting the alert rule');
}
