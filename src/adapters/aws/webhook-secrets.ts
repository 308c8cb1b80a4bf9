import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type {
  WebhookDeadLetter,
  WebhookDeadLetters,
  WebhookSecretCipher,
  WebhookSecretContext,
} from '../../ports/webhooks.ts';

/** The alias of the symmetric key webhook signing secrets are encrypted with. */
export const WEBHOOK_SECRETS_KEY_ALIAS = 'alias/fleetwire-webhook-secrets';

/**
 * {@link WebhookSecretCipher} on KMS `Encrypt`/`Decrypt` (a secret is far below KMS's 4 KB limit). The
 * encryption context binds a ciphertext to its tenant and webhook. Only the `Webhooks` function may
 * encrypt and only the deliverer may decrypt.
 */
export class KmsWebhookSecretCipher implements WebhookSecretCipher {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId = process.env.WEBHOOK_SECRETS_KEY_ID ?? WEBHOOK_SECRETS_KEY_ALIAS,
  ) {}

  async seal(secret: string, context: WebhookSecretContext): Promise<string> {
    const { CiphertextBlob } = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: new TextEncoder().encode(secret),
        EncryptionContext: { tenantId: context.tenantId, webhookId: context.webhookId },
      }),
    );
    if (!CiphertextBlob) throw new Error('KMS Encrypt answered without a CiphertextBlob');
    return Buffer.from(CiphertextBlob).toString('base64');
  }

  async open(ciphertext: string, context: WebhookSecretContext): Promise<string> {
    const { Plaintext } = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(ciphertext, 'base64'),
        EncryptionContext: { tenantId: context.tenantId, webhookId: context.webhookId },
      }),
    );
    if (!Plaintext) throw new Error('KMS Decrypt answered without a Plaintext');
    return new TextDecoder().decode(Plaintext);
  }
}

/** {@link WebhookDeadLetters} on SQS: the letter as the body, the reason and webhook as attributes. */
export class SqsWebhookDeadLetters implements WebhookDeadLetters {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(letter: WebhookDeadLetter): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: letter.reason.slice(0, 256) },
          webhookId: { DataType: 'String', StringValue: letter.webhookId },
          tenantId: { DataType: 'String', StringValue: letter.tenantId },
        },
      }),
    );
  }
}
