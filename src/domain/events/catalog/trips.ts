/**
 * Trips, as the trip detector cuts them from gear and speed transitions: `Trip.Started` when a vehicle
 * starts driving, `Trip.Ended` with the totals when it parks.
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

/** At most this many points in a trip's route, so a `Trip.Ended` stays well inside one 64 KB chunk. */
export const MAX_ROUTE_POINTS = 500;

/**
 * A trip's route, downsampled and encoded with Google's polyline algorithm (precision 5, about 1 m):
 * compact (a few bytes per point) and decoded by every mapping library.
 */
export const RouteSchema = z
  .strictObject({
    encoding: z.literal('google-polyline').describe("Google's encoded polyline algorithm format."),
    precision: z.literal(5).describe('Decimal places of the encoded coordinates (1e-5 degrees, about 1 m).'),
    polyline: z
      .string()
      .max(MAX_ROUTE_POINTS * 12)
      .regex(/^[?-~]*$/, { error: 'must be an encoded polyline (characters ? to ~)' })
      .describe('The encoded points, first to last; empty when no position was recorded.'),
    pointCount: z
      .int()
      .min(0)
      .max(MAX_ROUTE_POINTS)
      .describe(`How many points the polyline holds (at most ${MAX_ROUTE_POINTS}).`),
  })
  .meta({
    id: 'Route',
    title: 'Route',
    description:
      `The route driven, downsampled to at most ${MAX_ROUTE_POINTS} points (start and end kept) and encoded as a ` +
      'Google polyline with precision 5.',
  });

/** A trip's route. */
export type Route = z.infer<typeof RouteSchema>;

const tripIdField = EntityIdSchema.describe('The trip: the same id in its Started and Ended events.');

/** The `Trip.Started` detail. */
export const TripStartedDetailSchema = vehicleEventDetailSchema(1, {
  tripId: tripIdField,
  startedAt: UtcDateTimeSchema.describe('When the vehicle started driving (first sample in gear D or R).'),
  startPosition: LocationSchema.nullable().describe('Where the trip started; null without a position fix.'),
  startOdometerKm: z
    .number()
    .nonnegative()
    .nullable()
    .describe('The odometer at the start, in km; null if unknown.'),
  startBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the start, 0-100; null if unknown.'),
}).describe('The start of a trip; a Trip.Ended with the same tripId follows when the vehicle parks.');

/** The `Trip.Started` detail. */
export type TripStartedDetail = z.infer<typeof TripStartedDetailSchema>;

/** The `Trip.Ended` detail. */
export const TripEndedDetailSchema = vehicleEventDetailSchema(1, {
  tripId: tripIdField,
  startedAt: UtcDateTimeSchema.describe('When the trip started (as in Trip.Started).'),
  endedAt: UtcDateTimeSchema.describe(
    'When the vehicle parked (first sample in gear P, or a long enough stop).',
  ),
  durationSeconds: durationSeconds().describe('endedAt - startedAt, in seconds.'),
  distanceKm: z.number().nonnegative().describe('Distance driven, in km (from the odometer when available).'),
  energyUsedKwh: z
    .number()
    .nullable()
    .describe('Net battery energy used, in kWh (negative if regeneration exceeded use); null if unknown.'),
  startPosition: LocationSchema.nullable().describe('Where the trip started; null without a position fix.'),
  endPosition: LocationSchema.nullable().describe('Where the trip ended; null without a position fix.'),
  startOdometerKm: z
    .number()
    .nonnegative()
    .nullable()
    .describe('The odometer at the start, in km; null if unknown.'),
  endOdometerKm: z
    .number()
    .nonnegative()
    .nullable()
    .describe('The odometer at the end, in km; null if unknown.'),
  startBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the start, 0-100; null if unknown.'),
  endBatteryLevelPercent: percent()
    .nullable()
    .describe('State of charge at the end, 0-100; null if unknown.'),
  maxSpeedKph: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Highest speed sampled, in km/h; null if unknown.'),
  averageSpeedKph: z
    .number()
    .nonnegative()
    .nullable()
    .describe('distanceKm / duration while moving, in km/h; null if unknown.'),
  route: RouteSchema,
}).describe(
  'One finished trip: distance, duration, energy used, where and when it started and ended, and a downsampled route.',
);

/** The `Trip.Ended` detail. */
export type TripEndedDetail = z.infer<typeof TripEndedDetailSchema>;

const EXAMPLE_TENANT = 'acme-logistics';
const EXAMPLE_VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';
const EXAMPLE_TRIP = 'trp_01JPA2M7C4XW9E3H8K1V6S0YQB';

/** `Trip.Started`. */
export const TRIP_STARTED = defineEvent({
  detailType: DETAIL_TYPES.TripStarted,
  source: EVENT_SOURCES.trips,
  version: 1,
  description: 'A parked vehicle starts driving (shifts into D or R and moves).',
  schema: TripStartedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:02:11.400Z',
    vehicleId: EXAMPLE_VEHICLE,
    tripId: EXAMPLE_TRIP,
    startedAt: '2025-03-14T09:02:11.400Z',
    startPosition: { latitude: 52.50931, longitude: 13.37577 },
    startOdometerKm: 18234.6,
    startBatteryLevelPercent: 71,
  },
});

/** `Trip.Ended`. */
export const TRIP_ENDED = defineEvent({
  detailType: DETAIL_TYPES.TripEnded,
  source: EVENT_SOURCES.trips,
  version: 1,
  description: 'A driving vehicle parks: the trip with its distance, duration, energy used and route.',
  schema: TripEndedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:41:37.900Z',
    vehicleId: EXAMPLE_VEHICLE,
    tripId: EXAMPLE_TRIP,
    startedAt: '2025-03-14T09:02:11.400Z',
    endedAt: '2025-03-14T09:41:37.900Z',
    durationSeconds: 2366.5,
    distanceKm: 21.7,
    energyUsedKwh: 3.42,
    startPosition: { latitude: 52.50931, longitude: 13.37577 },
    endPosition: { latitude: 52.520008, longitude: 13.404954 },
    startOdometerKm: 18234.6,
    endOdometerKm: 18256.3,
    startBatteryLevelPercent: 71,
    endBatteryLevelPercent: 66,
    maxSpeedKph: 78.2,
    averageSpeedKph: 33.0,
    route: {
      encoding: 'google-polyline',
      precision: 5,
      polyline: 'evn_IqmspAuSqt@_VkbAeVm|@',
      pointCount: 4,
    },
  },
});
