import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  certificatePaths,
  createSelfSignedCertificate,
  loadOrCreateCertificate,
} from '../../../../../src/local/appsync/server/tls.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-tls-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

describe('the local self-signed certificate', () => {
  it('is a v3 server certificate for localhost, 127.0.0.1 and ::1, signed by its own key', () => {
    const now = Date.parse('2030-06-01T12:00:00Z');
    const { cert, key } = createSelfSignedCertificate(['localhost', '127.0.0.1', '::1'], now);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=Fleetwire local AppSync');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.checkHost('example.com')).toBeUndefined();
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(Date.parse(x509.validFrom)).toBe(now - DAY);
    expect(Date.parse(x509.validTo)).toBe(now + 365 * DAY);
  });

  it('writes GeneralizedTime for dates from 2050 on', () => {
    const x509 = new X509Certificate(
      createSelfSignedCertificate(['localhost'], Date.parse('2049-12-01T00:00:00Z')).cert,
    );
    expect(x509.validTo).toBe('Dec  1 00:00:00 2050 GMT');
  });

  it('is kept in <dataDir>/appsync/tls/ (key owner-only) and reused while it is good', () => {
    const dataDir = tempDir();
    const first = loadOrCreateCertificate({ dataDir });
    const paths = certificatePaths(dataDir);
    expect(first.certPath).toBe(paths.cert);
    expect(readFileSync(paths.cert, 'utf8')).toBe(first.cert);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(loadOrCreateCertificate({ dataDir }).fingerprint256).toBe(first.fingerprint256);
  });

  it('is replaced near its expiry, for other hosts, and when its files are damaged', () => {
    const dataDir = tempDir();
    const first = loadOrCreateCertificate({ dataDir });
    const late = loadOrCreateCertificate({ dataDir, now: () => Date.now() + 340 * DAY });
    expect(late.fingerprint256).not.toBe(first.fingerprint256);
    const otherHost = loadOrCreateCertificate({ dataDir, hosts: ['fleetwire.test'] });
    expect(otherHost.fingerprint256).not.toBe(late.fingerprint256);
    writeFileSync(certificatePaths(dataDir).key, 'garbage');
    const repaired = loadOrCreateCertificate({ dataDir, hosts: ['fleetwire.test'] });
    expect(repaired.fingerprint256).not.toBe(otherHost.fingerprint256);
  });

  it('lives in memory without a data dir', () => {
    expect(loadOrCreateCertificate().certPath).toBeUndefined();
  });
});
