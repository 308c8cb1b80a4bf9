import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBHOOK_RETRY_POLICY,
  detailTypeMatches,
  generateWebhookSecret,
  InvalidWebhookError,
  isRetryable,
  nextRetryDelayMs,
  signWebhookPayload,
  subscribesTo,
  validateDetailTypes,
  validateWebhookUrl,
  verifyWebhookSignature,
  webhookSignature,
  type DeliveryAttemptOutcome,
} from '../../../../src/domain/webhooks/index.ts';

const SECRET = 'whsec_test-secret-not-a-real-one';
const BODY = '{"id":"e-1","detail-type":"Trip.Ended","detail":{"tenantId":"acme"}}';
const T = 1_790_000_000;

describe('webhook signatures', () => {
  it('signs t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // act
    const header = signWebhookPayload(SECRET, BODY, T);

    // assess
    expect(header).toBe(`t=${T},v1=${webhookSignature(SECRET, T, BODY)}`);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('verifies its own signature within the tolerance', () => {
    const header = signWebhookPayload(SECRET, BODY, T);

    expect(verifyWebhookSignature({ body: BODY, header, secret: SECRET, now: T + 299 })).toBe(true);
    expect(verifyWebhookSignature({ body: BODY, header, secret: SECRET, now: T - 299 })).toBe(true);
  });

  it.each([
    ['another body', { body: `${BODY} ` }],
    ['another secret', { secret: `${SECRET}x` }],
    ['a stale timestamp', { now: T + 301 }],
    ['no header', { header: undefined }],
    ['a malformed header', { header: 'v1=abc' }],
    ['a header without v1', { header: `t=${T}` }],
  ])('refuses %s', (_, change) => {
    // prepare
    const input = {
      body: BODY,
      header: signWebhookPayload(SECRET, BODY, T) as string | undefined,
      secret: SECRET,
      now: T,
      ...change,
    };

    // act + assess
    expect(verifyWebhookSignature(input)).toBe(false);
  });

  it('accepts any of several v1 signatures, so a receiver keeps working through a rotation', () => {
    const header = `t=${T},v1=${'0'.repeat(64)},v1=${webhookSignature(SECRET, T, BODY)}`;

    expect(verifyWebhookSignature({ body: BODY, header, secret: SECRET, now: T })).toBe(true);
  });

  it('generates distinct prefixed secrets', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();

    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});

describe('webhook URLs', () => {
  it.each(['https://example.com/hook', 'https://93.184.216.34/hook', 'https://[2606:4700::1111]/x'])(
    'accepts the public https URL %s in AWS',
    (url) => {
      expect(validateWebhookUrl(url, 'aws')).toBe(new URL(url).toString());
    },
  );

  it.each([
    ['http://example.com/hook', 'https'],
    ['ftp://example.com/hook', 'https'],
    ['https://user:pw@example.com/', 'credentials'],
    ['https://localhost/hook', 'localhost'],
    ['https://10.0.0.8/hook', 'private'],
    ['https://172.20.1.1/hook', 'private'],
    ['https://192.168.1.1/hook', 'private'],
    ['https://127.0.0.1/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'],
    ['https://100.64.0.1/', 'private'],
    ['https://[::1]/hook', 'private'],
    ['https://[fe80::1]/hook', 'private'],
    ['https://[fd00::1]/hook', 'private'],
    ['https://[::ffff:10.0.0.1]/hook', 'private'],
    ['not a url', 'absolute'],
  ])('refuses %s in AWS (%s)', (url, reason) => {
    expect(() => validateWebhookUrl(url, 'aws')).toThrow(InvalidWebhookError);
    expect(() => validateWebhookUrl(url, 'aws')).toThrow(new RegExp(reason));
  });

  it('allows http only to the loopback host offline', () => {
    expect(validateWebhookUrl('http://127.0.0.1:8080/hook', 'local')).toBe('http://127.0.0.1:8080/hook');
    expect(validateWebhookUrl('http://localhost:8080/hook', 'local')).toBe('http://localhost:8080/hook');
    expect(() => validateWebhookUrl('http://example.com/hook', 'local')).toThrow(/127\.0\.0\.1/);
    expect(() => validateWebhookUrl('http://127.0.0.1:8080/hook', 'aws')).toThrow(/https/);
  });
});

describe('webhook detail-types', () => {
  it('accepts catalog detail-types and wildcards, deduplicated', () => {
    expect(validateDetailTypes(['Trip.Ended', 'Command.*', 'Trip.Ended'])).toEqual([
      'Trip.Ended',
      'Command.*',
    ]);
  });

  it.each([[[]], [['Trip.Teleported']], [['Nothing.*']], [['trip.ended']]])('refuses %j', (detailTypes) => {
    expect(() => validateDetailTypes(detailTypes)).toThrow(InvalidWebhookError);
  });

  it('refuses the telemetry firehose, saying where telemetry is delivered instead', () => {
    for (const detailTypes of [['Telemetry.Updated'], ['Telemetry.*'], ['Trip.Ended', 'Telemetry.Updated']]) {
      expect(() => validateDetailTypes(detailTypes)).toThrow(/not delivered to webhooks.*onFleetUpdate/);
    }
  });

  it('matches exact detail-types and Prefix.* wildcards only', () => {
    expect(detailTypeMatches('Command.*', 'Command.Succeeded')).toBe(true);
    expect(detailTypeMatches('Command.*', 'Commander.X')).toBe(false);
    expect(detailTypeMatches('Trip.Ended', 'Trip.Started')).toBe(false);
    expect(subscribesTo(['Trip.Ended', 'Vehicle.Alert.*'], 'Vehicle.Alert.Raised')).toBe(true);
    expect(subscribesTo(['Trip.Ended'], 'Telemetry.Updated')).toBe(false);
  });
});

describe('webhook retry policy', () => {
  const policy = { ...DEFAULT_WEBHOOK_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 };
  const status = (code: number, retryAfterSeconds?: number): DeliveryAttemptOutcome => ({
    kind: 'response',
    status: code,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });

  it.each([
    [status(500), true],
    [status(503), true],
    [status(429), true],
    [{ kind: 'network', message: 'timed out' } as const, true],
    [status(400), false],
    [status(404), false],
    [status(301), false],
  ])('retries %j: %s', (outcome, retryable) => {
    expect(isRetryable(outcome)).toBe(retryable);
  });

  it('backs off exponentially with full jitter, bounded', () => {
    const top = () => 0.999_999;

    expect(nextRetryDelayMs(policy, 1, status(500), top)).toBe(999);
    expect(nextRetryDelayMs(policy, 2, status(500), top)).toBe(1999);
    expect(nextRetryDelayMs(policy, 3, status(500), top)).toBe(3999);
    expect(nextRetryDelayMs(policy, 1, status(500), () => 0)).toBe(0);
  });

  it('stops after maxAttempts, on success and on final answers', () => {
    expect(nextRetryDelayMs(policy, 4, status(500))).toBeUndefined();
    expect(nextRetryDelayMs(policy, 1, status(200))).toBeUndefined();
    expect(nextRetryDelayMs(policy, 1, status(410))).toBeUndefined();
  });

  it('honours Retry-After up to the bound', () => {
    expect(nextRetryDelayMs(policy, 1, status(429, 3), () => 0)).toBe(3000);
    expect(nextRetryDelayMs(policy, 1, status(429, 3600), () => 0)).toBe(8000);
  });
});
