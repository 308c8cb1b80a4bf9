/**
 * What simulated vehicles are made of and what they report: names, firmware versions, models, and the
 * alerts and errors they raise. The alert and error names follow the shapes Tesla uses; they are
 * illustrative, not Tesla's catalog.
 */

import type { AlertAudience } from '../domain/tesla/index.ts';
import type { Rng } from './random.ts';

/** Vehicle names (numbered per vehicle). */
export const NAMES: readonly string[] = [
  ...'Nova Comet Ember Atlas Juniper Pixel Sable Tempo Volt Willow'.split(' '),
  ...'Zephyr Maple Orbit Quartz Ranger Spark Tundra Vega Hazel Kestrel'.split(' '),
];

/** Firmware versions, as `Version` reports them. */
export const VERSIONS = [
  '2024.44.25.3 a1b2c3d4e5f6',
  '2025.2.6 9f8e7d6c5b4a',
  '2025.8.3 0c1d2e3f4a5b',
  '2025.14.9 7e6f5a4b3c2d',
];

/** Models with their usable capacity (kWh) and EPA-rated consumption (Wh/km). */
export const MODELS = [
  { carType: 'CarTypeModel3', capacityKwh: 75, ratedWhPerKm: 140 },
  { carType: 'CarTypeModel3', capacityKwh: 57.5, ratedWhPerKm: 132 },
  { carType: 'CarTypeModelY', capacityKwh: 75, ratedWhPerKm: 155 },
] as const;

/**
 * Alerts the vehicle raises at random. The names follow Tesla's `SUBSYSTEM_aNNN_Description` shape;
 * they are illustrative, not Tesla's catalog.
 */
export const RANDOM_ALERTS: readonly {
  readonly name: string;
  readonly audiences: readonly AlertAudience[];
  readonly durationMs: readonly [number, number];
  readonly when: 'any' | 'driving' | 'parked' | 'plugged';
}[] = [
  {
    name: 'VCFRONT_a192_12V_Battery_Low',
    audiences: ['Customer', 'Service'],
    durationMs: [120_000, 900_000],
    when: 'any',
  },
  {
    name: 'UI_a043_Washer_Fluid_Low',
    audiences: ['Customer'],
    durationMs: [300_000, 1_800_000],
    when: 'any',
  },
  {
    name: 'ESP_a053_Traction_Control_Active',
    audiences: ['Service'],
    durationMs: [2_000, 10_000],
    when: 'driving',
  },
  {
    name: 'DI_a175_Regen_Limited_Cold',
    audiences: ['Customer', 'ServiceFix'],
    durationMs: [60_000, 600_000],
    when: 'driving',
  },
  {
    name: 'VCSEC_a220_Key_Not_Detected',
    audiences: ['Customer'],
    durationMs: [5_000, 30_000],
    when: 'parked',
  },
  {
    name: 'CHG_a036_Charge_Cable_Check',
    audiences: ['Service', 'ServiceFix'],
    durationMs: [10_000, 60_000],
    when: 'plugged',
  },
];

/** Raised below 15 % BatteryLevel, cleared above 20 %. */
export const LOW_SOC_ALERT = { name: 'BMS_a066_SW_Low_Soc', audiences: ['Customer'] as const };
/** Raised below 2.5 bar on any tire, cleared above 2.6 bar. */
export const LOW_TIRE_ALERT = {
  name: 'TPMS_a019_Tire_Pressure_Low',
  audiences: ['Customer', 'Service'] as const,
};

/** Errors of the vehicle's telemetry client, as the `errors` topic carries them (illustrative). */
export const RANDOM_ERRORS: readonly {
  readonly name: string;
  readonly tags: (rng: Rng) => Record<string, string>;
  readonly body: string;
}[] = [
  {
    name: 'stream_fail',
    tags: (rng) => ({
      field: rng.pick(['PackVoltage', 'ModuleTempMax', 'DiStatorTempR']),
      reason: 'timeout',
    }),
    body: 'failed to read signal',
  },
  {
    name: 'unknown_field',
    tags: (rng) => ({ field: `Field${rng.int(300, 320)}` }),
    body: 'field not supported by firmware',
  },
  {
    name: 'send_fail',
    tags: (rng) => ({ attempts: String(rng.int(2, 5)) }),
    body: 'websocket write timed out',
  },
];
