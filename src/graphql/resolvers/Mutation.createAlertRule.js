/**
 * `Mutation.createAlertRule` through the FleetConfig function, which validates with the detectors' schemas,
 * mints the id and enforces the per-tenant limit. Admins only; the tenant is the caller's.
 */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { alertRuleArgs, nameArg } from './lib/settings.js';
import { lambdaData } from './lib/results.js';

/** Cheap checks here for quick precise errors; the function checks everything again. */
export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  nameArg(ctx.args.input.name, 'input.name');
  alertRuleArgs(ctx.args.input);
  return {
    operation: 'Invoke',
    payload: { operation: 'createAlertRule', caller: callerOf(caller), input: ctx.args.input },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Creating the alert rule');
}
