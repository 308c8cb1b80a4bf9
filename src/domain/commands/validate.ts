/**
 * Validation of a command and its parameters against the catalog, without the policy: what the
 * simulated Fleet API (and any other place that only needs "is this a well-formed command") uses.
 */
import { COMMAND_CATALOG, isCommandName } from './catalog.ts';
import type { CommandName, CommandParameters } from './catalog.ts';
import { checkParameters, describeValue } from './parameters.ts';

/** The parameters of some command, validated: JSON values only. */
export type NormalizedParameters = Readonly<Record<string, string | number | boolean>>;

/** What {@link validateCommand} found. */
export type CommandValidation =
  | {
      readonly ok: true;
      readonly command: CommandName;
      /** A fresh object with exactly the catalog's parameters (`{}` for none). */
      readonly parameters: NormalizedParameters;
    }
  | {
      readonly ok: false;
      readonly reason: 'UNKNOWN_COMMAND' | 'INVALID_PARAMETERS';
      /** One message per problem, each naming the command, the parameter, the rule and the value. */
      readonly problems: readonly string[];
      /** The problems in one line. */
      readonly message: string;
    };

/** The message for a name that is not in the catalog. */
export function unknownCommandMessage(command: unknown): string {
  return `unknown command ${describeValue(command)}: not a Fleet API command Fleetwire sends`;
}

/**
 * Checks a command name and its parameters (`undefined` counts as `{}`). Unknown parameters, strings
 * where numbers belong and out-of-range values are all refused: nothing is coerced or clamped.
 */
export function validateCommand(command: unknown, parameters: unknown): CommandValidation {
  if (!isCommandName(command)) {
    const message = unknownCommandMessage(command);
    return { ok: false, reason: 'UNKNOWN_COMMAND', problems: [message], message };
  }
  const definition = COMMAND_CATALOG[command];
  const check = checkParameters(command, definition.parameters, definition.schema, parameters);
  if (!check.ok) {
    return {
      ok: false,
      reason: 'INVALID_PARAMETERS',
      problems: check.problems,
      message: check.problems.join('; '),
    };
  }
  // The schema is built from the same specs, whose values are strings, numbers and booleans only.
  return { ok: true, command, parameters: check.parameters as NormalizedParameters };
}

/** {@link validateCommand} for a known command, typed by its name. */
export function validateCommandParameters<N extends CommandName>(
  command: N,
  parameters: unknown,
):
  | { readonly ok: true; readonly parameters: CommandParameters<N> }
  | { readonly ok: false; readonly problems: readonly string[]; readonly message: string } {
  const result = validateCommand(command, parameters);
  if (result.ok) return { ok: true, parameters: result.parameters as unknown as CommandParameters<N> };
  return { ok: false, problems: result.problems, message: result.message };
}
