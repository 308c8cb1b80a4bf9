import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import {
  checkRoles,
  checkTenantId,
  checkUsername,
  localSubject,
  TENANT_CLAIM,
  type CognitoIdTokenClaims,
  type VerifiedClaims,
} from './claims.ts';
import { LocalAuthError } from './errors.ts';
import { loadOrCreateSigningKey, type PublicRsaJwk, type SigningKey } from './key-store.ts';

/** Where the AppSync server, and so the issuer's discovery documents, listen by default. */
export const DEFAULT_ISSUER_BASE_URL = 'http://127.0.0.1:4000';
/** The local user pool's id, shaped like Cognito's `<region>_<id>`. */
export const LOCAL_USER_POOL_ID = 'us-east-1_fleetwire';
/** The local app client id (Cognito's are 26 lowercase letters and digits). */
export const LOCAL_CLIENT_ID = 'fleetwirelocalclient000000';
/** Cognito's default ID token lifetime. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
/** Cognito's longest ID token lifetime. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** How to open a {@link LocalJwtIssuer}. */
export interface LocalJwtIssuerOptions {
  /** The key (and the last issuer URL) persist in `<dataDir>/auth/`; in memory when absent. */
  readonly dataDir?: string | undefined;
  /**
   * The base URL of the server that publishes the discovery documents (the AppSync server). When given,
   * it is recorded in the data dir so `fleetwire token` issues for the running server; when absent, the
   * recorded one, else {@link DEFAULT_ISSUER_BASE_URL}.
   */
  readonly baseUrl?: string | undefined;
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

/** What {@link LocalJwtIssuer.issueToken} makes a token for. */
export interface IssueTokenRequest {
  readonly tenantId: string;
  /** One or more of `admin`, `dispatcher`, `viewer`, `auditor` (the `cognito:groups` claim). */
  readonly roles: readonly string[];
  /** `cognito:username`; default `<tenant>-<first role>`. */
  readonly username?: string | undefined;
  /** Default {@link DEFAULT_TOKEN_LIFETIME_SECONDS}, at most {@link MAX_TOKEN_LIFETIME_SECONDS}. */
  readonly expiresInSeconds?: number | undefined;
  /** When the token was issued; default now. Set in the past to make an already expired token for tests. */
  readonly issuedAt?: Date | undefined;
}

/** An issued token and its claims. */
export interface IssuedToken {
  readonly token: string;
  readonly claims: CognitoIdTokenClaims;
}

/** Why a token was refused, precisely enough for a developer to fix it. */
export type TokenFailureReason =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-token-use'
  | 'missing-claim';

/** The outcome of {@link LocalJwtIssuer.verifyToken}. */
export type TokenVerification =
  | { readonly ok: true; readonly claims: VerifiedClaims }
  | { readonly ok: false; readonly reason: TokenFailureReason; readonly message: string };

/** A JSON Web Key Set. */
export interface Jwks {
  readonly keys: readonly PublicRsaJwk[];
}

/**
 * The local stand-in for a Cognito user pool: it signs Cognito-shaped ID tokens with an RS256 key kept in
 * the data dir, publishes the public key as a JWKS, and verifies tokens against that JWKS the way AppSync
 * verifies Cognito tokens (signature, issuer, client id, `token_use`, expiry).
 */
export class LocalJwtIssuer {
  /** The `iss` of every token: `<base URL>/<user pool id>`, as Cognito's is `https://cognito-idp.<region>.amazonaws.com/<pool>`. */
  readonly issuer: string;
  readonly userPoolId = LOCAL_USER_POOL_ID;
  readonly clientId = LOCAL_CLIENT_ID;
  private readonly key: SigningKey;
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;
  private readonly now: () => number;

  private constructor(key: SigningKey, issuer: string, now: () => number) {
    this.key = key;
    this.issuer = issuer;
    this.now = now;
    this.keySet = createLocalJWKSet({ keys: [{ ...key.publicJwk }] });
  }

  /** Opens the issuer of a data dir (creating its key on first use), or an in-memory one. */
  static open(options: LocalJwtIssuerOptions = {}): LocalJwtIssuer {
    const key = loadOrCreateSigningKey(options.dataDir);
    let baseUrl = options.baseUrl;
    if (baseUrl !== undefined) {
      baseUrl = normalizeBaseUrl(baseUrl);
      if (options.dataDir) recordBaseUrl(options.dataDir, baseUrl);
    } else {
      baseUrl = (options.dataDir && recordedBaseUrl(options.dataDir)) || DEFAULT_ISSUER_BASE_URL;
    }
    return new LocalJwtIssuer(key, `${baseUrl}/${LOCAL_USER_POOL_ID}`, options.now ?? Date.now);
  }

  /** The JWKS the server publishes at `/.well-known/jwks.json` and verifies against. */
  jwks(): Jwks {
    return { keys: [this.key.publicJwk] };
  }

  /** The URL path, on the issuer's host, of its OpenID discovery document. */
  get discoveryPath(): string {
    return `${new URL(this.issuer).pathname}/.well-known/openid-configuration`;
  }

  /** The URL path, on the issuer's host, of its JWKS (Cognito's `<issuer>/.well-known/jwks.json`). */
  get jwksPath(): string {
    return `${new URL(this.issuer).pathname}/.well-known/jwks.json`;
  }

