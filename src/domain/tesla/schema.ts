/**
 * Tesla's telemetry schema, loaded once, and the lookup tables the decoders and encoders use on the hot
 * path: `Field` names by number, enum names without their prefix by number, `Value` members by field
 * number and by protojson name. Everything here is computed at import, never per record.
 */

import protobuf from 'protobufjs';
import type { Enum, Field, INamespace, Type } from 'protobufjs';
import schemaJson from './telemetry.schema.json' with { type: 'json' };

/** The fleet-telemetry release the schema was read from (see README.md next to this file). */
export const TESLA_SCHEMA_SOURCE =
  'teslamotors/fleet-telemetry v0.9.4-1 (4767414c1297c8db37a082561c2b761ce8613590)';

/** The loaded protobufjs root of Tesla's five telemetry protos and `google.protobuf.Timestamp`. */
export const teslaRoot: protobuf.Root = protobuf.Root.fromJSON(schemaJson as INamespace);
teslaRoot.resolveAll();

/** The `V` topic's message, `telemetry.vehicle_data.Payload`. */
export const PAYLOAD: Type = teslaRoot.lookupType('telemetry.vehicle_data.Payload');
/** `telemetry.vehicle_data.Datum`. */
export const DATUM: Type = teslaRoot.lookupType('telemetry.vehicle_data.Datum');
/** `telemetry.vehicle_data.Value`: the oneof of 53 members. */
export const VALUE: Type = teslaRoot.lookupType('telemetry.vehicle_data.Value');
/** `google.protobuf.Timestamp`. */
export const TIMESTAMP: Type = teslaRoot.lookupType('google.protobuf.Timestamp');
/** The `alerts` topic's message. */
export const VEHICLE_ALERTS: Type = teslaRoot.lookupType('telemetry.vehicle_alerts.VehicleAlerts');
/** One alert. */
export const VEHICLE_ALERT: Type = teslaRoot.lookupType('telemetry.vehicle_alerts.VehicleAlert');
/** The `errors` topic's message. */
export const VEHICLE_ERRORS: Type = teslaRoot.lookupType('telemetry.vehicle_error.VehicleErrors');
/** One error. */
export const VEHICLE_ERROR: Type = teslaRoot.lookupType('telemetry.vehicle_error.VehicleError');
/** The `connectivity` topic's message. */
export const VEHICLE_CONNECTIVITY: Type = teslaRoot.lookupType(
  'telemetry.vehicle_connectivity.VehicleConnectivity',
);
const FIELD_ENUM: Enum = teslaRoot.lookupEnum('telemetry.vehicle_data.Field');

/**
 * The number of a field the hand-written decoders read, checked against the schema at import: if a
 * future schema changed a type, the module fails to load instead of misreading records.
 */
export function fieldNumber(type: Type, name: string, expectedType: string): number {
  const field: Field | undefined = type.fields[name];
  if (field === undefined || field.type !== expectedType) {
    throw new Error(`Tesla schema: ${type.fullName}.${name} is not of type ${expectedType}`);
  }
  return field.id;
}

/**
 * The protojson name of a field, as protoc computes `json_name`: underscores dropped, the letter after one
 * upper-cased, nothing else changed (`front_left` → `frontLeft`, `DriverFront` stays).
 */
