/**
 * The event catalog: every event Fleetwire publishes on its bus, as code. Each detail-type has one strict
 * zod schema, from which come its TypeScript type, its JSON Schema under `docs/events/` (and the Schema
 * Registry entry CDK creates), and its contract tests. Producers go through {@link toPutEventsEntry}, so an
 * event that breaks its contract is never published.
 */
import type { z } from 'zod';
import type { PutEventsEntry, EventBridgeEvent } from '../envelope.ts';
import { eventEnvelopeSchema } from '../envelope.ts';
import { DETAIL_TYPES, type DetailType, type EventDefinition, type EventSource } from './common.ts';
import { EventContractError, UnknownDetailTypeError } from './errors.ts';
import { TELEMETRY_UPDATED } from './telemetry.ts';
import {
  VEHICLE_ALERT_CLEARED,
  VEHICLE_ALERT_RAISED,
  VEHICLE_CONNECTIVITY_CHANGED,
  VEHICLE_ERROR_REPORTED,
} from './vehicle.ts';
import { TRIP_ENDED, TRIP_STARTED } from './trips.ts';
import { CHARGING_ENDED, CHARGING_STARTED } from './charging.ts';
import { GEOFENCE_ENTERED, GEOFENCE_EXITED } from './geofences.ts';
import {
  COMMAND_APPROVAL_REQUESTED,
  COMMAND_AUTHORIZED,
  COMMAND_DENIED,
  COMMAND_FAILED,
  COMMAND_REQUESTED,
  COMMAND_SUCCEEDED,
} from './commands.ts';

export * from './common.ts';
export * from './errors.ts';
export * from './telemetry.ts';
export * from './vehicle.ts';
export * from './trips.ts';
export * from './charging.ts';
export * from './geofences.ts';
export * from './commands.ts';
export type { EventBridgeEvent, PutEventsEntry } from '../envelope.ts';

/** Every detail-type Fleetwire publishes → its definition (source, schema, description, version, example). */
export const EVENT_CATALOG = {
  [DETAIL_TYPES.TelemetryUpdated]: TELEMETRY_UPDATED,
  [DETAIL_TYPES.VehicleConnectivityChanged]: VEHICLE_CONNECTIVITY_CHANGED,
  [DETAIL_TYPES.VehicleAlertRaised]: VEHICLE_ALERT_RAISED,
  [DETAIL_TYPES.VehicleAlertCleared]: VEHICLE_ALERT_CLEARED,
  [DETAIL_TYPES.VehicleErrorReported]: VEHICLE_ERROR_REPORTED,
  [DETAIL_TYPES.TripStarted]: TRIP_STARTED,
  [DETAIL_TYPES.TripEnded]: TRIP_ENDED,
  [DETAIL_TYPES.ChargingStarted]: CHARGING_STARTED,
  [DETAIL_TYPES.ChargingEnded]: CHARGING_ENDED,
  [DETAIL_TYPES.GeofenceEntered]: GEOFENCE_ENTERED,
  [DETAIL_TYPES.GeofenceExited]: GEOFENCE_EXITED,
  [DETAIL_TYPES.CommandRequested]: COMMAND_REQUESTED,
  [DETAIL_TYPES.CommandApprovalRequested]: COMMAND_APPROVAL_REQUESTED,
  [DETAIL_TYPES.CommandAuthorized]: COMMAND_AUTHORIZED,
  [DETAIL_TYPES.CommandDenied]: COMMAND_DENIED,
  [DETAIL_TYPES.CommandSucceeded]: COMMAND_SUCCEEDED,
  [DETAIL_TYPES.CommandFailed]: COMMAND_FAILED,
} as const satisfies { readonly [T in DetailType]: EventDefinition<T> };

/** The catalog's type. */
export type EventCatalog = typeof EVENT_CATALOG;

/** The detail of a detail-type, e.g. `DetailOf<'Trip.Ended'>`. */
export type DetailOf<T extends DetailType> = z.output<EventCatalog[T]['schema']>;

