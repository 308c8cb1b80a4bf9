/**
 * `Mutation.decideCommand`: approves or rejects a command that waits for approval, through the CommandApi
 * function (admins only; the requester cannot approve their own command, and a refused attempt is
 * recorded in the audit log). The approval token never leaves the back end.
 */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { reasonArg } from './lib/commands.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  const input = ctx.args.input;
  return {
    operation: 'Invoke',
    payload: {
      operation: 'decideCommand',
      caller: callerOf(caller),
      commandId: entityIdArg(input.commandId, 'input.commandId'),
      decision: input.decision,
      reason: reasonArg(input.reason, 'input.reason'),
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Deciding on the command');
}
