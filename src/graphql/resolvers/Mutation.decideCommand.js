/** `Mutation.decideCommand` (None data source). Answers `NotImplemented` until issue 5 (approvals). */
import { ADMINS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { reasonArg } from './lib/commands.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, ADMINS);
  const input = ctx.args.input;
  entityIdArg(input.commandId, 'input.commandId');
  reasonArg(input.reason, 'input.reason');
  notImplemented(ctx, 'issue 5 (the command workflow and its approvals)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
