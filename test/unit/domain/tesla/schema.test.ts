import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Enum, NamespaceBase } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  FIELD_NAMES,
  FIELD_NUMBERS,
  signalKeyOf,
  TESLA_SCHEMA_SOURCE,
} from '../../../../src/domain/tesla/index.ts';
import {
  AUDIENCE,
  CONNECTIVITY_EVENT,
  enumPrefix,
  enumTableOf,
  jsonNameOf,
  teslaRoot,
  VALUE,
} from '../../../../src/domain/tesla/schema.ts';

describe('Field names', () => {
  it.each([
    [4, 'VehicleSpeed'],
    [5, 'Odometer'],
    [8, 'Soc'],
    [10, 'Gear'],
    [21, 'Location'],
    [23, 'GpsHeading'],
    [32, 'RatedRange'],
    [35, 'DCChargingPower'],
    [37, 'ACChargingPower'],
    [38, 'ChargeLimitSoc'],
    [40, 'EstBatteryRange'],
    [42, 'BatteryLevel'],
    [58, 'DoorState'],
    [59, 'Locked'],
    [64, 'VehicleName'],
    [65, 'SentryMode'],
    [68, 'Version'],
    [69, 'TpmsPressureFl'],
    [72, 'TpmsPressureRr'],
    [85, 'InsideTemp'],
    [86, 'OutsideTemp'],
    [158, 'EnergyRemaining'],
    [179, 'DetailedChargeState'],
    [183, 'ChargePortDoorOpen'],
    [0, 'Unknown'],
  ])('Field %d is %s, both ways', (n, name) => {
    expect(FIELD_NAMES[n]).toBe(name);
    expect(FIELD_NUMBERS.get(name)).toBe(n);
    expect(signalKeyOf(n)).toBe(name);
  });

  it('has 260 names, and Field<N> for any other number', () => {
    expect(FIELD_NAMES).toHaveLength(260);
    expect(signalKeyOf(260)).toBe('Field260');
    expect(signalKeyOf(-3)).toBe('Field-3');
  });
});

describe('enum prefixes, computed from the values', () => {
  it.each([
    ['ShiftState', ['ShiftStateUnknown', 'ShiftStateInvalid', 'ShiftStateP', 'ShiftStateD'], 'ShiftState'],
    ['ChargingState', ['ChargeStateUnknown', 'ChargeStateCharging'], 'ChargeState'],
    ['FollowDistance', ['FollowDistanceUnknown', 'FollowDistance1'], 'FollowDistance'],
    ['CableType', ['CableTypeUnknown', 'CableTypeGB_AC', 'CableTypeGB_DC'], 'CableType'],
    ['Shared first letters of the rest', ['ModeUnknown', 'ModeUnset'], 'Mode'],
    ['Audience', ['Unknown', 'Customer', 'Service', 'ServiceFix'], ''],
    ['ConnectivityEvent', ['UNKNOWN', 'CONNECTED', 'DISCONNECTED'], ''],
    ['Screaming snake', ['MODE_UNKNOWN', 'MODE_ON'], 'MODE_'],
    ['Screaming without separator', ['UNKNOWN', 'UNSET'], ''],
    ['CarTypeValue', ['CarTypeModelS'], 'CarType'],
    ['ShiftState', ['ShiftStateP'], 'ShiftState'],
    ['Only', ['Other'], ''],
    ['Empty', [], ''],
  ])('%s %j → %j', (typeName, values, expected) => {
    expect(enumPrefix(typeName, values)).toBe(expected);
  });

  it('leaves every value of every schema enum a non-empty name, unique within its enum', () => {
    // prepare
    const enums = collectEnums();
    // act and assess
    expect(enums.length).toBeGreaterThan(40);
    for (const e of enums) {
      const table = enumTableOf(e);
      const shorts = Object.keys(e.values).map((name) => table.shortByFullName.get(name));
      expect(shorts.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
      expect(new Set(shorts).size).toBe(shorts.length);
    }
  });

  it('keeps the names of the enums without a common prefix', () => {
    expect(AUDIENCE.shortById).toEqual(['Unknown', 'Customer', 'Service', 'ServiceFix']);
    expect(CONNECTIVITY_EVENT.shortById).toEqual(['UNKNOWN', 'CONNECTED', 'DISCONNECTED']);
  });
});

describe('protojson names', () => {
  it.each([
    ['shift_state_value', 'shiftStateValue'],
    ['front_left', 'frontLeft'],
    ['semi_middle_axle_left_2', 'semiMiddleAxleLeft2'],
    ['DriverFront', 'DriverFront'],
    ['created_at', 'createdAt'],
  ])('%s → %s', (proto, json) => {
    expect(jsonNameOf(proto)).toBe(json);
  });
});

describe('the hand-kept names of types.ts', () => {
  it('match the schema Doors and TireLocation messages', () => {
    // prepare
    const doors = VALUE.fields.door_value?.resolvedType;
    const tires = VALUE.fields.tire_location_value?.resolvedType;
    // assess (the lists of DoorName and TireName, in schema order)
    expect(doors && 'fieldsArray' in doors ? doors.fieldsArray.map((f) => f.name) : []).toEqual([
      'DriverFront',
      'DriverRear',
      'PassengerFront',
      'PassengerRear',
      'TrunkFront',
      'TrunkRear',
    ]);
    expect(tires && 'fieldsArray' in tires ? tires.fieldsArray.map((f) => f.name) : []).toEqual([
      'front_left',
      'front_right',
      'rear_left',
      'rear_right',
      'semi_middle_axle_left_2',
      'semi_middle_axle_right_2',
      'semi_rear_axle_left',
      'semi_rear_axle_right',
      'semi_rear_axle_left_2',
      'semi_rear_axle_right_2',
    ]);
  });
});

describe('the project own copy of the schema', () => {
  it('names the release it comes from', () => {
    expect(TESLA_SCHEMA_SOURCE).toContain('v0.9.4-1');
    const readme = readFileSync(
      fileURLToPath(new URL('../../../../src/domain/tesla/README.md', import.meta.url)),
      'utf8',
    );
    expect(readme).toContain('v0.9.4-1');
  });

  it('is the only source: no module reads the shared reference', () => {
    const dir = fileURLToPath(new URL('../../../../src/domain/tesla/', import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      expect(readFileSync(`${dir}${file}`, 'utf8')).not.toMatch(/shared\/reference|\.\.\/shared|node:fs/);
    }
  });
});

function collectEnums(): Enum[] {
  const out: Enum[] = [];
  const walk = (ns: NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Enum) out.push(nested);
      else if (nested instanceof protobuf.Namespace) walk(nested);
    }
  };
  walk(teslaRoot);
  return out;
}
