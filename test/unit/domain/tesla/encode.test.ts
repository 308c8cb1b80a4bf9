import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeVehicleAlerts,
  encodeVehicleConnectivity,
  encodeVehicleData,
  encodeVehicleErrors,
  TeslaEncodeError,
  TeslaError,
  wireFormatOf,
} from '../../../../src/domain/tesla/index.ts';
import type { DatumInput, ValueInput, VehicleDataInput } from '../../../../src/domain/tesla/index.ts';
import { PAYLOAD } from '../../../../src/domain/tesla/schema.ts';
import { drivingCorpus, drivingSignals, drivingSnapshot } from '../../../support/tesla-records.ts';
import { text } from './helpers.ts';

function json(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

describe('protojson as the server writes it (Go protojson, EmitUnpopulated, enum names)', () => {
  it('writes every field, unpopulated ones included, with lowerCamelCase keys', () => {
    // act
    const encoded = encodeVehicleData({ data: [] }, { format: 'protojson' });
    // assess
    expect(json(encoded)).toEqual({ data: [], createdAt: null, vin: '', isResend: false });
    expect(wireFormatOf(encoded)).toBe('protojson');
  });

  it('writes enums by name (numbers when unknown), int64 as strings, only the member that is set', () => {
    // prepare
    const data: DatumInput[] = [
      { key: 'Gear', value: { shiftStateValue: 'D' } },
      { key: 'Odometer', value: { longValue: 123_456_789_012 } },
      { key: 'Soc', value: { shiftStateValue: 42 } },
      { key: 9999, value: { booleanValue: false } },
      { key: 'Locked', value: null },
    ];
    // act
    const encoded = json(encodeVehicleData({ vin: 'VIN1', isResend: true, data }, { format: 'protojson' }));
    // assess
    expect(encoded).toEqual({
      data: [
        { key: 'Gear', value: { shiftStateValue: 'ShiftStateD' } },
        { key: 'Odometer', value: { longValue: '123456789012' } },
        { key: 'Soc', value: { shiftStateValue: 42 } },
        { key: 9999, value: { booleanValue: false } },
        { key: 'Locked', value: null },
      ],
      createdAt: null,
      vin: 'VIN1',
      isResend: true,
    });
  });

  it.each([
    [{ floatValue: 65.3 }, { floatValue: 65.3 }],
    [{ floatValue: Number.NaN }, { floatValue: 'NaN' }],
    [{ doubleValue: Number.POSITIVE_INFINITY }, { doubleValue: 'Infinity' }],
    [{ doubleValue: Number.NEGATIVE_INFINITY }, { doubleValue: '-Infinity' }],
    [
      { doorValue: { DriverFront: true } },
      {
        doorValue: {
          DriverFront: true,
          DriverRear: false,
          PassengerFront: false,
          PassengerRear: false,
          TrunkFront: false,
          TrunkRear: false,
        },
      },
    ],
    [
      { tireLocationValue: { rear_left: true } },
      { tireLocationValue: expect.objectContaining({ rearLeft: true, frontLeft: false }) },
    ],
    [{ timeValue: { hour: 7 } }, { timeValue: { hour: 7, minute: 0, second: 0 } }],
  ] as const)('writes %j as %j', (value: ValueInput, expected) => {
    const encoded = json(
      encodeVehicleData({ vin: 'V', data: [{ key: 'Soc', value }] }, { format: 'protojson' }),
    );
    expect(encoded).toMatchObject({ data: [{ key: 'Soc', value: expected }] });
  });

  it.each([
    [{ seconds: 1_700_000_000 }, '2023-11-14T22:13:20Z'],
    [{ seconds: 1_700_000_000, nanos: 100_000_000 }, '2023-11-14T22:13:20.100Z'],
    [{ seconds: 1_700_000_000, nanos: 120_000 }, '2023-11-14T22:13:20.000120Z'],
    [{ seconds: 1_700_000_000, nanos: 5 }, '2023-11-14T22:13:20.000000005Z'],
    ['2024-02-29T12:00:00+02:00', '2024-02-29T10:00:00Z'],
    [0, '1970-01-01T00:00:00Z'],
  ] as const)('writes the Timestamp %j as RFC 3339 %s', (createdAt, expected) => {
    expect(json(encodeVehicleData({ vin: 'V', createdAt, data: [] }, { format: 'protojson' }))).toMatchObject(
      {
        createdAt: expected,
      },
    );
  });

  it('writes the other topics with their own unpopulated fields', () => {
    expect(json(encodeVehicleAlerts({ alerts: [{ name: 'a' }] }, { format: 'protojson' }))).toEqual({
      alerts: [{ name: 'a', audiences: [], startedAt: null, endedAt: null }],
      createdAt: null,
      vin: '',
    });
    expect(json(encodeVehicleErrors({ errors: [{ name: 'e' }] }, { format: 'protojson' }))).toEqual({
      errors: [{ createdAt: null, name: 'e', tags: {}, body: '' }],
      createdAt: null,
      vin: '',
    });
    expect(json(encodeVehicleConnectivity({ status: 0 }, { format: 'protojson' }))).toEqual({
      vin: '',
      connectionId: '',
      status: 'UNKNOWN',
      createdAt: null,
      networkInterface: '',
    });
  });
});

describe('round trips', () => {
  it('decodes a corpus of driving records to the same values from binary and from protojson', () => {
    // prepare
    const binary = drivingCorpus({ records: 300, vehicles: 7, signalsPerRecord: 18, format: 'protobuf' });
    const protojson = drivingCorpus({ records: 300, vehicles: 7, signalsPerRecord: 18, format: 'protojson' });
    // act
    const fromBinary = binary.map((r) => decodeRecord('V', r));
    const fromJson = protojson.map((r) => decodeRecord('V', r));
    // assess
    expect(fromJson).toEqual(fromBinary);
    expect(fromBinary[0]).toMatchObject({
      signals: {
        Gear: 'D',
        Locked: true,
        DetailedChargeState: 'Disconnected',
        ChargeLimitSoc: 90,
        InsideTemp: 21.5,
      },
    });
  });

  it('decodes the values a driving snapshot was built from', () => {
    // prepare
    const snapshot = drivingSnapshot(120);
    const record = encodeVehicleData(
      { vin: 'VIN1', createdAt: { seconds: 1 }, data: drivingSignals(snapshot, 18) },
      { format: 'protobuf' },
    );
    // act
    const decoded = decodeRecord('V', record);
    // assess
    expect(decoded).toMatchObject({
      signals: {
        VehicleSpeed: snapshot.speedKph,
        Location: { latitude: snapshot.latitude, longitude: snapshot.longitude },
        Odometer: snapshot.odometerKm,
        Soc: snapshot.soc,
        BatteryLevel: snapshot.soc,
        EstBatteryRange: Number((snapshot.soc * 3.1).toFixed(2)),
        SentryMode: 'Off',
        VehicleName: 'Fleet car',
      },
    });
  });

  it('writes binary that protobufjs reads back to the same message', () => {
    // prepare
    const input: VehicleDataInput = {
      vin: 'VIN1',
      createdAt: { seconds: 1_700_000_000, nanos: 42 },
      isResend: true,
      data: [{ key: 'Gear', value: { shiftStateValue: 'R' } }],
    };
    // act
    const message = PAYLOAD.toObject(PAYLOAD.decode(encodeVehicleData(input, { format: 'protobuf' })), {
      longs: String,
      enums: String,
    });
    // assess
    expect(message).toEqual({
      data: [{ key: 'Gear', value: { shift_state_value: 'ShiftStateR' } }],
      created_at: { seconds: '1700000000', nanos: 42 },
      vin: 'VIN1',
      is_resend: true,
    });
  });

  it('decodes hand-written protojson with a leading byte order of whitespace the same as compact', () => {
    const compact = encodeVehicleData(
      { vin: 'VIN1', data: [{ key: 'Soc', value: { intValue: 5 } }] },
      { format: 'protojson' },
    );
    const spaced = text(`\t ${JSON.stringify(json(compact), null, 2)}`);
    expect(decodeRecord('V', spaced)).toEqual(decodeRecord('V', compact));
  });
});

describe('refusing what Tesla schema cannot carry', () => {
  it.each([
    ['an unknown Field name', { key: 'NoSuchField', value: { intValue: 1 } }],
    ['a negative Field number', { key: -1, value: { intValue: 1 } }],
    ['two members', { key: 'Soc', value: { intValue: 1, doubleValue: 2 } }],
    ['no member', { key: 'Soc', value: {} }],
    ['an unknown member', { key: 'Soc', value: { decimalValue: 1 } }],
    ['an unknown enum name', { key: 'Gear', value: { shiftStateValue: 'Warp' } }],
    ['an int32 out of range', { key: 'Soc', value: { intValue: 2 ** 31 } }],
    ['a fractional int32', { key: 'Soc', value: { intValue: 1.5 } }],
    ['an int64 out of range', { key: 'Soc', value: { longValue: '9223372036854775808' } }],
    ['an inexact int64 number', { key: 'Soc', value: { longValue: 2 ** 60 } }],
    ['a string for a double', { key: 'Soc', value: { doubleValue: '1' } }],
    ['an unknown door', { key: 'DoorState', value: { doorValue: { Sunroof: true } } }],
    ['a number for a door', { key: 'DoorState', value: { doorValue: { DriverFront: 1 } } }],
  ])('refuses %s', (_name, datum) => {
    // act
    const attempt = () =>
      encodeVehicleData({ vin: 'V', data: [datum as unknown as DatumInput] }, { format: 'protobuf' });
    // assess
    expect(attempt).toThrow(TeslaEncodeError);
    expect(attempt).toThrow(TeslaError);
  });

  it.each([
    ['an invalid date', new Date(Number.NaN)],
    ['a string that is not RFC 3339', 'yesterday'],
    ['a fractional seconds', { seconds: 1.5 }],
  ])('refuses %s as a timestamp', (_name, createdAt) => {
    expect(() => encodeVehicleData({ vin: 'V', createdAt, data: [] }, { format: 'protobuf' })).toThrow(
      TeslaEncodeError,
    );
  });

  it('refuses to write as protojson a time RFC 3339 cannot hold, as Go does', () => {
    expect(() =>
      encodeVehicleAlerts(
        { alerts: [{ name: 'a', startedAt: { seconds: 1_700_000_000_123 } }] },
        { format: 'protojson' },
      ),
    ).toThrow(TeslaEncodeError);
  });

  it('refuses an unknown audience and an unknown connectivity status name', () => {
    expect(() =>
      encodeVehicleAlerts({ alerts: [{ name: 'a', audiences: ['Everyone'] }] }, { format: 'protobuf' }),
    ).toThrow(TeslaEncodeError);
    expect(() => encodeVehicleConnectivity({ status: 'ONLINE' }, { format: 'protobuf' })).toThrow(
      TeslaEncodeError,
    );
  });
});
