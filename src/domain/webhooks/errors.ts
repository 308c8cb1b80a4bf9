/** Errors of the webhooks domain: one base, one subclass per thing a caller can act on. */

/** Base of every webhook error. */
export class WebhookError extends Error {
  override readonly name: string = 'WebhookError';
}

/** A webhook definition (URL, detail-types) Fleetwire refuses; the message says what to change. */
export class InvalidWebhookError extends WebhookError {
  override readonly name: string = 'InvalidWebhookError';
}

/** The tenant already has {@link MAX_WEBHOOKS_PER_TENANT} webhooks. */
export class WebhookLimitError extends WebhookError {
  override readonly name: string = 'WebhookLimitError';
}

/** No webhook of that id in the caller's tenant. */
export class WebhookNotFoundError extends WebhookError {
  override readonly name: string = 'WebhookNotFoundError';
}
