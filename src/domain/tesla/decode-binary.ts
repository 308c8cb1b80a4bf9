/**
 * Binary protobuf decoding of the four topics, walking the wire format directly with protobufjs's
 * `Reader` instead of `Type.decode`:
 * - `Type.decode` treats a known field with the wrong wire type as an unknown field and skips it, so a
 *   corrupt record would decode "successfully" into something else; here every known field's wire type
 *   is checked and a mismatch is a poison record with a precise reason;
 * - it builds the output directly (no intermediate message, `Long` or oneof bookkeeping per value), which
 *   keeps the decoder faster than bare `Payload.decode` (see README.md).
 * Field numbers are read from the schema at import and checked against the types this code reads.
 */

import protobuf from 'protobufjs';
import type { Reader } from 'protobufjs';
import type { TeslaDecodeReason } from './errors.ts';
import {
  alertTimestampMillis,
  doubleValue,
  float32Value,
  isoOfMillis,
  normalizeString,
  setOwn,
  timestampMillis,
} from './normalize.ts';
import {
  AUDIENCE,
  CONNECTIVITY_EVENT,
  DATUM,
  FIELD_NAMES,
  fieldNumber,
  Kind,
  PAYLOAD,
  TIMESTAMP,
  VALUE_MEMBER_BY_ID,
  VEHICLE_ALERT,
  VEHICLE_ALERTS,
  VEHICLE_CONNECTIVITY,
  VEHICLE_ERROR,
  VEHICLE_ERRORS,
} from './schema.ts';
import type { MemberSpec, StructSpec } from './schema.ts';
import type {
  AlertAudience,
  DecodedRecord,
  SignalValue,
  Signals,
  TeslaTopic,
  VehicleAlert,
  VehicleAlertsRecord,
  VehicleConnectivityRecord,
  VehicleDataRecord,
  VehicleError,
  VehicleErrorsRecord,
} from './types.ts';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const PAYLOAD_DATA = fieldNumber(PAYLOAD, 'data', 'Datum');
const PAYLOAD_CREATED_AT = fieldNumber(PAYLOAD, 'created_at', 'google.protobuf.Timestamp');
const PAYLOAD_VIN = fieldNumber(PAYLOAD, 'vin', 'string');
const PAYLOAD_IS_RESEND = fieldNumber(PAYLOAD, 'is_resend', 'bool');
const DATUM_KEY = fieldNumber(DATUM, 'key', 'Field');
const DATUM_VALUE = fieldNumber(DATUM, 'value', 'Value');
const TIMESTAMP_SECONDS = fieldNumber(TIMESTAMP, 'seconds', 'int64');
const TIMESTAMP_NANOS = fieldNumber(TIMESTAMP, 'nanos', 'int32');
const ALERTS_ALERTS = fieldNumber(VEHICLE_ALERTS, 'alerts', 'VehicleAlert');
const ALERTS_CREATED_AT = fieldNumber(VEHICLE_ALERTS, 'created_at', 'google.protobuf.Timestamp');
const ALERTS_VIN = fieldNumber(VEHICLE_ALERTS, 'vin', 'string');
const ALERT_NAME = fieldNumber(VEHICLE_ALERT, 'name', 'string');
const ALERT_AUDIENCES = fieldNumber(VEHICLE_ALERT, 'audiences', 'Audience');
const ALERT_STARTED_AT = fieldNumber(VEHICLE_ALERT, 'started_at', 'google.protobuf.Timestamp');
const ALERT_ENDED_AT = fieldNumber(VEHICLE_ALERT, 'ended_at', 'google.protobuf.Timestamp');
const ERRORS_ERRORS = fieldNumber(VEHICLE_ERRORS, 'errors', 'VehicleError');
const ERRORS_CREATED_AT = fieldNumber(VEHICLE_ERRORS, 'created_at', 'google.protobuf.Timestamp');
const ERRORS_VIN = fieldNumber(VEHICLE_ERRORS, 'vin', 'string');
const ERROR_CREATED_AT = fieldNumber(VEHICLE_ERROR, 'created_at', 'google.protobuf.Timestamp');
const ERROR_NAME = fieldNumber(VEHICLE_ERROR, 'name', 'string');
const ERROR_TAGS = fieldNumber(VEHICLE_ERROR, 'tags', 'string');
const ERROR_BODY = fieldNumber(VEHICLE_ERROR, 'body', 'string');
const CONN_VIN = fieldNumber(VEHICLE_CONNECTIVITY, 'vin', 'string');
const CONN_CONNECTION_ID = fieldNumber(VEHICLE_CONNECTIVITY, 'connection_id', 'string');
const CONN_STATUS = fieldNumber(VEHICLE_CONNECTIVITY, 'status', 'ConnectivityEvent');
const CONN_CREATED_AT = fieldNumber(VEHICLE_CONNECTIVITY, 'created_at', 'google.protobuf.Timestamp');
const CONN_NETWORK_INTERFACE = fieldNumber(VEHICLE_CONNECTIVITY, 'network_interface', 'string');
// A map field is a repeated message { key = 1; value = 2; } on the wire, by the protobuf spec.
const MAP_KEY = 1;
const MAP_VALUE = 2;

