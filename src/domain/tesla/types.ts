/**
 * The shapes the Tesla module hands to the rest of Fleetwire (decoded records) and takes from tests and
 * the simulator (encoder inputs). Decoded records are plain JSON-serializable data: `fleetwire decode`
 * prints them as they are.
 */

/** The four Kinesis topics Tesla's fleet-telemetry server writes to, one stream each. */
export type TeslaTopic = 'V' | 'alerts' | 'errors' | 'connectivity';

/** Every {@link TeslaTopic}, in a stable order. */
export const TESLA_TOPICS: readonly TeslaTopic[] = ['V', 'alerts', 'errors', 'connectivity'];

/**
 * How a record's `Data` is encoded: binary protobuf (the server's default) or protojson (the server's
 * `transmit_decoded_records: true`).
 */
export type TeslaWireFormat = 'protobuf' | 'protojson';

/** A position, from a `location_value` or from a legacy location string like `"(37.41 S, 122.14 E)"`. */
export interface LocationValue {
  readonly latitude: number;
  readonly longitude: number;
}

/** The six door names of Tesla's `Doors` message, exactly as the schema spells them. */
export type DoorName =
  'DriverFront' | 'DriverRear' | 'PassengerFront' | 'PassengerRear' | 'TrunkFront' | 'TrunkRear';

/** A `door_value`: which doors are open. Every door is present (proto3: absent means `false`). */
export type DoorsValue = Readonly<Record<DoorName, boolean>>;

