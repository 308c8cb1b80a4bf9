/** `Query.trips` (None data source). Empty until issue 6 (trips) fills it. */
import { READERS, requireUser } from './lib/identity.js';
import { emptyPage, optionalVehicleIdArg, pageLimit, timeRangeArgs } from './lib/input.js';

/** Checks the caller and every argument now, so clients written today keep working when the data arrives. */
export function request(ctx) {
  requireUser(ctx, READERS);
  optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  timeRangeArgs(ctx.args.from, ctx.args.to);
  pageLimit(ctx.args.limit, 100, 50);
  return { payload: emptyPage() };
}

export function response(ctx) {
  return ctx.result;
}
