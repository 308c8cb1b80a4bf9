/** `Query.command`: one of the tenant's commands through the CommandApi function; another tenant's is null. */
import { callerOf, READERS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { lambdaData } from './lib/results.js';

/** The caller and the id are checked first: an unauthorized caller learns nothing about what exists. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Invoke',
    payload: { operation: 'getCommand', caller: callerOf(caller), commandId: entityIdArg(ctx.args.id, 'id') },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Reading the command');
}
