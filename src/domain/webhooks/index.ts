/** The webhooks domain: signatures, what a webhook may be, and when a delivery is retried. */
export * from './errors.ts';
export * from './retry.ts';
export * from './signing.ts';
export * from './validation.ts';
