/**
 * `Mutation.updateGeofence` through the FleetConfig function, which validates with the detectors' schemas,
 * and writes conditionally on the version read. Admins only; the tenant is the caller's.
 */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { geofenceShapeArgs, nameArg } from './lib/settings.js';
import { lambdaData } from './lib/results.js';

/** Cheap checks here for quick precise errors; the function checks everything again. */
export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  entityIdArg(ctx.args.input.id, 'input.id');
  nameArg(ctx.args.input.name, 'input.name');
  geofenceShapeArgs(ctx.args.input, null);
  return {
    operation: 'Invoke',
    payload: { operation: 'updateGeofence', caller: callerOf(caller), input: ctx.args.input },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Changing the geofence');
}
