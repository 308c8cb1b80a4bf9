/**
 * The command policy, pure: may this caller send this command to this vehicle, and may this admin
 * decide on that request. The workflow's Lambda calls it inside Step Functions, so inputs and outputs
 * are plain JSON (no classes, no `undefined` needed: `null` works wherever a value may be missing) and a
 * denial is an answer, not an exception.
 *
 * Order of the checks: the command, then the caller's role, then the vehicle, then the parameters. The
 * first two depend on nothing secret, so a viewer learns nothing about vehicles at all; and a vehicle of
 * another tenant is refused with exactly the words used for a vehicle that does not exist, so nobody
 * can probe which vehicle ids exist elsewhere. The precise reason is kept for the audit log.
 */
import type { z } from 'zod';
import type { CommandDenialReasonSchema } from '../events/catalog/commands.ts';
import { APPROVER_ROLE, COMMAND_CATALOG, isRole } from './catalog.ts';
import type { CommandName, Role } from './catalog.ts';
import { InvalidAuthorizationInputError } from './errors.ts';
import { describeValue } from './parameters.ts';
import { validateCommand } from './validate.ts';
import type { NormalizedParameters } from './validate.ts';

/** Why {@link authorizeCommand} denied a command. */
export const COMMAND_DENIAL_REASONS = {
  /** No registered vehicle has the requested id. */
  VEHICLE_NOT_FOUND: 'VEHICLE_NOT_FOUND',
  /** The vehicle is another tenant's; the caller is told {@link COMMAND_DENIAL_REASONS.VEHICLE_NOT_FOUND}. */
  VEHICLE_NOT_IN_TENANT: 'VEHICLE_NOT_IN_TENANT',
  /** None of the caller's roles may send the command (viewers and auditors never send any). */
  ROLE_NOT_ALLOWED: 'ROLE_NOT_ALLOWED',
  /** The name is not in the catalog. */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** A parameter is missing, unknown, of the wrong type or out of range. */
  INVALID_PARAMETERS: 'INVALID_PARAMETERS',
} as const;

/** A reason code of {@link COMMAND_DENIAL_REASONS}. */
export type CommandDenialReason = (typeof COMMAND_DENIAL_REASONS)[keyof typeof COMMAND_DENIAL_REASONS];

/** Why {@link authorizeDecision} refused an approval or a rejection. */
export const DECISION_DENIAL_REASONS = {
  /** Only admins approve or reject. */
  NOT_ADMIN: 'NOT_ADMIN',
  /** The requester may not approve their own command (four eyes); rejecting it is allowed. */
  SELF_APPROVAL: 'SELF_APPROVAL',
  /** The request is another tenant's; the caller is told {@link DECISION_DENIAL_REASONS.REQUEST_NOT_FOUND}. */
  WRONG_TENANT: 'WRONG_TENANT',
  /** Only ever a `publicReason`: what a {@link DECISION_DENIAL_REASONS.WRONG_TENANT} looks like outside. */
  REQUEST_NOT_FOUND: 'REQUEST_NOT_FOUND',
} as const;

/** A reason code of {@link DECISION_DENIAL_REASONS}. */
export type DecisionDenialReason = (typeof DECISION_DENIAL_REASONS)[keyof typeof DECISION_DENIAL_REASONS];

/** The `reason` of a `Command.Denied` event. */
export type CommandDeniedEventReason = z.infer<typeof CommandDenialReasonSchema>;

/**
 * A denial reason as the `Command.Denied` event spells it. The event is read by the caller's own
 * tenant, so pass it the `publicReason` of a denial, not the `reason`.
 */
export const COMMAND_DENIED_EVENT_REASONS: { readonly [R in CommandDenialReason]: CommandDeniedEventReason } =
  {
    VEHICLE_NOT_FOUND: 'vehicle_not_found',
    VEHICLE_NOT_IN_TENANT: 'vehicle_not_in_tenant',
    ROLE_NOT_ALLOWED: 'role_not_allowed',
    UNKNOWN_COMMAND: 'unknown_command',
    INVALID_PARAMETERS: 'invalid_parameters',
  };

