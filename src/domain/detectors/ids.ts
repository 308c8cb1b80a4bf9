/**
 * Deterministic ids for what the detectors mint (trips, charging sessions, alerts): a hash of what
 * identifies the occurrence, so a redelivered batch, or a batch processed again after its state write
 * was lost, yields the same ids and consumers can drop the repeats.
 */
import { createHash } from 'node:crypto';

/**
 * `<prefix>_` + 26 URL-safe base64 characters (156 bits) of SHA-256 over the parts. The tenant is part of
 * the input so that two tenants can never collide, and the result (30+ characters with `_`) can never
 * look like a 17-character VIN.
 */
export function deterministicId(prefix: 'trp' | 'chg' | 'alr', parts: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  // The separator cannot occur in the parts' text (ids and numbers), so ("a|b", "c") ≠ ("a", "b|c").
  hash.update(parts.map(String).join('\u0000'));
  return `${prefix}_${hash.digest('base64url').slice(0, 26)}`;
}

/** A short hash of the parts (16 URL-safe base64 characters): a compact dedup key for stored state. */
export function hashKey(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.map(String).join('\u0000')).digest('base64url').slice(0, 16);
}
