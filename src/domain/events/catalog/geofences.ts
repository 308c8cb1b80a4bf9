/**
 * Geofence transitions: a vehicle's position against its tenant's geofences. Transitions are debounced
 * (a position must stay on the new side long enough) so GPS jitter at a boundary does not flap.
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
  vehicleEventDetailSchema,
} from './common.ts';

const geofenceFields = {
  geofenceId: EntityIdSchema.describe("The tenant's geofence."),
  geofenceName: z.string().min(1).max(128).describe("The geofence's name at the time of the transition."),
  position: LocationSchema.describe('The first position on the new side of the boundary.'),
};

/** The `Geofence.Entered` detail. */
export const GeofenceEnteredDetailSchema = vehicleEventDetailSchema(1, {
  ...geofenceFields,
}).describe(
  'A vehicle entered a geofence. occurredAt is the first position inside; the event is published once the ' +
    'debounce confirmed it.',
);

/** The `Geofence.Entered` detail. */
export type GeofenceEnteredDetail = z.infer<typeof GeofenceEnteredDetailSchema>;

/** The `Geofence.Exited` detail. */
export const GeofenceExitedDetailSchema = vehicleEventDetailSchema(1, {
  ...geofenceFields,
  enteredAt: UtcDateTimeSchema.nullable().describe(
    'When the vehicle entered (the matching Entered event); null if it was inside before Fleetwire knew it.',
  ),
  dwellSeconds: durationSeconds()
    .nullable()
    .describe('occurredAt - enteredAt, in seconds: how long the vehicle stayed; null when enteredAt is.'),
}).describe(
  'A vehicle left a geofence. occurredAt is the first position outside; the event is published once the ' +
    'debounce confirmed it.',
);

/** The `Geofence.Exited` detail. */
export type GeofenceExitedDetail = z.infer<typeof GeofenceExitedDetailSchema>;

const EXAMPLE_TENANT = 'acme-logistics';
const EXAMPLE_VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';

/** `Geofence.Entered`. */
export const GEOFENCE_ENTERED = defineEvent({
  detailType: DETAIL_TYPES.GeofenceEntered,
  source: EVENT_SOURCES.geofences,
  version: 1,
  description: "A vehicle's position moves inside one of the tenant's geofences (debounced).",
  schema: GeofenceEnteredDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:38:05.000Z',
    vehicleId: EXAMPLE_VEHICLE,
    geofenceId: 'gf-depot-mitte',
    geofenceName: 'Depot Mitte',
    position: { latitude: 52.51961, longitude: 13.40322 },
  },
});

/** `Geofence.Exited`. */
export const GEOFENCE_EXITED = defineEvent({
  detailType: DETAIL_TYPES.GeofenceExited,
  source: EVENT_SOURCES.geofences,
  version: 1,
  description: "A vehicle's position moves outside one of the tenant's geofences (debounced).",
  schema: GeofenceExitedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T11:02:47.000Z',
    vehicleId: EXAMPLE_VEHICLE,
    geofenceId: 'gf-depot-mitte',
    geofenceName: 'Depot Mitte',
    position: { latitude: 52.51702, longitude: 13.40019 },
    enteredAt: '2025-03-14T09:38:05.000Z',
    dwellSeconds: 5082,
  },
});
