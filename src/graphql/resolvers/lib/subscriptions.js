/**
 * Subscription filters. Every subscription is pinned to the caller's tenant by an enhanced filter set in
 * the resolver: the published payloads carry `tenantId`, and AppSync delivers a payload only to the
 * subscriptions whose filter it matches. A subscription argument can narrow the filter, never widen it.
 */
import { extensions, util } from '@aws-appsync/utils';
import { READERS, requireUser } from './identity.js';

/** The request handler of every subscription: refuses callers without a tenant or role. */
export function subscribeRequest(ctx) {
  const caller = requireUser(ctx, READERS);
  ctx.stash.tenantId = caller.tenantId;
  return { payload: null };
}

/**
 * Sets the filter `tenantId = caller's tenant`, AND `field = value` for each given optional argument, and
 * answers null (what AppSync expects of a subscription resolver).
 */
export function pinToTenant(ctx, optionalEquals) {
  const filter = { tenantId: { eq: ctx.stash.tenantId } };
  for (const name of Object.keys(optionalEquals)) {
    const value = optionalEquals[name];
    if (value !== null && value !== undefined) {
      filter[name] = { eq: value };
    }
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
