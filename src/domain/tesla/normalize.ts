/**
 * Value normalization shared by the binary and the protojson decoders, so that one record decodes to
 * the same values whichever way the server wrote it.
 */

import type { LocationValue, SignalValue } from './types.ts';

/** A JSON number literal: what older firmware puts into `string_value` for numeric signals. */
const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;

/** Tesla's location string, `"(37.412374 S, 122.145867 E)"`, read the way the server reads it (`%f %1s`). */
const LOCATION =
  /^\(\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([NS])\s*,\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([EW])\s*\)$/;

/** The location a Tesla location string names, or `undefined` if the string is not one. */
export function parseLocationString(text: string): LocationValue | undefined {
  const m = LOCATION.exec(text);
  if (m === null) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[3]);
  return { latitude: m[2] === 'S' ? -lat : lat, longitude: m[4] === 'W' ? -lon : lon };
}

/**
 * A `string_value`, normalized: a JSON number literal becomes the number (an integer beyond ±(2^53−1)
 * stays a string, to stay exact); a location string becomes a {@link LocationValue} (any field, not only
 * `Location`: the server converts `Location` only, but `OriginLocation`/`DestinationLocation` strings from
 * older firmware have the same shape, and nothing else does); anything else stays the string.
 */
export function normalizeString(text: string): SignalValue {
  const c = text.charCodeAt(0);
  // Cheap first-character gate: most strings are names and versions, which skip both regexps.
  if ((c >= 48 && c <= 57) || c === 45) {
    if (!NUMERIC.test(text)) return text;
    const n = Number(text);
    if (!Number.isFinite(n)) return text;
    if (!Number.isSafeInteger(n) && INTEGER.test(text)) return text;
    return n;
  }
  if (c === 40) return parseLocationString(text) ?? text;
  return text;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * A float32 as the shortest decimal that reads back as the same float32 (`65.3`, not
 * `65.30000305175781`): what Go's protojson prints, so binary and protojson records agree, and what a
 * human expects to see. NaN and ±Infinity (no measurement) become `null`.
 */
export function float32Value(f: number): number | null {
  if (!Number.isFinite(f)) return null;
  const magnitude = Math.abs(f);
  // Below 2^24 every integer is a float32 and is its own shortest form; above, 1.1e10 is 11000000512.
  if (magnitude < 16_777_216 && Number.isInteger(f)) return f;
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    // Fewest decimal places first: for a fixed magnitude that is fewest significant digits, and
    // Math.round picks the nearest such decimal. A few multiplications beat toPrecision() by far.
    for (let d = 1; d < POW10.length; d += 1) {
      const scale = POW10[d] as number;
      const candidate = Math.round(f * scale) / scale;
      if (Math.fround(candidate) === f) return candidate;
    }
  }
  // Tiny, huge and subnormal values: fewest significant digits first (subnormals may need only one).
  for (let p = 1; p < 9; p += 1) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}

/** A double, with NaN and ±Infinity (no measurement) as `null`. */
export function doubleValue(d: number): number | null {
  return Number.isFinite(d) ? d : null;
}

/** Largest |seconds| a JavaScript Date can hold (±8.64e15 ms). */
const MAX_DATE_SECONDS = 8_640_000_000_000;

/**
 * Epoch milliseconds of a Timestamp, or `undefined` if it is not a valid instant (nanos outside
 * 0..999,999,999 as the Timestamp spec requires, or beyond what a Date can hold).
 */
export function timestampMillis(seconds: number, nanos: number): number | undefined {
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return undefined;
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > MAX_DATE_SECONDS) return undefined;
  const ms = seconds * 1000 + Math.floor(nanos / 1_000_000);
  return Math.abs(ms) > MAX_DATE_SECONDS * 1000 ? undefined : ms;
}

const DAY_MS = 86_400_000;
/** Days from the epoch to 0000-01-01 and to 10000-01-01: outside, toISOString writes 6-digit years. */
const FIRST_DAY = -719_528;
const END_DAY = 2_932_897;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/**
 * Epoch milliseconds as ISO-8601 UTC with milliseconds (`2023-11-14T22:13:20.000Z`), exactly as
 * `Date#toISOString`. Records of a batch share their day, so the date part is cached and only the time
 * is formatted: this runs once per record and `toISOString` alone cost a quarter of the decoding time.
 */
export function isoOfMillis(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    if (day < FIRST_DAY || day >= END_DAY) return new Date(ms).toISOString();
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

/**
 * Seconds at or above this in an alert's `started_at`/`ended_at` are really milliseconds: 315576000000 s
 * is the largest Duration protobuf allows, and the server converts such values (`time.UnixMilli`).
 */
export const ALERT_MILLIS_THRESHOLD_SECONDS = 315_576_000_000;

/** An alert timestamp's epoch milliseconds, undoing the vehicle's seconds-that-are-milliseconds. */
export function alertTimestampMillis(seconds: number, nanos: number): number | undefined {
  // The server drops the nanos of such a value (time.UnixMilli(seconds)); so do we.
  if (seconds >= ALERT_MILLIS_THRESHOLD_SECONDS) {
    return Number.isSafeInteger(seconds) && seconds <= MAX_DATE_SECONDS * 1000 ? seconds : undefined;
  }
  return timestampMillis(seconds, nanos);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp (what protojson writes for a Timestamp) as `{ seconds, nanos }`, or `undefined`. */
export function parseRfc3339(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, 0);
  let seconds = date.getTime() / 1000;
  if (m[8] === undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds += m[9] === '+' ? -offset : offset;
  }
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds, nanos };
}

/**
 * A Timestamp as protojson writes it (Go's protojson): RFC 3339 in UTC with `Z`, and 0, 3, 6 or 9
 * fractional digits. `undefined` outside years 0001..9999, which RFC 3339 cannot write.
 */
export function formatRfc3339(seconds: number, nanos: number): string | undefined {
  if (seconds < -62_135_596_800 || seconds > 253_402_300_799) return undefined;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  const digits = String(nanos).padStart(9, '0');
  const frac =
    nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1000 === 0 ? digits.slice(0, 6) : digits;
  return `${base}.${frac}Z`;
}

/**
 * An int64 as a number when it is exact in a double, else as its decimal string: `long_value` signals
 * beyond ±(2^53−1) would otherwise be silently rounded.
 */
export function int64Value(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

/**
 * Sets a member without letting a `__proto__` key replace the object's prototype: error tag keys and
 * protojson field names come from outside.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}
