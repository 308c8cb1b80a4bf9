/**
 * IP addresses and CIDR blocks as EventBridge reads them, for the `cidr` operator and for exact values that
 * are IP addresses (EventBridge compares those as addresses, so `"2001:db8::1"` equals
 * `"2001:0db8:0:0:0:0:0:1"`).
 */
import { invalid } from './pattern-error.ts';

/** An address reduced to its bytes, as fixed-width hex so that ranges compare as strings. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** 8 (IPv4) or 32 (IPv6) upper-case hex digits. */
  readonly hex: string;
}

/** The inclusive range of addresses a CIDR block covers. */
export interface CidrRange {
  readonly family: 4 | 6;
  readonly low: string;
  readonly high: string;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
// EventBridge admits anything made of hex digits and colons with at least one colon. Written as one
// character class plus an `includes(':')` because the two-class form backtracks quadratically.
const IPV6_CHARS = /^[0-9a-fA-F:]+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Whether EventBridge would even try to read `text` as an address. Text that fails this is never an
 * address; text that passes but does not parse is a malformed address (which matters for error wording).
 */
function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || (text.includes(':') && IPV6_CHARS.test(text));
}

function parseIpv4(text: string): number[] | undefined {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    // Octets are decimal even with leading zeros (never octal), as Java's InetAddress reads them.
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes.length === 4 ? bytes : undefined;
}

function parseIpv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    for (const group of half.split(':')) {
      if (!HEX_GROUP.test(group)) return undefined;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0] ?? '');
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = toGroups(halves[1] ?? '');
  // `::` stands for at least one zero group.
  if (tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function toHex(bytes: readonly number[]): string {
  return bytes
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** The address an event or pattern string denotes, or `undefined` for any other string. */
export function ipAddressOf(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) {
    const bytes = parseIpv4(text);
    return bytes === undefined ? undefined : { family: 4, hex: toHex(bytes) };
  }
  if (!text.includes(':') || !IPV6_CHARS.test(text)) return undefined;
  const groups = parseIpv6Groups(text);
  if (groups === undefined) return undefined;
  // Java's InetAddress turns IPv4-mapped IPv6 (::ffff:a.b.c.d) into the IPv4 address, and so does AWS.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const bytes = groups.slice(6).flatMap((group) => [group >> 8, group & 0xff]);
    return { family: 4, hex: toHex(bytes) };
  }
  return { family: 6, hex: toHex(groups.flatMap((group) => [group >> 8, group & 0xff])) };
}

/** Whether `address` lies in `range`. Fixed-width hex strings of one family compare like the numbers. */
export function isInRange(address: IpAddress, range: CidrRange): boolean {
  return address.family === range.family && address.hex >= range.low && address.hex <= range.high;
}

/** `String.split` as Java does it (trailing empty strings dropped), because AWS counts the parts that way. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  if (text === '') return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Compiles the operand of `{"cidr": "..."}`; throws `InvalidEventPatternError` with AWS's reasons.
 * Host bits need not be zero (`10.0.0.5/24` covers 10.0.0.0–10.0.0.255), as in AWS.
 */
export function parseCidr(text: string): CidrRange {
  const parts = javaSplit(text, '/');
  if (parts.length !== 2) invalid("Malformed CIDR, one '/' required");
  const [ipText = '', maskText = ''] = parts;
  const maskBits = /^[+-]?[0-9]+$/.test(maskText) ? Number(maskText) : Number.NaN;
  if (!Number.isSafeInteger(maskBits) || Math.abs(maskBits) > 2 ** 31 - 1) {
    invalid('Malformed CIDR, mask bits must be an integer');
  }
  if (maskBits < 0) invalid('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(ipText)) invalid(`Nonstandard IP address: ${ipText}`);
  const address = ipAddressOf(ipText) ?? invalid(`Invalid IP address: ${ipText}`);
  // AWS rejects /32 and /128 (a single address is written as a plain value instead).
  if (address.family === 4 && maskBits > 31) invalid('IPv4 mask bits must be < 32');
  if (address.family === 6 && maskBits > 127) invalid('IPv6 mask bits must be < 128');

  const width = address.family === 4 ? 32n : 128n;
  const hostMask = (1n << (width - BigInt(maskBits))) - 1n;
  const value = BigInt(`0x${address.hex}`);
  const digits = address.hex.length;
  const hex = (n: bigint): string => n.toString(16).toUpperCase().padStart(digits, '0');
  return { family: address.family, low: hex(value & ~hostMask), high: hex(value | hostMask) };
}
