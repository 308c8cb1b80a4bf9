/** `Mutation.deleteAlertRule` (None data source). Answers `NotImplemented` until issue 6. */
import { ADMINS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, ADMINS);
  entityIdArg(ctx.args.id, 'id');
  notImplemented(ctx, 'issue 6 (alert rules)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
