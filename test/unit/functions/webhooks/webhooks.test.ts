import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, type WebhookRetryPolicy } from '../../../../src/domain/webhooks/index.ts';
import { createWebhookDeliverer } from '../../../../src/functions/webhook-deliverer/deliverer.ts';
import { createWebhooksApi } from '../../../../src/functions/webhooks/webhooks.ts';
import type {
  StoredWebhook,
  WebhookDeadLetter,
  WebhookSecretCipher,
  WebhookStore,
} from '../../../../src/ports/webhooks.ts';

/** An in-memory store and a reversible "cipher": fakes of the ports, for the functions' logic only. */
function fakes() {
  const items = new Map<string, StoredWebhook>();
  const key = (tenantId: string, webhookId: string) => `${tenantId}/${webhookId}`;
  const store: WebhookStore = {
    list: async (tenantId) => [...items.values()].filter((item) => item.tenantId === tenantId),
    create: async (webhook) => {
      if (items.has(key(webhook.tenantId, webhook.webhookId))) return false;
      items.set(key(webhook.tenantId, webhook.webhookId), webhook);
      return true;
    },
    replaceSecret: async (tenantId, webhookId, secretCiphertext, rotatedAt) => {
      const item = items.get(key(tenantId, webhookId));
      if (!item) return undefined;
      const updated = { ...item, secretCiphertext, secretRotatedAt: rotatedAt };
      items.set(key(tenantId, webhookId), updated);
      return updated;
    },
    delete: async (tenantId, webhookId) => items.delete(key(tenantId, webhookId)),
  };
  const cipher: WebhookSecretCipher = {
    seal: async (secret, context) => `${context.tenantId}:${context.webhookId}:${secret}`,
    open: async (ciphertext, context) => {
      const prefix = `${context.tenantId}:${context.webhookId}:`;
      if (!ciphertext.startsWith(prefix)) throw new Error('wrong context');
      return ciphertext.slice(prefix.length);
    },
  };
  const letters: WebhookDeadLetter[] = [];
  return {
    store,
    cipher,
    letters,
    deadLetters: { send: async (letter: WebhookDeadLetter) => void letters.push(letter) },
  };
}

const admin = (tenantId = 'acme') => ({ userId: 'u-1', tenantId, roles: ['admin'] });
const POLICY: WebhookRetryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1000 };
const EVENT = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'Trip.Ended',
  source: 'fleetwire.trips',
  detail: { tenantId: 'acme', tripId: 't-1' },
};

describe('the Webhooks function', () => {
  it('refuses callers without the admin role', async () => {
    const { store, cipher } = fakes();
    const api = createWebhooksApi({ store, cipher, urlPolicy: 'aws' });

    const answer = await api({ operation: 'listWebhooks', caller: { ...admin(), roles: ['viewer'] } });

    expect(answer).toEqual({ error: { type: 'Unauthorized', message: expect.stringContaining('admin') } });
  });

  it('stores the secret sealed only, and refuses the 21st webhook of a tenant', async () => {
    // prepare
    const { store, cipher } = fakes();
    const api = createWebhooksApi({ store, cipher, urlPolicy: 'aws' });
    const create = () =>
      api({
        operation: 'createWebhook',
        caller: admin(),
        url: 'https://example.com/h',
        detailTypes: ['Trip.Ended'],
      });

    // act
    const first = (await create()) as { data: { secret: string; webhook: { id: string } } };
    for (let i = 1; i < 20; i++) await create();
    const refused = await create();

    // assess
    const [stored] = await store.list('acme');
    expect(stored?.secretCiphertext).not.toBe(first.data.secret);
    expect(JSON.stringify(await api({ operation: 'listWebhooks', caller: admin() }))).not.toContain('whsec_');
    expect(refused).toEqual({ error: { type: 'LimitExceeded', message: expect.stringContaining('20') } });
    expect(await store.list('acme')).toHaveLength(20);
  });
});

describe('the webhook deliverer', () => {
  async function setUp(responses: (number | Error)[], urlPolicy: 'aws' | 'local' = 'local') {
    const f = fakes();
    await f.store.create({
      tenantId: 'acme',
      webhookId: 'wh_1',
      url: 'https://hooks.example.com/in',
      detailTypes: ['Trip.*'],
      enabled: true,
      createdAt: '2030-01-01T00:00:00.000Z',
      secretRotatedAt: '2030-01-01T00:00:00.000Z',
      secretCiphertext: 'acme:wh_1:whsec_abc',
    });
    const calls: { url: string; init: RequestInit }[] = [];
    const sleeps: number[] = [];
    const deliver = createWebhookDeliverer({
      ...f,
      urlPolicy,
      retry: POLICY,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
      resolveHost: async (host) => (host === 'hooks.example.com' ? ['10.0.0.5'] : ['93.184.216.34']),
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        const next = responses.length > 1 ? responses.shift() : responses[0];
        if (next instanceof Error) throw next;
        return new Response(null, { status: next ?? 200 });
      }) as typeof fetch,
    });
    return { ...f, deliver, calls, sleeps };
  }

  it('signs the exact body it sends', async () => {
    const { deliver, calls } = await setUp([204]);

    const report = await deliver(EVENT);

    expect(report).toEqual({ delivered: 1, deadLettered: 0 });
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(
      verifyWebhookSignature({
        body: calls[0]?.init.body as string,
        header: headers['X-Fleetwire-Signature'],
        secret: 'whsec_abc',
      }),
    ).toBe(true);
    expect(calls[0]?.init.redirect).toBe('manual');
  });

  it('retries network failures with backoff, then dead-letters with the reason', async () => {
    const { deliver, calls, sleeps, letters } = await setUp([new TypeError('fetch failed')]);

    const report = await deliver(EVENT);

    expect(report).toEqual({ delivered: 0, deadLettered: 1 });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([5, 10]);
    expect(letters).toEqual([
      expect.objectContaining({
        webhookId: 'wh_1',
        eventId: 'evt-1',
        reason: 'network: fetch failed after 3 attempt(s)',
      }),
    ]);
  });

  it('does not retry a 4xx', async () => {
    const { deliver, calls, letters } = await setUp([404]);

    await deliver(EVENT);

    expect(calls).toHaveLength(1);
    expect(letters[0]?.reason).toBe('HTTP 404 after 1 attempt(s)');
  });

  it('in AWS, refuses a host that resolves to a private address at delivery time', async () => {
    const { deliver, calls, letters } = await setUp([200], 'aws');

    await deliver(EVENT);

    expect(calls).toEqual([]);
    expect(letters[0]?.reason).toMatch(/non-public address/);
  });

  it('ignores events of other detail-types and of no tenant', async () => {
    const { deliver, calls } = await setUp([200]);

    expect(await deliver({ ...EVENT, 'detail-type': 'Charging.Ended' })).toEqual({
      delivered: 0,
      deadLettered: 0,
    });
    expect(await deliver({ ...EVENT, detail: {} })).toEqual({ delivered: 0, deadLettered: 0 });
    expect(calls).toEqual([]);
  });
});
