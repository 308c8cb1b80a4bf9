/** `Query.vehicle`: one vehicle of the tenant from the vehicles table (VehiclesTable). */
import { util } from '@aws-appsync/utils';
import { READERS, requireUser } from './lib/identity.js';
import { vehicleIdArg } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

/** The table is keyed by vehicle id alone, so the tenant is checked on the item in `response`. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  ctx.stash.tenantId = caller.tenantId;
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ vehicleId: vehicleIdArg(ctx.args.id, 'id') }),
  };
}

/** Another tenant's vehicle answers exactly like a missing one: null, so ids cannot be probed. */
export function response(ctx) {
  failOnDataSourceError(ctx, 'Reading the vehicle');
  const item = ctx.result;
  if (!item || item.tenantId !== ctx.stash.tenantId) {
    return null;
  }
  return { id: item.vehicleId, name: item.name, registeredAt: item.registeredAt };
}
