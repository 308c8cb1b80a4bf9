/**
 * VINs for simulated vehicles: 17 characters of ISO 3779's alphabet with a correct North American
 * check digit, so they pass every validation a real VIN passes, yet obviously fake: the model-line
 * position spells `FLEET`, which no Tesla VIN does (real ones carry S, X, 3, Y, … there), so a simulated
 * VIN can never collide with a real vehicle's.
 */

import { hashString } from './random.ts';

/** 17 characters, ISO 3779 alphabet (no I, O, Q). */
const VIN_SHAPE = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Tesla's Fremont WMI, then the fake descriptor section. */
const PREFIX = '5YJFLEET';

/** Model-year codes 2019..2025 (ISO 3779 skips I, O, Q, U, Z and 0). */
const YEAR_CODES = ['K', 'L', 'M', 'N', 'P', 'R', 'S'] as const;

/** Letter values of the check-digit computation: A–H → 1–8, J–R → 1–9 (no O, Q), S–Z → 2–9 (no I). */
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const LETTER_VALUES = '12345678123457923456789';
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;

function valueOf(char: string): number {
  const digit = char.charCodeAt(0) - 48;
  if (digit >= 0 && digit <= 9) return digit;
  const at = LETTERS.indexOf(char);
  return at < 0 ? 0 : Number(LETTER_VALUES.charAt(at));
}

/** The check digit (position 9) of a 17-character VIN, as 49 CFR 565 computes it: `0`–`9` or `X`. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += valueOf(vin.charAt(i)) * (WEIGHTS[i] ?? 0);
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** Whether `vin` is 17 characters of the ISO 3779 alphabet with a correct check digit. */
export function isValidVin(vin: string): boolean {
  return VIN_SHAPE.test(vin) && vin.charAt(8) === vinCheckDigit(vin);
}

/**
 * The VIN of simulated vehicle `index` (0-based) under `seed`: the same every run, different per index
 * (unique for up to a million vehicles per seed).
 */
export function simulatedVin(seed: number, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 1_000_000) {
    throw new RangeError(`vehicle index ${index} is outside 0..999999`);
  }
  const h = hashString(`vin:${seed >>> 0}`);
  const year = YEAR_CODES[h % YEAR_CODES.length] as string;
  // Adding the index to a seeded base keeps serials unique within a seed.
  const serial = String((((h >>> 3) % 1_000_000) + index) % 1_000_000).padStart(6, '0');
  const draft = `${PREFIX}0${year}F${serial}`;
  return `${PREFIX}${vinCheckDigit(draft)}${year}F${serial}`;
}
