import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ISSUER_BASE_URL,
  LOCAL_CLIENT_ID,
  LOCAL_USER_POOL_ID,
  LocalJwtIssuer,
} from '../../../../src/local/auth/issuer.ts';
import { LocalAuthError } from '../../../../src/local/auth/errors.ts';
import { localSubject } from '../../../../src/local/auth/claims.ts';
import { signingKeyPath } from '../../../../src/local/auth/key-store.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-auth-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
/** RSA key generation takes a few hundred milliseconds: tests that need no key of their own share this one. */
const shared = LocalJwtIssuer.open();

describe('LocalJwtIssuer: issuing', () => {
  it('issues a Cognito-shaped ID token with the tenant, roles and username', async () => {
    const issuer = LocalJwtIssuer.open();
    const { token, claims } = await issuer.issueToken({
      tenantId: 'acme',
      roles: ['dispatcher'],
      username: 'ana',
    });
    const decoded = decodeJwt(token);
    expect(decoded).toEqual({ ...claims, 'cognito:groups': ['dispatcher'] });
    expect(decoded).toMatchObject({
      'cognito:username': 'ana',
      'cognito:groups': ['dispatcher'],
      'custom:tenantId': 'acme',
      token_use: 'id',
      iss: `${DEFAULT_ISSUER_BASE_URL}/${LOCAL_USER_POOL_ID}`,
      aud: LOCAL_CLIENT_ID,
    });
    expect(decoded.exp! - decoded.iat!).toBe(3600);
    expect(decoded.auth_time).toBe(decoded.iat);
    expect(decoded.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: issuer.jwks().keys[0]!.kid });
  });

  it('gives a user the same sub in every token, and different users different subs', async () => {
    const issuer = LocalJwtIssuer.open();
    const a1 = await issuer.issueToken({ tenantId: 'acme', roles: ['viewer'], username: 'ana' });
    const a2 = await issuer.issueToken({ tenantId: 'acme', roles: ['admin'], username: 'ana' });
    const b = await issuer.issueToken({ tenantId: 'globex', roles: ['viewer'], username: 'ana' });
    expect(a1.claims.sub).toBe(a2.claims.sub);
    expect(a1.claims.sub).toBe(localSubject(issuer.issuer, 'acme', 'ana'));
    expect(b.claims.sub).not.toBe(a1.claims.sub);
    expect(a1.claims.jti).not.toBe(a2.claims.jti);
  });

  it('defaults the username to <tenant>-<role> and de-duplicates roles', async () => {
    const { claims } = await shared.issueToken({ tenantId: 'acme', roles: ['admin', 'auditor', 'admin'] });
    expect(claims['cognito:username']).toBe('acme-admin');
    expect(claims['cognito:groups']).toEqual(['admin', 'auditor']);
  });

  it.each([
    [{ tenantId: '', roles: ['admin'] }, /not a tenant id/],
    [{ tenantId: 'a b', roles: ['admin'] }, /not a tenant id/],
    [{ tenantId: 'acme', roles: [] }, /at least one role/],
    [{ tenantId: 'acme', roles: ['root'] }, /not a role: "root"/],
    [{ tenantId: 'acme', roles: ['admin'], username: 'has space' }, /not a username/],
    [{ tenantId: 'acme', roles: ['admin'], expiresInSeconds: 0 }, /1 to 86400 seconds/],
    [{ tenantId: 'acme', roles: ['admin'], expiresInSeconds: 86_401 }, /1 to 86400 seconds/],
    [{ tenantId: 'acme', roles: ['admin'], expiresInSeconds: 1.5 }, /1 to 86400 seconds/],
  ])('refuses bad input %#', async (request, message) => {
    await expect(shared.issueToken(request)).rejects.toThrow(message);
    await expect(shared.issueToken(request)).rejects.toBeInstanceOf(LocalAuthError);
  });
});

