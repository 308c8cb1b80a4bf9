import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AwsServiceError,
  unknownOperation,
  validationError,
  type AwsJsonService,
  type RequestContext,
} from './aws-json.ts';

/** How to build a {@link KmsService}. */
export interface KmsServiceOptions {
  /** Keys and aliases persist in `<dataDir>/kms/keys.json`; in memory when absent. */
  readonly dataDir?: string;
}

/** The key specs the edge emulates: symmetric encryption and HMAC. */
type EmulatedKeySpec = 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512';
type EmulatedKeyUsage = 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC';
type MacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';

/** Every KeySpec the KMS model knows; the ones outside {@link EmulatedKeySpec} are refused as unsupported. */
const MODELLED_KEY_SPECS = [
  'RSA_2048',
  'ECC_NIST_P384',
  'ECC_NIST_P256',
  'ECC_NIST_P521',
  'HMAC_384',
  'RSA_3072',
  'ECC_SECG_P256K1',
  'RSA_4096',
  'SYMMETRIC_DEFAULT',
  'HMAC_256',
  'HMAC_224',
  'HMAC_512',
  'SM2',
  'ECC_NIST_EDWARDS25519',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
const MODELLED_KEY_USAGES = [
  'SIGN_VERIFY',
  'ENCRYPT_DECRYPT',
  'GENERATE_VERIFY_MAC',
  'KEY_AGREEMENT',
  'ENCAPSULATE_DECAPSULATE',
] as const;
const MAC_ALGORITHMS: readonly MacAlgorithm[] = [
  'HMAC_SHA_384',
  'HMAC_SHA_256',
  'HMAC_SHA_224',
  'HMAC_SHA_512',
];
/** The one MAC algorithm each HMAC key spec supports, and the Node digest behind it. */
const HMAC_SPECS: Readonly<Record<string, { algorithm: MacAlgorithm; digest: string; bytes: number }>> = {
  HMAC_224: { algorithm: 'HMAC_SHA_224', digest: 'sha224', bytes: 28 },
  HMAC_256: { algorithm: 'HMAC_SHA_256', digest: 'sha256', bytes: 32 },
  HMAC_384: { algorithm: 'HMAC_SHA_384', digest: 'sha384', bytes: 48 },
  HMAC_512: { algorithm: 'HMAC_SHA_512', digest: 'sha512', bytes: 64 },
};

/** KMS caps Plaintext of Encrypt and Message of GenerateMac/VerifyMac at 4 KiB. */
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
const MAX_MAC_BYTES = 6144;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/** A KMS key as stored on disk; key material is base64 and never leaves the edge. */
interface StoredKey {
  readonly keyId: string;
  readonly region: string;
  readonly accountId: string;
  readonly keySpec: EmulatedKeySpec;
  readonly keyUsage: EmulatedKeyUsage;
  readonly description: string;
  /** Seconds since the epoch, as KMS timestamps travel in JSON. */
  readonly creationDate: number;
  readonly material: string;
  readonly tags: readonly { TagKey: string; TagValue: string }[];
}

interface StoredAlias {
  readonly aliasName: string;
  readonly region: string;
  readonly accountId: string;
  readonly targetKeyId: string;
  readonly creationDate: number;
  readonly lastUpdatedDate: number;
}

interface KmsState {
  readonly version: 1;
  keys: StoredKey[];
  aliases: StoredAlias[];
}

/**
 * AWS KMS on the local edge: symmetric encryption keys (AES-256-GCM) and HMAC keys, with aliases, persisted
 * to disk when the edge has a data directory. Errors carry the modelled exception names so SDK v3 clients raise
 * `NotFoundException`, `KMSInvalidMacException`, `InvalidCiphertextException` and the rest.
 */
export class KmsService implements AwsJsonService {
  readonly name = 'kms';
  readonly targetPrefix = 'TrentService';
  readonly jsonVersion = '1.1' as const;
  private readonly file: string | undefined;
  private readonly state: KmsState;

  constructor(options: KmsServiceOptions = {}) {
    this.file = options.dataDir ? join(options.dataDir, 'kms', 'keys.json') : undefined;
    this.state = this.file ? loadState(this.file) : { version: 1, keys: [], aliases: [] };
  }

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    switch (operation) {
      case 'CreateKey':
        return this.createKey(input, context);
      case 'DescribeKey':
        return { KeyMetadata: this.keyMetadata(this.resolveKey(requiredString(input, 'KeyId'), context)) };
      case 'CreateAlias':
        return this.createAlias(input, context);
      case 'ListAliases':
        return this.listAliases(input, context);
      case 'GenerateMac':
        return this.generateMac(input, context);
      case 'VerifyMac':
        return this.verifyMac(input, context);
      case 'Encrypt':
        return this.encrypt(input, context);
      case 'Decrypt':
        return this.decrypt(input, context);
      default:
        throw unknownOperation('KMS', operation);
    }
  }

  private createKey(input: Record<string, unknown>, context: RequestContext): unknown {
    const requestedSpec =
      optionalString(input, 'KeySpec') ??
      optionalString(input, 'CustomerMasterKeySpec') ??
      'SYMMETRIC_DEFAULT';
    const requestedUsage = optionalString(input, 'KeyUsage');
    const description = optionalString(input, 'Description') ?? '';
    const origin = optionalString(input, 'Origin') ?? 'AWS_KMS';
    if (!(MODELLED_KEY_SPECS as readonly string[]).includes(requestedSpec)) {
      throw enumError(requestedSpec, 'keySpec', MODELLED_KEY_SPECS);
    }
    if (
      requestedUsage !== undefined &&
      !(MODELLED_KEY_USAGES as readonly string[]).includes(requestedUsage)
    ) {
      throw enumError(requestedUsage, 'keyUsage', MODELLED_KEY_USAGES);
    }
    if (description.length > 8192) {
      throw lengthError('description', 'less than or equal to 8192');
    }
    if (requestedSpec !== 'SYMMETRIC_DEFAULT' && requestedUsage === undefined) {
      throw validationError(
        'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
      );
    }
    const keyUsage = requestedUsage ?? 'ENCRYPT_DECRYPT';
    const hmac = HMAC_SPECS[requestedSpec];
    if (requestedSpec !== 'SYMMETRIC_DEFAULT' && !hmac) {
      throw new AwsServiceError(
        'UnsupportedOperationException',
        `KeySpec ${requestedSpec} is not supported by the local edge; it emulates SYMMETRIC_DEFAULT and HMAC keys`,
      );
    }
    const compatible = hmac ? keyUsage === 'GENERATE_VERIFY_MAC' : keyUsage === 'ENCRYPT_DECRYPT';
    if (!compatible) {
      throw validationError(`KeyUsage ${keyUsage} is not compatible with KeySpec ${requestedSpec}`);
    }
    if (origin !== 'AWS_KMS') {
      throw new AwsServiceError(
        'UnsupportedOperationException',
        `Origin ${origin} is not supported by the local edge; only AWS_KMS keys are emulated`,
      );
    }
    const key: StoredKey = {
      keyId: randomUUID(),
      region: context.region,
      accountId: context.accountId,
      keySpec: requestedSpec as EmulatedKeySpec,
      keyUsage: keyUsage as EmulatedKeyUsage,
      description,
      creationDate: Date.now() / 1000,
      material: randomBytes(hmac ? hmac.bytes : 32).toString('base64'),
      tags: parseTags(input.Tags),
    };
    this.state.keys.push(key);
    this.persist();
    return { KeyMetadata: this.keyMetadata(key) };
  }

  private createAlias(input: Record<string, unknown>, context: RequestContext): unknown {
    const aliasName = requiredString(input, 'AliasName');
    const targetKeyId = requiredString(input, 'TargetKeyId');
    validateAliasName(aliasName);
    if (targetKeyId.startsWith('alias/') || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(targetKeyId)) {
      throw validationError('Aliases must refer to keys. Not aliases');
    }
    const existing = this.findAlias(aliasName, context);
    if (existing) {
      throw new AwsServiceError(
        'AlreadyExistsException',
        `An alias with the name ${aliasArn(existing)} already exists`,
      );
    }
    const key = this.resolveKey(targetKeyId, context);
    const now = Date.now() / 1000;
    this.state.aliases.push({
      aliasName,
      region: context.region,
      accountId: context.accountId,
      targetKeyId: key.keyId,
      creationDate: now,
      lastUpdatedDate: now,
    });
    this.persist();
    return {};
  }

  private listAliases(input: Record<string, unknown>, context: RequestContext): unknown {
    const keyId = optionalString(input, 'KeyId');
    const limit = optionalInteger(input, 'Limit') ?? 100;
    const marker = optionalString(input, 'Marker');
    if (limit < 1 || limit > 1000) {
      throw validationError(
        `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000`,
      );
    }
    // ListAliases filters by a key id or key ARN, never by an alias.
    const target = keyId === undefined ? undefined : this.resolveKey(keyId, context, false);
    const aliases = this.state.aliases
      .filter((alias) => alias.region === context.region && alias.accountId === context.accountId)
      .filter((alias) => target === undefined || alias.targetKeyId === target.keyId)
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0));
    const start =
      marker === undefined ? 0 : aliases.findIndex((alias) => alias.aliasName > decodeMarker(marker));
    const page = start < 0 ? [] : aliases.slice(start, start + limit);
    const truncated = start >= 0 && start + limit < aliases.length;
    const last = page.at(-1);
    return {
      Aliases: page.map((alias) => ({
        AliasName: alias.aliasName,
        AliasArn: aliasArn(alias),
        TargetKeyId: alias.targetKeyId,
        CreationDate: alias.creationDate,
        LastUpdatedDate: alias.lastUpdatedDate,
      })),
      Truncated: truncated,
      ...(truncated && last ? { NextMarker: Buffer.from(last.aliasName).toString('base64') } : {}),
    };
  }

  private generateMac(input: Record<string, unknown>, context: RequestContext): unknown {
    const keyId = requiredString(input, 'KeyId');
    const message = requiredBlob(input, 'Message', 'message', MAX_PLAINTEXT_BYTES);
    const algorithm = macAlgorithm(input);
    const key = this.resolveKey(keyId, context);
    const spec = this.macSpec(key, algorithm, 'GenerateMac');
    throwIfDryRun(input);
    const mac = createHmac(spec.digest, Buffer.from(key.material, 'base64')).update(message).digest();
    return { Mac: mac.toString('base64'), MacAlgorithm: algorithm, KeyId: keyArn(key) };
  }

  private verifyMac(input: Record<string, unknown>, context: RequestContext): unknown {
    const keyId = requiredString(input, 'KeyId');
    const message = requiredBlob(input, 'Message', 'message', MAX_PLAINTEXT_BYTES);
    const mac = requiredBlob(input, 'Mac', 'mac', MAX_MAC_BYTES);
    const algorithm = macAlgorithm(input);
    const key = this.resolveKey(keyId, context);
    const spec = this.macSpec(key, algorithm, 'VerifyMac');
    throwIfDryRun(input);
    const expected = createHmac(spec.digest, Buffer.from(key.material, 'base64')).update(message).digest();
    // AWS never answers MacValid false: a mismatch is the KMSInvalidMacException error.
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      throw new AwsServiceError('KMSInvalidMacException', '');
    }
    return { KeyId: keyArn(key), MacValid: true, MacAlgorithm: algorithm };
  }

  private encrypt(input: Record<string, unknown>, context: RequestContext): unknown {
    const keyId = requiredString(input, 'KeyId');
    const plaintext = requiredBlob(input, 'Plaintext', 'plaintext', MAX_PLAINTEXT_BYTES);
    const encryptionContext = parseEncryptionContext(input.EncryptionContext);
    encryptionAlgorithm(input);
    const key = this.resolveKey(keyId, context);
    requireUsage(key, 'ENCRYPT_DECRYPT', 'Encrypt');
    throwIfDryRun(input);
    const blob = sealCiphertext(key.keyId, Buffer.from(key.material, 'base64'), plaintext, encryptionContext);
    return {
      CiphertextBlob: blob.toString('base64'),
      KeyId: keyArn(key),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  private decrypt(input: Record<string, unknown>, context: RequestContext): unknown {
    const blob = requiredBlob(input, 'CiphertextBlob', 'ciphertextBlob', MAX_CIPHERTEXT_BYTES);
    const encryptionContext = parseEncryptionContext(input.EncryptionContext);
    const requestedKeyId = optionalString(input, 'KeyId');
    encryptionAlgorithm(input);
    const requested = requestedKeyId === undefined ? undefined : this.resolveKey(requestedKeyId, context);
    const parsed = parseCiphertext(blob);
    if (!parsed) throw new AwsServiceError('InvalidCiphertextException', '');
    if (requested && requested.keyId !== parsed.keyId) {
      throw new AwsServiceError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
    const key = requested ?? this.resolveKey(parsed.keyId, context);
    requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
    throwIfDryRun(input);
    const plaintext = openCiphertext(parsed, Buffer.from(key.material, 'base64'), encryptionContext);
    if (!plaintext) throw new AwsServiceError('InvalidCiphertextException', '');
    return {
      KeyId: keyArn(key),
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  /** The key named by a key id, key ARN, alias name or alias ARN, in the caller's region, or NotFoundException. */
  private resolveKey(identifier: string, context: RequestContext, allowAlias = true): StoredKey {
    let keyId = identifier;
    const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):(key|alias)\/(.+)$/.exec(identifier);
    if (identifier.startsWith('arn:')) {
      if (!arn) throw new AwsServiceError('NotFoundException', `Invalid arn ${identifier}`);
      const [, region = '', account = '', kind = '', rest = ''] = arn;
      if (region !== context.region) throw new AwsServiceError('NotFoundException', `Invalid arn ${region}`);
      if (account !== context.accountId) {
        throw new AwsServiceError('NotFoundException', `Key '${identifier}' does not exist`);
      }
      if (kind === 'alias') {
        if (!allowAlias) throw new AwsServiceError('NotFoundException', `Invalid keyId '${identifier}'`);
        return this.resolveAlias(`alias/${rest}`, context);
      }
      keyId = rest;
    } else if (identifier.startsWith('alias/')) {
      if (!allowAlias) throw new AwsServiceError('NotFoundException', `Invalid keyId '${identifier}'`);
      return this.resolveAlias(identifier, context);
    }
    if (!UUID_PATTERN.test(keyId)) throw new AwsServiceError('NotFoundException', `Invalid keyId '${keyId}'`);
    const key = this.state.keys.find(
      (candidate) =>
        candidate.keyId === keyId.toLowerCase() &&
        candidate.region === context.region &&
        candidate.accountId === context.accountId,
    );
    if (!key) {
      throw new AwsServiceError(
        'NotFoundException',
        `Key 'arn:aws:kms:${context.region}:${context.accountId}:key/${keyId}' does not exist`,
      );
    }
    return key;
  }

  private resolveAlias(aliasName: string, context: RequestContext): StoredKey {
    const alias = this.findAlias(aliasName, context);
    if (!alias) {
      throw new AwsServiceError(
        'NotFoundException',
        `Alias arn:aws:kms:${context.region}:${context.accountId}:${aliasName} is not found.`,
      );
    }
    return this.resolveKey(alias.targetKeyId, context);
  }

  private findAlias(aliasName: string, context: RequestContext): StoredAlias | undefined {
    return this.state.aliases.find(
      (alias) =>
        alias.aliasName === aliasName &&
        alias.region === context.region &&
        alias.accountId === context.accountId,
    );
  }

  private macSpec(key: StoredKey, algorithm: MacAlgorithm, operation: string): (typeof HMAC_SPECS)[string] {
    requireUsage(key, 'GENERATE_VERIFY_MAC', operation);
    const spec = HMAC_SPECS[key.keySpec];
    if (!spec) throw new AwsServiceError('InvalidKeyUsageException', `${keyArn(key)} cannot compute MACs`);
    if (spec.algorithm !== algorithm) {
      throw new AwsServiceError(
        'InvalidKeyUsageException',
        `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
      );
    }
    return spec;
  }

  private keyMetadata(key: StoredKey): Record<string, unknown> {
    const hmac = HMAC_SPECS[key.keySpec];
    return {
      AWSAccountId: key.accountId,
      KeyId: key.keyId,
      Arn: keyArn(key),
      CreationDate: key.creationDate,
      Enabled: true,
      Description: key.description,
      KeyUsage: key.keyUsage,
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      ...(hmac ? { MacAlgorithms: [hmac.algorithm] } : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
      MultiRegion: false,
    };
  }

  /** Writes the whole store atomically: a crash mid-write must never leave a truncated key file. */
  private persist(): void {
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

/** The parts of a ciphertext blob produced by {@link sealCiphertext}. */
export interface ParsedCiphertext {
  readonly keyId: string;
  readonly header: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** Leading bytes of every blob, so that foreign or truncated input is told apart from a missing key. */
const CIPHERTEXT_MAGIC = Buffer.from([0x01, 0x46, 0x57, 0x4b]);
const HEADER_BYTES = CIPHERTEXT_MAGIC.length + 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The canonical bytes of an encryption context: pairs sorted by key, so that `{a, b}` and `{b, a}` authenticate
 * alike, as KMS treats the context as an unordered map.
 */
export function canonicalEncryptionContext(context: Readonly<Record<string, string>>): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/**
 * Encrypts with AES-256-GCM into a self-describing blob: `magic(4) | keyId(16) | iv(12) | tag(16) | ciphertext`.
 * The header and the encryption context are the additional authenticated data, so a changed key id, context or
 * byte anywhere makes decryption fail.
 */
export function sealCiphertext(
  keyId: string,
  material: Buffer,
  plaintext: Buffer,
  encryptionContext: Readonly<Record<string, string>>,
): Buffer {
  const header = Buffer.concat([CIPHERTEXT_MAGIC, Buffer.from(keyId.replaceAll('-', ''), 'hex')]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  cipher.setAAD(Buffer.concat([header, canonicalEncryptionContext(encryptionContext)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

/** Splits a blob into its parts, or undefined when it cannot have come from {@link sealCiphertext}. */
export function parseCiphertext(blob: Buffer): ParsedCiphertext | undefined {
  if (blob.length < HEADER_BYTES + IV_BYTES + TAG_BYTES) return undefined;
  if (!blob.subarray(0, CIPHERTEXT_MAGIC.length).equals(CIPHERTEXT_MAGIC)) return undefined;
  const hex = blob.subarray(CIPHERTEXT_MAGIC.length, HEADER_BYTES).toString('hex');
  return {
    keyId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    header: blob.subarray(0, HEADER_BYTES),
    iv: blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES),
    tag: blob.subarray(HEADER_BYTES + IV_BYTES, HEADER_BYTES + IV_BYTES + TAG_BYTES),
    ciphertext: blob.subarray(HEADER_BYTES + IV_BYTES + TAG_BYTES),
  };
}

/** Decrypts a parsed blob; undefined when authentication fails (wrong key, context or tampered bytes). */
export function openCiphertext(
  parsed: ParsedCiphertext,
  material: Buffer,
  encryptionContext: Readonly<Record<string, string>>,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, parsed.iv);
    decipher.setAAD(Buffer.concat([parsed.header, canonicalEncryptionContext(encryptionContext)]));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function loadState(file: string): KmsState {
  if (!existsSync(file)) return { version: 1, keys: [], aliases: [] };
  // A corrupt key file must stop the edge rather than be replaced: the keys in it cannot be recreated.
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KmsState>;
  if (!Array.isArray(parsed.keys) || !Array.isArray(parsed.aliases)) {
    throw new Error(`${file} is not a KMS key store written by the edge`);
  }
  return { version: 1, keys: parsed.keys, aliases: parsed.aliases };
}

function keyArn(key: StoredKey): string {
  return `arn:aws:kms:${key.region}:${key.accountId}:key/${key.keyId}`;
}

function aliasArn(alias: StoredAlias): string {
  return `arn:aws:kms:${alias.region}:${alias.accountId}:${alias.aliasName}`;
}

function validateAliasName(aliasName: string): void {
  if (aliasName.length < 1 || aliasName.length > 256) {
    throw lengthError(
      'aliasName',
      aliasName.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 256',
    );
  }
  if (!aliasName.startsWith('alias/')) {
    throw validationError(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (aliasName.startsWith('alias/aws/')) {
    // AWS answers a bare NotAuthorizedException here: the prefix belongs to AWS managed keys.
    throw new AwsServiceError('NotAuthorizedException', 'alias/aws/ is reserved for AWS managed keys');
  }
  if (aliasName.includes(':')) throw validationError(`${aliasName} contains invalid characters for an alias`);
  if (!ALIAS_PATTERN.test(aliasName)) {
    throw validationError(
      `1 validation error detected: Value '${aliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
    );
  }
}

function requireUsage(key: StoredKey, usage: EmulatedKeyUsage, operation: string): void {
  if (key.keyUsage !== usage) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `${keyArn(key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
    );
  }
}

function macAlgorithm(input: Record<string, unknown>): MacAlgorithm {
  const value = requiredString(input, 'MacAlgorithm');
  if (!(MAC_ALGORITHMS as readonly string[]).includes(value))
    throw enumError(value, 'macAlgorithm', MAC_ALGORITHMS);
  return value as MacAlgorithm;
}

function encryptionAlgorithm(input: Record<string, unknown>): void {
  const value = optionalString(input, 'EncryptionAlgorithm');
  const modelled = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
  if (value === undefined || value === 'SYMMETRIC_DEFAULT') return;
  if (!(modelled as readonly string[]).includes(value))
    throw enumError(value, 'encryptionAlgorithm', modelled);
  throw new AwsServiceError(
    'InvalidKeyUsageException',
    `Algorithm ${value} is incompatible with key spec SYMMETRIC_DEFAULT.`,
  );
}

function throwIfDryRun(input: Record<string, unknown>): void {
  if (input.DryRun === true) {
    throw new AwsServiceError(
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    );
  }
}

function parseEncryptionContext(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw serializationError('EncryptionContext must be a map of strings to strings');
  }
  const context: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string')
      throw serializationError('EncryptionContext must be a map of strings to strings');
    context[key] = entry;
  }
  return context;
}

function parseTags(value: unknown): { TagKey: string; TagValue: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw serializationError('Tags must be a list');
  return value.map((tag: unknown) => {
    if (typeof tag !== 'object' || tag === null) throw serializationError('each tag must be a structure');
    const { TagKey, TagValue } = tag as Record<string, unknown>;
    if (typeof TagKey !== 'string' || typeof TagValue !== 'string') {
      throw serializationError('each tag needs a string TagKey and TagValue');
    }
    if (TagKey.toLowerCase().startsWith('aws:')) {
      throw new AwsServiceError('TagException', 'Tags beginning with aws: are reserved');
    }
    return { TagKey, TagValue };
  });
}

function decodeMarker(marker: string): string {
  return Buffer.from(marker, 'base64').toString('utf8');
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) {
    throw validationError(
      `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'string') throw serializationError(`${field} must be a string`);
  if (value.length === 0) throw lengthError(lowerFirst(field), 'greater than or equal to 1');
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(`${field} must be a string`);
  return value;
}

function optionalInteger(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw serializationError(`${field} must be an integer`);
  return value;
}

/** A base64 blob field, decoded and checked against KMS's length bounds. */
function requiredBlob(
  input: Record<string, unknown>,
  field: string,
  member: string,
  maxBytes: number,
): Buffer {
  const value = input[field];
  if (value === undefined || value === null) {
    throw validationError(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw serializationError(`${field} must be base64-encoded binary data`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) {
    throw validationError(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (bytes.length > maxBytes) {
    throw validationError(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${maxBytes}`,
    );
  }
  return bytes;
}

function enumError(value: string, member: string, allowed: readonly string[]): AwsServiceError {
  return validationError(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

function lengthError(member: string, bound: string): AwsServiceError {
  return validationError(
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length ${bound}`,
  );
}

function serializationError(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
