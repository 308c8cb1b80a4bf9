import {
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { AppSyncServerError } from './errors.ts';

/** A certificate and its private key, PEM-encoded, ready for `https.createServer`. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Where the certificate is on disk (what `NODE_EXTRA_CA_CERTS` should name); absent in memory. */
  readonly certPath: string | undefined;
  /** SHA-256 fingerprint, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  readonly fingerprint256: string;
}

/** How to make or load the local certificate. */
export interface LocalCertificateOptions {
  /** Kept in `<dataDir>/appsync/tls/`; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Names the certificate is valid for; default `localhost`, `127.0.0.1`, `::1`. */
  readonly hosts?: readonly string[];
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1'];
const VALIDITY_DAYS = 365;
/** A certificate this close to expiry is replaced at start, so a long-running stack never serves an expired one. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;
const COMMON_NAME = 'Fleetwire local AppSync';

/** Where the certificate of a data dir lives. */
export function certificatePaths(dataDir: string): { cert: string; key: string } {
  const dir = join(dataDir, 'appsync', 'tls');
  return { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/**
 * The self-signed certificate of the TLS listener: loaded from the data dir when it is still good for the
 * hosts asked for, else made anew (P-256 ECDSA, built here with Node's crypto, so a fresh machine needs no
 * `openssl`) and kept there. Clients trust it by its file: `NODE_EXTRA_CA_CERTS=<certPath>`.
 */
export function loadOrCreateCertificate(options: LocalCertificateOptions = {}): TlsMaterial {
  const hosts = options.hosts ?? DEFAULT_HOSTS;
  const now = options.now?.() ?? Date.now();
  if (!options.dataDir) return materialOf(createSelfSignedCertificate(hosts, now), undefined);
  const paths = certificatePaths(options.dataDir);
  const existing = readUsable(paths, hosts, now);
  if (existing) return existing;
  const made = createSelfSignedCertificate(hosts, now);
  mkdirSync(dirname(paths.cert), { recursive: true, mode: 0o700 });
  // Key first: a reader that finds the new certificate must also find its key.
  writeAtomically(paths.key, made.key, 0o600);
  writeAtomically(paths.cert, made.cert, 0o644);
  return materialOf(made, paths.cert);
}

function readUsable(
  paths: { cert: string; key: string },
  hosts: readonly string[],
  now: number,
): TlsMaterial | undefined {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(paths.cert, 'utf8');
    key = readFileSync(paths.key, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (Date.parse(x509.validFrom) > now || Date.parse(x509.validTo) - RENEW_BEFORE_DAYS * DAY_MS < now)
      return undefined;
    for (const host of hosts) {
      const covered = isIP(host) ? x509.checkIP(host) : x509.checkHost(host);
      if (!covered) return undefined;
    }
    return materialOf({ cert, key }, paths.cert);
  } catch {
    // Unparsable files are replaced rather than reported: they hold nothing but a throwaway local key.
    return undefined;
  }
}

function materialOf(pair: { cert: string; key: string }, certPath: string | undefined): TlsMaterial {
  return { ...pair, certPath, fingerprint256: new X509Certificate(pair.cert).fingerprint256 };
}

function writeAtomically(path: string, data: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode });
  renameSync(temporary, path);
}

/**
 * Makes a self-signed X.509 v3 server certificate: subject = issuer = CN "Fleetwire local AppSync",
 * `basicConstraints` CA:FALSE (browsers refuse a CA certificate as a server's own), key usage
 * digitalSignature, extended key usage serverAuth, and the hosts as subject alternative names (TLS
 * clients match names only there, never in the CN).
 */
export function createSelfSignedCertificate(
  hosts: readonly string[],
  now: number,
): { cert: string; key: string } {
  if (hosts.length === 0) throw new AppSyncServerError('a certificate needs at least one host name');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive, as RFC 5280 requires
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(COMMON_NAME))));
  const notBefore = now - DAY_MS; // a day of slack for clocks that lag
  const notAfter = now + VALIDITY_DAYS * DAY_MS;
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...hosts.map(generalName))),
    extension(
      OID.subjectKeyIdentifier,
      false,
      octetString(createHash('sha1').update(publicKeyBits(spki)).digest()),
    ),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    sequence(oid(OID.ecdsaWithSha256)),
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, sequence(oid(OID.ecdsaWithSha256)), bitString(signature, 0));
  return { cert: pem('CERTIFICATE', certificate), key: privateKeyPem(privateKey) };
}

function privateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// --- A minimal DER encoder: only what one certificate needs. ---

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes);
}

function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

function bitString(bytes: Buffer, unusedBits: number): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

function explicit(tagNumber: number, content: Buffer): Buffer {
  return tlv(0xa0 | tagNumber, content);
}

function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(ms: number): Buffer {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // 2025-01-02T03:04:05.000Z
  const digits = iso.replace(/[-:T]/g, '').slice(0, 14); // 20250102030405
  const year = Number(digits.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** A subjectAltName entry: `[7] iPAddress` for addresses, `[2] dNSName` for names. */
function generalName(host: string): Buffer {
  const family = isIP(host);
  if (family === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
  if (family === 6) return tlv(0x87, ipv6Bytes(host));
  return tlv(0x82, Buffer.from(host, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

/** The subjectPublicKey bits of a DER SubjectPublicKeyInfo (the key identifier hashes these, RFC 5280 §4.2.1.2). */
function publicKeyBits(spki: Buffer): Buffer {
  // SEQUENCE { AlgorithmIdentifier, BIT STRING }: skip the outer header, then the algorithm element.
  let offset = headerLength(spki, 0);
  offset += headerLength(spki, offset) + contentLength(spki, offset);
  return spki.subarray(offset + headerLength(spki, offset) + 1);
}

function headerLength(der: Buffer, offset: number): number {
  const first = der[offset + 1]!;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(der: Buffer, offset: number): number {
  const first = der[offset + 1]!;
  if (first < 0x80) return first;
  let length = 0;
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[offset + 2 + i]!;
  return length;
}
