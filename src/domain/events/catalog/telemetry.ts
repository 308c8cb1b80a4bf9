/**
 * Telemetry ingest's one event: `Telemetry.Updated`, the packed latest signals of every vehicle of one
 * tenant that changed in one Lambda batch. It is the high-volume event, so it is packed (one event per
 * tenant per batch, each entry at most one 64 KB billing chunk; see `../packing.ts`) instead of one event
 * per record, which would cost about 40 times more at fleet scale.
 */
import { z } from 'zod';
import {
  DETAIL_TYPES,
  EVENT_SOURCES,
  SIGNAL_NAME_PATTERN,
  SignalsSchema,
  TENANT_ID_PATTERN,
  UtcDateTimeSchema,
  VEHICLE_ID_PATTERN,
  VIN_PATTERN,
  VehicleIdSchema,
  defineEvent,
  eventDetailSchema,
} from './common.ts';

/** One vehicle's changed signals within a `Telemetry.Updated`. */
export const TelemetryVehicleUpdateSchema = z
  .strictObject({
    vehicleId: VehicleIdSchema,
    at: UtcDateTimeSchema.describe(
      "The newest Tesla created_at among these signals (the vehicle's clock): how fresh this update is.",
    ),
    signals: SignalsSchema.describe(
      'Only the signals that changed since the previous update (at least one), last write wins per signal (by ' +
        'created_at). A consumer keeps a per-vehicle map and merges these into it.',
    ),
  })
  .superRefine((vehicle, ctx) => {
    // Checked on the object rather than the record so the record stays a plain reference in the JSON Schema.
    if (Object.keys(vehicle.signals).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['signals'],
        message: 'must hold at least one signal (a vehicle with nothing new is left out)',
      });
    }
  })
  .meta({
    id: 'TelemetryVehicleUpdate',
    title: 'TelemetryVehicleUpdate',
    description: "One vehicle's changed signals.",
  });

/** One vehicle's changed signals. */
export type TelemetryVehicleUpdate = z.infer<typeof TelemetryVehicleUpdateSchema>;

/** The `Telemetry.Updated` detail. */
export const TelemetryUpdatedDetailSchema = eventDetailSchema(1, {
  vehicles: z
    .array(TelemetryVehicleUpdateSchema)
    .min(1, { error: 'must hold at least one vehicle (an empty update is not published)' })
    .superRefine((vehicles, ctx) => {
      // A vehicle twice in one event would make the result depend on the order a consumer applies them.
      const seen = new Set<string>();
      vehicles.forEach((vehicle, index) => {
        if (seen.has(vehicle.vehicleId)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'vehicleId'],
            message: `vehicle ${vehicle.vehicleId} appears more than once; coalesce its signals into one entry`,
          });
        }
        seen.add(vehicle.vehicleId);
      });
    })
    .describe(
      'The vehicles of this tenant with new signal values in this batch, each exactly once. A batch with more ' +
        'vehicles than fit one 64 KB entry is split over several events with the same occurredAt.',
    ),
}).describe(
  "The latest values of the signals that changed in one ingest batch, for one tenant's vehicles. occurredAt " +
    'is when ingest processed the batch; each vehicle has its own `at`.',
);

/** The `Telemetry.Updated` detail. */
export type TelemetryUpdatedDetail = z.infer<typeof TelemetryUpdatedDetailSchema>;

/**
 * Whether a value is a valid `Telemetry.Updated` detail: a hand-written check of exactly what
 * {@link TelemetryUpdatedDetailSchema} accepts, never more (a contract test holds the two together). zod
 * spends about 1.5 µs per signal value on the union; at 10,000 vehicles per batch that is most of the
 * ingest budget, while this check is an order of magnitude cheaper. On `false`, run the schema for the
 * issues: this check says whether, not why.
 */
export function isTelemetryUpdatedDetail(value: unknown): value is TelemetryUpdatedDetail {
  if (!isPlainObject(value) || !hasExactKeys(value, DETAIL_KEYS)) return false;
  const { version, tenantId, occurredAt, vehicles } = value;
  if (version !== 1 || !isTenantId(tenantId) || !isUtcDateTime(occurredAt)) return false;
  if (!Array.isArray(vehicles) || vehicles.length === 0) return false;
  const seen = new Set<string>();
  // A batch repeats the same few hundred Tesla field names; each is checked once per call.
  const names = new Set<string>();
  for (const vehicle of vehicles as unknown[]) {
    if (!isTelemetryVehicleUpdate(vehicle, names) || seen.has(vehicle.vehicleId)) return false;
    seen.add(vehicle.vehicleId);
  }
  return true;
}

