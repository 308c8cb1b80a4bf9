/**
 * `Mutation.publishCommandUpdate` (None data source): EventBridge hands in a `Command.*` event; the result
 * goes to the tenant's `onCommandUpdate` subscribers.
 */
import { requireIam, requireTenantId } from './lib/identity.js';

export function request(ctx) {
  requireIam(ctx);
  const input = ctx.args.input;
  requireTenantId(input.tenantId, 'input.tenantId');
  return { payload: input };
}

export function response(ctx) {
  return ctx.result;
}
