import { createHash } from 'node:crypto';
import { TENANT_ID_PATTERN } from '../../domain/events/catalog/common.ts';
import { LocalAuthError } from './errors.ts';

/** The roles of DESIGN.md §5, carried as Cognito groups (`cognito:groups`). */
export const FLEETWIRE_ROLES = ['admin', 'dispatcher', 'viewer', 'auditor'] as const;

/** One of {@link FLEETWIRE_ROLES}. */
export type FleetwireRole = (typeof FLEETWIRE_ROLES)[number];

/** The claim that names the caller's tenant (a Cognito custom attribute). */
export const TENANT_CLAIM = 'custom:tenantId';

/**
 * The claims of a Cognito user pool ID token as the local issuer writes them. The names are Cognito's,
 * so resolvers read `ctx.identity.claims['custom:tenantId']` the same way in AWS and offline.
 */
export interface CognitoIdTokenClaims {
  readonly sub: string;
  readonly 'cognito:username': string;
  readonly 'cognito:groups': readonly string[];
  readonly 'custom:tenantId': string;
  readonly token_use: 'id';
  readonly iss: string;
  readonly aud: string;
  readonly auth_time: number;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly origin_jti: string;
  readonly event_id: string;
}

/**
 * The claims of any token the verifier accepts. Cognito's access tokens (`token_use: 'access'`) are
 * accepted too, as AppSync accepts them; they carry `username` and `client_id` instead of
 * `cognito:username` and `aud`, and no custom attributes.
 */
export type VerifiedClaims = Readonly<Record<string, unknown>> & {
  readonly sub: string;
  readonly iss: string;
  readonly token_use: 'id' | 'access';
  readonly exp: number;
  readonly iat: number;
};

/** Cognito usernames: no whitespace, at most 128 characters. */
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** Throws a {@link LocalAuthError} unless `tenantId` is a tenant id the rest of the system can key on. */
export function checkTenantId(tenantId: string): void {
  // The event catalog's pattern: tenant ids become DynamoDB keys, Redis hash tags and event fields.
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new LocalAuthError(
      `not a tenant id: ${JSON.stringify(tenantId)} (1 to 64 of A-Z a-z 0-9 _ -, starting with a letter or digit)`,
    );
  }
}

/** Throws a {@link LocalAuthError} unless every role is one of {@link FLEETWIRE_ROLES}. */
export function checkRoles(roles: readonly string[]): asserts roles is readonly FleetwireRole[] {
  if (roles.length === 0)
    throw new LocalAuthError(`at least one role is needed: ${FLEETWIRE_ROLES.join(', ')}`);
  for (const role of roles) {
    if (!(FLEETWIRE_ROLES as readonly string[]).includes(role)) {
      throw new LocalAuthError(`not a role: ${JSON.stringify(role)} (one of ${FLEETWIRE_ROLES.join(', ')})`);
    }
  }
}

/** Throws a {@link LocalAuthError} unless `username` is a username Cognito would accept. */
export function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new LocalAuthError(`not a username: ${JSON.stringify(username)} (1 to 128 characters, no spaces)`);
  }
}

/**
 * The `sub` of a local user: a UUID derived from the issuer, tenant and username, so the same user keeps
 * the same `sub` across tokens and restarts (audit records and `ctx.identity.sub` stay comparable), as a
 * Cognito user keeps hers.
 */
export function localSubject(issuer: string, tenantId: string, username: string): string {
  const hash = createHash('sha256').update(`${issuer}\n${tenantId}\n${username}`).digest();
  // Shaped as an RFC 9562 version 8 (custom) UUID, variant 10.
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
