/**
 * Protojson decoding of the four topics (the server's `transmit_decoded_records: true`): Go's protojson
 * with lowerCamelCase keys, enum names, int64 as strings, Timestamps as RFC 3339 and unpopulated fields
 * emitted (`null` messages). Parsed, never compared byte by byte; proto names are accepted too, as every
 * protojson parser does, and members this schema does not know are ignored (a newer server may send
 * them). The values come out exactly as the binary decoder produces them.
 */

import type { TeslaDecodeReason } from './errors.ts';
import {
  doubleValue,
  float32Value,
  int64Value,
  isoOfMillis,
  normalizeString,
  parseRfc3339,
  setOwn,
  timestampMillis,
} from './normalize.ts';
import { AUDIENCE, CONNECTIVITY_EVENT, Kind, signalKeyOf, VALUE_MEMBER_BY_JSON_NAME } from './schema.ts';
import type { EnumTable, MemberSpec, StructSpec } from './schema.ts';
import type {
  AlertAudience,
  DecodedRecord,
  SignalValue,
  Signals,
  TeslaTopic,
  UnknownStructValue,
  VehicleAlert,
  VehicleAlertsRecord,
  VehicleConnectivityRecord,
  VehicleDataRecord,
  VehicleError,
  VehicleErrorsRecord,
} from './types.ts';

/** A parsed JSON object. */
type JsonObject = { readonly [key: string]: unknown };

/** Why and where protojson decoding stopped; the caller adds the topic. */
export class JsonFailure extends Error {
  constructor(
    readonly reason: TeslaDecodeReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function fail(reason: TeslaDecodeReason, detail: string): never {
  throw new JsonFailure(reason, detail);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member by its protojson name, else by its proto name. */
function member(obj: JsonObject, jsonName: string, protoName: string): unknown {
  const value = obj[jsonName];
  return value === undefined ? obj[protoName] : value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function invalid(path: string, value: unknown, expected: string): never {
  return fail('invalid-field', `${path}: ${describe(value)} is not ${expected}`);
}

function stringAt(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : invalid(path, value, 'a string');
}

function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : invalid(path, value, 'an array');
}

function objectAt(value: unknown, path: string): JsonObject {
  return isObject(value) ? value : fail('not-an-object', `${path}: ${describe(value)} is not an object`);
}

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int32At(value: unknown, path: string): number {
  const n = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return n;
  return invalid(path, value, 'an int32');
}

function int64At(value: unknown, path: string): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const big = BigInt(value);
    if (big >= INT64_MIN && big <= INT64_MAX) return int64Value(big);
  }
  return invalid(path, value, 'an int64');
}

/** A protojson float/double: a number, a numeric string, or `"NaN"`/`"Infinity"`/`"-Infinity"`. */
function floatingAt(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    if (NUMBER_TEXT.test(value)) return Number(value);
  }
  return invalid(path, value, 'a number');
}

