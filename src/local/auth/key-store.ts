import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalAuthError } from './errors.ts';

/** A public RSA signing key as published in a JWKS. */
export interface PublicRsaJwk {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly n: string;
  readonly e: string;
}

/** The issuer's signing key: the private half signs, the public half goes into the JWKS. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicRsaJwk;
}

/** What the key file holds: the private key as a JWK (which includes the public half). */
interface KeyFile {
  readonly version: 1;
  readonly privateJwk: Record<string, unknown>;
}

/** Where the signing key of a data dir lives. */
export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'auth', 'signing-key.json');
}

/**
 * Loads the data dir's RS256 signing key, creating it on first use; without a data dir, a fresh key
 * lives in memory only. The server and `fleetwire token` open the same file, so a token printed by the
 * CLI verifies against the running server's JWKS.
 */
export function loadOrCreateSigningKey(dataDir: string | undefined): SigningKey {
  if (!dataDir) return signingKeyOf(generateRsaKey());
  const path = signingKeyPath(dataDir);
  const existing = readKeyFile(path);
  if (existing) return existing;
  const privateKey = generateRsaKey();
  const file: KeyFile = {
    version: 1,
    privateJwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file)}\n`, { mode: 0o600 });
  try {
    // A link that fails when the file exists would be atomic; rename overwrites. Re-reading after the
    // rename makes a concurrent first start (server and CLI at once) converge on whichever key won.
    renameSync(temporary, path);
  } catch (error) {
    throw new LocalAuthError(`cannot write the signing key to ${path}: ${(error as Error).message}`);
  }
  return readKeyFile(path) ?? signingKeyOf(privateKey);
}

function generateRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey;
}

function readKeyFile(path: string): SigningKey | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalAuthError(`cannot read the signing key ${path}: ${(error as Error).message}`);
  }
  try {
    const file = JSON.parse(text) as Partial<KeyFile>;
    if (file.version !== 1 || typeof file.privateJwk !== 'object' || file.privateJwk === null) {
      throw new Error('not a version 1 key file');
    }
    const privateKey = createPrivateKey({ key: file.privateJwk as never, format: 'jwk' });
    if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    return signingKeyOf(privateKey);
  } catch (error) {
    throw new LocalAuthError(
      `the signing key ${path} is unreadable (${(error as Error).message}); delete it to make a new one (tokens signed with it stop working)`,
    );
  }
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string')
    throw new LocalAuthError('the signing key is not an RSA key');
  const kid = rsaThumbprint(n, e);
  return { kid, privateKey, publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e } };
}

/** The RFC 7638 thumbprint of an RSA key, used as its `kid` so the id changes whenever the key does. */
function rsaThumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}
