/**
 * Who is calling, and may they: the tenant and role checks every resolver starts with (DESIGN.md §5, §6).
 *
 * The tenant comes from the caller's token only (`custom:tenantId`), never from an argument, so no query,
 * mutation or subscription can reach another tenant. Roles come from `cognito:groups` (Cognito puts them
 * in `ctx.identity.groups` too) or from a `roles` claim (an array, or a comma- or space-separated string).
 */
import { util } from '@aws-appsync/utils';

/** Every role Fleetwire knows; anything else in a token is ignored. */
export const ROLES = ['viewer', 'dispatcher', 'admin', 'auditor'];
/** Reads: vehicles, state, history, trips, alerts, commands. */
export const READERS = ['viewer', 'dispatcher', 'admin', 'auditor'];
/** Sending commands, acknowledging alerts. */
export const DISPATCHERS = ['dispatcher', 'admin'];
/** Everything in the tenant: registration, geofences, alert rules, approvals. */
export const ADMINS = ['admin'];
/** Audit trails. */
export const AUDITORS = ['auditor', 'admin'];

/**
 * A tenant id: it becomes part of DynamoDB keys, Redis keys (as a hash tag) and event details, so anything
 * else is refused rather than escaped. The same shape as the event catalog's `TenantId`.
 */
export const TENANT_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';

/** `Type.field`, for messages. */
export function fieldOf(ctx) {
  return `${ctx.info.parentTypeName}.${ctx.info.fieldName}`;
}

/** Adds the known roles of a claim value (array, or comma/space-separated string) to `roles`. */
function addRoles(roles, value) {
  let names = [];
  if (Array.isArray(value)) {
    names = value;
  } else if (typeof value === 'string') {
    names = value.split(',').join(' ').split(' ');
  }
  for (const name of names) {
    if (typeof name === 'string' && ROLES.includes(name.trim()) && !roles.includes(name.trim())) {
      roles.push(name.trim());
    }
  }
  return roles;
}

/** The caller's Fleetwire roles, from `groups`, `cognito:groups` and `roles`, without duplicates. */
export function rolesOf(identity) {
  const roles = [];
  addRoles(roles, identity.groups);
  addRoles(roles, identity.claims['cognito:groups']);
  addRoles(roles, identity.claims.roles);
  return roles;
}

/**
 * The calling user: `{ tenantId, userId, username, roles }`. Refuses IAM callers (they may only publish),
 * tokens without a valid tenant, and users with none of `allowedRoles` (pass `null` to skip the role check).
 * Every refusal is `Unauthorized` with a message saying exactly what is missing.
 */
export function requireUser(ctx, allowedRoles) {
  const identity = ctx.identity;
  if (!identity || !identity.sub || !identity.claims) {
    // IAM principals (EventBridge) have an accountId and no user: they may only call publish* mutations.
    util.unauthorized();
  }
  const tenantId = identity.claims['custom:tenantId'];
  if (typeof tenantId !== 'string' || tenantId === '') {
    util.error(
      'Your token has no custom:tenantId claim: every Fleetwire user belongs to a tenant. Use an ID token of a user with a tenant.',
      'Unauthorized',
    );
  }
  if (!util.matches(TENANT_ID_PATTERN, tenantId)) {
    util.error(
      "Your token's custom:tenantId is not a tenant id (1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit).",
      'Unauthorized',
    );
  }
  const roles = rolesOf(identity);
  if (allowedRoles) {
    const refusal = roleRefusal(ctx, roles, allowedRoles);
    if (refusal) {
      util.error(refusal, 'Unauthorized');
    }
  }
  return { tenantId, userId: identity.sub, username: identity.username ?? identity.sub, roles };
}

/** Why a caller with `roles` may not use the field (none of `allowedRoles`), or null when they may. */
export function roleRefusal(ctx, roles, allowedRoles) {
  if (roles.some((role) => allowedRoles.includes(role))) {
    return null;
  }
  const held = roles.length === 0 ? 'no Fleetwire role' : `the role(s) ${roles.join(', ')}`;
  return `${fieldOf(ctx)} needs one of the roles ${allowedRoles.join(', ')}; your token has ${held}.`;
}

/**
 * Refuses anyone but an IAM principal: the `publish*` mutations are EventBridge's, and a user who could call
 * them could push data into any tenant's subscriptions. The schema's `@aws_iam` says the same; this is the
 * second lock.
 */
export function requireIam(ctx) {
  const identity = ctx.identity;
  if (!identity || !identity.accountId || identity.sub) {
    util.unauthorized();
  }
}

/** Refuses a tenant id in a publish input that is not one (`BadRequest`). */
export function requireTenantId(tenantId, name) {
  if (typeof tenantId !== 'string' || !util.matches(TENANT_ID_PATTERN, tenantId)) {
    util.error(
      `${name} must be a tenant id: 1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit.`,
      'BadRequest',
    );
  }
  return tenantId;
}

/**
 * The caller as the command functions take it, `{ userId, tenantId, roles }`: from `requireUser`'s answer,
 * i.e. from the verified token only.
 */
export function callerOf(user) {
  return { userId: user.userId, tenantId: user.tenantId, roles: user.roles };
}
