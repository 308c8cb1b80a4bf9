/**
 * Where a command is in its workflow, and its id: the vocabulary the command store, the API and the
 * workflow share (the GraphQL enum `CommandStatus` spells the same values).
 */
import { randomBytes } from 'node:crypto';

/** Every status, in workflow order. */
export const COMMAND_STATUSES = [
  'requested',
  'approval_requested',
  'authorized',
  'denied',
  'succeeded',
  'failed',
] as const;

/** One of {@link COMMAND_STATUSES}. */
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Whether `value` is a {@link CommandStatus}. */
export function isCommandStatus(value: unknown): value is CommandStatus {
  return typeof value === 'string' && (COMMAND_STATUSES as readonly string[]).includes(value);
}

/** Crockford's base32: no I, L, O, U, so ids read aloud without ambiguity and sort as text. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The shape of a command id: `cmd_` and 26 base32 characters (ULID layout). */
export const COMMAND_ID_PATTERN = /^cmd_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A new command id: `cmd_` + 10 characters of milliseconds + 16 random characters (the ULID layout), so
 * ids sort by creation time, are URL-safe, valid Step Functions execution names (the execution is named
 * after its command) and cannot be guessed.
 */
export function newCommandId(now: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (!Number.isSafeInteger(now) || now < 0)
    throw new RangeError(`now must be epoch milliseconds, got ${now}`);
  if (random.length < 10) throw new RangeError('random must hold at least 10 bytes');
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i++) {
    time = BASE32[rest % 32]! + time;
    rest = Math.floor(rest / 32);
  }
  // 80 random bits, 5 at a time.
  let bits = 0;
  let value = 0;
  let tail = '';
  for (const byte of random.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      tail += BASE32[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return `cmd_${time}${tail}`;
}
