/** `Query.me`: the caller as the API sees them (None data source). */
import { requireUser } from './lib/identity.js';

/** Any authenticated user may see themselves, roles or not: it is how one finds out why a call is refused. */
export function request(ctx) {
  const caller = requireUser(ctx, null);
  return { payload: caller };
}

export function response(ctx) {
  return ctx.result;
}
