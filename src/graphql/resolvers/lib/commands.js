/** Checks of command inputs shared by `sendCommand` and `decideCommand`. */
import { util } from '@aws-appsync/utils';
import { badRequest } from './input.js';

/** A Fleet API command name, as the event catalog's `CommandName`. */
export const COMMAND_NAME_PATTERN = '[a-z][a-z0-9_]{0,63}';

/** A Fleet API command name in snake_case. */
export function commandNameArg(value, name) {
  if (!util.matches(COMMAND_NAME_PATTERN, value)) {
    badRequest(`${name} must be a Fleet API command in snake_case (e.g. door_lock), at most 64 characters.`);
  }
  return value;
}

/** Command parameters: a JSON object (AWSJSON arrives parsed), `{}` when absent. */
export function commandParametersArg(value, name) {
  if (value === null || value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    badRequest(`${name} must be a JSON object, e.g. {"percent": 80}.`);
  }
  return value;
}

/** A free-text reason, at most 1024 characters. */
export function reasonArg(value, name) {
  if (value !== null && value !== undefined && value.length > 1024) {
    badRequest(`${name} must be at most 1024 characters; got ${value.length}.`);
  }
  return value ?? null;
}
