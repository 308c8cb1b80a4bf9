/** `Query.tenantSettings`: the tenant's settings, defaults filled in, through the FleetConfig function (any role). */
import { callerOf, READERS, requireUser } from './lib/identity.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return { operation: 'Invoke', payload: { operation: 'tenantSettings', caller: callerOf(caller) } };
}

export function response(ctx) {
  return lambdaData(ctx, 'Reading the tenant settings');
}
