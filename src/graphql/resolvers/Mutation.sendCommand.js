/**
 * `Mutation.sendCommand`: records the command and starts its `vehicle-command` workflow through the
 * CommandApi function. The workflow authorizes it (tenant, role, command, parameters) and audits a
 * denial, so the answer is the command with status `requested`; follow it with `command` or
 * `onCommandUpdate`.
 *
 * A caller whose role may not send commands (viewer, auditor) is refused with `Unauthorized` as before,
 * but only after the attempt went through the workflow: the policy denies it there and the audit log
 * keeps it, as it keeps every other denial.
 */
import { util } from '@aws-appsync/utils';
import { callerOf, DISPATCHERS, READERS, requireUser, roleRefusal } from './lib/identity.js';
import { vehicleIdArg } from './lib/input.js';
import { commandNameArg, commandParametersArg } from './lib/commands.js';
import { lambdaData } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, null);
  const refusal = roleRefusal(ctx, caller.roles, DISPATCHERS);
  // Without any Fleetwire role the caller is nobody the tenant's audit log follows: refused at once.
  if (refusal && !caller.roles.some((role) => READERS.includes(role))) {
    util.error(refusal, 'Unauthorized');
  }
  ctx.stash.refusal = refusal;
  const input = ctx.args.input;
  return {
    operation: 'Invoke',
    payload: {
      operation: 'sendCommand',
      caller: callerOf(caller),
      vehicleId: vehicleIdArg(input.vehicleId, 'input.vehicleId'),
      command: commandNameArg(input.command, 'input.command'),
      parameters: commandParametersArg(input.parameters, 'input.parameters'),
    },
  };
}

export function response(ctx) {
  const command = lambdaData(ctx, 'Sending the command');
  if (ctx.stash.refusal) {
    util.error(
      `${ctx.stash.refusal} The attempt is recorded as command ${command.id} (denied).`,
      'Unauthorized',
    );
  }
  return command;
}