/** Why and where binary decoding stopped; turned into a TeslaDecodeError with the topic by the caller. */
export class WireFailure extends Error {
  constructor(
    readonly reason: TeslaDecodeReason,
    readonly detail: string,
    readonly offset: number | undefined,
  ) {
    super(detail);
  }
}

function fail(reason: TeslaDecodeReason, detail: string, offset: number | undefined): never {
  throw new WireFailure(reason, detail, offset);
}

function expectWireType(actual: number, expected: number, where: string, offset: number): void {
  if (actual !== expected) fail('wire-type', `${where}: wire type ${actual}, expected ${expected}`, offset);
}

/** Narrows the reader to a length-delimited submessage; returns the outer limit for {@link leave}. */
function enter(r: Reader, where: string): number {
  const at = r.pos;
  const length = r.size();
  const end = r.pos + length;
  if (end > r.len) fail('truncated', `${where}: length ${length} runs past the end of its message`, at);
  const outer = r.len;
  r.len = end;
  return outer;
}

function leave(r: Reader, outer: number): void {
  r.len = outer;
}

function skipUnknown(r: Reader, wireType: number, field: number, offset: number): void {
  if (field === 0) fail('invalid-tag', 'field number 0', offset);
  if (wireType === WIRE_END_GROUP)
    fail('invalid-tag', `end-group tag of field ${field} without a start`, offset);
  // protobufjs validates group nesting and wire types 6/7; its errors are mapped in toWireFailure.
  r.skipType(wireType, 0, wireType === WIRE_START_GROUP ? field : undefined);
}

const TWO_POW_32 = 4294967296;

/**
 * An int64 varint as a number when exact, else its decimal string. Hand-rolled because protobufjs's
 * `int64()` allocates a Long per value.
 */
function readInt64(r: Reader): number | string {
  const buf = r.buf;
  const end = r.len;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i += 1) {
    if (pos >= end) fail('truncated', 'varint runs past the end of its message', r.pos);
    const b = buf[pos++] as number;
    const bits = b & 0x7f;
    if (i < 4) lo |= bits << (7 * i);
    else if (i === 4) {
      lo |= bits << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (7 * i - 32);
    if (b < 0x80) {
      r.pos = pos;
      const high = hi | 0;
      // |high| < 2^21 keeps the product exact; outside it the value cannot be a safe integer anyway.
      if (high >= -0x200000 && high < 0x200000) {
        const value = high * TWO_POW_32 + (lo >>> 0);
        if (Number.isSafeInteger(value)) return value;
      }
      return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
    }
  }
  return fail('invalid-varint', 'varint longer than 10 bytes', r.pos);
}