/** The `source` a detail-type is published with. */
export type SourceOf<T extends DetailType> = EventCatalog[T]['source'];

/** Any Fleetwire event as a target receives it, discriminated by `detail-type`. */
export type FleetwireEvent = { [T in DetailType]: EventBridgeEvent<T, DetailOf<T>> }[DetailType];

/** Every detail-type, in catalog order. */
export const ALL_DETAIL_TYPES: readonly DetailType[] = Object.values(DETAIL_TYPES);

/** Whether a string is one of the catalog's detail-types. */
export function isDetailType(value: string): value is DetailType {
  return Object.hasOwn(EVENT_CATALOG, value);
}

/** The definition of a detail-type; throws {@link UnknownDetailTypeError} for one not in the catalog. */
export function eventDefinition<T extends DetailType>(detailType: T): EventCatalog[T];
export function eventDefinition(detailType: string): EventDefinition;
export function eventDefinition(detailType: string): EventDefinition {
  if (!isDetailType(detailType)) throw new UnknownDetailTypeError(detailType);
  return EVENT_CATALOG[detailType];
}

/**
 * Checks a detail against its detail-type's schema and returns it parsed (keys in schema order).
 * Throws {@link EventContractError} naming the detail-type and every issue's path, or
 * {@link UnknownDetailTypeError}.
 */
export function validateDetail<T extends DetailType>(detailType: T, detail: unknown): DetailOf<T> {
  const definition: EventDefinition = eventDefinition(detailType as string);
  const result = definition.schema.safeParse(detail);
  if (!result.success) throw EventContractError.fromZod(detailType, result.error.issues);
  // The schema is EVENT_CATALOG[detailType].schema, so its output is DetailOf<T>; TypeScript cannot follow
  // an indexed access through the union of schemas.
  return result.data as DetailOf<T>;
}

/**
 * The PutEvents entry for a detail, validated first: producers never publish a detail that breaks its
 * contract. `Time` is the detail's `occurredAt`, so the envelope's `time` says when things happened even
 * when publishing was delayed (retries, a redelivered batch). `Detail` is the parsed detail,
 * so its keys come in schema order whatever order the producer built them in.
 */
export function toPutEventsEntry<T extends DetailType>(
  eventBusName: string,
  detailType: T,
  detail: DetailOf<T>,
  resources: readonly string[] = [],
): PutEventsEntry {
  const parsed = validateDetail(detailType, detail);
  return {
    EventBusName: eventBusName,
    Source: EVENT_CATALOG[detailType].source,
    DetailType: detailType,
    Detail: JSON.stringify(parsed),
    Time: new Date(parsed.occurredAt),
    Resources: [...resources],
  };
}

/**
 * Parses an event a target received: the envelope, then the detail against its detail-type's schema.
 * For consumers inside Fleetwire (Lambda targets, the local bus's handlers) that must not trust the bus.
 */
export function parseEvent(event: unknown): FleetwireEvent {
  const detailType =
    typeof event === 'object' && event !== null
      ? (event as Record<string, unknown>)['detail-type']
      : undefined;
  if (typeof detailType !== 'string') {
    throw new EventContractError(
      '(unknown)',
      [{ path: 'detail-type', message: 'missing: not an EventBridge event', code: 'invalid_type' }],
      'event',
    );
  }
  const definition = eventDefinition(detailType);
  const result = eventEnvelopeSchema(definition.detailType, definition.source, definition.schema).safeParse(
    event,
  );
  if (!result.success) throw EventContractError.fromZod(detailType, result.error.issues, 'event');
  // Envelope and detail were checked against this detail-type's schemas above.
  return result.data as unknown as FleetwireEvent;
}

/** The sources in use, one per bounded context. */
export const ALL_SOURCES: readonly EventSource[] = [
  ...new Set(Object.values(EVENT_CATALOG).map((d) => d.source)),
];
