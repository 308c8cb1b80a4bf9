/**
 * Computes a keyed MAC (HMAC-SHA256) with a key the caller never sees: KMS `GenerateMac` in AWS and on
 * the local edge. The pseudonym of a VIN is derived from it.
 */
export interface MacProvider {
  generateMac(message: Uint8Array): Promise<Uint8Array>;
}
