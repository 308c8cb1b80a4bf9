/**
 * The vocabulary every Fleetwire event shares: the `source` and `detail-type` names, the identifiers
 * (tenant, pseudonymous vehicle, user), timestamps, positions and signal values, and the fields every
 * `detail` starts with. The per-context catalog files build their schemas from these pieces, so a
 * `vehicleId` or an `occurredAt` means and validates the same in every event.
 */
import { z } from 'zod';
import { VIN_LIKE_PATTERN } from '../../pseudonym/pseudonym.ts';

/**
 * The `source` of every event, one per bounded context. Integrators can match all of Fleetwire with
 * `{ "source": [{ "prefix": "fleetwire." }] }`.
 */
export const EVENT_SOURCES = {
  /** Telemetry ingest: the packed `Telemetry.Updated`. */
  ingest: 'fleetwire.ingest',
  /** Vehicle health and presence: connectivity, alerts, errors. */
  vehicles: 'fleetwire.vehicles',
  trips: 'fleetwire.trips',
  charging: 'fleetwire.charging',
  geofences: 'fleetwire.geofences',
  /** The command workflow (Step Functions `vehicle-command`). */
  commands: 'fleetwire.commands',
} as const;

/** A Fleetwire event `source`. */
export type EventSource = (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES];

/** Every `detail-type` Fleetwire publishes, `Noun.PastTense`. */
export const DETAIL_TYPES = {
  TelemetryUpdated: 'Telemetry.Updated',
  VehicleConnectivityChanged: 'Vehicle.Connectivity.Changed',
  VehicleAlertRaised: 'Vehicle.Alert.Raised',
  VehicleAlertCleared: 'Vehicle.Alert.Cleared',
  VehicleErrorReported: 'Vehicle.Error.Reported',
  TripStarted: 'Trip.Started',
  TripEnded: 'Trip.Ended',
  ChargingStarted: 'Charging.Started',
  ChargingEnded: 'Charging.Ended',
  GeofenceEntered: 'Geofence.Entered',
  GeofenceExited: 'Geofence.Exited',
  CommandRequested: 'Command.Requested',
  CommandApprovalRequested: 'Command.ApprovalRequested',
  CommandAuthorized: 'Command.Authorized',
  CommandDenied: 'Command.Denied',
  CommandSucceeded: 'Command.Succeeded',
  CommandFailed: 'Command.Failed',
} as const;

/** A Fleetwire event `detail-type`. */
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/**
 * A VIN (ISO 3779: 17 characters, no I, O or Q), in either case. Identifier fields reject anything of
 * this shape so that a VIN pasted into the wrong field fails validation instead of being published.
 */
export const VIN_PATTERN = VIN_LIKE_PATTERN;

const VIN_REJECTED =
  'is shaped like a VIN; events carry the pseudonymous vehicleId and must never contain a real VIN';

/** A refinement that runs before the format check, so a VIN gets the VIN message and nothing else. */
function notAVin(value: string): boolean {
  return !VIN_PATTERN.test(value);
}

/** JSON Schema cannot express the refinement; `not` keeps the published schema just as strict. */
const NOT_A_VIN_JSON_SCHEMA = { not: { pattern: VIN_PATTERN.source } } as const;

/** The pseudonym's shape: 16 bytes of HMAC-SHA256 in unpadded URL-safe base64. */
export const VEHICLE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * The pseudonymous vehicle id. Ingest computes it as the first 16 bytes of HMAC-SHA256(key, VIN), in
 * unpadded URL-safe base64: 22 characters of `A-Z a-z 0-9 _ -`. It is stable for a deployment's key, the
 * same in every event, table and API, and cannot be turned back into the VIN. A real VIN is 17
 * characters, so it can never validate as one.
 */
export const VehicleIdSchema = z
  .string()
  .refine(notAVin, { error: VIN_REJECTED, abort: true })
  .regex(VEHICLE_ID_PATTERN, {
    error: 'must be a pseudonymous vehicleId: 22 URL-safe base64 characters (A-Z a-z 0-9 _ -)',
  })
  .meta({
    id: 'VehicleId',
    title: 'VehicleId',
    description:
      'Pseudonymous vehicle id: the first 16 bytes of HMAC-SHA256(deployment key, VIN), unpadded URL-safe base64 ' +
      '(22 characters). Stable per deployment, identical in every event, table and API, and not reversible. ' +
      'A real VIN (17 characters) is never accepted.',
  });

