/** `Subscription.onFleetUpdate`: telemetry of the caller's tenant only (None data source). */
import { pinToTenant, subscribeRequest } from './lib/subscriptions.js';

export function request(ctx) {
  return subscribeRequest(ctx);
}

export function response(ctx) {
  return pinToTenant(ctx, {});
}
