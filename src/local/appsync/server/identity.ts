import { LOCAL_ACCOUNT_ID } from '../../edge/aws-json.ts';
import type { LocalJwtIssuer } from '../../auth/issuer.ts';
import type { VerifiedClaims } from '../../auth/claims.ts';
import type { AppSyncCognitoIdentity, AppSyncIamIdentity, AppSyncIdentity } from '../engine.ts';
import { MISSING_AUTHORIZATION, NOT_AUTHORIZED, TOKEN_EXPIRED, unauthorized } from './errors.ts';

/** The credentials of one request: the `Authorization` value and, for SigV4, the signing date. */
export interface Credentials {
  readonly authorization: string | undefined;
  readonly amzDate?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly sourceIp: string;
}

/** The IAM principal the local EventBridge's AppSync target calls the publish mutations as. */
export const EVENTBRIDGE_TARGET_ROLE_ARN = `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/fleetwire-eventbridge-appsync/events`;

const SIGV4_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})$/;

/**
 * Authorizes a request the way this API is configured in AWS: Cognito user pool JWTs (default mode) and
 * IAM (additional mode, for EventBridge). A JWT is verified against the local issuer's JWKS; a SigV4
 * signature is accepted with any credentials (the edge does not check signatures either), but must be
 * well-formed and for the `appsync` service. Throws a 401 `RequestRefusal` otherwise.
 */
export async function authenticate(
  credentials: Credentials,
  issuer: LocalJwtIssuer,
): Promise<AppSyncIdentity> {
  const authorization = credentials.authorization?.trim();
  if (!authorization) {
    if (credentials.apiKey) {
      throw unauthorized(MISSING_AUTHORIZATION, {
        reason: 'api-key-not-enabled',
        detail: 'this API has no API key mode; send a Cognito JWT (fleetwire token) or a SigV4 signature',
      });
    }
    throw unauthorized(MISSING_AUTHORIZATION, {
      reason: 'missing',
      detail: 'no Authorization header (a Cognito JWT from `fleetwire token`, or a SigV4 signature)',
    });
  }
  if (authorization.startsWith('AWS4-')) return iamIdentity(authorization, credentials);
  return cognitoIdentity(authorization, credentials.sourceIp, issuer);
}

async function cognitoIdentity(
  token: string,
  sourceIp: string,
  issuer: LocalJwtIssuer,
): Promise<AppSyncCognitoIdentity> {
  const verification = await issuer.verifyToken(token);
  if (!verification.ok) {
    throw unauthorized(verification.reason === 'expired' ? TOKEN_EXPIRED : NOT_AUTHORIZED, {
      reason: verification.reason,
      detail: verification.message,
    });
  }
  return cognitoIdentityOf(verification.claims, sourceIp);
}

/** AppSync's `ctx.identity` for verified Cognito claims (ID or access token). */
export function cognitoIdentityOf(claims: VerifiedClaims, sourceIp: string): AppSyncCognitoIdentity {
  const groups = claims['cognito:groups'];
  const username = claims['cognito:username'] ?? claims.username;
  return {
    kind: 'cognito',
    sub: claims.sub,
    issuer: claims.iss,
    username: typeof username === 'string' ? username : claims.sub,
    claims: { ...claims },
    // No groups is [] here; the engine hands resolvers null for it, as AppSync does.
    groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
    sourceIp: [sourceIp],
    defaultAuthStrategy: 'ALLOW',
  };
}

function iamIdentity(authorization: string, credentials: Credentials): AppSyncIamIdentity {
  const match = SIGV4_PATTERN.exec(authorization);
  if (!match) {
    throw unauthorized(NOT_AUTHORIZED, {
      reason: 'malformed-signature',
      detail:
        'expected AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/appsync/aws4_request, SignedHeaders=…, Signature=<64 hex>',
    });
  }
  const [, accessKeyId, , , service, signedHeaders] = match;
  if (service !== 'appsync') {
    throw unauthorized(NOT_AUTHORIZED, {
      reason: 'wrong-service',
      detail: `signed for service ${service}, not appsync`,
    });
  }
  if (!signedHeaders!.split(';').includes('host') || !credentials.amzDate) {
    throw unauthorized(NOT_AUTHORIZED, {
      reason: 'incomplete-signature',
      detail: 'a SigV4 request signs the host header and carries x-amz-date',
    });
  }
  return iamIdentityOf(
    `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${accessKeyId!}`,
    accessKeyId!,
    credentials.sourceIp,
  );
}

/** AppSync's `ctx.identity` for an IAM principal of the local account. */
export function iamIdentityOf(userArn: string, username: string, sourceIp: string): AppSyncIamIdentity {
  return {
    kind: 'iam',
    accountId: LOCAL_ACCOUNT_ID,
    userArn,
    username,
    sourceIp: [sourceIp],
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
  };
}
