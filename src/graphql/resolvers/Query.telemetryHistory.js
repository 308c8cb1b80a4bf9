/** `Query.telemetryHistory` (None data source). Empty until the downsampled history store lands. */
import { READERS, requireUser } from './lib/identity.js';
import { emptyPage, pageLimit, timeRangeArgs, vehicleIdArg } from './lib/input.js';

/** Checks the caller and every argument now, so clients written today keep working when the data arrives. */
export function request(ctx) {
  requireUser(ctx, READERS);
  vehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  timeRangeArgs(ctx.args.from, ctx.args.to);
  pageLimit(ctx.args.limit, 1000, 100);
  return { payload: emptyPage() };
}

export function response(ctx) {
  return ctx.result;
}
