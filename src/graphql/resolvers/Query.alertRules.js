/**
 * `Query.alertRules`: the tenant's alert rules from the alert-rules table (AlertRulesTable), keyed by the
 * caller's tenant. Items hold the detectors' model; they map to `AlertRule` as FleetConfig's
 * `alertRuleView` does.
 */
import { util } from '@aws-appsync/utils';
import { READERS, requireUser } from './lib/identity.js';
import { pageLimit } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

const OPERATORS = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Query',
    query: {
      expression: '#tenant = :tenant',
      expressionNames: { '#tenant': 'tenantId' },
      expressionValues: util.dynamodb.toMapValues({ ':tenant': caller.tenantId }),
    },
    limit: pageLimit(ctx.args.limit, 100, 50),
    nextToken: ctx.args.nextToken ?? null,
  };
}

/** One stored rule as an `AlertRule`: the condition's kind picks the one condition field that is set. */
function ruleOf(item) {
  const c = item.condition;
  const kind = c.kind;
  return {
    id: item.ruleId,
    name: item.name,
    enabled: item.enabled,
    severity: item.severity,
    conditionKind: kind,
    condition:
      kind === 'threshold'
        ? { signal: c.signal, operator: OPERATORS[c.op], value: c.value, clearValue: c.clearValue ?? null }
        : null,
    doorOpenWhileParked:
      kind === 'doorOpenWhileParked' ? { includeUnlocked: c.includeUnlocked === true } : null,
    tyrePressure:
      kind === 'tyrePressure' ? { belowBar: c.belowBar, clearAboveBar: c.clearAboveBar ?? null } : null,
    outsideGeofenceDuringHours:
      kind === 'outsideGeofenceDuringHours'
        ? { geofenceId: c.geofenceId, from: c.from, to: c.to, days: c.days ?? null }
        : null,
    forSeconds: item.sustainSeconds,
    clearForSeconds: item.clearSustainSeconds,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing alert rules');
  return { items: ctx.result.items.map(ruleOf), nextToken: ctx.result.nextToken ?? null };
}
