/** `Mutation.sendCommand` (None data source). Answers `NotImplemented` until issue 5 (commands). */
import { DISPATCHERS, requireUser } from './lib/identity.js';
import { vehicleIdArg } from './lib/input.js';
import { commandNameArg, commandParametersArg } from './lib/commands.js';
import { notImplemented } from './lib/results.js';

/** Role first (a viewer is `Unauthorized`, whatever the input), then the input, then `NotImplemented`. */
export function request(ctx) {
  requireUser(ctx, DISPATCHERS);
  const input = ctx.args.input;
  vehicleIdArg(input.vehicleId, 'input.vehicleId');
  commandNameArg(input.command, 'input.command');
  commandParametersArg(input.parameters, 'input.parameters');
  notImplemented(ctx, 'issue 5 (the command workflow)');
  return { payload: null };
}

export function response(ctx) {
  return ctx.result;
}
