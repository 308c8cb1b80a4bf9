/** `Query.commandAudit` (None data source). Empty until issue 5 (audit log) fills it; auditors and admins only. */
import { AUDITORS, requireUser } from './lib/identity.js';
import { emptyPage, entityIdArg, pageLimit } from './lib/input.js';

/** Checks the caller and every argument now, so clients written today keep working when the data arrives. */
export function request(ctx) {
  requireUser(ctx, AUDITORS);
  entityIdArg(ctx.args.commandId, 'commandId');
  pageLimit(ctx.args.limit, 100, 50);
  return { payload: emptyPage() };
}

export function response(ctx) {
  return ctx.result;
}
