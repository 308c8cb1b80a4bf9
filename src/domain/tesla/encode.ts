/**
 * Encoders: typed values to exactly what Tesla's server puts on Kinesis, binary protobuf or protojson,
 * for tests and the simulator. Binary goes through protobufjs's own `Type.encode` (an implementation
 * independent of the hand-written decoder, so round-trip tests check one against the other); protojson
 * is written the way Go's protojson writes it with the server's options (EmitUnpopulated, enum names,
 * lowerCamelCase keys, int64 as strings, Timestamps as RFC 3339).
 */

import protobuf from 'protobufjs';
import type { Field, Type } from 'protobufjs';
import { TeslaEncodeError } from './errors.ts';
import { float32Value, formatRfc3339, parseRfc3339 } from './normalize.ts';
import {
  AUDIENCE,
  CONNECTIVITY_EVENT,
  FIELD_NUMBERS,
  jsonNameOf,
  Kind,
  PAYLOAD,
  TIMESTAMP,
  VALUE_MEMBER_BY_JSON_NAME,
  VEHICLE_ALERTS,
  VEHICLE_CONNECTIVITY,
  VEHICLE_ERRORS,
} from './schema.ts';
import type { EnumTable, MemberSpec } from './schema.ts';
import type {
  DatumInput,
  EncodeOptions,
  EnumValueInput,
  TimestampInput,
  ValueInput,
  VehicleAlertsInput,
  VehicleConnectivityInput,
  VehicleDataInput,
  VehicleErrorsInput,
} from './types.ts';

/** A message as protobufjs's `fromObject` takes it: proto (snake_case) names, enums as numbers. */
type ProtoObject = { [field: string]: unknown };

const INTEGER_TEXT = /^-?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function reject(path: string, message: string): never {
  throw new TeslaEncodeError(`${path}: ${message}`);
}

function int64Of(value: unknown, path: string): number | string {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : reject(path, `${value} is not an exact integer`);
  }
  const big =
    typeof value === 'bigint'
      ? value
      : typeof value === 'string' && INTEGER_TEXT.test(value)
        ? BigInt(value)
        : undefined;
  if (big === undefined || big < INT64_MIN || big > INT64_MAX)
    return reject(path, `${String(value)} is not an int64`);
  return big.toString();
}

function timestampOf(input: TimestampInput, path: string): ProtoObject {
  if (input instanceof Date || typeof input === 'number') {
    const ms = input instanceof Date ? input.getTime() : input;
    if (!Number.isFinite(ms)) reject(path, 'not a valid instant');
    const seconds = Math.floor(ms / 1000);
    return { seconds, nanos: Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1_000_000)) };
  }
  if (typeof input === 'string') {
    return parseRfc3339(input) ?? reject(path, `"${input}" is not RFC 3339`);
  }
  const nanos = input.nanos ?? 0;
  if (!Number.isInteger(nanos) || nanos < -2147483648 || nanos > 2147483647)
    reject(path, 'nanos is not an int32');
  return { seconds: int64Of(input.seconds, `${path}.seconds`), nanos };
}

function optionalTimestamp(
  target: ProtoObject,
  field: string,
  input: TimestampInput | null | undefined,
  path: string,
): void {
  if (input !== undefined && input !== null) target[field] = timestampOf(input, path);
}

function enumNumberOf(table: EnumTable, value: EnumValueInput, path: string): number {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
      ? value
      : reject(path, `${value} is not an enum number`);
  }
  return table.idByName.get(value) ?? reject(path, `"${value}" is not a ${table.typeName} value`);
}

