/**
 * What a webhook may be: where it points and which events it subscribes to. Pure checks, shared by the
 * `Webhooks` function (refusing bad input) and the deliverer (matching events to subscriptions).
 */
import { isIP } from 'node:net';
import { ALL_DETAIL_TYPES, DETAIL_TYPES } from '../events/catalog/index.ts';

/** The detail-types webhooks can subscribe to: all but the telemetry firehose (see WEBHOOKS_RULE). */
export const WEBHOOK_DETAIL_TYPES: readonly string[] = ALL_DETAIL_TYPES.filter(
  (detailType) => detailType !== DETAIL_TYPES.TelemetryUpdated,
);
import { InvalidWebhookError } from './errors.ts';

/** Most webhooks one tenant may have: each event is POSTed to every matching one. */
export const MAX_WEBHOOKS_PER_TENANT = 20;
/** Most detail-types (or `Prefix.*` wildcards) one webhook subscribes to. */
export const MAX_DETAIL_TYPES_PER_WEBHOOK = 32;
/** Longest accepted URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Where the checks run. `aws`: HTTPS only, and no IP literal of a private, loopback or link-local range
 * (a webhook must not reach into the VPC or the instance metadata service). `local`: the same, except
 * that `http://127.0.0.1`, `http://[::1]` and `http://localhost` are allowed, for receivers on the laptop.
 */
export type WebhookUrlPolicy = 'aws' | 'local';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The URL, normalized, or {@link InvalidWebhookError} saying why it is refused. */
export function validateWebhookUrl(text: string, policy: WebhookUrlPolicy): string {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new InvalidWebhookError(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidWebhookError('url must be an absolute URL, e.g. https://example.com/fleetwire');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidWebhookError('url must not hold credentials: check the signature header instead');
  }
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(host);
  if (url.protocol === 'http:') {
    if (!(policy === 'local' && loopback)) {
      throw new InvalidWebhookError(
        policy === 'local'
          ? 'url must use https (http only for 127.0.0.1, [::1] or localhost offline)'
          : 'url must use https',
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new InvalidWebhookError('url must use https');
  }
  if (policy === 'aws') {
    if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new InvalidWebhookError('url must not point at localhost');
    }
    const literal = host.startsWith('[') ? host.slice(1, -1) : host;
    if (isIP(literal) !== 0 && isPrivateAddress(literal)) {
      throw new InvalidWebhookError(
        'url must not be a private, loopback, link-local or otherwise non-public IP address',
      );
    }
  }
  url.hash = '';
  return url.toString();
}

/** Whether an IP literal is outside the public unicast ranges (RFC 1918, loopback, link-local, CGNAT, ULA …). */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return isPrivateIpv4(address);
  if (version !== 6) return false;
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return isPrivateIpv4(mapped[1]);
  const groups = expandIpv6(lower);
  const first = groups[0] ?? 0;
  return (
    groups.every((group) => group === 0) || // ::
    (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) || // ::1
    (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) || // ::ffff:x:x
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 || // multicast
    first === 0x64 // 64:ff9b::/96 NAT64 can reach private IPv4
  );
}

function isPrivateIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  return [...start, ...Array<number>(8 - start.length - end.length).fill(0), ...end];
}

/**
 * The subscribed detail-types, deduplicated, or {@link InvalidWebhookError}: each an exact detail-type of
 * the event catalog or a `Prefix.*` wildcard matching at least one (e.g. `Command.*`).
 */
export function validateDetailTypes(detailTypes: readonly string[]): string[] {
  if (detailTypes.length === 0)
    throw new InvalidWebhookError('detailTypes must name at least one event type');
  const unique = [...new Set(detailTypes)];
  if (unique.length > MAX_DETAIL_TYPES_PER_WEBHOOK) {
    throw new InvalidWebhookError(`detailTypes may name at most ${MAX_DETAIL_TYPES_PER_WEBHOOK} event types`);
  }
  for (const detailType of unique) {
    if (!WEBHOOK_DETAIL_TYPES.some((known) => detailTypeMatches(detailType, known))) {
      if (detailTypeMatches(detailType, DETAIL_TYPES.TelemetryUpdated)) {
        throw new InvalidWebhookError(
          `detailTypes: ${DETAIL_TYPES.TelemetryUpdated} is not delivered to webhooks (one event per ingest batch ` +
            'per tenant); use the onFleetUpdate subscription or an EventBridge rule on the fleetwire bus',
        );
      }
      throw new InvalidWebhookError(
        `detailTypes: ${JSON.stringify(detailType.slice(0, 64))} is not an event type of the catalog ` +
          `(e.g. ${ALL_DETAIL_TYPES.slice(0, 3).join(', ')}, or a wildcard such as Command.*)`,
      );
    }
  }
  return unique;
}

/** Whether a subscription entry (exact, or `Prefix.*`) matches an event's detail-type. */
export function detailTypeMatches(subscription: string, detailType: string): boolean {
  if (subscription.endsWith('.*')) return detailType.startsWith(subscription.slice(0, -1));
  return subscription === detailType;
}

/** Whether a webhook subscribed to `detailTypes` wants an event of `detailType`. */
export function subscribesTo(detailTypes: readonly string[], detailType: string): boolean {
  return detailTypes.some((subscription) => detailTypeMatches(subscription, detailType));
}