/** An enum value: its name (a name this schema does not know passes through, prefix stripped) or number. */
function enumAt(table: EnumTable, value: unknown, path: string): string | number {
  if (typeof value === 'string') {
    const short = table.shortByFullName.get(value);
    if (short !== undefined) return short;
    return table.prefix !== '' && value.startsWith(table.prefix) && value.length > table.prefix.length
      ? value.slice(table.prefix.length)
      : value;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return table.shortById[value] ?? value;
  return invalid(path, value, `a ${table.typeName} value`);
}

function structAt(spec: StructSpec, value: unknown, path: string): SignalValue {
  if (!isObject(value)) return invalid(path, value, `a ${spec.typeName} object`);
  const out: Record<string, string | number | boolean | null> = { ...spec.defaults };
  for (const key in value) {
    const sub = spec.byJsonName.get(key);
    const v = value[key];
    if (sub === undefined || v === null) continue;
    out[sub.name] = memberAt(sub, v, `${path}.${key}`) as string | number | boolean | null;
  }
  return out;
}

function memberAt(m: MemberSpec, value: unknown, path: string): SignalValue {
  switch (m.kind) {
    case Kind.String:
      return normalizeString(typeof value === 'string' ? value : invalid(path, value, 'a string'));
    case Kind.Double:
      return doubleValue(floatingAt(value, path));
    case Kind.Float:
      return float32Value(Math.fround(floatingAt(value, path)));
    case Kind.Enum:
      return enumAt(m.enumTable as EnumTable, value, path);
    case Kind.Bool:
      return typeof value === 'boolean' ? value : invalid(path, value, 'a boolean');
    case Kind.Int32:
      return int32At(value, path);
    case Kind.Int64:
      return int64At(value, path);
    case Kind.Invalid:
      return typeof value === 'boolean' ? null : invalid(path, value, 'a boolean');
    case Kind.Struct:
      return structAt(m.struct as StructSpec, value, path);
  }
}

/** A `Value` member this schema does not know, from a newer server: primitives pass through. */
function unknownMemberAt(value: unknown): SignalValue | undefined {
  if (typeof value === 'string') return normalizeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (!isObject(value)) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  for (const key in value) {
    const v = value[key];
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  return out satisfies UnknownStructValue;
}

function valueAt(value: unknown, path: string): SignalValue {
  if (value === undefined || value === null) return null;
  const obj = objectAt(value, path);
  let out: SignalValue | undefined;
  for (const key in obj) {
    const v = obj[key];
    if (v === null) continue;
    const m = VALUE_MEMBER_BY_JSON_NAME.get(key);
    out = m === undefined ? unknownMemberAt(v) : memberAt(m, v, `${path}.${key}`);
  }
  return out === undefined ? null : out;
}

function signalKeyAt(value: unknown, path: string): string {
  if (value === undefined || value === null) return signalKeyOf(0);
  // A name this schema does not know (a newer server's field) is still the field's name.
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return signalKeyOf(value);
  return invalid(path, value, 'a Field name or number');
}

/** A Timestamp's epoch milliseconds, `undefined` for an unpopulated (`null`) one. */
function timestampAt(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    return fail('invalid-timestamp', `${path}: ${describe(value)} is not RFC 3339`);
  const parsed = parseRfc3339(value);
  const ms = parsed === undefined ? undefined : timestampMillis(parsed.seconds, parsed.nanos);
  return ms === undefined ? fail('invalid-timestamp', `${path}: ${describe(value)} is not RFC 3339`) : ms;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : isoOfMillis(ms);
}

function vinAt(obj: JsonObject, path: string): string {
  const vin = stringAt(obj.vin, path);
  return vin === '' ? fail('missing-vin', `${path} is empty`) : vin;
}

function decodePayload(doc: JsonObject): VehicleDataRecord {
  const signals: Signals = {};
  const data = arrayAt(doc.data, 'Payload.data');
  for (let i = 0; i < data.length; i += 1) {
    const datum = objectAt(data[i], `Payload.data[${i}]`);
    const key = signalKeyAt(datum.key, `Payload.data[${i}].key`);
    setOwn(signals, key, valueAt(datum.value, `Payload.data[${i}].value`));
  }
  const isResend = member(doc, 'isResend', 'is_resend');
  if (isResend !== undefined && isResend !== null && typeof isResend !== 'boolean') {
    invalid('Payload.isResend', isResend, 'a boolean');
  }
  return {
    topic: 'V',
    vin: vinAt(doc, 'Payload.vin'),
    createdAt: isoOfMillis(timestampAt(member(doc, 'createdAt', 'created_at'), 'Payload.createdAt') ?? 0),
    isResend: isResend === true,
    signals,
  };
}

function audienceAt(value: unknown, path: string): AlertAudience {
  return enumAt(AUDIENCE, value, path);
}

function decodeAlerts(doc: JsonObject): VehicleAlertsRecord {
  const alerts: VehicleAlert[] = arrayAt(doc.alerts, 'VehicleAlerts.alerts').map((item, i) => {
    const path = `VehicleAlerts.alerts[${i}]`;
    const alert = objectAt(item, path);
    return {
      name: stringAt(alert.name, `${path}.name`),
      audiences: arrayAt(alert.audiences, `${path}.audiences`).map((a, j) =>
        audienceAt(a, `${path}.audiences[${j}]`),
      ),
      // RFC 3339 cannot hold the vehicle's seconds-that-are-milliseconds, so there is nothing to undo here.
      startedAt: isoOrNull(timestampAt(member(alert, 'startedAt', 'started_at'), `${path}.startedAt`)),
      endedAt: isoOrNull(timestampAt(member(alert, 'endedAt', 'ended_at'), `${path}.endedAt`)),
    };
  });
  return {
    topic: 'alerts',
    vin: vinAt(doc, 'VehicleAlerts.vin'),
    createdAt: isoOfMillis(
      timestampAt(member(doc, 'createdAt', 'created_at'), 'VehicleAlerts.createdAt') ?? 0,
    ),
    alerts,
  };
}

function tagsAt(value: unknown, path: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (value === undefined || value === null) return tags;
  if (!isObject(value)) return invalid(path, value, 'an object of strings');
  for (const key in value) setOwn(tags, key, stringAt(value[key], `${path}.${key}`));
  return tags;
}

function decodeErrors(doc: JsonObject): VehicleErrorsRecord {
  const errors: VehicleError[] = arrayAt(doc.errors, 'VehicleErrors.errors').map((item, i) => {
    const path = `VehicleErrors.errors[${i}]`;
    const error = objectAt(item, path);
    return {
      name: stringAt(error.name, `${path}.name`),
      tags: tagsAt(error.tags, `${path}.tags`),
      body: stringAt(error.body, `${path}.body`),
      createdAt: isoOrNull(timestampAt(member(error, 'createdAt', 'created_at'), `${path}.createdAt`)),
    };
  });
  return {
    topic: 'errors',
    vin: vinAt(doc, 'VehicleErrors.vin'),
    createdAt: isoOfMillis(
      timestampAt(member(doc, 'createdAt', 'created_at'), 'VehicleErrors.createdAt') ?? 0,
    ),
    errors,
  };
}

function decodeConnectivity(doc: JsonObject): VehicleConnectivityRecord {
  const status = doc.status;
  return {
    topic: 'connectivity',
    vin: vinAt(doc, 'VehicleConnectivity.vin'),
    createdAt: isoOfMillis(
      timestampAt(member(doc, 'createdAt', 'created_at'), 'VehicleConnectivity.createdAt') ?? 0,
    ),
    connectionId: stringAt(member(doc, 'connectionId', 'connection_id'), 'VehicleConnectivity.connectionId'),
    status:
      status === undefined || status === null
        ? (CONNECTIVITY_EVENT.shortById[0] ?? 0)
        : enumAt(CONNECTIVITY_EVENT, status, 'VehicleConnectivity.status'),
    networkInterface: stringAt(
      member(doc, 'networkInterface', 'network_interface'),
      'VehicleConnectivity.networkInterface',
    ),
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one protojson record of a topic. Throws {@link JsonFailure} for a poison record (the caller
 * adds the topic and format), anything else only for a bug.
 */
export function decodeProtojson(topic: TeslaTopic, data: Uint8Array): DecodedRecord {
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch {
    return fail('invalid-utf8', 'the record is not valid UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail('json-syntax', error instanceof Error ? error.message : String(error));
  }
  const root = objectAt(doc, 'the record');
  switch (topic) {
    case 'V':
      return decodePayload(root);
    case 'alerts':
      return decodeAlerts(root);
    case 'errors':
      return decodeErrors(root);
    case 'connectivity':
      return decodeConnectivity(root);
  }
}
