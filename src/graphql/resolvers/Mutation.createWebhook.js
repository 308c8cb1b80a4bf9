/**
 * `Mutation.createWebhook`: subscribes an endpoint to event types, through the Webhooks function, which
 * checks the URL, the detail-types against the catalog and the tenant's limit, and answers the signing
 * secret once. Admins only.
 */
import { util } from '@aws-appsync/utils';
import { ADMINS, callerOf, requireUser } from './lib/identity.js';
import { badRequest } from './lib/input.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, ADMINS);
  const input = ctx.args.input;
  if (typeof input.url !== 'string' || input.url.length === 0 || input.url.length > 2048) {
    badRequest('input.url must be an https URL of at most 2048 characters.');
  }
  if (!Array.isArray(input.detailTypes) || input.detailTypes.length === 0 || input.detailTypes.length > 32) {
    badRequest('input.detailTypes must name 1 to 32 event types.');
  }
  for (const detailType of input.detailTypes) {
    if (!util.matches('[A-Z][A-Za-z]*(\\.[A-Z][A-Za-z]*)*(\\.\\*)?', detailType)) {
      badRequest('input.detailTypes must be detail-types such as Trip.Ended, or wildcards such as Command.*');
    }
  }
  return {
    operation: 'Invoke',
    payload: {
      operation: 'createWebhook',
      caller: callerOf(caller),
      url: input.url,
      detailTypes: input.detailTypes,
    },
  };
}

export function response(ctx) {
  return lambdaData(ctx, 'Creating the webhook');
}
