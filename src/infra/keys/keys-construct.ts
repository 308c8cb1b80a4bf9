/**
 * The keys bounded context in AWS: the HMAC key that turns VINs into vehicle ids, and the key of the VIN
 * vault. Both under the aliases the adapters default to (`src/adapters/aws/kms.ts`).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PSEUDONYM_KEY_ALIAS, VIN_VAULT_KEY_ALIAS } from '../../adapters/aws/kms.ts';

/** The environment variable `KmsMacProvider` reads the pseudonym key from. */
export const PSEUDONYM_KEY_ENV = 'PSEUDONYM_KEY_ID';
/** The environment variable `KmsVinVault` reads the vault key from. */
export const VIN_VAULT_KEY_ENV = 'VIN_VAULT_KEY_ID';

/** Properties of {@link FleetwireKeys}. */
export interface FleetwireKeysProps {
  /** @default PSEUDONYM_KEY_ALIAS (`alias/fleetwire-pseudonym`) */
  readonly pseudonymKeyAlias?: string;
  /** @default VIN_VAULT_KEY_ALIAS (`alias/fleetwire-vin-vault`) */
  readonly vinVaultKeyAlias?: string;
  /**
   * An existing HMAC_256 key to pseudonymize with instead of creating one: the key a deleted stack left
   * behind (both keys are retained), so that a redeployed stack keeps every vehicle id.
   *
   * @default - a new key
   */
  readonly existingPseudonymKey?: kms.IKey;
}

/**
 * The two KMS keys of Fleetwire. Both are retained when the stack or the construct goes away: a new HMAC
 * key would give every vehicle a new id (orphaning its state, history and registrations), and without the
 * vault key no command could ever be dispatched to a registered vehicle again.
 *
 * Functions get access through the `grant*` methods, which also set the environment variable the adapter
 * reads the key from; the key ARN is passed rather than the alias so IAM and the call name the same key.
 */
export class FleetwireKeys extends Construct {
  /** HMAC_256, `GENERATE_VERIFY_MAC`: vehicle id = HMAC-SHA256(VIN). */
  public readonly pseudonymKey: kms.IKey;
  /** The alias of {@link pseudonymKey}. */
  public readonly pseudonymKeyAlias: kms.Alias;
  /** Symmetric, `ENCRYPT_DECRYPT`, rotated yearly: encrypts the VIN vault's rows. */
  public readonly vinVaultKey: kms.Key;
  /** The alias of {@link vinVaultKey}. */
  public readonly vinVaultKeyAlias: kms.Alias;

  public constructor(scope: Construct, id: string, props: FleetwireKeysProps = {}) {
    super(scope, id);

    // KMS rotates only symmetric encryption keys; an HMAC key's material is fixed for life, and rotating
    // it would change every pseudonym anyway.
    this.pseudonymKey =
      props.existingPseudonymKey ??
      new kms.Key(this, 'PseudonymKey', {
        description: 'Fleetwire: HMAC key that pseudonymizes VINs into vehicle ids (GenerateMac)',
        keySpec: kms.KeySpec.HMAC_256,
        keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
        enableKeyRotation: false,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.pseudonymKeyAlias = new kms.Alias(this, 'PseudonymKeyAlias', {
      aliasName: props.pseudonymKeyAlias ?? PSEUDONYM_KEY_ALIAS,
      targetKey: this.pseudonymKey,
    });

    this.vinVaultKey = new kms.Key(this, 'VinVaultKey', {
      description: 'Fleetwire: encrypts the VINs of the VIN vault; only command dispatch may decrypt',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      // Free for the key itself; old material stays usable for decryption.
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vinVaultKeyAlias = new kms.Alias(this, 'VinVaultKeyAlias', {
      aliasName: props.vinVaultKeyAlias ?? VIN_VAULT_KEY_ALIAS,
      targetKey: this.vinVaultKey,
    });
  }

  /** Grants `fn` exactly `kms:GenerateMac` on the pseudonym key, and sets `PSEUDONYM_KEY_ID`. */
  public grantGenerateMac(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(PSEUDONYM_KEY_ENV, this.pseudonymKey.keyArn);
    return this.pseudonymKey.grant(fn, 'kms:GenerateMac');
  }

  /** Grants `fn` exactly `kms:Encrypt` on the vault key (sealing VINs at registration), sets `VIN_VAULT_KEY_ID`. */
  public grantVaultEncrypt(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(VIN_VAULT_KEY_ENV, this.vinVaultKey.keyArn);
    return this.vinVaultKey.grant(fn, 'kms:Encrypt');
  }

  /**
   * Grants `fn` exactly `kms:Decrypt` on the vault key, and sets `VIN_VAULT_KEY_ID`. Only the command
   * dispatch step may hold this: it is the one place a real VIN is revealed.
   */
  public grantVaultDecrypt(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(VIN_VAULT_KEY_ENV, this.vinVaultKey.keyArn);
    return this.vinVaultKey.grant(fn, 'kms:Decrypt');
  }
}
