/** `Query.commands`: the tenant's commands, newest first, through the CommandApi function. */
import { callerOf, READERS, requireUser } from './lib/identity.js';
import { optionalVehicleIdArg, pageLimit } from './lib/input.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Invoke',
    payload: {
      operation: 'listCommands',
      caller: callerOf(caller),
      vehicleId: optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId'),
      status: ctx.args.status ?? null,
      limit: pageLimit(ctx.args.limit, 100, 50),
      nextToken: ctx.args.nextToken ?? null,
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Listing the commands');
}
