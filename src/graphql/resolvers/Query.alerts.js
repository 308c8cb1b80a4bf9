/** `Query.alerts` (None data source). Empty until issue 6 (alerts) fills it. */
import { READERS, requireUser } from './lib/identity.js';
import { emptyPage, optionalVehicleIdArg, pageLimit } from './lib/input.js';

/** Checks the caller and every argument now, so clients written today keep working when the data arrives. */
export function request(ctx) {
  requireUser(ctx, READERS);
  optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  pageLimit(ctx.args.limit, 100, 50);
  return { payload: emptyPage() };
}

export function response(ctx) {
  return ctx.result;
}
