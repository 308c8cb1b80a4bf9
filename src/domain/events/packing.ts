/**
 * Packing `Telemetry.Updated`: one tenant's changed vehicles of one ingest batch go out in as few events
 * as possible, each PutEvents entry at most 64 KB. EventBridge bills every started 64 KB of an entry as one
 * event, so a full 64 KB entry is the cheapest way to carry telemetry; one event per record would cost
 * about 40 times more (DESIGN.md §1).
 *
 * Sizes are EventBridge's own entry-size formula ("Calculating PutEvents event entry size"): `Time` counts
 * 14 bytes if present, `Source`, `DetailType`, `Detail` and each `Resources` item their UTF-8 byte length.
 * This runs once per Lambda batch of up to 10,000 records, so each vehicle is serialized exactly once and
 * the sizes are summed as vehicles are added; the finished entry is then measured once to verify the sum.
 */
import type { z } from 'zod';
import type { PutEventsEntry } from './envelope.ts';
import {
  DETAIL_TYPES,
  EVENT_CATALOG,
  EventCatalogError,
  EventContractError,
  TelemetryEntryTooLargeError,
  TelemetryVehicleUpdateSchema,
  isTelemetryUpdatedDetail,
  isTelemetryVehicleUpdate,
  validateDetail,
  type TelemetryUpdatedDetail,
  type TelemetryVehicleUpdate,
} from './catalog/index.ts';

/** One EventBridge billing chunk: the size every `Telemetry.Updated` entry stays within by default. */
export const TELEMETRY_MAX_ENTRY_BYTES = 64 * 1024;

/** PutEvents takes at most 10 entries per request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * PutEvents refuses a request whose entries total 256 KB or more. The documentation does not say which
 * KB it means; 256,000 bytes is under both readings. With full 64 KB entries that is 3 per request.
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 256_000;

/** What EventBridge counts for a `Time`, whatever the timestamp. */
const TIME_BYTES = 14;

/** The fields of an entry that EventBridge's size formula counts. */
export type SizedEntry = Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail' | 'Time' | 'Resources'>;

/** UTF-8 byte length, without encoding the string. */
export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * An entry's size as EventBridge computes it. Missing fields count nothing, so the local edge can size a
 * request before validating it.
 */
export function putEventsEntrySize(entry: {
  readonly Time?: unknown;
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
}): number {
  let size = entry.Time === undefined || entry.Time === null ? 0 : TIME_BYTES;
  size +=
    utf8ByteLength(entry.Source ?? '') +
    utf8ByteLength(entry.DetailType ?? '') +
    utf8ByteLength(entry.Detail ?? '');
  for (const resource of entry.Resources ?? []) size += utf8ByteLength(resource);
  return size;
}

/** How to pack. */
export interface PackTelemetryOptions {
  /** The largest entry to produce, by EventBridge's formula. Default {@link TELEMETRY_MAX_ENTRY_BYTES}. */
  readonly maxEntryBytes?: number;
}

/** One packed `Telemetry.Updated`: the detail, its exact `Detail` text and its entry size. */
export interface PackedTelemetryUpdate {
  readonly detail: TelemetryUpdatedDetail;
  /** `JSON.stringify(detail)`, built while packing. */
  readonly json: string;
  /** The entry's size by EventBridge's formula (with `Time`, without `Resources`). */
  readonly entryBytes: number;
}

/**
 * Splits one tenant's changed vehicles into `Telemetry.Updated` details whose entries each fit
 * `maxEntryBytes` (default 64 KB), keeping the vehicles' order; every vehicle lands in exactly one detail.
 * No vehicles, no details. The input is validated as one detail first (a duplicate vehicleId, a VIN or a
 * malformed signal throws {@link EventContractError}); a vehicle too large for an entry of its own throws
 * {@link TelemetryEntryTooLargeError} rather than being dropped.
 */