/** A tenant id's shape: a short slug or a UUID. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A tenant id: a short slug or UUID, never a VIN. */
export const TenantIdSchema = z
  .string()
  .refine(notAVin, { error: VIN_REJECTED, abort: true })
  .regex(TENANT_ID_PATTERN, {
    error: 'must be a tenant id: 1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit',
  })
  .meta({
    id: 'TenantId',
    title: 'TenantId',
    description:
      'The tenant (fleet owner) the event belongs to. Subscriptions, rules and queries filter on it; ' +
      'no event ever mixes tenants.',
    ...NOT_A_VIN_JSON_SCHEMA,
  });

/** An ISO-8601 UTC instant with a `Z` suffix; offsets are refused so that string order is time order. */
export const UtcDateTimeSchema = z.iso
  .datetime({ error: 'must be an ISO-8601 UTC date-time ending in Z, e.g. 2025-01-31T12:00:00.000Z' })
  .meta({
    id: 'UtcDateTime',
    title: 'UtcDateTime',
    description: 'An ISO-8601 date-time in UTC with a Z suffix, e.g. 2025-01-31T12:00:00.000Z.',
  });

/**
 * An identifier Fleetwire mints (trip, charging session, alert, geofence, rule, command): 1-80 characters
 * that are also valid as a Step Functions execution name, so a command id can name its execution.
 */
export const EntityIdSchema = z
  .string()
  .refine(notAVin, { error: VIN_REJECTED, abort: true })
  .regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'must be an id: 1-80 characters of A-Z a-z 0-9 _ -' })
  .meta({
    id: 'EntityId',
    title: 'EntityId',
    description:
      'An identifier minted by Fleetwire (trip, charging session, alert, geofence, rule, command): ' +
      '1-80 characters of A-Z a-z 0-9 _ -, never a VIN.',
    ...NOT_A_VIN_JSON_SCHEMA,
  });

/** A user, as the identity provider names them (the JWT `sub` claim). */
export const UserIdSchema = z
  .string()
  .refine(notAVin, { error: VIN_REJECTED, abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}$/, {
    error: 'must be a user id (the JWT sub claim): 1-128 characters of A-Z a-z 0-9 . _ @ : + -',
  })
  .meta({
    id: 'UserId',
    title: 'UserId',
    description:
      "A user: the `sub` claim of the caller's token (a Cognito user's UUID in AWS). Audit trails name " +
      'people by this id; it is never a VIN.',
    ...NOT_A_VIN_JSON_SCHEMA,
  });

/** A WGS 84 position, as ingest normalizes Tesla's `Location` signal. */
export const LocationSchema = z
  .strictObject({
    latitude: z.number().min(-90).max(90).describe('Degrees north, WGS 84.'),
    longitude: z.number().min(-180).max(180).describe('Degrees east, WGS 84.'),
  })
  .meta({ id: 'Location', title: 'Location', description: 'A WGS 84 position in decimal degrees.' });

/** A position. */
export type Location = z.infer<typeof LocationSchema>;

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Any JSON value: for command parameters and Tesla's structured signal values. */
export const JsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(JsonValueSchema),
      z.record(z.string(), JsonValueSchema),
    ]),
  )
  .meta({ id: 'JsonValue', title: 'JsonValue', description: 'Any JSON value.' });

/** A signal name's shape. */
export const SIGNAL_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

/**
 * A Tesla Fleet Telemetry field name (`VehicleSpeed`, `Location`, `Soc`, …), or `Field<N>` for fields
 * newer than Fleetwire's decoder. A signal named `Vin` is refused: the decoder never makes one, and if a
 * future field did, it would put a VIN on the bus.
 */