/** A Timestamp's epoch milliseconds (`alert` applies the seconds-that-are-milliseconds rule). */
function readTimestamp(r: Reader, where: string, alert: boolean): number {
  const at = r.pos;
  const outer = enter(r, where);
  let seconds: number | string = 0;
  let nanos = 0;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === TIMESTAMP_SECONDS) {
      expectWireType(wireType, WIRE_VARINT, `${where}.seconds`, start);
      seconds = readInt64(r);
    } else if (field === TIMESTAMP_NANOS) {
      expectWireType(wireType, WIRE_VARINT, `${where}.nanos`, start);
      nanos = r.int32();
    } else skipUnknown(r, wireType, field, start);
  }
  leave(r, outer);
  const ms =
    typeof seconds !== 'number'
      ? undefined
      : alert
        ? alertTimestampMillis(seconds, nanos)
        : timestampMillis(seconds, nanos);
  if (ms === undefined) fail('invalid-timestamp', `${where}: seconds ${seconds}, nanos ${nanos}`, at);
  return ms;
}

function readStruct(r: Reader, spec: StructSpec, where: string): SignalValue {
  const outer = enter(r, where);
  const out: Record<string, string | number | boolean | null> = { ...spec.defaults };
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    const member = spec.byId[field];
    if (member === undefined) {
      skipUnknown(r, wireType, field, start);
      continue;
    }
    expectWireType(wireType, member.wireType, `${where}.${member.name}`, start);
    out[member.name] = readMember(r, member, where) as string | number | boolean | null;
  }
  leave(r, outer);
  return out;
}

/** One `Value` member (or a field of a struct it carries), normalized. */
function readMember(r: Reader, member: MemberSpec, where: string): SignalValue {
  switch (member.kind) {
    case Kind.String:
      return normalizeString(r.string());
    case Kind.Double:
      return doubleValue(r.double());
    case Kind.Float:
      return float32Value(r.float());
    case Kind.Enum: {
      const n = r.int32();
      return (member.enumTable as NonNullable<MemberSpec['enumTable']>).shortById[n] ?? n;
    }
    case Kind.Bool:
      return r.bool();
    case Kind.Int32:
      return r.int32();
    case Kind.Int64:
      return readInt64(r);
    case Kind.Invalid:
      r.skip();
      return null;
    case Kind.Struct:
      return readStruct(r, member.struct as StructSpec, `${where}.${member.name}`);
  }
}

/**
 * A `Value` member this schema does not know (newer firmware): a varint passes through as its number
 * (most likely a new enum), fixed32/fixed64 as float/double; a length-delimited one cannot be
 * interpreted without its type and reads as "no value".
 */
function readUnknownMember(
  r: Reader,
  wireType: number,
  field: number,
  offset: number,
): SignalValue | undefined {
  switch (wireType) {
    case WIRE_VARINT:
      return readInt64(r);
    case WIRE_FIXED32:
      return float32Value(r.float());
    case WIRE_FIXED64:
      return doubleValue(r.double());
    default:
      skipUnknown(r, wireType, field, offset);
      return undefined;
  }
}

function readValue(r: Reader): SignalValue {
  const outer = enter(r, 'Datum.value');
  let value: SignalValue | undefined;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    const member = VALUE_MEMBER_BY_ID[field];
    if (member === undefined) {
      // A oneof keeps its last member on the wire, known or not.
      value = readUnknownMember(r, wireType, field, start);
      continue;
    }
    expectWireType(wireType, member.wireType, `Value.${member.name}`, start);
    value = readMember(r, member, 'Value');
  }
  leave(r, outer);
  return value === undefined ? null : value;
}

function readDatum(r: Reader, signals: Signals): void {
  const outer = enter(r, 'Payload.data');
  let key = 0;
  let value: SignalValue = null;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === DATUM_KEY) {
      expectWireType(wireType, WIRE_VARINT, 'Datum.key', start);
      key = r.int32();
    } else if (field === DATUM_VALUE) {
      expectWireType(wireType, WIRE_BYTES, 'Datum.value', start);
      value = readValue(r);
    } else skipUnknown(r, wireType, field, start);
  }
  leave(r, outer);
  signals[FIELD_NAMES[key] ?? `Field${key}`] = value;
}

function requireVin(vin: string, where: string): void {
  if (vin === '') fail('missing-vin', `${where} is empty`, undefined);
}

