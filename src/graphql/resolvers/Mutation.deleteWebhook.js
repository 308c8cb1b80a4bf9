/** `Mutation.deleteWebhook`: deletes one of the tenant's webhooks and answers its id. Admins only. */
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { badRequest } from './lib/input.js';
import { lambdaData } from './lib/results.js';
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  if (!util.matches('wh_[A-Za-z0-9_-]{1,64}', ctx.args.id)) {
    badRequest('id must be a webhook id (wh_…).');
  }
  return {
    operation: 'Invoke',
    payload: { operation: 'deleteWebhook', caller: callerOf(caller), webhookId: ctx.args.id },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Deleting the webhook');
}
