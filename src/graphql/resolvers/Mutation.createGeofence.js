/** `Mutation.createGeofence` (None data source). Answers `NotImplemented` until issue 6. */
import { ADMINS, requireUser } from './lib/identity.js';
import { geofenceShapeArgs, nameArg } from './lib/settings.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, ADMINS);
  nameArg(ctx.args.input.name, 'input.name');
  geofenceShapeArgs(ctx.args.input, ctx.args.input.kind);
  notImplemented(ctx, 'issue 6 (geofences)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