function decodePayload(r: Reader): VehicleDataRecord {
  const signals: Signals = {};
  let vin = '';
  let createdAt = 0;
  let isResend = false;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === PAYLOAD_DATA) {
      expectWireType(wireType, WIRE_BYTES, 'Payload.data', start);
      readDatum(r, signals);
    } else if (field === PAYLOAD_CREATED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'Payload.created_at', start);
      createdAt = readTimestamp(r, 'Payload.created_at', false);
    } else if (field === PAYLOAD_VIN) {
      expectWireType(wireType, WIRE_BYTES, 'Payload.vin', start);
      vin = r.string();
    } else if (field === PAYLOAD_IS_RESEND) {
      expectWireType(wireType, WIRE_VARINT, 'Payload.is_resend', start);
      isResend = r.bool();
    } else skipUnknown(r, wireType, field, start);
  }
  requireVin(vin, 'Payload.vin');
  return { topic: 'V', vin, createdAt: isoOfMillis(createdAt), isResend, signals };
}

function audienceOf(n: number): AlertAudience {
  return AUDIENCE.shortById[n] ?? n;
}

function readAlert(r: Reader): VehicleAlert {
  const outer = enter(r, 'VehicleAlerts.alerts');
  let name = '';
  const audiences: AlertAudience[] = [];
  let startedAt: string | null = null;
  let endedAt: string | null = null;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === ALERT_NAME) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlert.name', start);
      name = r.string();
    } else if (field === ALERT_AUDIENCES) {
      // Repeated enums are packed by proto3 encoders, but parsers must accept both forms.
      if (wireType === WIRE_BYTES) {
        const packed = enter(r, 'VehicleAlert.audiences');
        while (r.pos < r.len) audiences.push(audienceOf(r.int32()));
        leave(r, packed);
      } else {
        expectWireType(wireType, WIRE_VARINT, 'VehicleAlert.audiences', start);
        audiences.push(audienceOf(r.int32()));
      }
    } else if (field === ALERT_STARTED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlert.started_at', start);
      startedAt = isoOfMillis(readTimestamp(r, 'VehicleAlert.started_at', true));
    } else if (field === ALERT_ENDED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlert.ended_at', start);
      endedAt = isoOfMillis(readTimestamp(r, 'VehicleAlert.ended_at', true));
    } else skipUnknown(r, wireType, field, start);
  }
  leave(r, outer);
  return { name, audiences, startedAt, endedAt };
}

function decodeAlerts(r: Reader): VehicleAlertsRecord {
  const alerts: VehicleAlert[] = [];
  let vin = '';
  let createdAt = 0;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === ALERTS_ALERTS) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlerts.alerts', start);
      alerts.push(readAlert(r));
    } else if (field === ALERTS_CREATED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlerts.created_at', start);
      createdAt = readTimestamp(r, 'VehicleAlerts.created_at', false);
    } else if (field === ALERTS_VIN) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleAlerts.vin', start);
      vin = r.string();
    } else skipUnknown(r, wireType, field, start);
  }
  requireVin(vin, 'VehicleAlerts.vin');
  return { topic: 'alerts', vin, createdAt: isoOfMillis(createdAt), alerts };
}

function readTag(r: Reader, tags: Record<string, string>): void {
  const outer = enter(r, 'VehicleError.tags');
  let key = '';
  let value = '';
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === MAP_KEY) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.tags.key', start);
      key = r.string();
    } else if (field === MAP_VALUE) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.tags.value', start);
      value = r.string();
    } else skipUnknown(r, wireType, field, start);
  }
  leave(r, outer);
  setOwn(tags, key, value);
}

function readError(r: Reader): VehicleError {
  const outer = enter(r, 'VehicleErrors.errors');
  let name = '';
  const tags: Record<string, string> = {};
  let body = '';
  let createdAt: string | null = null;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === ERROR_NAME) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.name', start);
      name = r.string();
    } else if (field === ERROR_TAGS) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.tags', start);
      readTag(r, tags);
    } else if (field === ERROR_BODY) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.body', start);
      body = r.string();
    } else if (field === ERROR_CREATED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleError.created_at', start);
      createdAt = isoOfMillis(readTimestamp(r, 'VehicleError.created_at', false));
    } else skipUnknown(r, wireType, field, start);
  }
  leave(r, outer);
  return { name, tags, body, createdAt };
}