export function packTelemetryUpdates(
  tenantId: string,
  vehicles: readonly TelemetryVehicleUpdate[],
  occurredAt: string,
  options: PackTelemetryOptions = {},
): TelemetryUpdatedDetail[] {
  return packTelemetry(tenantId, vehicles, occurredAt, options).map((packed) => packed.detail);
}

/**
 * {@link packTelemetryUpdates}, straight to PutEvents entries: the `Detail` is the text measured while
 * packing, so nothing is serialized twice. Send them with {@link chunkEntries}.
 */
export function packTelemetryEntries(
  eventBusName: string,
  tenantId: string,
  vehicles: readonly TelemetryVehicleUpdate[],
  occurredAt: string,
  options: PackTelemetryOptions = {},
): PutEventsEntry[] {
  const { source } = EVENT_CATALOG[DETAIL_TYPES.TelemetryUpdated];
  return packTelemetry(tenantId, vehicles, occurredAt, options).map((packed) => ({
    EventBusName: eventBusName,
    Source: source,
    DetailType: DETAIL_TYPES.TelemetryUpdated,
    Detail: packed.json,
    Time: new Date(packed.detail.occurredAt),
    Resources: [],
  }));
}

/** The packing itself, for callers that want the detail, its text and its size together. */
export function packTelemetry(
  tenantId: string,
  vehicles: readonly TelemetryVehicleUpdate[],
  occurredAt: string,
  options: PackTelemetryOptions = {},
): PackedTelemetryUpdate[] {
  if (vehicles.length === 0) return [];
  const maxEntryBytes = options.maxEntryBytes ?? TELEMETRY_MAX_ENTRY_BYTES;
  const definition = EVENT_CATALOG[DETAIL_TYPES.TelemetryUpdated];
  // One validation of the whole batch, so duplicates are found across the batch and not just within an
  // entry. The hand-written check is the fast path; the schema runs only to explain a failure.
  const candidate = { version: definition.version, tenantId, occurredAt, vehicles };
  const whole = isTelemetryUpdatedDetail(candidate)
    ? candidate
    : validateDetail(DETAIL_TYPES.TelemetryUpdated, candidate);

  // The detail's text is head + vehicle JSON joined by commas + tail: the same bytes JSON.stringify gives
  // the whole detail, because the header is stringified in the schema's key order.
  const headAndTail = JSON.stringify({
    version: whole.version,
    tenantId: whole.tenantId,
    occurredAt: whole.occurredAt,
    vehicles: [],
  });
  const head = headAndTail.slice(0, -2);
  const tail = headAndTail.slice(-2);
  const fixedBytes =
    TIME_BYTES + utf8ByteLength(definition.source) + utf8ByteLength(DETAIL_TYPES.TelemetryUpdated);
  const emptyEntryBytes = fixedBytes + utf8ByteLength(head) + utf8ByteLength(tail);
  if (emptyEntryBytes >= maxEntryBytes) {
    throw new EventCatalogError(
      `maxEntryBytes ${maxEntryBytes} leaves no room for a vehicle: an empty Telemetry.Updated entry is ${emptyEntryBytes} bytes`,
    );
  }

  const packed: PackedTelemetryUpdate[] = [];
  let parts: string[] = [];
  let members: TelemetryVehicleUpdate[] = [];
  let entryBytes = emptyEntryBytes;

  const flush = (): void => {
    const json = head + parts.join(',') + tail;
    // The running sum must be exact; a mismatch would mean an entry EventBridge might refuse, so stop.
    const measured = fixedBytes + utf8ByteLength(json);
    if (measured !== entryBytes || measured > maxEntryBytes) {
      throw new Error(
        `Telemetry.Updated packing is off: estimated ${entryBytes} bytes, measured ${measured}`,
      );
    }
    packed.push({
      detail: {
        version: whole.version,
        tenantId: whole.tenantId,
        occurredAt: whole.occurredAt,
        vehicles: members,
      },
      json,
      entryBytes: measured,
    });
    parts = [];
    members = [];
    entryBytes = emptyEntryBytes;
  };

  for (const vehicle of whole.vehicles) {
    // Rebuilt in the schema's key order, so the text is what toPutEventsEntry would send.
    const json = JSON.stringify({ vehicleId: vehicle.vehicleId, at: vehicle.at, signals: vehicle.signals });
    const bytes = utf8ByteLength(json);
    if (parts.length > 0 && entryBytes + 1 + bytes > maxEntryBytes) flush();
    const added = (parts.length > 0 ? 1 : 0) + bytes;
    if (entryBytes + added > maxEntryBytes) {
      throw new TelemetryEntryTooLargeError(vehicle.vehicleId, entryBytes + added, maxEntryBytes);
    }
    parts.push(json);
    members.push(vehicle);
    entryBytes += added;
  }
  flush();
  return packed;
}

