/** `Mutation.acknowledgeAlert` (None data source). Answers `NotImplemented` until issue 6 (alerts). */
import { DISPATCHERS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, DISPATCHERS);
  entityIdArg(ctx.args.alertId, 'alertId');
  notImplemented(ctx, 'issue 6 (alerts)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