/** {@link isTelemetryUpdatedDetail} for one vehicle's entry. */
export function isTelemetryVehicleUpdate(
  value: unknown,
  knownNames: Set<string> = new Set(),
): value is TelemetryVehicleUpdate {
  if (!isPlainObject(value) || !hasExactKeys(value, VEHICLE_KEYS)) return false;
  const { vehicleId, at, signals } = value;
  if (typeof vehicleId !== 'string' || !VEHICLE_ID_PATTERN.test(vehicleId) || !isUtcDateTime(at))
    return false;
  if (!isPlainObject(signals)) return false;
  let count = 0;
  for (const name in signals) {
    if (!knownNames.has(name)) {
      if (!SIGNAL_NAME_PATTERN.test(name) || name.toLowerCase() === 'vin') return false;
      knownNames.add(name);
    }
    if (!isSignalValue(signals[name])) return false;
    count++;
  }
  return count > 0;
}

const DETAIL_KEYS = ['version', 'tenantId', 'occurredAt', 'vehicles'] as const;
const VEHICLE_KEYS = ['vehicleId', 'at', 'signals'] as const;

/** What zod's object and record schemas accept as an object: no arrays, no class instances. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function hasExactKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  let count = 0;
  for (const key in value) {
    if (!keys.includes(key)) return false;
    count++;
  }
  return count === keys.length;
}

function isTenantId(value: unknown): boolean {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value) && !VIN_PATTERN.test(value);
}

function isUtcDateTime(value: unknown): value is string {
  return typeof value === 'string' && UtcDateTimeSchema.safeParse(value).success;
}

function isSignalValue(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'string':
      return value.length !== 17 || !VIN_PATTERN.test(value);
    case 'object': {
      if (value === null) return true;
      if (!isPlainObject(value)) return false;
      // Mirrors the schema: an object with both coordinates is a Location or nothing.
      if ('latitude' in value && 'longitude' in value) return isLocation(value);
      for (const key in value) if (!isJsonValue(value[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

function isLocation(value: Record<string, unknown>): boolean {
  const { latitude, longitude } = value;
  return (
    hasExactKeys(value, ['latitude', 'longitude']) &&
    typeof latitude === 'number' &&
    typeof longitude === 'number' &&
    latitude >= -90 &&
    latitude <= 90 &&
    longitude >= -180 &&
    longitude <= 180
  );
}

function isJsonValue(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value);
    case 'string':
    case 'boolean':
      return true;
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJsonValue);
      if (!isPlainObject(value)) return false;
      for (const key in value) if (!isJsonValue(value[key])) return false;
      return true;
    default:
      return false;
  }
}

/** `Telemetry.Updated`. */
export const TELEMETRY_UPDATED = defineEvent({
  detailType: DETAIL_TYPES.TelemetryUpdated,
  source: EVENT_SOURCES.ingest,
  version: 1,
  description:
    "After each ingest batch, per tenant: every vehicle's changed signals, packed into as few events as fit 64 KB.",
  schema: TelemetryUpdatedDetailSchema,
  example: {
    version: 1,
    tenantId: 'acme-logistics',
    occurredAt: '2025-03-14T09:26:53.589Z',
    vehicles: [
      {
        vehicleId: 'q0Vx3nF8T2mYb7LkPz4RwA',
        at: '2025-03-14T09:26:53.120Z',
        signals: {
          VehicleSpeed: 72.4,
          Location: { latitude: 52.520008, longitude: 13.404954 },
          Soc: 64.5,
          Gear: 'D',
          Locked: true,
        },
      },
      {
        vehicleId: 'Hc9-2dJk_Wq5Ue1Ns7Yt0g',
        at: '2025-03-14T09:26:52.004Z',
        signals: { DetailedChargeState: 'Charging', DCChargingPower: 118.2, EstBatteryRange: null },
      },
    ],
  },
});
