/**
 * Charging sessions, as the charging detector cuts them from charge-state transitions: `Charging.Started`
 * when energy starts flowing, `Charging.Ended` with the totals when the session ends.
 */
import { z } from 'zod';
import {
  DETAIL_TYPES,
  EVENT_SOURCES,
  EntityIdSchema,
  LocationSchema,
  UtcDateTimeSchema,
  defineEvent,
  durationSeconds,
  percent,
  vehicleEventDetailSchema,
} from './common.ts';

/** AC (on-board charger: wall box, destination) or DC (fast charger: Supercharger, CCS). */
export const ChargingCurrentSchema = z
  .enum(['AC', 'DC'])
  .describe('AC: the on-board charger (wall box, destination charger); DC: a fast charger.');

const sessionIdField = EntityIdSchema.describe(
  'The charging session: the same id in its Started and Ended events.',
);
const fastChargerTypeField = z
  .string()
  .min(1)
  .max(64)
  .nullable()
  .describe(
    "Tesla's FastChargerType by name (e.g. Supercharger, Combo, CHAdeMO) for DC sessions; null for AC or unknown.",
  );
const positionField = LocationSchema.nullable().describe(
  'Where the vehicle is charging; null without a position fix.',
);

/** The `Charging.Started` detail. */
export const ChargingStartedDetailSchema = vehicleEventDetailSchema(1, {
  sessionId: sessionIdField,
  startedAt: UtcDateTimeSchema.describe('When energy started flowing (charge state became Charging).'),
  currentType: ChargingCurrentSchema,
  fastChargerType: fastChargerTypeField,
  startBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the start, 0-100; null if unknown.'),
  chargeLimitPercent: percent()
    .nullable()
    .describe("The vehicle's charge limit setting, 0-100; null if unknown."),
  position: positionField,
}).describe('The start of a charging session; a Charging.Ended with the same sessionId follows.');

/** The `Charging.Started` detail. */
export type ChargingStartedDetail = z.infer<typeof ChargingStartedDetailSchema>;

/** The `Charging.Ended` detail. */
export const ChargingEndedDetailSchema = vehicleEventDetailSchema(1, {
  sessionId: sessionIdField,
  startedAt: UtcDateTimeSchema.describe('When the session started (as in Charging.Started).'),
  endedAt: UtcDateTimeSchema.describe('When energy stopped flowing.'),
  durationSeconds: durationSeconds().describe('endedAt - startedAt, in seconds.'),
  currentType: ChargingCurrentSchema,
  fastChargerType: fastChargerTypeField,
  energyAddedKwh: z.number().nonnegative().describe('Energy added to the battery, in kWh.'),
  maxPowerKw: z.number().nonnegative().describe('Highest charging power sampled, in kW.'),
  startBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the start, 0-100; null if unknown.'),
  endBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the end, 0-100; null if unknown.'),
  endReason: z
    .enum(['completed', 'stopped', 'disconnected', 'unknown'])
    .describe(
      'completed: the charge limit was reached; stopped: charging was stopped with the cable still in; ' +
        'disconnected: the cable was pulled or the charger dropped; unknown: the vehicle did not say.',
    ),
  position: positionField,
}).describe(
  'One finished charging session: energy added, peak power, AC or DC, battery level before and after.',
);

/** The `Charging.Ended` detail. */
export type ChargingEndedDetail = z.infer<typeof ChargingEndedDetailSchema>;

const EXAMPLE_TENANT = 'acme-logistics';
const EXAMPLE_VEHICLE = 'Hc9-2dJk_Wq5Ue1Ns7Yt0g';
const EXAMPLE_SESSION = 'chg_01JPA1ZK3D6F8G2H4J5K7L9M0N';
const EXAMPLE_POSITION = { latitude: 52.39886, longitude: 13.06566 };

/** `Charging.Started`. */
export const CHARGING_STARTED = defineEvent({
  detailType: DETAIL_TYPES.ChargingStarted,
  source: EVENT_SOURCES.charging,
  version: 1,
  description: 'A plugged-in vehicle starts taking energy.',
  schema: ChargingStartedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T08:45:02.310Z',
    vehicleId: EXAMPLE_VEHICLE,
    sessionId: EXAMPLE_SESSION,
    startedAt: '2025-03-14T08:45:02.310Z',
    currentType: 'DC',
    fastChargerType: 'Supercharger',
    startBatteryLevelPercent: 18,
    chargeLimitPercent: 80,
    position: EXAMPLE_POSITION,
  },
});

/** `Charging.Ended`. */
export const CHARGING_ENDED = defineEvent({
  detailType: DETAIL_TYPES.ChargingEnded,
  source: EVENT_SOURCES.charging,
  version: 1,
  description: 'A charging session ends: energy added, peak power, AC/DC, battery level before and after.',
  schema: ChargingEndedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:13:40.020Z',
    vehicleId: EXAMPLE_VEHICLE,
    sessionId: EXAMPLE_SESSION,
    startedAt: '2025-03-14T08:45:02.310Z',
    endedAt: '2025-03-14T09:13:40.020Z',
    durationSeconds: 1717.71,
    currentType: 'DC',
    fastChargerType: 'Supercharger',
    energyAddedKwh: 46.8,
    maxPowerKw: 171.3,
    startBatteryLevelPercent: 18,
    endBatteryLevelPercent: 80,
    endReason: 'completed',
    position: EXAMPLE_POSITION,
  },
});
