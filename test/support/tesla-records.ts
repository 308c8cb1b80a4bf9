/**
 * Realistic Tesla Fleet Telemetry records for tests and benchmarks, built with the module's own encoders
 * so that every record is exactly what Tesla's server puts on Kinesis. Deterministic: the same arguments
 * always give the same bytes.
 */

import {
  encodeVehicleAlerts,
  encodeVehicleConnectivity,
  encodeVehicleData,
  encodeVehicleErrors,
} from '../../src/domain/tesla/index.ts';
import type {
  DatumInput,
  TeslaTopic,
  TeslaWireFormat,
  TimestampInput,
  VehicleAlertInput,
  VehicleErrorInput,
} from '../../src/domain/tesla/index.ts';

/** The VIN of the reference fixtures' generated payload. */
export const FIXTURE_VIN = '5YJ3E1EA7JF000000';

/** 2023-11-14T22:13:20Z, the `created_at` of the reference fixtures. */
export const FIXTURE_CREATED_AT_SECONDS = 1_700_000_000;

/** A small seeded PRNG (mulberry32): fuzz inputs and corpora that are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes from a seed. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) out[i] = Math.floor(random() * 256);
  return out;
}

/** A VIN-shaped, deterministic identifier of test vehicle `n` (a Model 3 from Fremont, 2018). */
export function teslaVin(n: number): string {
  return `5YJ3E1EA7JF${String(n % 1_000_000).padStart(6, '0')}`;
}

/** What a vehicle reports about itself at one step of a drive. */
export interface DrivingSnapshot {
  readonly speedKph: number;
  readonly odometerKm: number;
  readonly soc: number;
  readonly latitude: number;
  readonly longitude: number;
  readonly heading: number;
}

/** Step `step` of a steady drive north-east out of Palo Alto, with a little noise from `random`. */
export function drivingSnapshot(step: number, random: () => number = seededRandom(step)): DrivingSnapshot {
  return {
    speedKph: Math.round((60 + 40 * random()) * 10) / 10,
    odometerKm: Math.round((12_345.6 + step * 0.025) * 1000) / 1000,
    soc: Math.round((80 - step * 0.001) * 100) / 100,
    latitude: Math.round((37.412374 + step * 0.0001) * 1e6) / 1e6,
    longitude: Math.round((-122.145867 + step * 0.0001) * 1e6) / 1e6,
    heading: Math.round(random() * 3600) / 10,
  };
}

/**
 * The signals of one `V` record of a driving vehicle, as current firmware sends them (typed values), with
 * two as older firmware sends them (numeric strings). `count` takes that many (up to 18) in a fixed order.
 */
export function drivingSignals(snapshot: DrivingSnapshot, count = 15): DatumInput[] {
  const all: DatumInput[] = [
    { key: 'VehicleSpeed', value: { doubleValue: snapshot.speedKph } },
    {
      key: 'Location',
      value: { locationValue: { latitude: snapshot.latitude, longitude: snapshot.longitude } },
    },
    { key: 'Gear', value: { shiftStateValue: 'ShiftStateD' } },
    { key: 'Odometer', value: { doubleValue: snapshot.odometerKm } },
    { key: 'Soc', value: { doubleValue: snapshot.soc } },
    { key: 'GpsHeading', value: { doubleValue: snapshot.heading } },
    { key: 'BatteryLevel', value: { floatValue: snapshot.soc } },
    { key: 'EstBatteryRange', value: { stringValue: (snapshot.soc * 3.1).toFixed(2) } },
    { key: 'RatedRange', value: { stringValue: (snapshot.soc * 3.3).toFixed(3) } },
    { key: 'InsideTemp', value: { floatValue: 21.5 } },
    { key: 'OutsideTemp', value: { floatValue: 14.2 } },
    { key: 'Locked', value: { booleanValue: true } },
    { key: 'DoorState', value: { doorValue: {} } },
    { key: 'DetailedChargeState', value: { detailedChargeStateValue: 'DetailedChargeStateDisconnected' } },
    { key: 'ChargeLimitSoc', value: { intValue: 90 } },
    { key: 'SentryMode', value: { sentryModeStateValue: 'SentryModeStateOff' } },
    { key: 'TpmsPressureFl', value: { floatValue: 2.9 } },
    { key: 'VehicleName', value: { stringValue: 'Fleet car' } },
  ];
  return all.slice(0, count);
}

