/**
 * The `Webhooks` data source's function: what the GraphQL webhook fields do. Admins list, create and
 * delete their tenant's webhooks and rotate a webhook's signing secret; the secret is answered once, at
 * creation or rotation, and stored only encrypted. The caller always comes from the resolver, i.e. from
 * the verified token.
 *
 * Answers `{data}` or `{error: {type, message}}` for what the caller can fix; failures of the back ends
 * throw, so AppSync reports them as InternalFailure without their details.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  generateWebhookSecret,
  InvalidWebhookError,
  MAX_WEBHOOKS_PER_TENANT,
  validateDetailTypes,
  validateWebhookUrl,
  type WebhookUrlPolicy,
} from '../../domain/webhooks/index.ts';
import type { StoredWebhook, WebhookSecretCipher, WebhookStore } from '../../ports/webhooks.ts';
import { CallerSchema, issuesText } from '../commands/caller.ts';

/** The role that manages webhooks. */
export const WEBHOOK_ADMIN_ROLE = 'admin';

const webhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{1,64}$/, { error: 'must be a webhook id' });

/** The events the function accepts, one per GraphQL field. */
export const WebhooksEventSchema = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('listWebhooks'), caller: CallerSchema }),
  z.strictObject({
    operation: z.literal('createWebhook'),
    caller: CallerSchema,
    url: z.string().min(1).max(4096),
    detailTypes: z.array(z.string().min(1).max(128)).min(1).max(64),
  }),
  z.strictObject({ operation: z.literal('deleteWebhook'), caller: CallerSchema, webhookId }),
  z.strictObject({ operation: z.literal('rotateWebhookSecret'), caller: CallerSchema, webhookId }),
]);

/** An event of the Webhooks function. */
export type WebhooksEvent = z.infer<typeof WebhooksEventSchema>;

/** The GraphQL `Webhook`: never the secret. */
export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly detailTypes: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly secretRotatedAt: string;
}

/** The GraphQL `WebhookSecret`: the webhook, and its signing secret shown this once. */
export interface WebhookWithSecretView {
  readonly webhook: WebhookView;
  readonly secret: string;
}

type Answer =
  { readonly data: unknown } | { readonly error: { readonly type: string; readonly message: string } };

/** What the function needs. */
export interface WebhooksDependencies {
  readonly store: WebhookStore;
  readonly cipher: WebhookSecretCipher;
  /** `aws` in Lambda; `local` offline, where http to 127.0.0.1/localhost is allowed. */
  readonly urlPolicy: WebhookUrlPolicy;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** Builds the function: an event in, `{data}` or `{error}` out. */
export function createWebhooksApi(deps: WebhooksDependencies): (event: unknown) => Promise<Answer> {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => `wh_${randomUUID().replaceAll('-', '')}`);
  return async (raw) => {
    const parsed = WebhooksEventSchema.safeParse(raw);
    if (!parsed.success) return { error: { type: 'BadRequest', message: issuesText(parsed.error) } };
    const event = parsed.data;
    // The resolvers check the role; this is the second lock, so a resolver bug cannot open webhooks.
    if (!event.caller.roles.includes(WEBHOOK_ADMIN_ROLE)) {
      return { error: { type: 'Unauthorized', message: 'Managing webhooks needs the admin role.' } };
    }
    const tenantId = event.caller.tenantId;
    switch (event.operation) {
      case 'listWebhooks': {
        const webhooks = await deps.store.list(tenantId);
        return { data: webhooks.map(view).sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
      }
      case 'createWebhook': {
        let url: string;
        let detailTypes: string[];
        try {
          url = validateWebhookUrl(event.url, deps.urlPolicy);
          detailTypes = validateDetailTypes(event.detailTypes);
        } catch (error) {
          if (error instanceof InvalidWebhookError)
            return { error: { type: 'BadRequest', message: error.message } };
          throw error;
        }
        // Counted before the put: two concurrent creations may pass together, which the bound tolerates.
        const existing = await deps.store.list(tenantId);
        if (existing.length >= MAX_WEBHOOKS_PER_TENANT) {
          return {
            error: {
              type: 'LimitExceeded',
              message: `A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first.`,
            },
          };
        }
        const id = newId();
        const secret = generateWebhookSecret();
        const at = now().toISOString();
        const webhook: StoredWebhook = {
          tenantId,
          webhookId: id,
          url,
          detailTypes,
          enabled: true,
          createdAt: at,
          secretRotatedAt: at,
          secretCiphertext: await deps.cipher.seal(secret, { tenantId, webhookId: id }),
        };
        if (!(await deps.store.create(webhook))) {
          throw new Error(`webhook id ${id} was minted twice`);
        }
        return { data: { webhook: view(webhook), secret } satisfies WebhookWithSecretView };
      }
      case 'deleteWebhook': {
        const deleted = await deps.store.delete(tenantId, event.webhookId);
        return deleted ? { data: event.webhookId } : notFound(event.webhookId);
      }
      case 'rotateWebhookSecret': {
        const secret = generateWebhookSecret();
        const ciphertext = await deps.cipher.seal(secret, { tenantId, webhookId: event.webhookId });
        const updated = await deps.store.replaceSecret(
          tenantId,
          event.webhookId,
          ciphertext,
          now().toISOString(),
        );
        if (!updated) return notFound(event.webhookId);
        return { data: { webhook: view(updated), secret } satisfies WebhookWithSecretView };
      }
    }
  };
}

function view(webhook: StoredWebhook): WebhookView {
  return {
    id: webhook.webhookId,
    url: webhook.url,
    detailTypes: [...webhook.detailTypes],
    enabled: webhook.enabled,
    createdAt: webhook.createdAt,
    secretRotatedAt: webhook.secretRotatedAt,
  };
}

function notFound(id: string): Answer {
  return { error: { type: 'NotFound', message: `No webhook ${id} in your tenant.` } };
}
