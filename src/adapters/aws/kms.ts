import { DecryptCommand, EncryptCommand, GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MacProvider } from '../../ports/mac-provider.ts';
import type { VinVault } from '../../ports/vehicle-directory.ts';
import { tableName, VIN_VAULT_TABLE } from './dynamodb/table-definitions.ts';

/** The alias of the HMAC key VINs are pseudonymized with. */
export const PSEUDONYM_KEY_ALIAS = 'alias/fleetwire-pseudonym';
/** The alias of the symmetric key the VIN vault encrypts with. */
export const VIN_VAULT_KEY_ALIAS = 'alias/fleetwire-vin-vault';

/** {@link MacProvider} on KMS `GenerateMac` with an HMAC_256 key. */
export class KmsMacProvider implements MacProvider {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId = process.env.PSEUDONYM_KEY_ID ?? PSEUDONYM_KEY_ALIAS,
  ) {}

  async generateMac(message: Uint8Array): Promise<Uint8Array> {
    const { Mac } = await this.kms.send(
      new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message }),
    );
    if (!Mac) throw new Error('KMS GenerateMac answered without a Mac');
    return Mac;
  }
}

/**
 * {@link VinVault} on DynamoDB with KMS envelope-free encryption (a VIN is far below KMS's 4 KB limit).
 * The encryption context binds each ciphertext to its vehicle and tenant, so a row copied to another
 * vehicle does not decrypt.
 */
export class KmsVinVault implements VinVault {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly kms: KMSClient,
    dynamodb: DynamoDBClient,
    private readonly table = tableName(VIN_VAULT_TABLE),
    private readonly keyId = process.env.VIN_VAULT_KEY_ID ?? VIN_VAULT_KEY_ALIAS,
  ) {
    this.documents = DynamoDBDocumentClient.from(dynamodb);
  }

  async seal(vehicleId: string, tenantId: string, vin: string): Promise<void> {
    const { CiphertextBlob } = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: new TextEncoder().encode(vin),
        EncryptionContext: { vehicleId, tenantId },
      }),
    );
    if (!CiphertextBlob) throw new Error('KMS Encrypt answered without a CiphertextBlob');
    await this.documents.send(
      new PutCommand({ TableName: this.table, Item: { vehicleId, tenantId, ciphertext: CiphertextBlob } }),
    );
  }

  async reveal(vehicleId: string): Promise<string | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.table, Key: { vehicleId } }));
    if (!Item) return undefined;
    const { Plaintext } = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Item.ciphertext as Uint8Array,
        EncryptionContext: { vehicleId, tenantId: String(Item.tenantId) },
      }),
    );
    if (!Plaintext) throw new Error('KMS Decrypt answered without a Plaintext');
    return new TextDecoder().decode(Plaintext);
  }
}
