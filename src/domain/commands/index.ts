/**
 * The vehicle command catalog and its policy (pure): every Fleet API command Fleetwire sends, its
 * parameters' rules, who may send it, which commands need a second admin's approval, and the
 * allow/deny decisions of the `vehicle-command` workflow. `docs/commands.md` is generated from it.
 */
export {
  APPROVER_ROLE,
  COMMAND_CATALOG,
  COMMAND_NAMES,
  isCommandName,
  isRole,
  ROLES,
  SENSITIVE_COMMANDS,
} from './catalog.ts';
export type { CommandCatalog, CommandDefinition, CommandName, CommandParameters, Role } from './catalog.ts';
export { describeParameter, describeValue } from './parameters.ts';
export type { ParameterSpec, ParameterSpecs, ParameterValue, ParametersOf } from './parameters.ts';
export { unknownCommandMessage, validateCommand, validateCommandParameters } from './validate.ts';
export type { CommandValidation, NormalizedParameters } from './validate.ts';
export {
  authorizeCommand,
  authorizeDecision,
  COMMAND_DENIAL_REASONS,
  COMMAND_DENIED_EVENT_REASONS,
  DECISION_DENIAL_REASONS,
} from './policy.ts';
export type {
  CommandAllowed,
  CommandAuthorization,
  CommandAuthorizationRequest,
  CommandCaller,
  CommandDenialReason,
  CommandDenied,
  CommandDeniedEventReason,
  CommandVehicle,
  DecisionAuthorization,
  DecisionAuthorizationRequest,
  DecisionDenialReason,
} from './policy.ts';
export { commandCatalogListing, renderCommandsMarkdown } from './listing.ts';
export type { CommandListing, ParameterListing } from './listing.ts';
export { CommandCatalogError, InvalidAuthorizationInputError } from './errors.ts';
export { COMMAND_ID_PATTERN, COMMAND_STATUSES, isCommandStatus, newCommandId } from './status.ts';
export type { CommandStatus } from './status.ts';
export {
  AuditEntryConflictError,
  CommandAlreadyExistsError,
  CommandRecordError,
  CommandStateConflictError,
  InvalidPageTokenError,
} from './record-errors.ts';