/** Who is asking: from the verified token (user id, `custom:tenantId`, groups). */
export interface CommandCaller {
  readonly userId: string;
  readonly tenantId: string;
  /** The token's roles; strings that are not {@link ROLES} are ignored. */
  readonly roles: readonly string[];
}

/** The vehicle as the directory knows it. */
export interface CommandVehicle {
  readonly vehicleId: string;
  readonly tenantId: string;
}

/** The input of {@link authorizeCommand}. */
export interface CommandAuthorizationRequest {
  readonly caller: CommandCaller;
  /** The registered vehicle, or `undefined`/`null` when the directory has none with the requested id. */
  readonly vehicle: CommandVehicle | null | undefined;
  /** The requested vehicle id, for the messages when `vehicle` is missing. */
  readonly vehicleId?: string | null;
  readonly command: string;
  /** The Fleet API parameters; `undefined`/absent counts as `{}`. */
  readonly parameters?: unknown;
}

/** A command the caller may send. */
export interface CommandAllowed {
  readonly decision: 'allow';
  readonly command: CommandName;
  /** Whether another admin must approve it first (`Command.ApprovalRequested`). */
  readonly sensitive: boolean;
  /** The parameters to send: exactly the catalog's, as validated (`{}` for none). */
  readonly normalizedParameters: NormalizedParameters;
}

/** A command refused by the policy; nothing is sent to the vehicle. */
export interface CommandDenied {
  readonly decision: 'deny';
  /** The precise reason, for the audit log. */
  readonly reason: CommandDenialReason;
  /** What the caller (and the caller's tenant's events) may be told; differs only for another tenant's vehicle. */
  readonly publicReason: CommandDenialReason;
  /** For the caller: never says whether a vehicle exists in another tenant. */
  readonly message: string;
}

/** The answer of {@link authorizeCommand}. */
export type CommandAuthorization = CommandAllowed | CommandDenied;

/** The input of {@link authorizeDecision}. */
export interface DecisionAuthorizationRequest {
  /** The admin deciding, from the verified token. */
  readonly approver: CommandCaller;
  /** The pending command request, as the workflow stored it. */
  readonly request: { readonly requestedBy: string; readonly tenantId: string };
  readonly decision: 'approve' | 'reject';
}