describe('LocalJwtIssuer: verifying', () => {
  it('accepts its own tokens and returns their claims', async () => {
    const issuer = LocalJwtIssuer.open();
    const { token, claims } = await issuer.issueToken({ tenantId: 'acme', roles: ['viewer'] });
    const result = await issuer.verifyToken(token);
    expect(result).toEqual({ ok: true, claims: { ...claims } });
  });

  it('refuses an expired token, however it got old', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const issuer = LocalJwtIssuer.open({ now: () => now });
    const { token } = await issuer.issueToken({ tenantId: 'acme', roles: ['viewer'], expiresInSeconds: 60 });
    expect((await issuer.verifyToken(token)).ok).toBe(true);
    now += 61_000;
    expect(await issuer.verifyToken(token)).toEqual({
      ok: false,
      reason: 'expired',
      message: 'expired at 2030-01-01T00:01:00.000Z',
    });
    const past = await issuer.issueToken({
      tenantId: 'acme',
      roles: ['viewer'],
      issuedAt: new Date(now - 7200_000),
    });
    expect(await issuer.verifyToken(past.token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it("refuses another issuer's token signed with the same key", async () => {
    const dataDir = tempDir();
    const here = LocalJwtIssuer.open({ dataDir, baseUrl: 'http://127.0.0.1:4000' });
    const there = LocalJwtIssuer.open({ dataDir, baseUrl: 'http://127.0.0.1:5000' });
    const { token } = await there.issueToken({ tenantId: 'acme', roles: ['viewer'] });
    expect(await here.verifyToken(token)).toMatchObject({ ok: false, reason: 'wrong-issuer' });
  });

  it('refuses a token signed by a key outside the JWKS, and a forged signature', async () => {
    const issuer = LocalJwtIssuer.open();
    const stranger = LocalJwtIssuer.open();
    const { token } = await stranger.issueToken({ tenantId: 'acme', roles: ['admin'] });
    expect(await issuer.verifyToken(token)).toMatchObject({ ok: false, reason: 'unknown-key' });

    // Same kid as the issuer's key, but signed by another key: the signature check must fail.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ ...decodeJwt(token), iss: issuer.issuer })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.jwks().keys[0]!.kid })
      .sign(privateKey);
    expect(await issuer.verifyToken(forged)).toMatchObject({ ok: false, reason: 'bad-signature' });

    // A tampered payload with the original signature.
    const own = (await issuer.issueToken({ tenantId: 'acme', roles: ['viewer'] })).token.split('.');
    const payload = { ...decodeJwt(own.join('.')), 'custom:tenantId': 'globex' };
    const tampered = [own[0], Buffer.from(JSON.stringify(payload)).toString('base64url'), own[2]].join('.');
    expect(await issuer.verifyToken(tampered)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses malformed tokens, alg none and HS256, and a Bearer prefix', async () => {
    const issuer = shared;
    expect(await issuer.verifyToken('')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await issuer.verifyToken('abc.def')).toMatchObject({ ok: false, reason: 'malformed' });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect(await issuer.verifyToken(none)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    const hs = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
    expect(await issuer.verifyToken(hs)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    const { token } = await issuer.issueToken({ tenantId: 'acme', roles: ['viewer'] });
    expect(await issuer.verifyToken(`Bearer ${token}`)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('checks the audience of ID tokens, the client_id of access tokens, and token_use', async () => {
    const dataDir = tempDir();
    const issuer = LocalJwtIssuer.open({ dataDir });
    const key = createPrivateKey({
      key: JSON.parse(readFileSync(signingKeyPath(dataDir), 'utf8')).privateJwk,
      format: 'jwk',
    });
    const kid = issuer.jwks().keys[0]!.kid;
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ sub: 'u', iss: issuer.issuer, iat: now, exp: now + 60, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(key);
    expect(await issuer.verifyToken(await sign({ token_use: 'id', aud: 'other' }))).toMatchObject({
      ok: false,
      reason: 'wrong-audience',
    });
    expect(
      await issuer.verifyToken(await sign({ token_use: 'access', client_id: LOCAL_CLIENT_ID })),
    ).toMatchObject({
      ok: true,
    });
    expect(await issuer.verifyToken(await sign({ token_use: 'access', client_id: 'x' }))).toMatchObject({
      ok: false,
      reason: 'wrong-audience',
    });
    expect(await issuer.verifyToken(await sign({ token_use: 'refresh' }))).toMatchObject({
      ok: false,
      reason: 'wrong-token-use',
    });
    expect(await issuer.verifyToken(await sign({ aud: LOCAL_CLIENT_ID }))).toMatchObject({
      ok: false,
      reason: 'missing-claim',
    });
    expect(
      await issuer.verifyToken(await sign({ token_use: 'id', aud: LOCAL_CLIENT_ID, nbf: now + 600 })),
    ).toMatchObject({
      ok: false,
      reason: 'not-yet-valid',
    });
    expect((await exportJWK(key)).kty).toBe('RSA');
  });
});

describe('LocalJwtIssuer: keys and discovery', () => {
  it('keeps its key in <dataDir>/auth/ (owner-only), so a second opening verifies the first one`s tokens', async () => {
    const dataDir = tempDir();
    const first = LocalJwtIssuer.open({ dataDir });
    const { token } = await first.issueToken({ tenantId: 'acme', roles: ['admin'] });
    const path = signingKeyPath(dataDir);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = LocalJwtIssuer.open({ dataDir });
    expect(second.jwks()).toEqual(first.jwks());
    expect((await second.verifyToken(token)).ok).toBe(true);
  });

  it('records the base URL the server gives, so later openings (the CLI) issue for that server', () => {
    const dataDir = tempDir();
    expect(LocalJwtIssuer.open({ dataDir }).issuer).toBe(`${DEFAULT_ISSUER_BASE_URL}/${LOCAL_USER_POOL_ID}`);
    LocalJwtIssuer.open({ dataDir, baseUrl: 'http://127.0.0.1:4100/' });
    expect(LocalJwtIssuer.open({ dataDir }).issuer).toBe(`http://127.0.0.1:4100/${LOCAL_USER_POOL_ID}`);
  });

  it('uses a fresh key per in-memory issuer', () => {
    expect(LocalJwtIssuer.open().jwks()).not.toEqual(LocalJwtIssuer.open().jwks());
  });

  it('says what to do with an unreadable key file', () => {
    const dataDir = tempDir();
    LocalJwtIssuer.open({ dataDir });
    writeFileSync(signingKeyPath(dataDir), '{"version":1,"privateJwk":{"kty":"oct"}}');
    expect(() => LocalJwtIssuer.open({ dataDir })).toThrow(/unreadable .*delete it/);
  });

  it('publishes a JWKS with only public key material, and an OpenID discovery document', () => {
    const issuer = LocalJwtIssuer.open({ baseUrl: 'http://127.0.0.1:4000' });
    const [key] = issuer.jwks().keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(issuer.openIdConfiguration()).toMatchObject({
      issuer: issuer.issuer,
      jwks_uri: `${issuer.issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(issuer.discoveryPath).toBe(`/${LOCAL_USER_POOL_ID}/.well-known/openid-configuration`);
    expect(issuer.jwksPath).toBe(`/${LOCAL_USER_POOL_ID}/.well-known/jwks.json`);
  });
});