export function jsonNameOf(protoName: string): string {
  let out = '';
  let upperNext = false;
  for (const ch of protoName) {
    if (ch === '_') {
      upperNext = true;
    } else {
      out += upperNext ? ch.toUpperCase() : ch;
      upperNext = false;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------------

/** An enum's names by number and numbers by name, with and without the enum's prefix. */
export interface EnumTable {
  /** Fully qualified, e.g. `.telemetry.vehicle_data.ShiftState`. */
  readonly typeName: string;
  /** What every value name starts with, e.g. `ShiftState`; may be empty. */
  readonly prefix: string;
  /** Name without prefix by number (dense array: Tesla's enums are small and non-negative). */
  readonly shortById: readonly (string | undefined)[];
  /** Full name by number. */
  readonly fullById: readonly (string | undefined)[];
  /** Number by full name and by name without prefix. */
  readonly idByName: ReadonlyMap<string, number>;
  /** Name without prefix by full name. */
  readonly shortByFullName: ReadonlyMap<string, string>;
}

function isUpperOrDigit(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

/** Whether `p` starts a word in `name`: after an underscore, or a capital/digit right after a lower case. */
function startsWord(name: string, p: number): boolean {
  if (p <= 0 || p >= name.length) return false;
  if (name.charCodeAt(p - 1) === 95) return true;
  return isUpperOrDigit(name.charCodeAt(p)) && isLower(name.charCodeAt(p - 1));
}

/**
 * The prefix Tesla repeats in every value of an enum (`ShiftStateD`, `ShiftStateP` → `ShiftState`), cut at
 * a word boundary so that a shared first letter of the rest (`…Unknown`, `…Unset`) is never eaten. The
 * enum's type name is no reliable guide (`ChargingState` values start with `ChargeState`), so the values
 * decide; the type name only serves an enum with a single value.
 */
export function enumPrefix(typeName: string, valueNames: readonly string[]): string {
  const [first] = valueNames;
  if (first === undefined) return '';
  if (valueNames.length === 1) {
    const base = typeName.replace(/Value$/, '');
    return first.startsWith(base) && startsWord(first, base.length) ? base : '';
  }
  let p = first.length;
  for (const name of valueNames) {
    let i = 0;
    while (i < p && i < name.length && name.charCodeAt(i) === first.charCodeAt(i)) i += 1;
    p = i;
  }
  while (p > 0 && !valueNames.every((name) => startsWord(name, p))) p -= 1;
  return first.slice(0, p);
}

function buildEnumTable(e: Enum): EnumTable {
  const names = Object.keys(e.values);
  const prefix = enumPrefix(e.name, names);
  const shortById: (string | undefined)[] = [];
  const fullById: (string | undefined)[] = [];
  const idByName = new Map<string, number>();
  const shortByFullName = new Map<string, string>();
  for (const name of names) {
    const id = e.values[name];
    if (id === undefined || !Number.isInteger(id) || id < 0 || id > 65535) {
      throw new Error(`Tesla schema: ${e.fullName}.${name} has a number the tables cannot index`);
    }
    const short = name.slice(prefix.length);
    // An alias (two names, one number) keeps the first name, as protobuf does when printing.
    if (fullById[id] === undefined) {
      fullById[id] = name;
      shortById[id] = short;
    }
    idByName.set(name, id);
    if (!idByName.has(short)) idByName.set(short, id);
    shortByFullName.set(name, short);
  }
  return { typeName: e.fullName, prefix, shortById, fullById, idByName, shortByFullName };
}

const enumTables = new Map<Enum, EnumTable>();

/** The table of an enum of the schema (built once, shared). */
export function enumTableOf(e: Enum): EnumTable {
  let table = enumTables.get(e);
  if (table === undefined) {
    table = buildEnumTable(e);
    enumTables.set(e, table);
  }
  return table;
}

/** `Field` names by number: `FIELD_NAMES[4] === 'VehicleSpeed'`. */
export const FIELD_NAMES: readonly (string | undefined)[] = enumTableOf(FIELD_ENUM).fullById;

/** `Field` numbers by name: `FIELD_NUMBERS.get('VehicleSpeed') === 4`. */
export const FIELD_NUMBERS: ReadonlyMap<string, number> = enumTableOf(FIELD_ENUM).idByName;

/** The audiences of an alert (`Customer`, `Service`, …). */
export const AUDIENCE: EnumTable = enumTableOf(teslaRoot.lookupEnum('telemetry.vehicle_alerts.Audience'));

/** `CONNECTED`, `DISCONNECTED`, `UNKNOWN`. */
export const CONNECTIVITY_EVENT: EnumTable = enumTableOf(
  teslaRoot.lookupEnum('telemetry.vehicle_connectivity.ConnectivityEvent'),
);

/** The key of a signal: its `Field` name, or `Field<N>` for a number this schema does not know. */
export function signalKeyOf(fieldNumberValue: number): string {
  return FIELD_NAMES[fieldNumberValue] ?? `Field${fieldNumberValue}`;
}

// ---------------------------------------------------------------------------------------------------
// Value members and the small messages they carry
// ---------------------------------------------------------------------------------------------------

/** How a `Value` member, or a field of a message a member carries, is read. */
export const Kind = {
  String: 0,
  Int32: 1,
  Int64: 2,
  Float: 3,
  Double: 4,
  Bool: 5,
  Invalid: 6,
  Enum: 7,
  Struct: 8,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** A scalar, enum or small message field, with everything needed to read it from either format. */
export interface MemberSpec {
  /** Proto name, e.g. `shift_state_value`; also the key of a struct field in decoded output. */
  readonly name: string;
  /** Protojson name, e.g. `shiftStateValue`. */
  readonly jsonName: string;
  readonly id: number;
  readonly kind: Kind;
  /** The wire type the binary form must use. */
  readonly wireType: number;
  readonly enumTable: EnumTable | undefined;
  readonly struct: StructSpec | undefined;
}

/**
 * A message carried by a `Value` member (`LocationValue`, `Doors`, `Time`, `TireLocation`): flat, made of
 * scalars, decoded into an object keyed by its proto field names with every field present.
 */
export interface StructSpec {
  readonly typeName: string;
  readonly fields: readonly MemberSpec[];
  readonly byId: readonly (MemberSpec | undefined)[];
  /** By protojson name and by proto name (protojson parsers accept both). */
  readonly byJsonName: ReadonlyMap<string, MemberSpec>;
  /** Every field at its proto3 default, copied for each decoded value. */
  readonly defaults: Readonly<Record<string, string | number | boolean>>;
}

const SCALAR_KINDS: Readonly<Record<string, readonly [Kind, number]>> = {
  string: [Kind.String, 2],
  int32: [Kind.Int32, 0],
  int64: [Kind.Int64, 0],
  float: [Kind.Float, 5],
  double: [Kind.Double, 1],
  bool: [Kind.Bool, 0],
};

function memberSpecOf(field: Field, inStruct: boolean): MemberSpec {
  const base = { name: field.name, jsonName: jsonNameOf(field.name), id: field.id };
  if (field.repeated || field.map) {
    throw new Error(`Tesla schema: ${field.fullName} is repeated; Value members never are`);
  }
  const resolved = field.resolvedType;
  if (resolved === null) {
    const scalar = SCALAR_KINDS[field.type];
    if (scalar === undefined)
      throw new Error(`Tesla schema: ${field.fullName} has unsupported type ${field.type}`);
    // `invalid` is a bool on the wire but means "no measurement": it decodes to null, whatever its value.
    const kind = !inStruct && field.name === 'invalid' ? Kind.Invalid : scalar[0];
    return { ...base, kind, wireType: scalar[1], enumTable: undefined, struct: undefined };
  }
  if (resolved instanceof protobuf.Enum) {
    return { ...base, kind: Kind.Enum, wireType: 0, enumTable: enumTableOf(resolved), struct: undefined };
  }
  if (inStruct) throw new Error(`Tesla schema: ${field.fullName} nests a message inside a Value message`);
  return {
    ...base,
    kind: Kind.Struct,
    wireType: 2,
    enumTable: undefined,
    struct: structSpecOf(resolved as Type),
  };
}

function structSpecOf(type: Type): StructSpec {
  const fields = type.fieldsArray.map((f) => memberSpecOf(f, true));
  const byId: (MemberSpec | undefined)[] = [];
  const byJsonName = new Map<string, MemberSpec>();
  const defaults: Record<string, string | number | boolean> = {};
  for (const f of fields) {
    byId[f.id] = f;
    byJsonName.set(f.jsonName, f);
    byJsonName.set(f.name, f);
    defaults[f.name] =
      f.kind === Kind.Bool
        ? false
        : f.kind === Kind.String
          ? ''
          : f.kind === Kind.Enum
            ? (f.enumTable?.shortById[0] ?? 0)
            : 0;
  }
  return { typeName: type.fullName, fields, byId, byJsonName, defaults };
}

const valueMembers = VALUE.fieldsArray.map((f) => memberSpecOf(f, false));

/** `Value` members by field number (`VALUE_MEMBER_BY_ID[9]` is `shift_state_value`). */
export const VALUE_MEMBER_BY_ID: readonly (MemberSpec | undefined)[] = (() => {
  const byId: (MemberSpec | undefined)[] = [];
  for (const m of valueMembers) byId[m.id] = m;
  return byId;
})();

/** `Value` members by protojson name and by proto name. */
export const VALUE_MEMBER_BY_JSON_NAME: ReadonlyMap<string, MemberSpec> = new Map(
  valueMembers.flatMap((m) => [
    [m.jsonName, m],
    [m.name, m],
  ]),
);

/** Every `Value` member, in schema order. */
export const VALUE_MEMBERS: readonly MemberSpec[] = valueMembers;
