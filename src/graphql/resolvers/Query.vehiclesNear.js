/** `Query.vehiclesNear`: the tenant's vehicles around a point, through the StateReader function. */
import { READERS, requireUser } from './lib/identity.js';
import { badRequest, locationArg, selectedFields } from './lib/input.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  const radiusMeters = ctx.args.radiusMeters;
  if (!(radiusMeters >= 1 && radiusMeters <= 1000000)) {
    badRequest(`radiusMeters must be between 1 and 1000000; got ${radiusMeters}.`);
  }
  return {
    operation: 'Invoke',
    payload: {
      operation: 'vehiclesNear',
      tenantId: caller.tenantId,
      center: locationArg(ctx.args.center, 'center'),
      radiusMeters,
      fields: selectedFields(ctx, ''),
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Searching vehicles by position');
}
