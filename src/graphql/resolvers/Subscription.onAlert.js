/** `Subscription.onAlert`: alerts of the caller's tenant, optionally of one vehicle or severity (None data source). */
import { optionalVehicleIdArg } from './lib/input.js';
import { pinToTenant, subscribeRequest } from './lib/subscriptions.js';

export function request(ctx) {
  const dataSourceRequest = subscribeRequest(ctx);
  optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  return dataSourceRequest;
}

export function response(ctx) {
  return pinToTenant(ctx, { vehicleId: ctx.args.vehicleId, severity: ctx.args.severity });
}
