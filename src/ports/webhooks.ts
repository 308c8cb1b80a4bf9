/** Ports of the webhooks: where subscriptions are kept, how their secrets are sealed, where failures go. */

/** A webhook as stored: never the plaintext secret. */
export interface StoredWebhook {
  readonly tenantId: string;
  readonly webhookId: string;
  readonly url: string;
  /** Exact detail-types or `Prefix.*` wildcards. */
  readonly detailTypes: readonly string[];
  readonly enabled: boolean;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601 of the last secret rotation; `createdAt` until the first. */
  readonly secretRotatedAt: string;
  /** The signing secret, encrypted (base64 of the KMS ciphertext). */
  readonly secretCiphertext: string;
}

/** The tenants' webhooks (the `webhooks` table: pk `tenantId`, sk `webhookId`). */
export interface WebhookStore {
  /** The tenant's webhooks, by id. */
  list(tenantId: string): Promise<StoredWebhook[]>;
  /** Stores a new webhook; refuses (false) an id that exists. */
  create(webhook: StoredWebhook): Promise<boolean>;
  /** Replaces the secret of an existing webhook; undefined when there is none. */
  replaceSecret(
    tenantId: string,
    webhookId: string,
    secretCiphertext: string,
    rotatedAt: string,
  ): Promise<StoredWebhook | undefined>;
  /** Deletes a webhook; false when there was none. */
  delete(tenantId: string, webhookId: string): Promise<boolean>;
}

/** Whose secret a ciphertext is: bound into the encryption, so a ciphertext copied to another webhook fails. */
export interface WebhookSecretContext {
  readonly tenantId: string;
  readonly webhookId: string;
}

/** Encrypts and decrypts signing secrets (KMS in AWS and on the local edge). */
export interface WebhookSecretCipher {
  seal(secret: string, context: WebhookSecretContext): Promise<string>;
  open(ciphertext: string, context: WebhookSecretContext): Promise<string>;
}

/** A delivery given up on, as the dead-letter queue keeps it. */
export interface WebhookDeadLetter {
  readonly tenantId: string;
  readonly webhookId: string;
  readonly url: string;
  readonly eventId: string;
  readonly detailType: string;
  /** Why the last attempt failed, e.g. `HTTP 500` or `network: …`. */
  readonly reason: string;
  readonly attempts: number;
  /** ISO-8601. */
  readonly failedAt: string;
  /** The event as it would have been POSTed. */
  readonly event: unknown;
}

/** Where failed deliveries go (SQS). */
export interface WebhookDeadLetters {
  send(letter: WebhookDeadLetter): Promise<void>;
}
