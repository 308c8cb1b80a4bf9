/** `Mutation.updateGeofence` (None data source). Answers `NotImplemented` until issue 6. */
import { ADMINS, requireUser } from './lib/identity.js';
import { entityIdArg } from './lib/input.js';
import { geofenceShapeArgs, nameArg } from './lib/settings.js';
import { notImplemented } from './lib/results.js';

export function request(ctx) {
  requireUser(ctx, ADMINS);
  entityIdArg(ctx.args.input.id, 'input.id');
  nameArg(ctx.args.input.name, 'input.name');
  geofenceShapeArgs(ctx.args.input, null);
  notImplemented(ctx, 'issue 6 (geofences)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