function decodeErrors(r: Reader): VehicleErrorsRecord {
  const errors: VehicleError[] = [];
  let vin = '';
  let createdAt = 0;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === ERRORS_ERRORS) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleErrors.errors', start);
      errors.push(readError(r));
    } else if (field === ERRORS_CREATED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleErrors.created_at', start);
      createdAt = readTimestamp(r, 'VehicleErrors.created_at', false);
    } else if (field === ERRORS_VIN) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleErrors.vin', start);
      vin = r.string();
    } else skipUnknown(r, wireType, field, start);
  }
  requireVin(vin, 'VehicleErrors.vin');
  return { topic: 'errors', vin, createdAt: isoOfMillis(createdAt), errors };
}

function decodeConnectivity(r: Reader): VehicleConnectivityRecord {
  let vin = '';
  let connectionId = '';
  let status: number = 0;
  let createdAt = 0;
  let networkInterface = '';
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === CONN_VIN) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleConnectivity.vin', start);
      vin = r.string();
    } else if (field === CONN_CONNECTION_ID) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleConnectivity.connection_id', start);
      connectionId = r.string();
    } else if (field === CONN_STATUS) {
      expectWireType(wireType, WIRE_VARINT, 'VehicleConnectivity.status', start);
      status = r.int32();
    } else if (field === CONN_CREATED_AT) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleConnectivity.created_at', start);
      createdAt = readTimestamp(r, 'VehicleConnectivity.created_at', false);
    } else if (field === CONN_NETWORK_INTERFACE) {
      expectWireType(wireType, WIRE_BYTES, 'VehicleConnectivity.network_interface', start);
      networkInterface = r.string();
    } else skipUnknown(r, wireType, field, start);
  }
  requireVin(vin, 'VehicleConnectivity.vin');
  return {
    topic: 'connectivity',
    vin,
    createdAt: isoOfMillis(createdAt),
    connectionId,
    status: CONNECTIVITY_EVENT.shortById[status] ?? status,
    networkInterface,
  };
}

/** protobufjs Reader errors, by message, to a poison reason. */
const READER_ERRORS: readonly (readonly [RegExp, TeslaDecodeReason])[] = [
  [/^index out of range/, 'truncated'],
  [/^invalid length encoding/, 'truncated'],
  [/^invalid varint encoding/, 'invalid-varint'],
  [/^invalid tag encoding/, 'invalid-tag'],
  [/^illegal tag/, 'invalid-tag'],
  [/^invalid end group tag/, 'invalid-tag'],
  [/^missing end group/, 'invalid-tag'],
  [/^invalid wire type/, 'wire-type'],
  [/^max depth exceeded/, 'too-deep'],
];

/** A protobufjs Reader error as a {@link WireFailure}; anything else (a bug) is rethrown as is. */
function toWireFailure(error: unknown, offset: number): WireFailure {
  if (error instanceof WireFailure) return error;
  if (error instanceof Error) {
    for (const [pattern, reason] of READER_ERRORS) {
      if (pattern.test(error.message)) return new WireFailure(reason, error.message, offset);
    }
  }
  throw error;
}

/**
 * Decodes one binary protobuf record of a topic. Throws {@link WireFailure} for a poison record (the
 * caller adds the topic and format), anything else only for a bug.
 */
export function decodeBinary(topic: TeslaTopic, data: Uint8Array): DecodedRecord {
  const r = protobuf.Reader.create(data);
  try {
    switch (topic) {
      case 'V':
        return decodePayload(r);
      case 'alerts':
        return decodeAlerts(r);
      case 'errors':
        return decodeErrors(r);
      case 'connectivity':
        return decodeConnectivity(r);
    }
  } catch (error) {
    throw toWireFailure(error, r.pos);
  }
}