  /** The OpenID Connect discovery document, trimmed to what a verifier needs. */
  openIdConfiguration(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code', 'token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'token_use',
        'cognito:username',
        'cognito:groups',
        TENANT_CLAIM,
      ],
    };
  }

  /** Signs a Cognito-shaped ID token for a user of a tenant with the given roles. */
  async issueToken(request: IssueTokenRequest): Promise<IssuedToken> {
    checkTenantId(request.tenantId);
    checkRoles(request.roles);
    const username = request.username ?? `${request.tenantId}-${request.roles[0]}`;
    checkUsername(username);
    const lifetime = request.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
      throw new LocalAuthError(
        `a token lives 1 to ${MAX_TOKEN_LIFETIME_SECONDS} seconds (Cognito's limits), not ${lifetime}`,
      );
    }
    const iat = Math.floor((request.issuedAt?.getTime() ?? this.now()) / 1000);
    const claims: CognitoIdTokenClaims = {
      sub: localSubject(this.issuer, request.tenantId, username),
      'cognito:username': username,
      'cognito:groups': [...new Set(request.roles)],
      'custom:tenantId': request.tenantId,
      token_use: 'id',
      iss: this.issuer,
      aud: this.clientId,
      auth_time: iat,
      iat,
      exp: iat + lifetime,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      event_id: randomUUID(),
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid })
      .sign(this.key.privateKey);
    return { token, claims };
  }

  /**
   * Verifies a token as AppSync verifies a Cognito user pool token: RS256 signature by a key of the JWKS,
   * `iss` is this pool, `token_use` is `id` (with `aud` = the client id) or `access` (with `client_id`),
   * not expired. Never throws; a refusal says why.
   */
  async verifyToken(token: string): Promise<TokenVerification> {
    const refuse = (reason: TokenFailureReason, message: string): TokenVerification => ({
      ok: false,
      reason,
      message,
    });
    const trimmed = token.trim();
    // AppSync takes the raw JWT; a "Bearer " prefix fails there, so it fails here too, with a hint.
    if (/^Bearer\s/i.test(trimmed))
      return refuse('malformed', 'AppSync expects the raw JWT, without "Bearer "');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(trimmed);
    } catch {
      return refuse('malformed', 'not a JWT (three base64url parts: header.payload.signature)');
    }
    if (trimmed.split('.').length !== 3) return refuse('malformed', 'not a signed JWT (JWS compact form)');
    if (header.alg !== 'RS256')
      return refuse('unsupported-algorithm', `alg ${String(header.alg)} is not RS256`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(trimmed, this.keySet, {
        algorithms: ['RS256'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      return refuse(...failureOf(error));
    }
    if (payload.iss !== this.issuer) {
      return refuse(
        'wrong-issuer',
        `issuer ${JSON.stringify(payload.iss)} is not this pool's ${this.issuer}`,
      );
    }
    for (const claim of ['sub', 'exp', 'iat', 'token_use']) {
      if (payload[claim] === undefined) return refuse('missing-claim', `no ${claim} claim`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      return refuse('missing-claim', 'sub is not a string');
    if (payload.token_use === 'id') {
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.includes(this.clientId)) {
        return refuse(
          'wrong-audience',
          `aud ${JSON.stringify(payload.aud)} is not the client id ${this.clientId}`,
        );
      }
    } else if (payload.token_use === 'access') {
      if (payload.client_id !== this.clientId) {
        return refuse(
          'wrong-audience',
          `client_id ${JSON.stringify(payload.client_id)} is not ${this.clientId}`,
        );
      }
    } else {
      return refuse(
        'wrong-token-use',
        `token_use ${JSON.stringify(payload.token_use)} is neither id nor access`,
      );
    }
    return { ok: true, claims: payload as VerifiedClaims };
  }
}

function failureOf(error: unknown): [TokenFailureReason, string] {
  if (error instanceof joseErrors.JWTExpired) return ['expired', `expired at ${expiryOf(error.payload)}`];
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat')
      return ['not-yet-valid', `${error.claim}: ${error.message}`];
    return ['missing-claim', `${error.claim}: ${error.message}`];
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return [
      'unknown-key',
      "signed by a key that is not in this pool's JWKS (another data dir, or a deleted key?)",
    ];
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return ['bad-signature', 'the signature does not match'];
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return ['unsupported-algorithm', error.message];
  return ['malformed', error instanceof Error ? error.message : String(error)];
}

function expiryOf(payload: Record<string, unknown>): string {
  return typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : 'an unknown time';
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new LocalAuthError(`not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LocalAuthError(`not an http(s) URL: ${baseUrl}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function issuerFilePath(dataDir: string): string {
  return join(dataDir, 'auth', 'issuer.json');
}

function recordBaseUrl(dataDir: string, baseUrl: string): void {
  const path = issuerFilePath(dataDir);
  if (recordedBaseUrl(dataDir) === baseUrl) return;
  mkdirSync(join(dataDir, 'auth'), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ baseUrl })}\n`);
  renameSync(temporary, path);
}

function recordedBaseUrl(dataDir: string): string | undefined {
  try {
    const recorded = JSON.parse(readFileSync(issuerFilePath(dataDir), 'utf8')) as { baseUrl?: unknown };
    return typeof recorded.baseUrl === 'string' ? normalizeBaseUrl(recorded.baseUrl) : undefined;
  } catch {
    // Absent or unreadable: the default issuer is the right guess for a stack on the default port.
    return undefined;
  }
}
