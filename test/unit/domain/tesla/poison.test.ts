import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeVehicleAlerts,
  encodeVehicleData,
  TESLA_TOPICS,
  TeslaDecodeError,
  TeslaError,
} from '../../../../src/domain/tesla/index.ts';
import type { TeslaTopic } from '../../../../src/domain/tesla/index.ts';
import {
  alertsRecord,
  connectivityRecord,
  errorsRecord,
  randomBytes,
  seededRandom,
  vehicleDataRecord,
} from '../../../support/tesla-records.ts';
import { decodeError, fixture, reasonOf, tag, text, wire } from './helpers.ts';

const validRecords: readonly (readonly [TeslaTopic, Uint8Array])[] = [
  ['V', vehicleDataRecord()],
  ['alerts', alertsRecord()],
  ['errors', errorsRecord()],
  ['connectivity', connectivityRecord()],
];

describe('poison records: every undecodable record is a TeslaDecodeError with a reason', () => {
  it.each(TESLA_TOPICS)('an empty %s record is empty', (topic) => {
    // act
    const error = decodeError(topic, new Uint8Array(0));
    // assess
    expect(error).toBeInstanceOf(TeslaError);
    expect(error).toMatchObject({ reason: 'empty', topic, format: 'protobuf' });
    expect(error.message).toContain('empty');
  });

  it.each(validRecords)('no truncation of a valid %s record is misread', (topic, record) => {
    // prepare
    const outcomes = new Set<string>();
    // act
    for (let length = 1; length < record.length; length += 1) {
      try {
        decodeRecord(topic, record.subarray(0, length));
        outcomes.add('decoded');
      } catch (error) {
        outcomes.add(error instanceof TeslaDecodeError ? error.reason : String(error));
      }
    }
    // assess: a cut inside a field is truncated; a cut between two fields leaves a shorter valid
    // message, poison only when the VIN is among what was cut off
    expect(outcomes).toContain('truncated');
    expect([...outcomes].filter((o) => !['truncated', 'missing-vin', 'decoded'].includes(o))).toEqual([]);
  });

  it('every truncation of the dispatched V fixture (VIN last) is poison', () => {
    const record = fixture('integration_V_as_dispatched_to_kinesis.bin');
    for (let length = 1; length < record.length; length += 1) {
      expect(['truncated', 'missing-vin']).toContain(reasonOf('V', record.subarray(0, length)));
    }
  });

  it('a record cut inside a datum says where', () => {
    // act
    const error = decodeError('V', fixture('integration_V_as_dispatched_to_kinesis.bin').subarray(0, 10));
    // assess
    expect(error.reason).toBe('truncated');
    expect(error.offset).toBeTypeOf('number');
    expect(error.message).toMatch(/^cannot decode V record \(protobuf\): truncated: /);
  });

  it.each([
    [
      'Payload.vin as a varint',
      wire((w) => w.uint32(tag(3, 0)).uint32(1)),
      'Payload.vin: wire type 0, expected 2',
    ],
    [
      'Payload.is_resend as bytes',
      wire((w) => w.uint32(tag(4, 2)).string('yes')),
      'Payload.is_resend: wire type 2',
    ],
    [
      'Datum.key as bytes',
      wire((w) => w.uint32(tag(1, 2)).bytes(wire((d) => d.uint32(tag(1, 2)).string('Gear')))),
      'Datum.key: wire type 2',
    ],
    [
      'Value.double_value as a varint',
      wire((w) =>
        w
          .uint32(tag(1, 2))
          .bytes(wire((d) => d.uint32(tag(2, 2)).bytes(wire((v) => v.uint32(tag(5, 0)).uint32(3))))),
      ),
      'Value.double_value: wire type 0, expected 1',
    ],
    [
      'LocationValue.latitude as fixed32',
      wire((w) =>
        w
          .uint32(tag(1, 2))
          .bytes(
            wire((d) =>
              d
                .uint32(tag(2, 2))
                .bytes(wire((v) => v.uint32(tag(7, 2)).bytes(wire((l) => l.uint32(tag(1, 5)).float(1))))),
            ),
          ),
      ),
      'Value.location_value.latitude: wire type 5, expected 1',
    ],
    ['wire type 6', new Uint8Array([tag(9, 6)]), 'invalid wire type 6'],
    ['wire type 7', new Uint8Array([tag(9, 7)]), 'invalid wire type 7'],
  ])('a %s is a wrong wire type', (_name, record, detail) => {
    // act
    const error = decodeError('V', record);
    // assess
    expect(error.reason).toBe('wire-type');
    expect(error.detail).toContain(detail);
  });

  it.each([
    ['field number 0', new Uint8Array([0x00, 0x00]), 'V', 'invalid-tag'],
    ['an end-group tag without a start', new Uint8Array([tag(9, 4)]), 'V', 'invalid-tag'],
    [
      'an 11-byte varint',
      new Uint8Array([tag(4, 0), ...new Array<number>(10).fill(0xff), 0x01]),
      'V',
      'invalid-varint',
    ],
    [
      'an 11-byte int64',
      new Uint8Array([0x12, 12, 0x08, ...new Array<number>(10).fill(0xff), 0x01]),
      'V',
      'invalid-varint',
    ],
    ['a length past the end', new Uint8Array([tag(3, 2), 50, 0x41]), 'V', 'truncated'],
    ['a 2^31 length', new Uint8Array([tag(3, 2), 0x80, 0x80, 0x80, 0x80, 0x08]), 'V', 'truncated'],
    ['groups nested 200 deep', new Uint8Array(new Array<number>(200).fill(tag(9, 3))), 'V', 'too-deep'],
    [
      'a connectivity status as bytes',
      wire((w) => w.uint32(tag(3, 2)).string('x')),
      'connectivity',
      'wire-type',
    ],
    [
      'an error tag value as a varint',
      wire((w) =>
        w
          .uint32(tag(1, 2))
          .bytes(wire((e) => e.uint32(tag(3, 2)).bytes(wire((t) => t.uint32(tag(2, 0)).uint32(1))))),
      ),
      'errors',
      'wire-type',
    ],
    [
      'alert audiences as fixed32',
      wire((w) => w.uint32(tag(1, 2)).bytes(wire((a) => a.uint32(tag(2, 5)).fixed32(1)))),
      'alerts',
      'wire-type',
    ],
  ] as const)('%s is poison (%s: %s)', (_name, record, topic, reason) => {
    expect(reasonOf(topic, record)).toBe(reason);
  });

  it.each([
    ['nanos below 0', { seconds: 1_700_000_000, nanos: -1 }],
    ['nanos of a whole second', { seconds: 1_700_000_000, nanos: 1_000_000_000 }],
    ['seconds beyond what a Date holds', { seconds: '8640000000001' }],
    ['seconds beyond 2^53', { seconds: '9223372036854775807' }],
  ])('a created_at with %s is an invalid timestamp', (_name, createdAt) => {
    const record = encodeVehicleData({ vin: 'VIN1', createdAt, data: [] }, { format: 'protobuf' });
    expect(reasonOf('V', record)).toBe('invalid-timestamp');
  });

  it('an alert time beyond what a Date holds, even as milliseconds, is an invalid timestamp', () => {
    const record = encodeVehicleAlerts(
      { vin: 'VIN1', alerts: [{ name: 'a', startedAt: { seconds: '9007199254740993' } }] },
      { format: 'protobuf' },
    );
    expect(reasonOf('alerts', record)).toBe('invalid-timestamp');
  });

  it.each(TESLA_TOPICS)('a %s record without VIN is poison, in both formats', (topic) => {
    // prepare
    const binary = {
      V: vehicleDataRecord,
      alerts: alertsRecord,
      errors: errorsRecord,
      connectivity: connectivityRecord,
    }[topic];
    // act and assess
    expect(reasonOf(topic, binary({ vin: '' }))).toBe('missing-vin');
    expect(reasonOf(topic, binary({ vin: '', format: 'protojson' }))).toBe('missing-vin');
    expect(reasonOf(topic, text('{"vin":null}'))).toBe('missing-vin');
    expect(reasonOf(topic, text('{}'))).toBe('missing-vin');
  });

  it.each([
    ['{garbage', 'json-syntax'],
    ['{"vin":', 'json-syntax'],
    ['{"vin":"VIN1"} trailing', 'json-syntax'],
    [' \n {oops', 'json-syntax'],
    ['{"vin":"VIN1","data":[1]}', 'not-an-object'],
    ['{"vin":"VIN1","data":[{"key":"Gear","value":"D"}]}', 'not-an-object'],
    ['{"vin":"VIN1","data":{}}', 'invalid-field'],
    ['{"vin":5}', 'invalid-field'],
    ['{"vin":"VIN1","isResend":"yes"}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":true}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Gear","value":{"shiftStateValue":true}}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Soc","value":{"intValue":1.5}}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Soc","value":{"longValue":"9223372036854775808"}}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Soc","value":{"doubleValue":"fast"}}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Location","value":{"locationValue":[1,2]}}]}', 'invalid-field'],
    ['{"vin":"VIN1","data":[{"key":"Locked","value":{"invalid":"yes"}}]}', 'invalid-field'],
    ['{"vin":"VIN1","createdAt":"yesterday"}', 'invalid-timestamp'],
    ['{"vin":"VIN1","createdAt":1700000000}', 'invalid-timestamp'],
    ['{"vin":"VIN1","createdAt":"2023-02-29T00:00:00Z"}', 'invalid-timestamp'],
    ['{"vin":"VIN1","createdAt":"2023-11-14T24:00:00Z"}', 'invalid-timestamp'],
  ])('the protojson %s is poison (%s)', (raw, reason) => {
    // act
    const error = decodeError('V', text(raw));
    // assess
    expect(error).toMatchObject({ reason, format: 'protojson' });
  });

  it.each([
    ['alerts', '{"vin":"VIN1","alerts":[{"name":1}]}', 'invalid-field'],
    ['alerts', '{"vin":"VIN1","alerts":[{"audiences":[true]}]}', 'invalid-field'],
    ['alerts', '{"vin":"VIN1","alerts":["BMS"]}', 'not-an-object'],
    ['errors', '{"vin":"VIN1","errors":[{"tags":{"a":1}}]}', 'invalid-field'],
    ['errors', '{"vin":"VIN1","errors":[{"tags":[]}]}', 'invalid-field'],
    ['connectivity', '{"vin":"VIN1","status":true}', 'invalid-field'],
    ['connectivity', '{"vin":"VIN1","networkInterface":5}', 'invalid-field'],
  ] as const)('the %s protojson %s is poison (%s)', (topic, raw, reason) => {
    expect(reasonOf(topic, text(raw))).toBe(reason);
  });

  it('protojson that is not UTF-8 is poison', () => {
    expect(reasonOf('V', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBe('invalid-utf8');
  });

  it('a binary record whose first field is 123 bytes long (0x0A 0x7B, like whitespace and a brace) decodes as binary', () => {
    // prepare: a first datum of exactly 123 bytes
    const name = 'x'.repeat(117);
    const record = encodeVehicleData(
      { vin: 'VIN1', data: [{ key: 'VehicleName', value: { stringValue: name } }] },
      { format: 'protobuf' },
    );
    // act
    const decoded = decodeRecord('V', record);
    // assess
    expect([record[0], record[1]]).toEqual([0x0a, 0x7b]);
    expect(decoded).toMatchObject({ vin: 'VIN1', signals: { VehicleName: name } });
  });

  it.each([
    [7, 64],
    [11, 200],
    [23, 1],
    [42, 3],
  ])('random bytes (seed %d, %d bytes) are poison for every topic', (seed, length) => {
    const bytes = randomBytes(length, seed);
    for (const topic of TESLA_TOPICS) expect(decodeError(topic, bytes)).toBeInstanceOf(TeslaDecodeError);
  });

  it('no random or mutated record makes the decoder throw anything but a TeslaDecodeError', () => {
    // prepare
    const random = seededRandom(2024);
    const unexpected: string[] = [];
    // act
    for (let i = 0; i < 3000; i += 1) {
      const [topic, valid] = validRecords[i % validRecords.length] as readonly [TeslaTopic, Uint8Array];
      let bytes: Uint8Array;
      if (i % 3 === 0) bytes = randomBytes(1 + Math.floor(random() * 300), i);
      else {
        // flip a few bytes of a valid record: the nastiest inputs are almost valid
        bytes = Uint8Array.from(valid);
        for (let k = 0; k < 1 + (i % 4); k += 1)
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      for (const t of [topic, 'V'] as const) {
        try {
          decodeRecord(t, bytes);
        } catch (error) {
          if (!(error instanceof TeslaDecodeError))
            unexpected.push(`${t} ${Buffer.from(bytes).toString('hex')}: ${String(error)}`);
        }
      }
    }
    // assess
    expect(unexpected).toEqual([]);
  });
});
