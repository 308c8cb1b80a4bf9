/**
 * `Mutation.publishFleetUpdate` (None data source): EventBridge hands in a `Telemetry.Updated` event; the
 * result goes to the `onFleetUpdate` subscribers whose filter pins them to `tenantId`.
 */
import { requireIam, requireTenantId } from './lib/identity.js';

/** IAM only; the tenant is the event's, checked for shape because every subscription filter matches on it. */
export function request(ctx) {
  requireIam(ctx);
  const input = ctx.args.input;
  return {
    payload: {
      tenantId: requireTenantId(input.tenantId, 'input.tenantId'),
      occurredAt: input.occurredAt,
      vehicles: input.vehicles,
    },
  };
}

export function response(ctx) {
  return ctx.result;
}
