/**
 * Sample Fleetwire events for tests: one factory per detail-type, built on the catalog's documented
 * example (so the docs' examples are exercised too), every field overridable. Factories return fresh
 * copies, so a test may mutate what it gets.
 */
import { createHash } from 'node:crypto';
import {
  DETAIL_TYPES,
  EVENT_CATALOG,
  type DetailOf,
  type DetailType,
  type EventBridgeEvent,
  type FleetwireEvent,
  type Signals,
  type TelemetryVehicleUpdate,
} from '../../src/domain/events/catalog/index.ts';

/** A VIN of the real shape (17 characters, valid check digit); it must never validate anywhere in an event. */
export const SAMPLE_VIN = '5YJ3E1EA7KF317000';

/** A deterministic pseudonymous vehicle id for a seed: 22 URL-safe base64 characters, like ingest's. */
export function sampleVehicleId(seed: string | number): string {
  return createHash('sha256').update(String(seed)).digest().subarray(0, 16).toString('base64url');
}

/** The detail-type's documented example, with `overrides` applied on top (shallow). */
export function makeDetail<T extends DetailType>(
  detailType: T,
  overrides: Partial<DetailOf<T>> = {},
): DetailOf<T> {
  const example = structuredClone(EVENT_CATALOG[detailType].example) as DetailOf<T>;
  return { ...example, ...overrides };
}

/** A detail as `unknown`, with any field replaced or removed (`undefined` removes): for contract tests. */
export function makeRawDetail(
  detailType: DetailType,
  changes: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    ...(structuredClone(EVENT_CATALOG[detailType].example) as object),
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete detail[key];
    else detail[key] = value;
  }
  return detail;
}

/** The event a rule target would receive for a detail. */
export function makeEvent<T extends DetailType>(
  detailType: T,
  detail: DetailOf<T> = makeDetail(detailType),
  overrides: Partial<Omit<EventBridgeEvent<T, DetailOf<T>>, 'detail' | 'detail-type'>> = {},
): FleetwireEvent {
  const event: EventBridgeEvent<T, DetailOf<T>> = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: EVENT_CATALOG[detailType].source,
    account: '123456789012',
    time: detail.occurredAt.replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
  return event as FleetwireEvent;
}

/** One factory per detail-type, named after it. */
export const eventFactories = {
  telemetryUpdated: (o: Partial<DetailOf<'Telemetry.Updated'>> = {}) =>
    makeDetail(DETAIL_TYPES.TelemetryUpdated, o),
  vehicleConnectivityChanged: (o: Partial<DetailOf<'Vehicle.Connectivity.Changed'>> = {}) =>
    makeDetail(DETAIL_TYPES.VehicleConnectivityChanged, o),
  vehicleAlertRaised: (o: Partial<DetailOf<'Vehicle.Alert.Raised'>> = {}) =>
    makeDetail(DETAIL_TYPES.VehicleAlertRaised, o),
  vehicleAlertCleared: (o: Partial<DetailOf<'Vehicle.Alert.Cleared'>> = {}) =>
    makeDetail(DETAIL_TYPES.VehicleAlertCleared, o),
  vehicleErrorReported: (o: Partial<DetailOf<'Vehicle.Error.Reported'>> = {}) =>
    makeDetail(DETAIL_TYPES.VehicleErrorReported, o),
  tripStarted: (o: Partial<DetailOf<'Trip.Started'>> = {}) => makeDetail(DETAIL_TYPES.TripStarted, o),
  tripEnded: (o: Partial<DetailOf<'Trip.Ended'>> = {}) => makeDetail(DETAIL_TYPES.TripEnded, o),
  chargingStarted: (o: Partial<DetailOf<'Charging.Started'>> = {}) =>
    makeDetail(DETAIL_TYPES.ChargingStarted, o),
  chargingEnded: (o: Partial<DetailOf<'Charging.Ended'>> = {}) => makeDetail(DETAIL_TYPES.ChargingEnded, o),
  geofenceEntered: (o: Partial<DetailOf<'Geofence.Entered'>> = {}) =>
    makeDetail(DETAIL_TYPES.GeofenceEntered, o),
  geofenceExited: (o: Partial<DetailOf<'Geofence.Exited'>> = {}) =>
    makeDetail(DETAIL_TYPES.GeofenceExited, o),
  commandRequested: (o: Partial<DetailOf<'Command.Requested'>> = {}) =>
    makeDetail(DETAIL_TYPES.CommandRequested, o),
  commandApprovalRequested: (o: Partial<DetailOf<'Command.ApprovalRequested'>> = {}) =>
    makeDetail(DETAIL_TYPES.CommandApprovalRequested, o),
  commandAuthorized: (o: Partial<DetailOf<'Command.Authorized'>> = {}) =>
    makeDetail(DETAIL_TYPES.CommandAuthorized, o),
  commandDenied: (o: Partial<DetailOf<'Command.Denied'>> = {}) => makeDetail(DETAIL_TYPES.CommandDenied, o),
  commandSucceeded: (o: Partial<DetailOf<'Command.Succeeded'>> = {}) =>
    makeDetail(DETAIL_TYPES.CommandSucceeded, o),
  commandFailed: (o: Partial<DetailOf<'Command.Failed'>> = {}) => makeDetail(DETAIL_TYPES.CommandFailed, o),
} as const;

/** How {@link makeTelemetryVehicles} shapes each vehicle. */
export interface TelemetryVehiclesOptions {
  /** Signals per vehicle (default 8). */
  readonly signalCount?: number;
  /** Characters of an extra string signal per vehicle (`Padding`), to make vehicles large; default none. */
  readonly paddingChars?: number;
  /** Put multi-byte characters in the padding, so UTF-8 bytes ≠ string length. */
  readonly multiByte?: boolean;
}

/** `count` vehicles' changed signals, varied in size, ids from {@link sampleVehicleId}. */
export function makeTelemetryVehicles(
  count: number,
  options: TelemetryVehiclesOptions = {},
): TelemetryVehicleUpdate[] {
  const signalCount = options.signalCount ?? 8;
  return Array.from({ length: count }, (_, index) => {
    const signals: Signals = {
      Location: { latitude: 52.5 + index / 1e4, longitude: 13.4 - index / 1e4 },
      VehicleSpeed: (index * 7) % 130,
      Soc: 20 + (index % 80),
      Gear: index % 3 === 0 ? 'P' : 'D',
      Locked: index % 2 === 0,
      EstBatteryRange: index % 11 === 0 ? null : 180.5 + index,
      DoorState: { DriverFront: false, PassengerFront: index % 5 === 0 },
    };
    for (let extra = Object.keys(signals).length; extra < signalCount; extra++) {
      signals[`Field_${extra}`] = extra * 1.5 + index;
    }
    if (options.paddingChars) {
      const unit = options.multiByte ? 'é€😀' : 'x';
      // By code point, so a cut never splits a surrogate pair.
      const codePoints = Array.from(unit.repeat(options.paddingChars));
      signals.Padding = codePoints.slice(0, options.paddingChars).join('');
    }
    const seconds = String(index % 60).padStart(2, '0');
    return { vehicleId: sampleVehicleId(index), at: `2025-03-14T09:26:${seconds}.000Z`, signals };
  });
}