export const SignalNameSchema = z
  .string()
  .regex(SIGNAL_NAME_PATTERN, { error: 'must be a Tesla field name: 1-64 characters of A-Z a-z 0-9 _' })
  .refine((name) => name.toLowerCase() !== 'vin', { error: 'a signal named Vin is never published' })
  .meta({
    id: 'SignalName',
    title: 'SignalName',
    description:
      'A Tesla Fleet Telemetry field name (e.g. VehicleSpeed, Location, Soc), or Field<N> for fields newer ' +
      "than Fleetwire's decoder. A signal named Vin is never published.",
    not: { enum: ['Vin', 'VIN', 'vin'] },
  });

/**
 * A normalized signal value, as the Tesla decoder makes it: numbers as numbers, booleans, strings (enums
 * by name without the enum's prefix: `ShiftStateD` is `"D"`), `{latitude, longitude}` for positions,
 * Tesla's structured values (doors, tires, time of day) as objects, and `null` for Tesla's `invalid`.
 */
export const SignalValueSchema = z
  .union([
    z.number(),
    z.boolean(),
    z.string().refine(notAVin, { error: VIN_REJECTED }).meta(NOT_A_VIN_JSON_SCHEMA),
    z.null(),
    LocationSchema,
    z.record(z.string(), JsonValueSchema).refine((value) => !('latitude' in value && 'longitude' in value), {
      error: 'an object with latitude and longitude must be a valid Location',
    }),
  ])
  .meta({
    id: 'SignalValue',
    title: 'SignalValue',
    description:
      'A normalized signal value: a number (numeric strings parsed), a boolean, a string (enum values by name ' +
      'without the enum prefix, e.g. Gear "D"), null when Tesla reports the value invalid, {latitude, longitude} ' +
      "for positions, or an object for Tesla's structured values (doors, tires, time of day).",
  });

/** A normalized signal value. */
export type SignalValue = z.infer<typeof SignalValueSchema>;

/** Signal name → normalized value. */
export const SignalsSchema = z.record(SignalNameSchema, SignalValueSchema).meta({
  id: 'Signals',
  title: 'Signals',
  description: 'Tesla field name → normalized value.',
});

/** Signal name → normalized value. */
export type Signals = z.infer<typeof SignalsSchema>;

/** Non-negative seconds. */
export const durationSeconds = (): z.ZodNumber => z.number().nonnegative();

/** A battery state of charge, 0-100. */
export const percent = (): z.ZodNumber => z.number().min(0).max(100);

/**
 * The fields every `detail` starts with, then the event's own. The object is strict: an unknown key is a
 * contract change, so producers cannot leak fields (or VINs) into events by accident.
 */
export function eventDetailSchema<const V extends number, const S extends z.ZodRawShape>(
  version: V,
  shape: S,
) {
  return z.strictObject({
    version: z
      .literal(version)
      .describe(
        'The version of this detail-type\'s schema; any change to its fields publishes a new version. Match on it in rules (e.g. "version": [1]).',
      ),
    tenantId: TenantIdSchema,
    occurredAt: UtcDateTimeSchema.describe('When the fact happened, in UTC (not when it was published).'),
    ...shape,
  });
}

/** {@link eventDetailSchema} for events about one vehicle: adds `vehicleId` after the common fields. */
export function vehicleEventDetailSchema<const V extends number, const S extends z.ZodRawShape>(
  version: V,
  shape: S,
) {
  return eventDetailSchema(version, {
    vehicleId: VehicleIdSchema.describe('The vehicle this event is about (its pseudonym, never its VIN).'),
    ...shape,
  });
}

/** One entry of the catalog: everything that defines one detail-type. */
export interface EventDefinition<T extends DetailType = DetailType, S extends z.ZodType = z.ZodType> {
  readonly detailType: T;
  readonly source: EventSource;
  /** The schema version, equal to the `version` literal in {@link schema}. */
  readonly version: number;
  /** One sentence: when the event is published. The README and the JSON Schema description use it. */
  readonly description: string;
  /** The `detail` schema (strict). */
  readonly schema: S;
  /** A realistic detail, published in the docs and used as the base of the test factories. */
  readonly example: z.output<S>;
}

/** Declares a catalog entry; the generic parameters keep the detail-type literal and the schema's type. */
export function defineEvent<const T extends DetailType, S extends z.ZodType>(
  definition: EventDefinition<T, S>,
): EventDefinition<T, S> {
  return definition;
}
