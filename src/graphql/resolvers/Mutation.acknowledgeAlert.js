/**
 * `Mutation.acknowledgeAlert` (AlertsTable): marks one of the tenant's alerts as seen, once. The key is the
 * caller's tenant and the alert id, so another tenant's alert is simply not found.
 */
import { util } from '@aws-appsync/utils';
import { DISPATCHERS, requireUser } from './lib/identity.js';
import { alertOf } from './lib/alerts.js';
import { entityIdArg } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

/**
 * One conditional update: the first acknowledgement wins (`if_not_exists`), so acknowledging again answers
 * the alert as it is; a missing or expired alert fails the condition.
 */
export function request(ctx) {
  const caller = requireUser(ctx, DISPATCHERS);
  const alertId = entityIdArg(ctx.args.alertId, 'alertId');
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ tenantId: caller.tenantId, alertId }),
    update: {
      expression: 'SET #by = if_not_exists(#by, :by), #at = if_not_exists(#at, :at)',
      expressionNames: { '#by': 'acknowledgedBy', '#at': 'acknowledgedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':by': caller.userId, ':at': util.time.nowISO8601() }),
    },
    condition: {
      expression: 'attribute_exists(#id) AND (attribute_not_exists(#ttl) OR #ttl > :now)',
      expressionNames: { '#id': 'alertId', '#ttl': 'ttl' },
      expressionValues: util.dynamodb.toMapValues({ ':now': util.time.nowEpochSeconds() }),
    },
  };
}

export function response(ctx) {
  if (ctx.error && ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
    util.error(`No alert ${ctx.args.alertId} in your tenant.`, 'NotFound');
  }
  failOnDataSourceError(ctx, 'Acknowledging the alert');
  return alertOf(ctx.result);
}
