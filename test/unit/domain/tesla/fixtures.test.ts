/**
 * Tesla's reference fixtures, from the project's own copies in `test/fixtures/tesla/` (see the README of
 * `src/domain/tesla/` for where they come from).
 */

import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeVehicleConnectivity,
  encodeVehicleData,
  TeslaDecodeError,
} from '../../../../src/domain/tesla/index.ts';
import { concat, fixture, tag, wire } from './helpers.ts';

/** protobufjs `toObject` output, the form of the fixtures' `.decoded.json` files. */
interface FixtureDatum {
  readonly key: string;
  readonly value: { readonly value: string } & Record<string, unknown>;
}

const DISPATCHED = {
  topic: 'V',
  vin: 'device-1',
  createdAt: '2023-11-14T22:13:20.000Z',
  isResend: false,
  signals: {
    VehicleName: 'My Test Vehicle',
    Location: { latitude: -37.412374, longitude: 122.145867 },
  },
} as const;

describe('a V record as the server dispatches it to Kinesis', () => {
  it('decodes to VehicleName, Location, vin device-1 and created_at 1700000000', () => {
    // act
    const decoded = decodeRecord('V', fixture('integration_V_as_dispatched_to_kinesis.bin'));
    // assess
    expect(decoded).toEqual(DISPATCHED);
    expect(Date.parse(decoded.createdAt) / 1000).toBe(1_700_000_000);
  });

  it('agrees with the fixture own decoded form', () => {
    // prepare
    const reference = JSON.parse(
      fixture('integration_V_as_dispatched_to_kinesis.decoded.json').toString(),
    ) as {
      data: FixtureDatum[];
      vin: string;
      created_at: { seconds: string };
    };
    // act
    const decoded = decodeRecord('V', fixture('integration_V_as_dispatched_to_kinesis.bin'));
    // assess
    expect(decoded.vin).toBe(reference.vin);
    expect(decoded.createdAt).toBe(new Date(Number(reference.created_at.seconds) * 1000).toISOString());
    const signals = decoded.topic === 'V' ? decoded.signals : {};
    for (const datum of reference.data) {
      expect(signals[datum.key]).toEqual(datum.value[datum.value.value]);
    }
  });

  it('is what encodeVehicleData writes for the same values, byte for byte', () => {
    // act
    const encoded = encodeVehicleData(
      {
        vin: 'device-1',
        createdAt: { seconds: 1_700_000_000 },
        data: [
          { key: 'VehicleName', value: { stringValue: 'My Test Vehicle' } },
          { key: 'Location', value: { locationValue: { latitude: -37.412374, longitude: 122.145867 } } },
        ],
      },
      { format: 'protobuf' },
    );
    // assess
    expect(Buffer.from(encoded)).toEqual(fixture('integration_V_as_dispatched_to_kinesis.bin'));
  });

  it('decodes from its protojson form to exactly the same record', () => {
    // act
    const fromJson = decodeRecord('V', fixture('derived_integration_V_transmit_decoded_records.json'));
    const fromBinary = decodeRecord('V', fixture('integration_V_as_dispatched_to_kinesis.bin'));
    // assess
    expect(fromJson).toEqual(fromBinary);
  });

  it('is what encodeVehicleData writes as protojson, once parsed', () => {
    const encoded = encodeVehicleData(
      {
        vin: 'device-1',
        createdAt: { seconds: 1_700_000_000 },
        data: [
          { key: 'VehicleName', value: { stringValue: 'My Test Vehicle' } },
          { key: 'Location', value: { locationValue: { latitude: -37.412374, longitude: 122.145867 } } },
        ],
      },
      { format: 'protojson' },
    );
    expect(JSON.parse(new TextDecoder().decode(encoded))).toEqual(
      JSON.parse(fixture('derived_integration_V_transmit_decoded_records.json').toString()),
    );
  });
});

