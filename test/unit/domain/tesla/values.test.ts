import { describe, expect, it } from 'vitest';
import { decodeRecord, ENUM_VALUE_MEMBERS } from '../../../../src/domain/tesla/index.ts';
import type { SignalValue, ValueInput } from '../../../../src/domain/tesla/index.ts';
import { Kind, VALUE_MEMBERS } from '../../../../src/domain/tesla/schema.ts';
import { FORMATS, oneSignal, signalsOf, tag, text, wire } from './helpers.ts';

/** Every Value member that is not an enum, with what it decodes to. */
const scalarMembers: readonly (readonly [string, ValueInput, SignalValue])[] = [
  ['stringValue', { stringValue: 'My Test Vehicle' }, 'My Test Vehicle'],
  ['intValue', { intValue: -42 }, -42],
  ['longValue', { longValue: 123_456_789_012 }, 123_456_789_012],
  ['floatValue', { floatValue: 65.5 }, 65.5],
  ['doubleValue', { doubleValue: 12_345.678 }, 12_345.678],
  ['booleanValue', { booleanValue: true }, true],
  [
    'locationValue',
    { locationValue: { latitude: 37.412374, longitude: -122.145867 } },
    { latitude: 37.412374, longitude: -122.145867 },
  ],
  ['invalid', { invalid: true }, null],
  [
    'doorValue',
    { doorValue: { DriverFront: true, TrunkRear: true } },
    {
      DriverFront: true,
      DriverRear: false,
      PassengerFront: false,
      PassengerRear: false,
      TrunkFront: false,
      TrunkRear: true,
    },
  ],
  ['timeValue', { timeValue: { hour: 6, minute: 30 } }, { hour: 6, minute: 30, second: 0 }],
  [
    'tireLocationValue',
    { tireLocationValue: { front_left: true, semi_rear_axle_right_2: true } },
    {
      front_left: true,
      front_right: false,
      rear_left: false,
      rear_right: false,
      semi_middle_axle_left_2: false,
      semi_middle_axle_right_2: false,
      semi_rear_axle_left: false,
      semi_rear_axle_right: false,
      semi_rear_axle_left_2: false,
      semi_rear_axle_right_2: true,
    },
  ],
];

/** Every enum-typed Value member, a value of it, and its name without the enum's prefix. */
const enumMembers: readonly (readonly [string, string, string])[] = [
  ['chargingValue', 'ChargeStateCharging', 'Charging'],
  ['shiftStateValue', 'ShiftStateD', 'D'],
  ['laneAssistLevelValue', 'LaneAssistLevelWarning', 'Warning'],
  ['scheduledChargingModeValue', 'ScheduledChargingModeDepartBy', 'DepartBy'],
  ['sentryModeStateValue', 'SentryModeStateArmed', 'Armed'],
  ['speedAssistLevelValue', 'SpeedAssistLevelChime', 'Chime'],
  ['bmsStateValue', 'BMSStateDrive', 'Drive'],
  ['buckleStatusValue', 'BuckleStatusLatched', 'Latched'],
  ['carTypeValue', 'CarTypeModel3', 'Model3'],
  ['chargePortValue', 'ChargePortCCS', 'CCS'],
  ['chargePortLatchValue', 'ChargePortLatchEngaged', 'Engaged'],
  ['driveInverterStateValue', 'DriveInverterStateEnable', 'Enable'],
  ['hvilStatusValue', 'HvilStatusOK', 'OK'],
  ['windowStateValue', 'WindowStatePartiallyOpen', 'PartiallyOpen'],
  ['seatFoldPositionValue', 'SeatFoldPositionFolded', 'Folded'],
  ['tractorAirStatusValue', 'TractorAirStatusCharged', 'Charged'],
  ['followDistanceValue', 'FollowDistance3', '3'],
  ['forwardCollisionSensitivityValue', 'ForwardCollisionSensitivityEarly', 'Early'],
  ['guestModeMobileAccessValue', 'GuestModeMobileAccessAuthenticated', 'Authenticated'],
  ['trailerAirStatusValue', 'TrailerAirStatusBobtailMode', 'BobtailMode'],
  ['detailedChargeStateValue', 'DetailedChargeStateCharging', 'Charging'],
  ['hvacAutoModeValue', 'HvacAutoModeStateOverride', 'Override'],
  ['cabinOverheatProtectionModeValue', 'CabinOverheatProtectionModeStateFanOnly', 'FanOnly'],
  ['cabinOverheatProtectionTemperatureLimitValue', 'ClimateOverheatProtectionTempLimitHigh', 'High'],
  ['defrostModeValue', 'DefrostModeStateMax', 'Max'],
  ['climateKeeperModeValue', 'ClimateKeeperModeStateDog', 'Dog'],
  ['hvacPowerValue', 'HvacPowerStatePrecondition', 'Precondition'],
  ['fastChargerValue', 'FastChargerSupercharger', 'Supercharger'],
  ['cableTypeValue', 'CableTypeGB_AC', 'GB_AC'],
  ['tonneauTentModeValue', 'TonneauTentModeStateActive', 'Active'],
  ['tonneauPositionValue', 'TonneauPositionStateFullyOpen', 'FullyOpen'],
  ['powershareTypeValue', 'PowershareTypeStatusHome', 'Home'],
  ['powershareStateValue', 'PowershareStateEnabledReconnectingSoon', 'EnabledReconnectingSoon'],
  ['powershareStopReasonValue', 'PowershareStopReasonStatusSOCTooLow', 'SOCTooLow'],
  ['displayStateValue', 'DisplayStateSentry', 'Sentry'],
  ['distanceUnitValue', 'DistanceUnitKilometers', 'Kilometers'],
  ['temperatureUnitValue', 'TemperatureUnitCelsius', 'Celsius'],
  ['pressureUnitValue', 'PressureUnitBar', 'Bar'],
  ['chargeUnitPreferenceValue', 'ChargeUnitPercent', 'Percent'],
  ['turnSignalStateValue', 'TurnSignalStateBoth', 'Both'],
  ['mediaStatusValue', 'MediaStatusPlaying', 'Playing'],
  ['sunroofInstalledStateValue', 'SunroofInstalledStateGen2Installed', 'Gen2Installed'],
];

