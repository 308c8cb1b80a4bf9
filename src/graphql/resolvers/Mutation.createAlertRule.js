/** `Mutation.createAlertRule` (None data source). Answers `NotImplemented` until issue 6. */
import { ADMINS, requireUser } from './lib/identity.js';
import { alertRuleArgs, nameArg } from './lib/settings.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, ADMINS);
  nameArg(ctx.args.input.name, 'input.name');
  alertRuleArgs(ctx.args.input);
  notImplemented(ctx, 'issue 6 (alert rules)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