describe('the same V record as the vehicle sends it, before the server rewrites it', () => {
  it('is a poison record on Kinesis: it has no VIN', () => {
    // act
    const error = (() => {
      try {
        return decodeRecord('V', fixture('integration_V_as_sent_by_vehicle.bin'));
      } catch (e) {
        return e;
      }
    })();
    // assess
    expect(error).toBeInstanceOf(TeslaDecodeError);
    expect(error).toMatchObject({ reason: 'missing-vin', format: 'protobuf', topic: 'V' });
  });

  it('with the VIN the server sets, decodes its Location string to the same location', () => {
    // prepare: protobuf messages merge when concatenated, so appending field 3 sets the VIN
    const withVin = concat(
      fixture('integration_V_as_sent_by_vehicle.bin'),
      wire((w) => w.uint32(tag(3, 2)).string('device-1')),
    );
    // act
    const decoded = decodeRecord('V', withVin);
    // assess
    expect(decoded).toEqual(DISPATCHED);
  });

  it('carries the location as a string, as its decoded form says', () => {
    const reference = JSON.parse(fixture('integration_V_as_sent_by_vehicle.decoded.json').toString()) as {
      data: FixtureDatum[];
    };
    expect(reference.data[1]?.value).toMatchObject({ string_value: '(37.412374 S, 122.145867 E)' });
  });
});

describe('a connectivity record', () => {
  it('decodes to CONNECTED over wifi', () => {
    // act
    const decoded = decodeRecord('connectivity', fixture('integration_connectivity_connected.bin'));
    // assess
    expect(decoded).toEqual({
      topic: 'connectivity',
      vin: 'device-1',
      // 1700000000 s and 5000 ns: the nanos are below a millisecond
      createdAt: '2023-11-14T22:13:20.000Z',
      connectionId: '6f1c7c1e-0000-4000-8000-000000000000',
      status: 'CONNECTED',
      networkInterface: 'wifi',
    });
  });

  it('agrees with the fixture own decoded form', () => {
    const reference = JSON.parse(
      fixture('integration_connectivity_connected.decoded.json').toString(),
    ) as Record<string, unknown>;
    expect(decodeRecord('connectivity', fixture('integration_connectivity_connected.bin'))).toMatchObject({
      vin: reference.vin,
      connectionId: reference.connection_id,
      status: reference.status,
      networkInterface: reference.network_interface,
    });
  });

  it('is what encodeVehicleConnectivity writes, byte for byte, and decodes the same from protojson', () => {
    // prepare
    const input = {
      vin: 'device-1',
      connectionId: '6f1c7c1e-0000-4000-8000-000000000000',
      status: 'CONNECTED',
      createdAt: { seconds: 1_700_000_000, nanos: 5000 },
      networkInterface: 'wifi',
    } as const;
    // act
    const binary = encodeVehicleConnectivity(input, { format: 'protobuf' });
    const json = encodeVehicleConnectivity(input, { format: 'protojson' });
    // assess
    expect(Buffer.from(binary)).toEqual(fixture('integration_connectivity_connected.bin'));
    expect(decodeRecord('connectivity', json)).toEqual(decodeRecord('connectivity', binary));
    expect(JSON.parse(new TextDecoder().decode(json))).toMatchObject({
      createdAt: '2023-11-14T22:13:20.000005Z',
    });
  });
});

describe('the generated V payload with one of each kind of value', () => {
  it('decodes all 12 entries', () => {
    // act
    const decoded = decodeRecord('V', fixture('generated_payload_V.bin'));
    // assess
    expect(decoded).toEqual({
      topic: 'V',
      vin: '5YJ3E1EA7JF000000',
      createdAt: '2023-11-14T22:13:20.123Z',
      isResend: true,
      signals: {
        Location: { latitude: -37.412374, longitude: 122.145867 },
        VehicleName: 'My Test Vehicle',
        VehicleSpeed: 65.5,
        Odometer: 12_345.678,
        Locked: true,
        Gear: 'D',
        DetailedChargeState: 'Charging',
        BatteryLevel: 80.123,
        Soc: 79,
        DoorState: {
          DriverFront: true,
          DriverRear: false,
          PassengerFront: false,
          PassengerRear: false,
          TrunkFront: false,
          TrunkRear: true,
        },
        TpmsPressureFl: null,
        MilesSinceReset: 123_456_789_012,
      },
    });
  });
});

describe('the V record the server own tests expect in protojson', () => {
  it('decodes vin 42, VehicleName cybertruck, and the epoch for its null createdAt', () => {
    expect(decodeRecord('V', fixture('repo_record_test_expected_protojson_V.json'))).toEqual({
      topic: 'V',
      vin: '42',
      createdAt: '1970-01-01T00:00:00.000Z',
      isResend: false,
      signals: { VehicleName: 'cybertruck' },
    });
  });
});