function memberValueOf(m: MemberSpec, value: unknown, path: string): unknown {
  switch (m.kind) {
    case Kind.String:
      return typeof value === 'string' ? value : reject(path, 'expected a string');
    case Kind.Int32:
      return Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647
        ? value
        : reject(path, 'expected an int32');
    case Kind.Int64:
      return int64Of(value, path);
    case Kind.Float:
    case Kind.Double:
      return typeof value === 'number' ? value : reject(path, 'expected a number');
    case Kind.Bool:
    case Kind.Invalid:
      return typeof value === 'boolean' ? value : reject(path, 'expected a boolean');
    case Kind.Enum:
      return typeof value === 'string' || typeof value === 'number'
        ? enumNumberOf(m.enumTable as EnumTable, value, path)
        : reject(path, 'expected an enum name or number');
    case Kind.Struct: {
      const spec = m.struct as NonNullable<MemberSpec['struct']>;
      if (typeof value !== 'object' || value === null)
        return reject(path, `expected a ${spec.typeName} object`);
      const out: ProtoObject = {};
      for (const [key, sub] of Object.entries(value)) {
        const subSpec =
          spec.byJsonName.get(key) ?? reject(`${path}.${key}`, `not a field of ${spec.typeName}`);
        out[subSpec.name] = memberValueOf(subSpec, sub, `${path}.${key}`);
      }
      return out;
    }
  }
}

function valueOf(input: ValueInput, path: string): ProtoObject {
  const keys = Object.keys(input);
  const [key] = keys;
  if (key === undefined || keys.length !== 1)
    return reject(path, `a Value has exactly one member, got ${keys.length}`);
  const m = VALUE_MEMBER_BY_JSON_NAME.get(key) ?? reject(path, `"${key}" is not a Value member`);
  return { [m.name]: memberValueOf(m, (input as Readonly<Record<string, unknown>>)[key], `${path}.${key}`) };
}

const FIELD_N = /^Field(\d+)$/;

function fieldKeyOf(key: string | number, path: string): number {
  if (typeof key === 'number') {
    return Number.isInteger(key) && key >= 0 && key <= 2147483647
      ? key
      : reject(path, `${key} is not a Field number`);
  }
  const known = FIELD_NUMBERS.get(key);
  if (known !== undefined) return known;
  const m = FIELD_N.exec(key);
  return m === null ? reject(path, `"${key}" is not a Field name`) : Number(m[1]);
}

function datumOf(datum: DatumInput, path: string): ProtoObject {
  const out: ProtoObject = { key: fieldKeyOf(datum.key, `${path}.key`) };
  if (datum.value !== null) out.value = valueOf(datum.value, `${path}.value`);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Protojson, as Go's protojson.MarshalOptions{EmitUnpopulated: true} writes it
// ---------------------------------------------------------------------------------------------------

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function specialFloat(value: number): Json {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

function jsonTimestamp(value: ProtoObject): string {
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  const text = nanos >= 0 && nanos <= 999_999_999 ? formatRfc3339(seconds, nanos) : undefined;
  // Go's protojson refuses these too: the server could not have written such a record as protojson.
  if (text === undefined)
    throw new TeslaEncodeError(`Timestamp ${seconds}s ${nanos}ns cannot be written as RFC 3339`);
  return text;
}

function jsonSingle(field: Field, type: string, value: unknown): Json {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (value === undefined || value === null) return null;
    return resolved === TIMESTAMP
      ? jsonTimestamp(value as ProtoObject)
      : jsonMessage(resolved, value as ProtoObject);
  }
  if (resolved instanceof protobuf.Enum) {
    const n = typeof value === 'number' ? value : 0;
    return resolved.valuesById[n] ?? n;
  }
  switch (type) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return String(value ?? 0);
    case 'float': {
      const f = Math.fround(Number(value ?? 0));
      return Number.isFinite(f) ? (float32Value(f) as number) : specialFloat(f);
    }
    case 'double': {
      const d = Number(value ?? 0);
      return Number.isFinite(d) ? d : specialFloat(d);
    }
    case 'bool':
      return value === true;
    case 'string':
      return typeof value === 'string' ? value : '';
    default:
      return typeof value === 'number' ? value : 0;
  }
}

