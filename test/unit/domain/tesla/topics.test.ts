import { describe, expect, it } from 'vitest';
import {
  ALERT_MILLIS_THRESHOLD_SECONDS,
  decodeRecord,
  encodeVehicleAlerts,
  encodeVehicleConnectivity,
  encodeVehicleData,
  encodeVehicleErrors,
} from '../../../../src/domain/tesla/index.ts';
import type { TimestampInput } from '../../../../src/domain/tesla/index.ts';
import {
  alertsRecord,
  connectivityRecord,
  drivingCorpus,
  errorsRecord,
  FIXTURE_VIN,
  vehicleDataRecord,
} from '../../../support/tesla-records.ts';
import { FORMATS, tag, text, wire } from './helpers.ts';

describe.each(FORMATS)('V records, %s', (format) => {
  it.each([true, false])('carries the resend flag %s', (isResend) => {
    // prepare
    const record = vehicleDataRecord({ isResend, format, data: [] });
    // act
    const decoded = decodeRecord('V', record);
    // assess
    expect(decoded).toEqual({
      topic: 'V',
      vin: FIXTURE_VIN,
      createdAt: '2023-11-14T22:13:20.000Z',
      isResend,
      signals: {},
    });
  });

  it.each([
    [{ seconds: 1_700_000_000, nanos: 123_456_789 }, '2023-11-14T22:13:20.123Z'],
    [{ seconds: 0 }, '1970-01-01T00:00:00.000Z'],
    [{ seconds: -1, nanos: 999_000_000 }, '1969-12-31T23:59:59.999Z'],
    ['2024-02-29T23:59:59.999999Z', '2024-02-29T23:59:59.999Z'],
    [new Date('2030-01-01T00:00:00.001Z'), '2030-01-01T00:00:00.001Z'],
  ] as const)('writes created_at %j as ISO-8601 with milliseconds', (createdAt: TimestampInput, expected) => {
    expect(decodeRecord('V', vehicleDataRecord({ createdAt, format })).createdAt).toBe(expected);
  });

  it('gives a record without created_at the proto3 default, the epoch', () => {
    const record = encodeVehicleData({ vin: 'VIN1', data: [] }, { format });
    expect(decodeRecord('V', record).createdAt).toBe('1970-01-01T00:00:00.000Z');
  });

  it('decodes a realistic driving record to the values the vehicle meant', () => {
    // prepare
    const [record] = drivingCorpus({ records: 1, format });
    // act
    const decoded = decodeRecord('V', record as Uint8Array);
    // assess
    expect(decoded).toMatchObject({ topic: 'V', vin: '5YJ3E1EA7JF000000', isResend: false });
    expect(Object.keys(decoded.topic === 'V' ? decoded.signals : {})).toHaveLength(15);
  });
});

describe.each(FORMATS)('alerts records, %s', (format) => {
  it('decodes names, audiences without prefix, and start and end times', () => {
    // prepare
    const record = encodeVehicleAlerts(
      {
        vin: 'VIN1',
        createdAt: { seconds: 1_700_000_000 },
        alerts: [
          {
            name: 'BMS_a066_SW_Low_Soc',
            audiences: ['Customer', 'Service'],
            startedAt: { seconds: 1_699_999_000 },
          },
          {
            name: 'VCFRONT_a192_lowVoltage',
            audiences: ['ServiceFix', 'Unknown', 7],
            startedAt: { seconds: 1_699_000_000, nanos: 1_500_000 },
            endedAt: { seconds: 1_699_000_100 },
          },
          { name: 'empty' },
        ],
      },
      { format },
    );
    // act
    const decoded = decodeRecord('alerts', record);
    // assess
    expect(decoded).toEqual({
      topic: 'alerts',
      vin: 'VIN1',
      createdAt: '2023-11-14T22:13:20.000Z',
      alerts: [
        {
          name: 'BMS_a066_SW_Low_Soc',
          audiences: ['Customer', 'Service'],
          startedAt: '2023-11-14T21:56:40.000Z',
          endedAt: null,
        },
        {
          name: 'VCFRONT_a192_lowVoltage',
          audiences: ['ServiceFix', 'Unknown', 7],
          startedAt: '2023-11-03T08:26:40.001Z',
          endedAt: '2023-11-03T08:28:20.000Z',
        },
        { name: 'empty', audiences: [], startedAt: null, endedAt: null },
      ],
    });
  });

  it('decodes an alerts record without alerts', () => {
    expect(decodeRecord('alerts', alertsRecord({ alerts: [], format }))).toMatchObject({ alerts: [] });
  });
});

describe('alert timestamps whose seconds are really milliseconds (binary only: RFC 3339 cannot hold them)', () => {
  it.each([
    [1_700_000_000_123, 0, '2023-11-14T22:13:20.123Z'],
    [1_700_000_000_123, 999_999, '2023-11-14T22:13:20.123Z'],
    [ALERT_MILLIS_THRESHOLD_SECONDS, 0, '1980-01-01T12:00:00.000Z'],
    [
      ALERT_MILLIS_THRESHOLD_SECONDS - 1,
      0,
      new Date((ALERT_MILLIS_THRESHOLD_SECONDS - 1) * 1000).toISOString(),
    ],
    [1_700_000_000, 123_000_000, '2023-11-14T22:13:20.123Z'],
  ])('seconds %d, nanos %d are %s', (seconds, nanos, expected) => {
    // prepare
    const record = alertsRecord({
      alerts: [{ name: 'a', startedAt: { seconds, nanos }, endedAt: { seconds, nanos } }],
    });
    // act
    const decoded = decodeRecord('alerts', record);
    // assess
    expect(decoded).toMatchObject({ alerts: [{ startedAt: expected, endedAt: expected }] });
  });

  it('does not apply the rule to the record created_at', () => {
    const record = alertsRecord({ createdAt: { seconds: ALERT_MILLIS_THRESHOLD_SECONDS }, alerts: [] });
    expect(decodeRecord('alerts', record).createdAt).toBe(
      new Date(ALERT_MILLIS_THRESHOLD_SECONDS * 1000).toISOString(),
    );
  });

  it('reads audiences packed and unpacked', () => {
    // prepare: one alert with audiences 1 unpacked, then 2 and 3 packed
    const alert = wire((w) => {
      w.uint32(tag(1, 2)).string('a');
      w.uint32(tag(2, 0)).int32(1);
      w.uint32(tag(2, 2)).fork().int32(2).int32(3).ldelim();
    });
    const record = wire((w) => w.uint32(tag(1, 2)).bytes(alert).uint32(tag(3, 2)).string('VIN1'));
    // act
    const decoded = decodeRecord('alerts', record);
    // assess
    expect(decoded).toMatchObject({ alerts: [{ audiences: ['Customer', 'Service', 'ServiceFix'] }] });
  });
});