describe('the tables of this file', () => {
  it('cover every Value member of the schema', () => {
    // prepare
    const schemaMembers = VALUE_MEMBERS.map((m) => m.jsonName).sort();
    // act
    const tested = [...scalarMembers.map(([m]) => m), ...enumMembers.map(([m]) => m)].sort();
    // assess
    expect(tested).toEqual(schemaMembers);
  });

  it('list exactly the enum members that ENUM_VALUE_MEMBERS types', () => {
    const schemaEnums = VALUE_MEMBERS.filter((m) => m.kind === Kind.Enum).map((m) => m.jsonName);
    expect([...ENUM_VALUE_MEMBERS].sort()).toEqual([...schemaEnums].sort());
    expect(enumMembers.map(([m]) => m).sort()).toEqual([...schemaEnums].sort());
  });
});

describe.each(FORMATS)('Value members, %s', (format) => {
  it.each(scalarMembers)('%s decodes to its normalized value', (_member, value, expected) => {
    // prepare
    const record = oneSignal('VehicleSpeed', value, format);
    // act
    const signals = signalsOf(decodeRecord('V', record));
    // assess
    expect(signals).toEqual({ VehicleSpeed: expected });
  });

  it.each(enumMembers)('%s %s decodes to its name without prefix', (member, name, expected) => {
    const record = oneSignal('Gear', { [member]: name } as ValueInput, format);
    expect(signalsOf(decodeRecord('V', record)).Gear).toBe(expected);
  });

  it.each([
    ['ShiftStateUnknown', 'Unknown'],
    ['ShiftStateInvalid', 'Invalid'],
    ['ShiftStateSNA', 'SNA'],
    ['P', 'P'],
  ])('an enum value %s (a name, not the invalid member) decodes to %s', (name, expected) => {
    expect(signalsOf(decodeRecord('V', oneSignal('Gear', { shiftStateValue: name }, format))).Gear).toBe(
      expected,
    );
  });

  it('passes an enum number the schema does not know through as the number', () => {
    const record = oneSignal('Gear', { shiftStateValue: 99 }, format);
    expect(signalsOf(decodeRecord('V', record)).Gear).toBe(99);
  });

  it.each([
    ['80.123', 80.123],
    ['-12.5', -12.5],
    ['0', 0],
    ['42', 42],
    ['1e-3', 0.001],
    ['0.00100', 0.001],
    ['9007199254740991', 9_007_199_254_740_991],
    ['9007199254740993', '9007199254740993'],
    ['12.000000000000000001', 12],
    ['007', '007'],
    ['1.2.3', '1.2.3'],
    ['2024.44.25.7 a1b2', '2024.44.25.7 a1b2'],
    ['+5', '+5'],
    [' 80', ' 80'],
    ['-', '-'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['1e999', '1e999'],
    ['', ''],
  ])('string_value %j decodes to %j', (raw, expected) => {
    expect(
      signalsOf(decodeRecord('V', oneSignal('BatteryLevel', { stringValue: raw }, format))).BatteryLevel,
    ).toBe(expected);
  });

  it.each([
    ['(37.412374 N, 122.145867 E)', 37.412374, 122.145867],
    ['(37.412374 S, 122.145867 E)', -37.412374, 122.145867],
    ['(37.412374 N, 122.145867 W)', 37.412374, -122.145867],
    ['(37.412374 S, 122.145867 W)', -37.412374, -122.145867],
    ['(0 N, 0 E)', 0, 0],
    ['(1.5e1 N,2 W)', 15, -2],
  ])('location string %s decodes to %d, %d', (raw, latitude, longitude) => {
    // act
    const signals = signalsOf(decodeRecord('V', oneSignal('Location', { stringValue: raw }, format)));
    // assess
    expect(signals.Location).toEqual({ latitude, longitude });
  });

  it.each([
    '(37.4 X, 122.1 E)',
    '37.4 N, 122.1 E',
    '(north N, 1 E)',
    '(37.4 N 122.1 E)',
    '(37.4 N, 122.1 E) extra',
  ])('%j is not a location and stays a string', (raw) => {
    expect(signalsOf(decodeRecord('V', oneSignal('Location', { stringValue: raw }, format))).Location).toBe(
      raw,
    );
  });

  it('reads a location string in the origin and destination fields too', () => {
    const record = oneSignal('DestinationLocation', { stringValue: '(1 S, 2 W)' }, format);
    expect(signalsOf(decodeRecord('V', record)).DestinationLocation).toEqual({ latitude: -1, longitude: -2 });
  });

  it.each([
    [{ floatValue: 65.3 }, 65.3],
    [{ floatValue: 0.1 }, 0.1],
    [{ floatValue: -2.9 }, -2.9],
    [{ floatValue: 1e-10 }, 1e-10],
    [{ floatValue: 123456.789 }, 123456.79],
    [{ floatValue: 3.4028234663852886e38 }, 3.4028235e38],
    [{ floatValue: Number.NaN }, null],
    [{ floatValue: Number.POSITIVE_INFINITY }, null],
    [{ doubleValue: Number.NEGATIVE_INFINITY }, null],
    [{ doubleValue: 0.1 }, 0.1],
    [{ floatValue: 1.1e10 }, 1.1e10],
    [{ floatValue: 16777216 }, 16777216],
  ] as const)('%j decodes to %s (float32 as its shortest decimal, no NaN)', (value, expected) => {
    expect(signalsOf(decodeRecord('V', oneSignal('InsideTemp', value, format))).InsideTemp).toBe(expected);
  });

  it.each([
    [{ longValue: '9007199254740991' }, 9_007_199_254_740_991],
    [{ longValue: '9007199254740992' }, '9007199254740992'],
    [{ longValue: '-9007199254740992' }, '-9007199254740992'],
    [{ longValue: '9223372036854775807' }, '9223372036854775807'],
    [{ longValue: '-9223372036854775808' }, '-9223372036854775808'],
    [{ longValue: -1 }, -1],
    [{ intValue: -2147483648 }, -2147483648],
    [{ intValue: 2147483647 }, 2147483647],
  ] as const)('%j decodes to %j (exact: a number when safe, else a string)', (value, expected) => {
    expect(signalsOf(decodeRecord('V', oneSignal('Odometer', value, format))).Odometer).toBe(expected);
  });

  it.each([
    [{ booleanValue: false }, false],
    [{ intValue: 0 }, 0],
    [{ stringValue: '' }, ''],
    [{ doubleValue: 0 }, 0],
    [{ shiftStateValue: 0 }, 'Unknown'],
    [
      { doorValue: {} },
      {
        DriverFront: false,
        DriverRear: false,
        PassengerFront: false,
        PassengerRear: false,
        TrunkFront: false,
        TrunkRear: false,
      },
    ],
  ] as const)('a member set to its default, %j, is still that value', (value, expected) => {
    expect(signalsOf(decodeRecord('V', oneSignal('Locked', value, format))).Locked).toEqual(expected);
  });

  it('decodes a datum without a value as null', () => {
    expect(signalsOf(decodeRecord('V', oneSignal('Locked', null, format)))).toEqual({ Locked: null });
  });

  it('keys an unknown Field number as Field<N> and passes its value through', () => {
    // prepare
    const record = oneSignal(9999, { stringValue: '12.5' }, format);
    // act
    const signals = signalsOf(decodeRecord('V', record));
    // assess
    expect(signals).toEqual({ Field9999: 12.5 });
  });
});

describe('values only one format can carry', () => {
  it('binary: an unknown Value member passes a varint through, reads fixed32/64 as float/double', () => {
    // prepare: Value fields 90 (varint), 91 (fixed32), 92 (fixed64), 93 (bytes), each in its own datum
    const datum = (key: number, value: Uint8Array) =>
      wire((w) => w.uint32(tag(1, 0)).int32(key).uint32(tag(2, 2)).bytes(value));
    const values = [
      wire((w) => w.uint32(tag(90, 0)).int32(7)),
      wire((w) => w.uint32(tag(91, 5)).float(1.5)),
      wire((w) => w.uint32(tag(92, 1)).double(2.25)),
      wire((w) => w.uint32(tag(93, 2)).bytes(new Uint8Array([1, 2, 3]))),
    ];
    const record = wire((w) => {
      values.forEach((v, i) => w.uint32(tag(1, 2)).bytes(datum(4 + i, v)));
      w.uint32(tag(3, 2)).string('VIN1');
    });
    // act
    const signals = signalsOf(decodeRecord('V', record));
    // assess
    expect(signals).toEqual({ VehicleSpeed: 7, Odometer: 1.5, PackVoltage: 2.25, PackCurrent: null });
  });

  it('binary: a oneof sent twice keeps the last member', () => {
    const value = wire((w) => w.uint32(tag(1, 2)).string('first').uint32(tag(5, 1)).double(3.5));
    const record = wire((w) => {
      w.uint32(tag(1, 2)).bytes(wire((d) => d.uint32(tag(2, 2)).bytes(value).uint32(tag(1, 0)).int32(4)));
      w.uint32(tag(3, 2)).string('VIN1');
    });
    expect(signalsOf(decodeRecord('V', record))).toEqual({ VehicleSpeed: 3.5 });
  });

  it('binary: the same Field twice in one record keeps the last', () => {
    const record = concat2(
      oneSignal('Soc', { intValue: 1 }, 'protobuf'),
      oneSignal('Soc', { intValue: 2 }, 'protobuf'),
    );
    expect(signalsOf(decodeRecord('V', record)).Soc).toBe(2);
  });

  it('protojson: unknown Field names are kept as keys, unknown enum names lose their prefix', () => {
    // prepare
    const record = text(
      JSON.stringify({
        vin: 'VIN1',
        data: [
          { key: 'FutureSignal', value: { doubleValue: 1.5 } },
          { key: 'Gear', value: { shiftStateValue: 'ShiftStateX' } },
          { key: 'CarType', value: { carTypeValue: 'Roadster' } },
        ],
      }),
    );
    // act
    const signals = signalsOf(decodeRecord('V', record));
    // assess
    expect(signals).toEqual({ FutureSignal: 1.5, Gear: 'X', CarType: 'Roadster' });
  });

  it('protojson: an unknown Value member passes primitives and flat objects through', () => {
    const record = text(
      JSON.stringify({
        vin: 'VIN1',
        data: [
          { key: 'Soc', value: { futureNumberValue: 5 } },
          { key: 'Gear', value: { futureEnumValue: 'Something' } },
          { key: 'Location', value: { futureStructValue: { a: 1, b: [2] } } },
          { key: 'Locked', value: { futureListValue: [1] } },
        ],
      }),
    );
    expect(signalsOf(decodeRecord('V', record))).toEqual({
      Soc: 5,
      Gear: 'Something',
      Location: { a: 1 },
      Locked: null,
    });
  });

  it('protojson: accepts what Go also accepts: proto names, numbers for enums and int64, strings for numbers', () => {
    // prepare
    const record = text(
      JSON.stringify({
        vin: 'VIN1',
        created_at: '2023-11-14T22:13:20.5+01:00',
        is_resend: true,
        data: [
          { key: 10, value: { shift_state_value: 5 } },
          { key: 'Odometer', value: { longValue: 12 } },
          { key: 'Soc', value: { intValue: '79' } },
          { key: 'InsideTemp', value: { doubleValue: '21.5' } },
          { key: 'OutsideTemp', value: { floatValue: 'NaN' } },
          { key: 'TpmsPressureFl', value: { tire_location_value: { front_left: true } } },
        ],
      }),
    );
    // act
    const decoded = decodeRecord('V', record);
    // assess
    expect(decoded).toMatchObject({ createdAt: '2023-11-14T21:13:20.500Z', isResend: true });
    expect(signalsOf(decoded)).toMatchObject({
      Gear: 'D',
      Odometer: 12,
      Soc: 79,
      InsideTemp: 21.5,
      OutsideTemp: null,
    });
    expect(signalsOf(decoded).TpmsPressureFl).toMatchObject({ front_left: true, rear_left: false });
  });
});

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