function jsonMessage(type: Type, message: ProtoObject): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    // EmitUnpopulated does not apply to oneof members: only the one that is set is written.
    if (field.partOf !== null && value === undefined) continue;
    const name = jsonNameOf(field.name);
    if (field.map) {
      const entries: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries((value ?? {}) as ProtoObject)) {
        // A map field's `type` is its value type (its key type is `keyType`). A `__proto__` key must
        // become a member, not the object's prototype.
        Object.defineProperty(entries, k, {
          value: jsonSingle(field, field.type, v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      out[name] = entries;
    } else if (field.repeated) {
      out[name] = ((value ?? []) as unknown[]).map((v) => jsonSingle(field, field.type, v));
    } else {
      out[name] = jsonSingle(field, field.type, value);
    }
  }
  return out;
}

const UTF8 = new TextEncoder();

function encode(type: Type, message: ProtoObject, options: EncodeOptions): Uint8Array {
  if (options.format === 'protojson') return UTF8.encode(JSON.stringify(jsonMessage(type, message)));
  let built: protobuf.Message;
  try {
    built = type.fromObject(message);
  } catch (error) {
    throw new TeslaEncodeError(
      `cannot encode ${type.name}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return type.encode(built).finish();
}

/** Encodes a `V` record (`telemetry.vehicle_data.Payload`) as the server puts it on Kinesis. */
export function encodeVehicleData(payload: VehicleDataInput, options: EncodeOptions): Uint8Array {
  const message: ProtoObject = {
    data: payload.data.map((datum, i) => datumOf(datum, `data[${i}]`)),
    vin: payload.vin ?? '',
    is_resend: payload.isResend ?? false,
  };
  optionalTimestamp(message, 'created_at', payload.createdAt, 'createdAt');
  return encode(PAYLOAD, message, options);
}

/** Encodes an `alerts` record (`telemetry.vehicle_alerts.VehicleAlerts`). */
export function encodeVehicleAlerts(payload: VehicleAlertsInput, options: EncodeOptions): Uint8Array {
  const message: ProtoObject = {
    alerts: payload.alerts.map((alert, i) => {
      const path = `alerts[${i}]`;
      const out: ProtoObject = {
        name: alert.name,
        audiences: (alert.audiences ?? []).map((a, j) =>
          enumNumberOf(AUDIENCE, a, `${path}.audiences[${j}]`),
        ),
      };
      optionalTimestamp(out, 'started_at', alert.startedAt, `${path}.startedAt`);
      optionalTimestamp(out, 'ended_at', alert.endedAt, `${path}.endedAt`);
      return out;
    }),
    vin: payload.vin ?? '',
  };
  optionalTimestamp(message, 'created_at', payload.createdAt, 'createdAt');
  return encode(VEHICLE_ALERTS, message, options);
}

/** Encodes an `errors` record (`telemetry.vehicle_error.VehicleErrors`). */
export function encodeVehicleErrors(payload: VehicleErrorsInput, options: EncodeOptions): Uint8Array {
  const message: ProtoObject = {
    errors: payload.errors.map((error, i) => {
      const out: ProtoObject = { name: error.name, tags: { ...error.tags }, body: error.body ?? '' };
      optionalTimestamp(out, 'created_at', error.createdAt, `errors[${i}].createdAt`);
      return out;
    }),
    vin: payload.vin ?? '',
  };
  optionalTimestamp(message, 'created_at', payload.createdAt, 'createdAt');
  return encode(VEHICLE_ERRORS, message, options);
}

/** Encodes a `connectivity` record (`telemetry.vehicle_connectivity.VehicleConnectivity`). */
export function encodeVehicleConnectivity(
  payload: VehicleConnectivityInput,
  options: EncodeOptions,
): Uint8Array {
  const message: ProtoObject = {
    vin: payload.vin ?? '',
    connection_id: payload.connectionId ?? '',
    status: enumNumberOf(CONNECTIVITY_EVENT, payload.status, 'status'),
    network_interface: payload.networkInterface ?? '',
  };
  optionalTimestamp(message, 'created_at', payload.createdAt, 'createdAt');
  return encode(VEHICLE_CONNECTIVITY, message, options);
}
