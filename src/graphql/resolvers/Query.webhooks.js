/** `Query.webhooks`: the tenant's webhooks, through the Webhooks function. Admins only: URLs can be sensitive. */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  return { operation: 'Invoke', payload: { operation: 'listWebhooks', caller: callerOf(caller) } };
}

export function response(ctx) {
  return lambdaData(ctx, 'Listing the webhooks');
}
