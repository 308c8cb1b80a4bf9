import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidMacException,
  KMSServiceException,
  ListAliasesCommand,
  ListKeysCommand,
  NotFoundException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { KmsService } from '../../src/local/edge/kms.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

/** What a call rejected with; settling at once keeps a rejection from going unhandled while others run. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (reason: unknown) => reason,
  );
}

/** The SDK raises unmodelled AWS errors (ValidationException, …) as KMSServiceException named after the code. */
async function errorOf(promise: Promise<unknown>): Promise<KMSServiceException> {
  const error = await rejectionOf(promise);
  if (!(error instanceof KMSServiceException)) throw new Error(`expected a KMS error, got ${String(error)}`);
  return error;
}

describe('edge: KMS', () => {
  let edge: TestEdge;
  let kms: KMSClient;
  let hmacKeyId: string;
  let encryptionKeyId: string;

  beforeAll(async () => {
    edge = await startTestEdge({ services: [new KmsService()] });
    kms = new KMSClient(edge.clientConfig);
    const hmac = await kms.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    const symmetric = await kms.send(new CreateKeyCommand({ Description: 'telemetry envelope' }));
    hmacKeyId = hmac.KeyMetadata?.KeyId ?? '';
    encryptionKeyId = symmetric.KeyMetadata?.KeyId ?? '';
  });
  afterAll(async () => {
    kms?.destroy();
    await edge?.stop();
  });

  it('describes keys by id, key ARN, alias name and alias ARN', async () => {
    // prepare
    const described = await kms.send(new DescribeKeyCommand({ KeyId: hmacKeyId }));
    const arn = described.KeyMetadata?.Arn ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/fleet-hmac', TargetKeyId: hmacKeyId }));
    const aliasArn = arn.replace(/key\/.*$/, 'alias/fleet-hmac');

    // act
    const byIdentifier = await Promise.all(
      [arn, 'alias/fleet-hmac', aliasArn].map((KeyId) => kms.send(new DescribeKeyCommand({ KeyId }))),
    );

    // assess
    expect(arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${hmacKeyId}`);
    expect(described.KeyMetadata).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      KeyState: 'Enabled',
      Enabled: true,
      MacAlgorithms: ['HMAC_SHA_256'],
    });
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(byIdentifier.map((result) => result.KeyMetadata?.KeyId)).toEqual([
      hmacKeyId,
      hmacKeyId,
      hmacKeyId,
    ]);
  });

  it('generates a MAC that verifies, and rejects a changed message with KMSInvalidMacException', async () => {
    // prepare
    const message = Buffer.from('vin=5YJ3E1EA7KF317000');
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: hmacKeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );

    // act
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId: hmacKeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const forged = await rejectionOf(
      kms.send(
        new VerifyMacCommand({
          KeyId: hmacKeyId,
          Message: Buffer.from('vin=other'),
          Mac,
          MacAlgorithm: 'HMAC_SHA_256',
        }),
      ),
    );

    // assess
    expect(Mac).toHaveLength(32);
    expect(verified.MacValid).toBe(true);
    expect(forged).toBeInstanceOf(KMSInvalidMacException);
  });

  it('encrypts with the encryption context bound, and decrypts without a KeyId', async () => {
    // prepare
    const context = { tenant: 'acme', purpose: 'vehicle-command' };
    const encrypted = await kms.send(
      new EncryptCommand({
        KeyId: encryptionKeyId,
        Plaintext: Buffer.from('secret'),
        EncryptionContext: context,
      }),
    );
    const blob = encrypted.CiphertextBlob ?? new Uint8Array();
    const tampered = Uint8Array.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;

    // act
    const decrypted = await kms.send(
      new DecryptCommand({
        CiphertextBlob: blob,
        EncryptionContext: { purpose: 'vehicle-command', tenant: 'acme' },
      }),
    );
    const wrongContext = await rejectionOf(
      kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { tenant: 'x' } })),
    );
    const noContext = await rejectionOf(kms.send(new DecryptCommand({ CiphertextBlob: blob })));
    const tamperedBlob = await rejectionOf(
      kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })),
    );
    const foreignBlob = await rejectionOf(
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a kms blob at all') })),
    );
    const wrongKey = await rejectionOf(
      kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: hmacKeyId })),
    );

    // assess
    expect(encrypted.KeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${encryptionKeyId}`);
    expect(Buffer.from(decrypted.Plaintext ?? new Uint8Array()).toString()).toBe('secret');
    expect(decrypted.KeyId).toBe(encrypted.KeyId);
    expect(decrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(wrongContext).toBeInstanceOf(InvalidCiphertextException);
    expect(noContext).toBeInstanceOf(InvalidCiphertextException);
    expect(tamperedBlob).toBeInstanceOf(InvalidCiphertextException);
    expect(foreignBlob).toBeInstanceOf(InvalidCiphertextException);
    expect(wrongKey).toBeInstanceOf(IncorrectKeyException);
  });

  it('refuses a key used for the wrong kind of operation with InvalidKeyUsageException', async () => {
    const macWithEncryptionKey = await rejectionOf(
      kms.send(
        new GenerateMacCommand({
          KeyId: encryptionKeyId,
          Message: Buffer.from('m'),
          MacAlgorithm: 'HMAC_SHA_256',
        }),
      ),
    );
    const encryptWithHmacKey = await rejectionOf(
      kms.send(new EncryptCommand({ KeyId: hmacKeyId, Plaintext: Buffer.from('p') })),
    );
    const wrongAlgorithm = await rejectionOf(
      kms.send(
        new GenerateMacCommand({ KeyId: hmacKeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_512' }),
      ),
    );

    expect(macWithEncryptionKey).toBeInstanceOf(InvalidKeyUsageException);
    expect(encryptWithHmacKey).toBeInstanceOf(InvalidKeyUsageException);
    expect(wrongAlgorithm).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('reports unknown keys and aliases with NotFoundException', async () => {
    const missing = ['11111111-2222-3333-4444-555555555555', 'not-a-key-id', 'alias/missing'];

    const errors = await Promise.all(
      missing.map((KeyId) => rejectionOf(kms.send(new DescribeKeyCommand({ KeyId })))),
    );

    for (const error of errors) expect(error).toBeInstanceOf(NotFoundException);
  });

  it('rejects invalid key spec and usage combinations with ValidationException', async () => {
    const hmacForEncryption = await errorOf(
      kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })),
    );
    const symmetricForMac = await errorOf(
      kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'GENERATE_VERIFY_MAC' })),
    );
    const hmacWithoutUsage = await errorOf(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })));

    expect(hmacForEncryption.name).toBe('ValidationException');
    expect(hmacForEncryption.message).toBe(
      'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256',
    );
    expect(symmetricForMac.name).toBe('ValidationException');
    expect(hmacWithoutUsage.name).toBe('ValidationException');
  });

  it('enforces the alias naming rules and lists aliases by key', async () => {
    // prepare
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/envelope', TargetKeyId: encryptionKeyId }));

    // act
    const duplicate = await rejectionOf(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/envelope', TargetKeyId: hmacKeyId })),
    );
    const noPrefix = await errorOf(
      kms.send(new CreateAliasCommand({ AliasName: 'envelope', TargetKeyId: hmacKeyId })),
    );
    const reserved = await errorOf(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/envelope', TargetKeyId: hmacKeyId })),
    );
    const aliasOfAlias = await errorOf(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/again', TargetKeyId: 'alias/envelope' })),
    );
    const unknownTarget = await rejectionOf(
      kms.send(
        new CreateAliasCommand({
          AliasName: 'alias/orphan',
          TargetKeyId: '11111111-2222-3333-4444-555555555555',
        }),
      ),
    );
    const forKey = await kms.send(new ListAliasesCommand({ KeyId: encryptionKeyId }));
    const all = await kms.send(new ListAliasesCommand({}));

    // assess
    expect(duplicate).toBeInstanceOf(AlreadyExistsException);
    expect(noPrefix.name).toBe('ValidationException');
    expect(reserved.name).toBe('NotAuthorizedException');
    expect(aliasOfAlias.name).toBe('ValidationException');
    expect(unknownTarget).toBeInstanceOf(NotFoundException);
    expect(forKey.Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/envelope']);
    expect(forKey.Aliases?.[0]?.AliasArn).toBe('arn:aws:kms:us-east-1:000000000000:alias/envelope');
    expect(forKey.Aliases?.[0]?.TargetKeyId).toBe(encryptionKeyId);
    expect(all.Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/envelope', 'alias/fleet-hmac']);
  });

  it('enforces the 4096-byte limits on Plaintext and Message', async () => {
    const tooLong = Buffer.alloc(4097, 1);

    const plaintext = await errorOf(
      kms.send(new EncryptCommand({ KeyId: encryptionKeyId, Plaintext: tooLong })),
    );
    const message = await errorOf(
      kms.send(new GenerateMacCommand({ KeyId: hmacKeyId, Message: tooLong, MacAlgorithm: 'HMAC_SHA_256' })),
    );
    const atLimit = await kms.send(
      new EncryptCommand({ KeyId: encryptionKeyId, Plaintext: Buffer.alloc(4096, 1) }),
    );

    expect(plaintext.name).toBe('ValidationException');
    expect(message.name).toBe('ValidationException');
    expect(atLimit.CiphertextBlob?.length).toBeGreaterThan(4096);
  });

  it('answers an operation it does not emulate, and malformed JSON, in the AWS error shape', async () => {
    // prepare
    const post = (target: string, body: string) =>
      fetch(edge.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
        body,
      });

    // act
    const unknown = await errorOf(kms.send(new ListKeysCommand({})));
    const wrongType = await post('TrentService.DescribeKey', '{"KeyId": 42}');
    const badBase64 = await post(
      'TrentService.Encrypt',
      `{"KeyId": "${encryptionKeyId}", "Plaintext": "%%%"}`,
    );
    const missing = await post('TrentService.GenerateMac', '{}');

    // assess
    expect(unknown.name).toBe('UnknownOperationException');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ __type: 'SerializationException' });
    expect(badBase64.status).toBe(400);
    expect(await badBase64.json()).toMatchObject({ __type: 'SerializationException' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'ValidationException' });
  });
});

describe('edge: KMS with a data directory', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-kms-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps keys and aliases across a restart, so a MAC made before verifies after', async () => {
    // prepare
    const first = await startTestEdge({ services: [new KmsService({ dataDir })] });
    const before = new KMSClient(first.clientConfig);
    const key = await before.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    await before.send(
      new CreateAliasCommand({ AliasName: 'alias/session', TargetKeyId: key.KeyMetadata?.KeyId }),
    );
    const message = Buffer.from('session-token');
    const { Mac } = await before.send(
      new GenerateMacCommand({ KeyId: 'alias/session', Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    before.destroy();
    await first.stop();

    // act
    const second = await startTestEdge({ services: [new KmsService({ dataDir })] });
    const after = new KMSClient(second.clientConfig);
    try {
      const verified = await after.send(
        new VerifyMacCommand({ KeyId: 'alias/session', Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' }),
      );

      // assess
      expect(verified.MacValid).toBe(true);
      expect(verified.KeyId).toBe(key.KeyMetadata?.Arn);
      expect(statSync(join(dataDir, 'kms', 'keys.json')).mode & 0o777).toBe(0o600);
    } finally {
      after.destroy();
      await second.stop();
    }
  });
});
