/** An item of the alerts table as the schema's `Alert`. */
import { orNull } from './records.js';

/** The trigger as `AlertTrigger`: an error's name goes in `alertName`, under kind `error`. */
function triggerOf(item) {
  const trigger = item.trigger ?? {};
  if (trigger.kind === 'error') {
    return { kind: 'error', alertName: orNull(trigger.errorName) };
  }
  return {
    kind: trigger.kind,
    alertName: orNull(trigger.alertName),
    audiences: orNull(trigger.audiences),
    ruleId: orNull(trigger.ruleId),
    ruleName: orNull(trigger.ruleName),
  };
}

/** One alerts-table item as an `Alert`. */
export function alertOf(item) {
  return {
    id: item.alertId,
    tenantId: item.tenantId,
    vehicleId: item.vehicleId,
    status: item.status,
    severity: item.severity,
    trigger: triggerOf(item),
    message: orNull(item.message),
    startedAt: item.startedAt,
    endedAt: orNull(item.endedAt),
    durationSeconds: orNull(item.durationSeconds),
    signals: orNull(item.signals),
    tags: orNull(item.tags),
    occurredAt: item.occurredAt,
    acknowledgedBy: orNull(item.acknowledgedBy),
    acknowledgedAt: orNull(item.acknowledgedAt),
  };
}
