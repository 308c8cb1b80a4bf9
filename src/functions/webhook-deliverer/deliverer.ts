/**
 * The `webhook-deliverer` function: the target of the one EventBridge rule matching every tenant-scoped
 * event. It looks up the event's tenant's webhooks (cached, secrets decrypted once per cache period),
 * POSTs the event to each enabled one subscribed to its detail-type, signed, with a 5 s timeout and
 * bounded retries, and sends what still fails to the dead-letter queue with the reason.
 *
 * Failed deliveries do not fail the invocation: EventBridge would then retry the whole event and POST it
 * again to the webhooks that did accept it. Only a failure to record a failure throws. Delivery is at
 * least once either way: receivers deduplicate by `X-Fleetwire-Event-Id`.
 */
import { lookup } from 'node:dns/promises';
import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../../domain/events/catalog/common.ts';
import {
  DEFAULT_WEBHOOK_RETRY_POLICY,
  describeOutcome,
  isDelivered,
  isPrivateAddress,
  nextRetryDelayMs,
  signWebhookPayload,
  subscribesTo,
  WEBHOOK_HEADERS,
  type DeliveryAttemptOutcome,
  type WebhookRetryPolicy,
  type WebhookUrlPolicy,
} from '../../domain/webhooks/index.ts';
import type {
  StoredWebhook,
  WebhookDeadLetters,
  WebhookSecretCipher,
  WebhookStore,
} from '../../ports/webhooks.ts';

/** The part of an EventBridge event the deliverer relies on; the rest is POSTed as it came. */
const EventSchema = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  detail: z.looseObject({ tenantId: z.string().regex(TENANT_ID_PATTERN) }),
});

/** What the deliverer needs. */
export interface WebhookDelivererDependencies {
  readonly store: WebhookStore;
  readonly cipher: WebhookSecretCipher;
  readonly deadLetters: WebhookDeadLetters;
  /** `aws` refuses hosts that resolve to non-public addresses at delivery time too. */
  readonly urlPolicy: WebhookUrlPolicy;
  readonly retry?: WebhookRetryPolicy;
  /** How long a tenant's webhooks are reused before being read again. Default 60 s; 0 reads every time. */
  readonly cacheTtlMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** The addresses a host resolves to (for the `aws` policy). Default `dns.lookup`. */
  readonly resolveHost?: (host: string) => Promise<string[]>;
}

/** What one invocation did. */
export interface DeliveryReport {
  readonly delivered: number;
  readonly deadLettered: number;
}

interface ReadyWebhook {
  readonly webhook: StoredWebhook;
  readonly secret: string;
}

/** Builds the deliverer: an EventBridge event in, a report out. */
export function createWebhookDeliverer(
  deps: WebhookDelivererDependencies,
): (event: unknown) => Promise<DeliveryReport> {
  const policy = deps.retry ?? DEFAULT_WEBHOOK_RETRY_POLICY;
  const ttl = deps.cacheTtlMs ?? 60_000;
  const now = deps.now ?? (() => new Date());
  const post = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const resolveHost =
    deps.resolveHost ??
    (async (host: string) => (await lookup(host, { all: true })).map((entry) => entry.address));
  const cache = new Map<string, { readonly at: number; readonly webhooks: Promise<ReadyWebhook[]> }>();

  const webhooksOf = (tenantId: string): Promise<ReadyWebhook[]> => {
    const cached = cache.get(tenantId);
    const at = now().getTime();
    if (cached && at - cached.at < ttl) return cached.webhooks;
    const loading = (async () => {
      const stored = (await deps.store.list(tenantId)).filter((webhook) => webhook.enabled);
      return Promise.all(
        stored.map(async (webhook) => ({
          webhook,
          secret: await deps.cipher.open(webhook.secretCiphertext, {
            tenantId: webhook.tenantId,
            webhookId: webhook.webhookId,
          }),
        })),
      );
    })();
    if (ttl > 0) cache.set(tenantId, { at, webhooks: loading });
    // A failed read is not cached: the next event reads again.
    loading.catch(() => cache.delete(tenantId));
    return loading;
  };

  const attempt = async (url: string, body: string, headers: Record<string, string>) => {
    try {
      if (deps.urlPolicy === 'aws') await refuseNonPublicHost(new URL(url).hostname, resolveHost);
      const response = await post(url, {
        method: 'POST',
        body,
        headers,
        // A redirect could lead anywhere, the checks on the URL included: it is an answer, not a hop.
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        kind: 'response',
        status: response.status,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      } satisfies DeliveryAttemptOutcome;
    } catch (error) {
      return { kind: 'network', message: networkReason(error) } satisfies DeliveryAttemptOutcome;
    }
  };

  const deliverOne = async (
    ready: ReadyWebhook,
    event: z.infer<typeof EventSchema>,
    body: string,
  ): Promise<boolean> => {
    let outcome: DeliveryAttemptOutcome;
    let attempts = 0;
    for (;;) {
      attempts++;
      const timestamp = Math.floor(now().getTime() / 1000);
      outcome = await attempt(ready.webhook.url, body, {
        'Content-Type': 'application/json',
        'User-Agent': 'Fleetwire-Webhooks/1',
        [WEBHOOK_HEADERS.signature]: signWebhookPayload(ready.secret, body, timestamp),
        [WEBHOOK_HEADERS.eventId]: event.id,
        [WEBHOOK_HEADERS.eventType]: event['detail-type'],
      });
      if (isDelivered(outcome)) return true;
      const delay = nextRetryDelayMs(policy, attempts, outcome, random);
      if (delay === undefined) break;
      await sleep(delay);
    }
    await deps.deadLetters.send({
      tenantId: ready.webhook.tenantId,
      webhookId: ready.webhook.webhookId,
      url: ready.webhook.url,
      eventId: event.id,
      detailType: event['detail-type'],
      reason: `${describeOutcome(outcome)} after ${attempts} attempt(s)`,
      attempts,
      failedAt: now().toISOString(),
      event,
    });
    return false;
  };

  return async (raw) => {
    const parsed = EventSchema.safeParse(raw);
    // The rule matches tenant-scoped events only; anything else is not a webhook's business.
    if (!parsed.success) return { delivered: 0, deadLettered: 0 };
    const event = parsed.data;
    const webhooks = (await webhooksOf(event.detail.tenantId)).filter(({ webhook }) =>
      subscribesTo(webhook.detailTypes, event['detail-type']),
    );
    const body = JSON.stringify(raw);
    const results = await Promise.all(webhooks.map((ready) => deliverOne(ready, event, body)));
    const delivered = results.filter(Boolean).length;
    return { delivered, deadLettered: results.length - delivered };
  };
}

/** Base of the deliverer's own errors. */
export class WebhookDeliveryError extends Error {
  override readonly name: string = 'WebhookDeliveryError';
}

/** The host resolves to a private, loopback or link-local address (e.g. DNS rebinding). */
export class NonPublicWebhookHostError extends WebhookDeliveryError {
  override readonly name: string = 'NonPublicWebhookHostError';
}

async function refuseNonPublicHost(
  hostname: string,
  resolveHost: (host: string) => Promise<string[]>,
): Promise<void> {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const addresses = await resolveHost(host);
  if (addresses.some(isPrivateAddress)) {
    throw new NonPublicWebhookHostError(`${host} resolves to a non-public address`);
  }
}

function networkReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.message}${detail}`;
  }
  return String(error);
}
