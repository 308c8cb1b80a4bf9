/** `Query.fleetState`: the latest state of the tenant's vehicles, through the StateReader function. */
import { READERS, requireUser } from './lib/identity.js';
import { pageLimit, selectedFields } from './lib/input.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Invoke',
    payload: {
      operation: 'fleetState',
      tenantId: caller.tenantId,
      limit: pageLimit(ctx.args.limit, 1000, 1000),
      fields: selectedFields(ctx, 'vehicles/'),
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Reading the fleet state');
}