/** The answer of {@link authorizeDecision}. */
export type DecisionAuthorization =
  | { readonly decision: 'allow'; readonly approved: boolean }
  | {
      readonly decision: 'deny';
      readonly reason: Exclude<DecisionDenialReason, 'REQUEST_NOT_FOUND'>;
      readonly publicReason: DecisionDenialReason;
      readonly message: string;
    };

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidAuthorizationInputError(
      `${what} must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Checks the caller's shape and returns its known roles. */
function callerRoles(caller: unknown, what: string): { userId: string; tenantId: string; roles: Role[] } {
  if (caller === null || typeof caller !== 'object') {
    throw new InvalidAuthorizationInputError(`${what} must be an object, got ${describeValue(caller)}`);
  }
  const { userId, tenantId, roles } = caller as Partial<CommandCaller>;
  if (!Array.isArray(roles)) {
    throw new InvalidAuthorizationInputError(`${what}.roles must be an array, got ${describeValue(roles)}`);
  }
  return {
    userId: requireString(userId, `${what}.userId`),
    tenantId: requireString(tenantId, `${what}.tenantId`),
    roles: roles.filter(isRole),
  };
}

function deny(reason: CommandDenialReason, message: string, publicReason = reason): CommandDenied {
  return { decision: 'deny', reason, publicReason, message };
}

/** `role viewer`, `roles viewer, auditor`, `a caller without a Fleetwire role`. */
function rolesText(roles: readonly Role[]): string {
  if (roles.length === 0) return 'a caller without a Fleetwire role';
  return `${roles.length === 1 ? 'role' : 'roles'} ${roles.join(', ')}`;
}

/**
 * Whether `caller` may send `command` with `parameters` to `vehicle`; see the module comment for the
 * order of the checks.
 *
 * @throws {InvalidAuthorizationInputError} when the caller has no user id, no tenant id or no roles list
 *   (a bug in whatever built the input, not a decision).
 */
export function authorizeCommand(request: CommandAuthorizationRequest): CommandAuthorization {
  const caller = callerRoles(request.caller, 'caller');
  const validation = validateCommand(request.command, request.parameters);
  if (!validation.ok && validation.reason === 'UNKNOWN_COMMAND') {
    return deny('UNKNOWN_COMMAND', validation.message);
  }
  const command = request.command as CommandName;
  const definition = COMMAND_CATALOG[command];
  if (!caller.roles.some((role) => definition.roles.includes(role))) {
    return deny(
      'ROLE_NOT_ALLOWED',
      `${rolesText(caller.roles)} may not send ${command} (only ${definition.roles.join(' or ')} may)`,
    );
  }
  const vehicle = request.vehicle ?? undefined;
  const vehicleId = request.vehicleId ?? vehicle?.vehicleId;
  const notFound = `vehicle ${vehicleId === undefined ? '' : `${describeValue(vehicleId)} `}not found`;
  if (vehicle === undefined) return deny('VEHICLE_NOT_FOUND', notFound);
  if (vehicle.tenantId !== caller.tenantId)
    return deny('VEHICLE_NOT_IN_TENANT', notFound, 'VEHICLE_NOT_FOUND');
  if (!validation.ok) return deny('INVALID_PARAMETERS', validation.message);
  return {
    decision: 'allow',
    command,
    sensitive: definition.sensitive,
    normalizedParameters: validation.parameters,
  };
}

/**
 * Whether `approver` may approve or reject a pending sensitive command: an admin of the request's
 * tenant, and for an approval another user than the requester. Rejecting one's own request is allowed:
 * it withdraws it, which cannot do harm. The tenant is checked first and its refusal reads like an
 * unknown request, so an admin cannot learn about other tenants' requests.
 *
 * @throws {InvalidAuthorizationInputError} for a malformed approver or request, or a decision that is
 *   neither `approve` nor `reject`.
 */
export function authorizeDecision(input: DecisionAuthorizationRequest): DecisionAuthorization {
  const approver = callerRoles(input.approver, 'approver');
  if (input.request === null || typeof input.request !== 'object') {
    throw new InvalidAuthorizationInputError(
      `request must be an object, got ${describeValue(input.request)}`,
    );
  }
  const requestedBy = requireString(input.request.requestedBy, 'request.requestedBy');
  const tenantId = requireString(input.request.tenantId, 'request.tenantId');
  const decision: unknown = input.decision;
  if (decision !== 'approve' && decision !== 'reject') {
    throw new InvalidAuthorizationInputError(
      `decision must be "approve" or "reject", got ${describeValue(decision)}`,
    );
  }
  if (approver.tenantId !== tenantId) {
    return {
      decision: 'deny',
      reason: 'WRONG_TENANT',
      publicReason: 'REQUEST_NOT_FOUND',
      message: 'command request not found',
    };
  }
  if (!approver.roles.includes(APPROVER_ROLE)) {
    return {
      decision: 'deny',
      reason: 'NOT_ADMIN',
      publicReason: 'NOT_ADMIN',
      message: `only an ${APPROVER_ROLE} may ${decision} a command; ${rolesText(approver.roles)} may not`,
    };
  }
  if (decision === 'approve' && approver.userId === requestedBy) {
    return {
      decision: 'deny',
      reason: 'SELF_APPROVAL',
      publicReason: 'SELF_APPROVAL',
      message: 'a command cannot be approved by the user who requested it; another admin must approve it',
    };
  }
  return { decision: 'allow', approved: decision === 'approve' };
}
