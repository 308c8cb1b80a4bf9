/** `Subscription.onCommandUpdate`: commands of the caller's tenant, optionally of one vehicle or command (None data source). */
import { optionalEntityIdArg, optionalVehicleIdArg } from './lib/input.js';
import { pinToTenant, subscribeRequest } from './lib/subscriptions.js';

export function request(ctx) {
  const dataSourceRequest = subscribeRequest(ctx);
  optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  optionalEntityIdArg(ctx.args.commandId, 'commandId');
  return dataSourceRequest;
}

export function response(ctx) {
  return pinToTenant(ctx, { vehicleId: ctx.args.vehicleId, commandId: ctx.args.commandId });
}
