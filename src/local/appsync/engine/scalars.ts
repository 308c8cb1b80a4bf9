/**
 * AppSync's AWS scalars (`AWSDateTime`, `AWSJSON`, …), which AppSync defines without the schema declaring
 * them. Each validates as AppSync documents it, with a message saying what was expected.
 */
import { isIP } from 'node:net';
import { GraphQLError, Kind, print, type ValueNode } from 'graphql';

/** A scalar's behaviour, to install on the schema's `GraphQLScalarType`. */
export interface ScalarImplementation {
  readonly description: string;
  serialize(value: unknown): unknown;
  parseValue(value: unknown): unknown;
  parseLiteral(node: ValueNode): unknown;
}

const OFFSET = '(Z|[+-]\\d{2}:\\d{2}(:\\d{2})?)';
const DATE = '\\d{4}-\\d{2}-\\d{2}';
const TIME = '\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?';
const DATE_PATTERN = new RegExp(`^${DATE}${OFFSET}?$`);
const TIME_PATTERN = new RegExp(`^${TIME}${OFFSET}?$`);
/** AppSync requires the offset on a date-time: without it the instant is ambiguous. */
const DATE_TIME_PATTERN = new RegExp(`^${DATE}T${TIME}${OFFSET}$`);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{2,30}$/;

const describe = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** A string scalar that checks its values with `valid`. */
function stringScalar(
  name: string,
  expected: string,
  valid: (value: string) => boolean,
): ScalarImplementation {
  const check = (value: unknown): string => {
    if (typeof value !== 'string' || !valid(value)) {
      throw new GraphQLError(`${name} must be ${expected}; got ${describe(value)}.`);
    }
    return value;
  };
  return {
    description: `${name}: ${expected}.`,
    serialize: (value) => check(value instanceof Date ? value.toISOString() : value),
    parseValue: check,
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string: ${expected}.`);
      return check(node.value);
    },
  };
}

const validDate = (text: string, pattern: RegExp): boolean => {
  if (!pattern.test(text)) return false;
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

const validTime = (text: string): boolean => {
  const [, hours, minutes, seconds] = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text) ?? [];
  if (hours === undefined || minutes === undefined) return false;
  return Number(hours) < 24 && Number(minutes) < 60 && (seconds === undefined || Number(seconds) < 60);
};

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol.length > 1 && !url.pathname.slice(1).includes('//');
  } catch {
    return false;
  }
}

function validIpAddress(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
}

/**
 * `AWSJSON`: a JSON string on the wire. Arguments arrive in resolvers parsed (a map, list or scalar), as in
 * AppSync; a variable may also hold the JSON value itself (an object rather than its text), which is how
 * EventBridge input transformers pass event fields. Results are sent as JSON text: a string that already is
 * JSON text is sent as it is, anything else is stringified.
 */
const awsJson: ScalarImplementation = {
  description: 'AWSJSON: a JSON value, sent as its text.',
  serialize(value) {
    if (typeof value === 'string') {
      try {
        JSON.parse(value);
        return value;
      } catch {
        return JSON.stringify(value);
      }
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new GraphQLError(`AWSJSON cannot represent ${describe(value)}.`);
    return text;
  },
  parseValue(value) {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new GraphQLError(
        `AWSJSON must be valid JSON text (a string such as "{\\"a\\":1}"); got ${value.length} characters that do not parse.`,
      );
    }
  },
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) {
      throw new GraphQLError(
        `AWSJSON must be written as a string holding JSON, e.g. "{\\"a\\":1}"; got ${print(node).slice(0, 40)}.`,
      );
    }
    return awsJson.parseValue(node.value);
  },
};

/** `AWSTimestamp`: whole seconds since the epoch (beyond GraphQL's 32-bit `Int`). */
const awsTimestamp: ScalarImplementation = {
  description: 'AWSTimestamp: seconds since 1970-01-01T00:00:00Z.',
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw new GraphQLError(`AWSTimestamp must be a whole number of seconds; got ${describe(value)}.`);
  },
  parseValue(value) {
    return awsTimestamp.serialize(value);
  },
  parseLiteral(node) {
    if (node.kind !== Kind.INT) throw new GraphQLError('AWSTimestamp must be a whole number of seconds.');
    return awsTimestamp.parseValue(Number(node.value));
  },
};

/** Every AWS scalar by name. */
export const AWS_SCALARS: Readonly<Record<string, ScalarImplementation>> = {
  AWSDate: stringScalar('AWSDate', 'an ISO 8601 date YYYY-MM-DD, optionally with an offset', (text) =>
    validDate(text, DATE_PATTERN),
  ),
  AWSTime: stringScalar(
    'AWSTime',
    'an ISO 8601 time hh:mm[:ss[.sss]], optionally with an offset',
    (text) => TIME_PATTERN.test(text) && validTime(text),
  ),
  AWSDateTime: stringScalar(
    'AWSDateTime',
    'an ISO 8601 date and time with an offset, e.g. 2025-01-31T12:00:00.000Z',
    (text) =>
      validDate(text, /^\d{4}-\d{2}-\d{2}T/) && DATE_TIME_PATTERN.test(text) && validTime(text.slice(11)),
  ),
  AWSTimestamp: awsTimestamp,
  AWSEmail: stringScalar('AWSEmail', 'an email address (local@domain)', (text) => EMAIL_PATTERN.test(text)),
  AWSJSON: awsJson,
  AWSURL: stringScalar('AWSURL', 'a URL with a scheme, e.g. https://example.com/path', validUrl),
  AWSPhone: stringScalar(
    'AWSPhone',
    'a phone number: digits, spaces and hyphens, optionally +country code',
    (text) => PHONE_PATTERN.test(text),
  ),
  AWSIPAddress: stringScalar('AWSIPAddress', 'an IPv4 or IPv6 address, optionally /prefix', validIpAddress),
};