/** Options shared by the record builders. */
interface RecordOptions {
  readonly vin?: string;
  readonly createdAt?: TimestampInput;
  readonly format?: TeslaWireFormat;
}

/** A `V` record; by default the first 15 driving signals of step 0 of {@link FIXTURE_VIN}. */
export function vehicleDataRecord(
  options: RecordOptions & { readonly data?: readonly DatumInput[]; readonly isResend?: boolean } = {},
): Uint8Array {
  return encodeVehicleData(
    {
      vin: options.vin ?? FIXTURE_VIN,
      createdAt: options.createdAt ?? { seconds: FIXTURE_CREATED_AT_SECONDS },
      isResend: options.isResend ?? false,
      data: options.data ?? drivingSignals(drivingSnapshot(0)),
    },
    { format: options.format ?? 'protobuf' },
  );
}

/** An `alerts` record; by default one active customer-facing alert. */
export function alertsRecord(
  options: RecordOptions & { readonly alerts?: readonly VehicleAlertInput[] } = {},
): Uint8Array {
  return encodeVehicleAlerts(
    {
      vin: options.vin ?? FIXTURE_VIN,
      createdAt: options.createdAt ?? { seconds: FIXTURE_CREATED_AT_SECONDS },
      alerts: options.alerts ?? [
        {
          name: 'BMS_a066_SW_Low_Soc',
          audiences: ['Customer', 'Service'],
          startedAt: { seconds: FIXTURE_CREATED_AT_SECONDS - 60 },
        },
      ],
    },
    { format: options.format ?? 'protobuf' },
  );
}

/** An `errors` record; by default one error with tags. */
export function errorsRecord(
  options: RecordOptions & { readonly errors?: readonly VehicleErrorInput[] } = {},
): Uint8Array {
  return encodeVehicleErrors(
    {
      vin: options.vin ?? FIXTURE_VIN,
      createdAt: options.createdAt ?? { seconds: FIXTURE_CREATED_AT_SECONDS },
      errors: options.errors ?? [
        {
          name: 'stream_fail',
          tags: { field: 'VehicleSpeed', reason: 'timeout' },
          body: 'failed to read signal',
          createdAt: { seconds: FIXTURE_CREATED_AT_SECONDS - 5 },
        },
      ],
    },
    { format: options.format ?? 'protobuf' },
  );
}

/** A `connectivity` record; by default a wifi connect. */
export function connectivityRecord(
  options: RecordOptions & {
    readonly status?: 'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN' | number;
    readonly connectionId?: string;
    readonly networkInterface?: string;
  } = {},
): Uint8Array {
  return encodeVehicleConnectivity(
    {
      vin: options.vin ?? FIXTURE_VIN,
      connectionId: options.connectionId ?? '6f1c7c1e-0000-4000-8000-000000000000',
      status: options.status ?? 'CONNECTED',
      createdAt: options.createdAt ?? { seconds: FIXTURE_CREATED_AT_SECONDS },
      networkInterface: options.networkInterface ?? 'wifi',
    },
    { format: options.format ?? 'protobuf' },
  );
}

/** One record of a corpus, with the topic it belongs to. */
export interface TopicRecord {
  readonly topic: TeslaTopic;
  readonly data: Uint8Array;
}

/** Options of {@link drivingCorpus}. */
export interface DrivingCorpusOptions {
  readonly records: number;
  readonly vehicles?: number;
  readonly signalsPerRecord?: number;
  readonly format?: TeslaWireFormat;
  readonly seed?: number;
}

/**
 * `records` `V` records of `vehicles` vehicles driving, one per second per vehicle, interleaved as a
 * shard would carry them: the corpus of the decode and ingest benchmarks.
 */
export function drivingCorpus(options: DrivingCorpusOptions): Uint8Array[] {
  const vehicles = options.vehicles ?? 100;
  const random = seededRandom(options.seed ?? 1);
  const out: Uint8Array[] = [];
  for (let i = 0; i < options.records; i += 1) {
    const step = Math.floor(i / vehicles);
    out.push(
      vehicleDataRecord({
        vin: teslaVin(i % vehicles),
        createdAt: { seconds: FIXTURE_CREATED_AT_SECONDS + step, nanos: (i % 1000) * 1_000_000 },
        data: drivingSignals(drivingSnapshot(step, random), options.signalsPerRecord ?? 15),
        format: options.format ?? 'protobuf',
      }),
    );
  }
  return out;
}
