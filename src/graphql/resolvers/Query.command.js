/** `Query.command` (None data source). Answers `NotImplemented` until issue 5 (commands). */
import { READERS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { notImplemented } from './lib/results.js';

/** The caller and the id are checked first: an unauthorized caller learns nothing about what exists. */
export function request(ctx) {
  requireUser(ctx, READERS);
  entityIdArg(ctx.args.id, 'id');
  notImplemented(ctx, 'issue 5 (the command workflow)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