describe.each(FORMATS)('errors records, %s', (format) => {
  it('decodes name, tags, body and each error time', () => {
    // prepare
    const record = encodeVehicleErrors(
      {
        vin: 'VIN1',
        createdAt: { seconds: 1_700_000_000 },
        errors: [
          {
            name: 'stream_fail',
            tags: { field: 'VehicleSpeed', __proto__: 'x' },
            body: 'boom',
            createdAt: 1_699_999_999_500,
          },
          { name: 'bare' },
        ],
      },
      { format },
    );
    // act
    const decoded = decodeRecord('errors', record);
    // assess
    expect(decoded).toEqual({
      topic: 'errors',
      vin: 'VIN1',
      createdAt: '2023-11-14T22:13:20.000Z',
      errors: [
        {
          name: 'stream_fail',
          tags: { field: 'VehicleSpeed' },
          body: 'boom',
          createdAt: '2023-11-14T22:13:19.500Z',
        },
        { name: 'bare', tags: {}, body: '', createdAt: null },
      ],
    });
  });

  it('keeps a tag named __proto__ as a tag', () => {
    // prepare
    const tags: Record<string, string> = {};
    Object.defineProperty(tags, '__proto__', { value: 'sneaky', enumerable: true });
    const record = encodeVehicleErrors({ vin: 'VIN1', errors: [{ name: 'e', tags }] }, { format });
    // act
    const decoded = decodeRecord('errors', record);
    // assess
    const [error] = decoded.topic === 'errors' ? decoded.errors : [];
    expect(Object.getPrototypeOf(error?.tags)).toBe(Object.prototype);
    expect(Object.entries(error?.tags ?? {})).toEqual([['__proto__', 'sneaky']]);
  });

  it('decodes the default factory record', () => {
    expect(decodeRecord('errors', errorsRecord({ format }))).toMatchObject({
      errors: [{ name: 'stream_fail', tags: { field: 'VehicleSpeed', reason: 'timeout' } }],
    });
  });
});

describe.each(FORMATS)('connectivity records, %s', (format) => {
  it.each([
    ['CONNECTED', 'CONNECTED'],
    ['DISCONNECTED', 'DISCONNECTED'],
    ['UNKNOWN', 'UNKNOWN'],
    [2, 'DISCONNECTED'],
    [9, 9],
  ] as const)('decodes status %j as %j', (status, expected) => {
    // prepare
    const record = connectivityRecord({ status, format });
    // act
    const decoded = decodeRecord('connectivity', record);
    // assess
    expect(decoded).toEqual({
      topic: 'connectivity',
      vin: FIXTURE_VIN,
      createdAt: '2023-11-14T22:13:20.000Z',
      connectionId: '6f1c7c1e-0000-4000-8000-000000000000',
      status: expected,
      networkInterface: 'wifi',
    });
  });

  it('decodes empty strings for an unset connection id and interface', () => {
    const record = encodeVehicleConnectivity({ vin: 'VIN1', status: 'DISCONNECTED' }, { format });
    expect(decodeRecord('connectivity', record)).toMatchObject({ connectionId: '', networkInterface: '' });
  });
});

describe('protojson records written by hand, as a newer or differently configured server may', () => {
  it('passes a connectivity status name this schema does not know through', () => {
    const record = text('{"vin":"VIN1","status":"RECONNECTING","createdAt":null}');
    expect(decodeRecord('connectivity', record)).toMatchObject({ status: 'RECONNECTING' });
  });

  it('reads indented protojson with leading whitespace', () => {
    const record = text(
      '\n  {\n  "vin" : "VIN1",\n  "createdAt" : "2023-11-14T22:13:20Z",\n  "data" : [ ]\n}\n',
    );
    expect(decodeRecord('V', record)).toEqual({
      topic: 'V',
      vin: 'VIN1',
      createdAt: '2023-11-14T22:13:20.000Z',
      isResend: false,
      signals: {},
    });
  });

  it.each([
    ['2023-11-14T22:13:20Z', '2023-11-14T22:13:20.000Z'],
    ['2023-11-14T22:13:20.1Z', '2023-11-14T22:13:20.100Z'],
    ['2023-11-14T22:13:20.123456789Z', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14t22:13:20z', '2023-11-14T22:13:20.000Z'],
    ['2023-11-14T23:13:20+01:00', '2023-11-14T22:13:20.000Z'],
    ['2023-11-14T20:43:20-01:30', '2023-11-14T22:13:20.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads the RFC 3339 time %s as %s', (raw, expected) => {
    const record = text(JSON.stringify({ vin: 'VIN1', createdAt: raw }));
    expect(decodeRecord('V', record).createdAt).toBe(expected);
  });
});
