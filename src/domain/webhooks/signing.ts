/**
 * Webhook signatures: `X-Fleetwire-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 *
 * The timestamp is signed with the body so a captured request cannot be replayed later than the
 * receiver's tolerance; several `v1=` entries are allowed so a receiver keeps working while a secret is
 * rotated. {@link verifyWebhookSignature} depends on `node:crypto` only: integrators may copy it as is
 * (docs/webhooks.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The request headers of a delivery. */
export const WEBHOOK_HEADERS = {
  signature: 'X-Fleetwire-Signature',
  eventId: 'X-Fleetwire-Event-Id',
  eventType: 'X-Fleetwire-Event-Type',
} as const;

/** How far a signature's timestamp may be from the receiver's clock by default: 5 minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The prefix of every signing secret, so a leaked one is recognisable in logs and secret scanners. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, base64url, with {@link WEBHOOK_SECRET_PREFIX}. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `X-Fleetwire-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhookPayload(secret: string, body: string, timestamp: number): string {
  if (!Number.isInteger(timestamp) || timestamp < 0) {
    throw new RangeError('timestamp must be whole unix seconds');
  }
  return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}

/** What {@link verifyWebhookSignature} needs. */
export interface VerifyWebhookSignatureInput {
  /** The raw request body, exactly as received (not re-serialized JSON). */
  readonly body: string;
  /** The `X-Fleetwire-Signature` header. */
  readonly header: string | undefined;
  /** The webhook's signing secret (`whsec_…`). */
  readonly secret: string;
  /** Largest accepted distance between the timestamp and `now`, seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, unix seconds. Default now. */
  readonly now?: number;
}

/**
 * Whether a delivery is authentic: the header is well formed, its timestamp within the tolerance, and one
 * of its `v1` signatures is the HMAC of `<t>.<body>` under the secret (compared in constant time).
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): boolean {
  if (typeof input.header !== 'string') return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of input.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS))
    return false;
  const expected = Buffer.from(webhookSignature(input.secret, timestamp, input.body), 'hex');
  return signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
}