/** A `time_value`, Tesla's `Time` message: a time of day, every part present (absent means 0). */
export interface TimeValue {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The ten tire names of Tesla's `TireLocation` message, exactly as the schema spells them. */
export type TireName =
  | 'front_left'
  | 'front_right'
  | 'rear_left'
  | 'rear_right'
  | 'semi_middle_axle_left_2'
  | 'semi_middle_axle_right_2'
  | 'semi_rear_axle_left'
  | 'semi_rear_axle_right'
  | 'semi_rear_axle_left_2'
  | 'semi_rear_axle_right_2';

/** A `tire_location_value`: which tires a warning is about. Every tire is present. */
export type TireLocationValue = Readonly<Record<TireName, boolean>>;

/**
 * A message-typed value the schema of this build does not know (a future `Value` member sent through
 * protojson), passed through with its member names as sent.
 */
export interface UnknownStructValue {
  readonly [member: string]: string | number | boolean | null;
}

/**
 * One signal's value, normalized (DESIGN.md §3 step 4):
 * - numbers: `int_value`, `float_value` (shortest decimal that is the same float32, so `65.3` and not
 *   `65.30000305175781`), `double_value`, `long_value` within ±(2^53−1), and a `string_value` that is a
 *   JSON number literal (`"80.123"` → 80.123);
 * - strings: a `long_value` beyond ±(2^53−1) and an integer string beyond it (kept exact rather than
 *   rounded), every other `string_value`;
 * - booleans: `boolean_value`;
 * - `null`: `invalid` (the vehicle could not measure the signal), a NaN/±Infinity float or double, and a
 *   datum that carries no value at all;
 * - enums: the value's name without the enum's own prefix (`ShiftStateD` → `"D"`), an unknown number as
 *   the number;
 * - {@link LocationValue}, {@link DoorsValue}, {@link TimeValue}, {@link TireLocationValue}.
 */
export type SignalValue =
  | number
  | string
  | boolean
  | null
  | LocationValue
  | DoorsValue
  | TimeValue
  | TireLocationValue
  | UnknownStructValue;

/** Signals of one record, keyed by Tesla `Field` name (`VehicleSpeed`); unknown numbers as `Field<N>`. */
export type Signals = Record<string, SignalValue>;

/** What every decoded record carries. */
interface DecodedRecordBase {
  /** The VIN (the server overwrites it with the VIN of the vehicle's client certificate). */
  readonly vin: string;
  /**
   * When the vehicle (or, for `connectivity`, the server) made the record: ISO-8601 UTC with
   * milliseconds. A record without `created_at` gets the proto3 default, 1970-01-01T00:00:00.000Z, which
   * loses every last-write-wins comparison.
   */
  readonly createdAt: string;
}

/** A `V` record: telemetry signals of one vehicle at one instant. */
export interface VehicleDataRecord extends DecodedRecordBase {
  readonly topic: 'V';
  /** A "true-up" of the latest values of the fields it carries; still resolved by `createdAt`. */
  readonly isResend: boolean;
  readonly signals: Signals;
}

/**
 * An `Audience` of an alert: `Customer`, `Service`, `ServiceFix`, `Unknown` (the enum has no common
 * prefix, so the names are Tesla's), or the number of an audience this schema does not know.
 */
export type AlertAudience = string | number;

/** One alert of an `alerts` record. */
export interface VehicleAlert {
  readonly name: string;
  readonly audiences: AlertAudience[];
  /** ISO-8601 UTC with milliseconds; `null` when the record has none. */
  readonly startedAt: string | null;
  /** ISO-8601 UTC with milliseconds; `null` while the alert is still active. */
  readonly endedAt: string | null;
}

/** An `alerts` record. */
export interface VehicleAlertsRecord extends DecodedRecordBase {
  readonly topic: 'alerts';
  readonly alerts: VehicleAlert[];
}

/** One error of an `errors` record. */
export interface VehicleError {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly body: string;
  /** ISO-8601 UTC with milliseconds; `null` when the error carries no timestamp. */
  readonly createdAt: string | null;
}

/** An `errors` record. */
export interface VehicleErrorsRecord extends DecodedRecordBase {
  readonly topic: 'errors';
  readonly errors: VehicleError[];
}

/**
 * A `ConnectivityEvent`, by Tesla's name (the enum has no common prefix): `CONNECTED`, `DISCONNECTED`,
 * `UNKNOWN`; a newer name sent by a newer server as is; an unknown number as the number.
 */
export type ConnectivityStatus =
  'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN' | (string & Record<never, never>) | number;

/** A `connectivity` record, made by the server when a vehicle's socket connects or disconnects. */
export interface VehicleConnectivityRecord extends DecodedRecordBase {
  readonly topic: 'connectivity';
  /** The server's id of the socket; a connect and its disconnect share it. */
  readonly connectionId: string;
  readonly status: ConnectivityStatus;
  /** As the server reports it, e.g. `wifi`; may be empty. */
  readonly networkInterface: string;
}

/** A decoded Kinesis record of any topic, discriminated by `topic`. */
export type DecodedRecord =
  VehicleDataRecord | VehicleAlertsRecord | VehicleErrorsRecord | VehicleConnectivityRecord;

// ---------------------------------------------------------------------------------------------------
// Encoder inputs
// ---------------------------------------------------------------------------------------------------

/**
 * An instant for an encoder: a `Date`, epoch milliseconds, an RFC 3339 string, or a raw protobuf
 * Timestamp (needed to build what vehicles really send, e.g. alert times in milliseconds).
 */
export type TimestampInput =
  Date | number | string | { readonly seconds: number | string | bigint; readonly nanos?: number };

/**
 * The `Value` members whose type is an enum, by their protojson (lowerCamelCase) names. Kept by hand so
 * that {@link ValueInput} is typed; a unit test checks it against the schema.
 */
export const ENUM_VALUE_MEMBERS = [
  'chargingValue',
  'shiftStateValue',
  'laneAssistLevelValue',
  'scheduledChargingModeValue',
  'sentryModeStateValue',
  'speedAssistLevelValue',
  'bmsStateValue',
  'buckleStatusValue',
  'carTypeValue',
  'chargePortValue',
  'chargePortLatchValue',
  'driveInverterStateValue',
  'hvilStatusValue',
  'windowStateValue',
  'seatFoldPositionValue',
  'tractorAirStatusValue',
  'followDistanceValue',
  'forwardCollisionSensitivityValue',
  'guestModeMobileAccessValue',
  'trailerAirStatusValue',
  'detailedChargeStateValue',
  'hvacAutoModeValue',
  'cabinOverheatProtectionModeValue',
  'cabinOverheatProtectionTemperatureLimitValue',
  'defrostModeValue',
  'climateKeeperModeValue',
  'hvacPowerValue',
  'fastChargerValue',
  'cableTypeValue',
  'tonneauTentModeValue',
  'tonneauPositionValue',
  'powershareTypeValue',
  'powershareStateValue',
  'powershareStopReasonValue',
  'displayStateValue',
  'distanceUnitValue',
  'temperatureUnitValue',
  'pressureUnitValue',
  'chargeUnitPreferenceValue',
  'turnSignalStateValue',
  'mediaStatusValue',
  'sunroofInstalledStateValue',
] as const;

/** A `Value` member whose type is an enum, e.g. `shiftStateValue`. */
export type EnumValueMember = (typeof ENUM_VALUE_MEMBERS)[number];

/**
 * An enum value for an encoder: the full name (`ShiftStateD`), the name without the enum's prefix (`D`,
 * as the decoder returns it), or a number (also one the schema does not know).
 */
export type EnumValueInput = string | number;

/**
 * One `Value` for an encoder: an object with exactly one member, named as in Tesla's protojson, so a
 * test states precisely which member the vehicle used (`{ floatValue: 65.3 }` is not `{ stringValue:
 * "65.3" }`).
 */
export type ValueInput =
  | { readonly stringValue: string }
  | { readonly intValue: number }
  | { readonly longValue: number | string | bigint }
  | { readonly floatValue: number }
  | { readonly doubleValue: number }
  | { readonly booleanValue: boolean }
  | { readonly locationValue: LocationValue }
  | { readonly invalid: true }
  | { readonly doorValue: Partial<DoorsValue> }
  | { readonly timeValue: Partial<TimeValue> }
  | { readonly tireLocationValue: Partial<TireLocationValue> }
  | { [M in EnumValueMember]: { readonly [K in M]: EnumValueInput } }[EnumValueMember];

/** One datum for an encoder. */
export interface DatumInput {
  /** A `Field` name (`VehicleSpeed`), `Field<N>`, or a number (also one the schema does not know). */
  readonly key: string | number;
  /** `null` builds a datum without a value. */
  readonly value: ValueInput | null;
}

/** A `V` record to encode (`telemetry.vehicle_data.Payload`). */
export interface VehicleDataInput {
  /** Absent builds a record as the vehicle sends it, before the server sets the VIN. */
  readonly vin?: string;
  /** Absent or `null` leaves `created_at` unset. */
  readonly createdAt?: TimestampInput | null;
  readonly isResend?: boolean;
  readonly data: readonly DatumInput[];
}

/** One alert to encode (`telemetry.vehicle_alerts.VehicleAlert`). */
export interface VehicleAlertInput {
  readonly name: string;
  /** Names with or without prefix (the enum has none), or numbers. */
  readonly audiences?: readonly EnumValueInput[];
  readonly startedAt?: TimestampInput | null;
  readonly endedAt?: TimestampInput | null;
}

/** An `alerts` record to encode (`telemetry.vehicle_alerts.VehicleAlerts`). */
export interface VehicleAlertsInput {
  readonly vin?: string;
  readonly createdAt?: TimestampInput | null;
  readonly alerts: readonly VehicleAlertInput[];
}

/** One error to encode (`telemetry.vehicle_error.VehicleError`). */
export interface VehicleErrorInput {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly createdAt?: TimestampInput | null;
}

/** An `errors` record to encode (`telemetry.vehicle_error.VehicleErrors`). */
export interface VehicleErrorsInput {
  readonly vin?: string;
  readonly createdAt?: TimestampInput | null;
  readonly errors: readonly VehicleErrorInput[];
}

/** A `connectivity` record to encode (`telemetry.vehicle_connectivity.VehicleConnectivity`). */
export interface VehicleConnectivityInput {
  readonly vin?: string;
  readonly connectionId?: string;
  /** `CONNECTED`, `DISCONNECTED`, `UNKNOWN`, or a number. */
  readonly status: EnumValueInput;
  readonly createdAt?: TimestampInput | null;
  readonly networkInterface?: string;
}

/** How an encoder writes the record. */
export interface EncodeOptions {
  readonly format: TeslaWireFormat;
}
