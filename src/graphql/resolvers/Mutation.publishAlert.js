/**
 * `Mutation.publishAlert` (None data source): EventBridge hands in a `Vehicle.Alert.Raised` or `.Cleared`
 * event; the result goes to the tenant's `onAlert` subscribers.
 */
import { requireIam, requireTenantId } from './lib/identity.js';

export function request(ctx) {
  requireIam(ctx);
  const input = ctx.args.input;
  return {
    payload: {
      id: input.alertId,
      tenantId: requireTenantId(input.tenantId, 'input.tenantId'),
      vehicleId: input.vehicleId,
      status: input.status,
      severity: input.severity,
      trigger: input.trigger,
      message: input.message ?? null,
      startedAt: input.startedAt,
      endedAt: input.endedAt ?? null,
      durationSeconds: input.durationSeconds ?? null,
      signals: input.signals ?? null,
      occurredAt: input.occurredAt,
      acknowledgedBy: null,
      acknowledgedAt: null,
    },
  };
}

export function response(ctx) {
  return ctx.result;
}
