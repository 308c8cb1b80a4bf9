import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalEncryptionContext,
  openCiphertext,
  parseCiphertext,
  sealCiphertext,
} from '../../../../src/local/edge/kms.ts';

describe('KMS ciphertext blobs', () => {
  const keyId = randomUUID();
  const material = randomBytes(32);
  const plaintext = Buffer.from('vehicle command token');

  it('names its key and opens with the same encryption context in any order', () => {
    // prepare
    const blob = sealCiphertext(keyId, material, plaintext, { tenant: 'acme', vin: '5YJ3' });

    // act
    const parsed = parseCiphertext(blob);
    const opened = parsed && openCiphertext(parsed, material, { vin: '5YJ3', tenant: 'acme' });

    // assess
    expect(parsed?.keyId).toBe(keyId);
    expect(opened?.toString()).toBe('vehicle command token');
  });

  it('refuses a different context, a different key or a flipped byte', () => {
    // prepare
    const blob = sealCiphertext(keyId, material, plaintext, { tenant: 'acme' });
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    const otherKey = Buffer.from(blob);
    otherKey[4] = (otherKey[4] ?? 0) ^ 0x01;

    // act
    const parsed = parseCiphertext(blob);

    // assess
    expect(parsed && openCiphertext(parsed, material, { tenant: 'globex' })).toBeUndefined();
    expect(parsed && openCiphertext(parsed, material, {})).toBeUndefined();
    expect(parsed && openCiphertext(parsed, randomBytes(32), { tenant: 'acme' })).toBeUndefined();
    const parsedTampered = parseCiphertext(tampered);
    expect(parsedTampered && openCiphertext(parsedTampered, material, { tenant: 'acme' })).toBeUndefined();
    const parsedOtherKey = parseCiphertext(otherKey);
    expect(parsedOtherKey?.keyId).not.toBe(keyId);
    expect(parsedOtherKey && openCiphertext(parsedOtherKey, material, { tenant: 'acme' })).toBeUndefined();
  });

  it('does not parse blobs that are too short or not its own', () => {
    expect(parseCiphertext(Buffer.alloc(10))).toBeUndefined();
    expect(parseCiphertext(randomBytes(100).fill(0, 0, 1))).toBeUndefined();
  });

  it('serialises an encryption context independently of key order', () => {
    expect(canonicalEncryptionContext({ b: '2', a: '1' })).toEqual(
      canonicalEncryptionContext({ a: '1', b: '2' }),
    );
    expect(canonicalEncryptionContext({ a: 'b=c' })).not.toEqual(canonicalEncryptionContext({ 'a=b': 'c' }));
  });
});
