/**
 * `Query.commandAudit`: a command's audit trail (the append-only audit log, oldest first) and its Step
 * Functions execution history, through the CommandApi function. Auditors and admins only.
 */
import { AUDITORS, callerOf, requireUser } from './lib/identity.js';
import { entityIdArg, pageLimit } from './lib/input.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, AUDITORS);
  return {
    operation: 'Invoke',
    payload: {
      operation: 'commandAudit',
      caller: callerOf(caller),
      commandId: entityIdArg(ctx.args.commandId, 'commandId'),
      limit: pageLimit(ctx.args.limit, 100, 50),
      nextToken: ctx.args.nextToken ?? null,
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Reading the audit trail');
}