/** A vehicle update {@link screenTelemetryVehicles} refused, with why. */
export interface RejectedVehicleUpdate {
  /** Its position in the input. */
  readonly index: number;
  readonly vehicle: unknown;
  readonly error: EventContractError;
}

/**
 * Splits vehicle updates into those that may be packed and those that break the contract (or repeat a
 * vehicleId already accepted), so that ingest can count and dead-letter a bad vehicle instead of failing
 * the whole tenant's telemetry with it: {@link packTelemetryUpdates} throws on any invalid vehicle.
 */
export function screenTelemetryVehicles(vehicles: readonly unknown[]): {
  accepted: TelemetryVehicleUpdate[];
  rejected: RejectedVehicleUpdate[];
} {
  const accepted: TelemetryVehicleUpdate[] = [];
  const rejected: RejectedVehicleUpdate[] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  vehicles.forEach((vehicle, index) => {
    let update: TelemetryVehicleUpdate | undefined;
    let issues: z.core.$ZodIssue[] = [];
    if (isTelemetryVehicleUpdate(vehicle, names)) update = vehicle;
    else {
      // The schema decides; the fast check only saves running it for the valid majority.
      const result = TelemetryVehicleUpdateSchema.safeParse(vehicle);
      if (result.success) update = result.data;
      else issues = result.error.issues;
    }
    if (update !== undefined && seen.has(update.vehicleId)) {
      issues = [
        {
          code: 'custom',
          path: ['vehicleId'],
          message: `vehicle ${update.vehicleId} appears more than once; coalesce its signals into one entry`,
          input: update.vehicleId,
        },
      ];
      update = undefined;
    }
    if (update !== undefined) {
      seen.add(update.vehicleId);
      accepted.push(update);
      return;
    }
    const located = issues.map((issue) => ({ ...issue, path: ['vehicles', index, ...issue.path] }));
    rejected.push({
      index,
      vehicle,
      error: EventContractError.fromZod(DETAIL_TYPES.TelemetryUpdated, located),
    });
  });
  return { accepted, rejected };
}

/**
 * Groups entries into PutEvents requests, in order: at most `maxEntries` (10) per request, and entries
 * totalling at most `maxRequestBytes` by EventBridge's formula. An entry too large for any request throws.
 */
export function chunkEntries<E extends SizedEntry>(
  entries: readonly E[],
  maxEntries: number = PUT_EVENTS_MAX_ENTRIES,
  maxRequestBytes: number = PUT_EVENTS_MAX_REQUEST_BYTES,
): E[][] {
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > PUT_EVENTS_MAX_ENTRIES) {
    throw new EventCatalogError(
      `maxEntries must be an integer from 1 to ${PUT_EVENTS_MAX_ENTRIES}, got ${maxEntries}`,
    );
  }
  const chunks: E[][] = [];
  let chunk: E[] = [];
  let chunkBytes = 0;
  for (const entry of entries) {
    const size = putEventsEntrySize(entry);
    if (size > maxRequestBytes) {
      throw new EventCatalogError(
        `a ${entry.DetailType} entry of ${size} bytes exceeds the ${maxRequestBytes}-byte PutEvents request limit`,
      );
    }
    if (chunk.length === maxEntries || chunkBytes + size > maxRequestBytes) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(entry);
    chunkBytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
