import { describe, expect, it } from 'vitest';
import {
  EventCatalogError,
  EventContractError,
  TelemetryEntryTooLargeError,
  toPutEventsEntry,
  validateDetail,
  type PutEventsEntry,
  type TelemetryVehicleUpdate,
} from '../../../../src/domain/events/catalog/index.ts';
import {
  PUT_EVENTS_MAX_REQUEST_BYTES,
  chunkEntries,
  packTelemetry,
  packTelemetryEntries,
  packTelemetryUpdates,
  putEventsEntrySize,
  screenTelemetryVehicles,
} from '../../../../src/domain/events/packing.ts';
import { SAMPLE_VIN, makeTelemetryVehicles, sampleVehicleId } from '../../../support/event-factories.ts';

const TENANT = 'acme-logistics';
const OCCURRED_AT = '2025-03-14T09:26:53.589Z';
const LIMIT = 64 * 1024;

/**
 * EventBridge's entry size, written from the AWS documentation independently of the code under test:
 * Time 14 bytes if present; Source, DetailType, Detail and each Resources item by UTF-8 byte length.
 */
function awsEntrySize(entry: PutEventsEntry): number {
  const bytes = (text: string): number => new TextEncoder().encode(text).length;
  let size = entry.Time ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const resource of entry.Resources) size += bytes(resource);
  return size;
}

function vehicleIdsOf(entries: readonly PutEventsEntry[]): string[] {
  return entries.flatMap((entry) =>
    (JSON.parse(entry.Detail) as { vehicles: TelemetryVehicleUpdate[] }).vehicles.map(
      (vehicle) => vehicle.vehicleId,
    ),
  );
}

describe('putEventsEntrySize', () => {
  it('follows the AWS formula, with multi-byte characters and resources', () => {
    const entry: PutEventsEntry = {
      EventBusName: 'not counted',
      Source: 'fleetwire.ingest',
      DetailType: 'Telemetry.Updated',
      Detail: '{"name":"Zoë 😀"}',
      Time: new Date(),
      Resources: ['arn:aws:states:x', 'é'],
    };
    expect(putEventsEntrySize(entry)).toBe(awsEntrySize(entry));
    expect(putEventsEntrySize(entry)).toBe(14 + 16 + 17 + 20 + 16 + 2);
    expect(putEventsEntrySize({ ...entry, Time: undefined })).toBe(awsEntrySize(entry) - 14);
  });
});

describe('packing Telemetry.Updated', () => {
  it('puts a small batch in one event with every vehicle', () => {
    const vehicles = makeTelemetryVehicles(5);
    const details = packTelemetryUpdates(TENANT, vehicles, OCCURRED_AT);
    expect(details).toEqual([{ version: 1, tenantId: TENANT, occurredAt: OCCURRED_AT, vehicles }]);
    expect(() => validateDetail('Telemetry.Updated', details[0])).not.toThrow();
  });

  it('publishes nothing for no vehicles', () => {
    expect(packTelemetryUpdates(TENANT, [], OCCURRED_AT)).toEqual([]);
    expect(packTelemetryEntries('fleetwire', TENANT, [], OCCURRED_AT)).toEqual([]);
  });

  it.each([
    ['10,000 small vehicles', makeTelemetryVehicles(10_000)],
    [
      'varied sizes',
      makeTelemetryVehicles(800).map((v, i) => ({
        ...v,
        signals: { ...v.signals, Pad: 'x'.repeat((i * 37) % 3000) },
      })),
    ],
    ['multi-byte strings', makeTelemetryVehicles(600, { paddingChars: 400, multiByte: true })],
  ])('%s: each entry ≤ 64 KB by the AWS formula, every vehicle exactly once, in order', (_, vehicles) => {
    const entries = packTelemetryEntries('fleetwire', TENANT, vehicles, OCCURRED_AT);
    expect(entries.length).toBeGreaterThan(1);
    for (const entry of entries) {
      expect(awsEntrySize(entry)).toBeLessThanOrEqual(LIMIT);
      expect(entry).toMatchObject({
        EventBusName: 'fleetwire',
        Source: 'fleetwire.ingest',
        DetailType: 'Telemetry.Updated',
        Resources: [],
      });
      expect(entry.Time).toEqual(new Date(OCCURRED_AT));
      // What toPutEventsEntry would send for the same detail, byte for byte.
      const detail = validateDetail('Telemetry.Updated', JSON.parse(entry.Detail));
      expect(toPutEventsEntry('fleetwire', 'Telemetry.Updated', detail).Detail).toBe(entry.Detail);
    }
    expect(vehicleIdsOf(entries)).toEqual(vehicles.map((vehicle) => vehicle.vehicleId));
    expect(new Set(vehicleIdsOf(entries)).size).toBe(vehicles.length);
    // Greedy: an entry is only closed when the next vehicle would not fit.
    const sizes = entries.map(awsEntrySize);
    expect(sizes.slice(0, -1).every((size) => size > LIMIT - 4000)).toBe(true);
  });

  it('packTelemetry reports sizes equal to the AWS formula, and the details match the entries', () => {
    const vehicles = makeTelemetryVehicles(3000);
    const packed = packTelemetry(TENANT, vehicles, OCCURRED_AT);
    const entries = packTelemetryEntries('fleetwire', TENANT, vehicles, OCCURRED_AT);
    expect(packed.map((p) => p.entryBytes)).toEqual(entries.map(awsEntrySize));
    expect(packed.map((p) => p.json)).toEqual(entries.map((e) => e.Detail));
    expect(packed.map((p) => JSON.stringify(p.detail))).toEqual(entries.map((e) => e.Detail));
    expect(packTelemetryUpdates(TENANT, vehicles, OCCURRED_AT)).toEqual(packed.map((p) => p.detail));
  });

  it('fills an entry to exactly the limit, and not one byte over', () => {
    const vehicles = makeTelemetryVehicles(2);
    const [single] = packTelemetry(TENANT, vehicles, OCCURRED_AT);
    const exact = single!.entryBytes;
    expect(packTelemetry(TENANT, vehicles, OCCURRED_AT, { maxEntryBytes: exact })).toHaveLength(1);
    expect(packTelemetry(TENANT, vehicles, OCCURRED_AT, { maxEntryBytes: exact - 1 })).toHaveLength(2);
  });

  it('throws a clear error for one vehicle too large for an entry of its own, rather than dropping it', () => {
    const vehicles = makeTelemetryVehicles(3);
    const huge = { ...vehicles[1]!, signals: { ...vehicles[1]!.signals, Blob: 'x'.repeat(LIMIT) } };
    let caught: unknown;
    try {
      packTelemetryUpdates(TENANT, [vehicles[0]!, huge, vehicles[2]!], OCCURRED_AT);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TelemetryEntryTooLargeError);
    expect(caught).toBeInstanceOf(EventCatalogError);
    const error = caught as TelemetryEntryTooLargeError;
    expect(error.vehicleId).toBe(huge.vehicleId);
    expect(error.maxEntryBytes).toBe(LIMIT);
    expect(error.entryBytes).toBeGreaterThan(LIMIT);
    expect(error.message).toContain(`vehicle ${huge.vehicleId}'s update alone makes a`);
    expect(error.message).toContain('over the 65536-byte limit');
  });

  it('refuses a limit that leaves no room for a vehicle', () => {
    expect(() =>
      packTelemetryUpdates(TENANT, makeTelemetryVehicles(1), OCCURRED_AT, { maxEntryBytes: 50 }),
    ).toThrow(/leaves no room for a vehicle/);
  });

  it('validates the whole batch: a VIN, a duplicate vehicle or a bad tenant throw the contract error', () => {
    const vehicles = makeTelemetryVehicles(4);
    expect(() =>
      packTelemetryUpdates(TENANT, [...vehicles, { ...vehicles[0]!, vehicleId: SAMPLE_VIN }], OCCURRED_AT),
    ).toThrow(/vehicles\[4\]\.vehicleId: is shaped like a VIN/);
    expect(() => packTelemetryUpdates(TENANT, [...vehicles, vehicles[2]!], OCCURRED_AT)).toThrow(
      /vehicles\[4\]\.vehicleId: vehicle .* appears more than once/,
    );
    expect(() => packTelemetryUpdates(SAMPLE_VIN, vehicles, OCCURRED_AT)).toThrow(EventContractError);
    expect(() => packTelemetryUpdates(TENANT, vehicles, '2025-03-14T09:26:53+01:00')).toThrow(/occurredAt/);
  });

  it('keeps up with a full Lambda batch', () => {
    const vehicles = makeTelemetryVehicles(10_000, { signalCount: 12 });
    packTelemetryEntries('fleetwire', TENANT, vehicles, OCCURRED_AT);
    const started = performance.now();
    const entries = packTelemetryEntries('fleetwire', TENANT, vehicles, OCCURRED_AT);
    const elapsed = performance.now() - started;
    expect(entries.length).toBeGreaterThan(10);
    // Generous for slow CI; locally it is around 50 ms. Re-stringifying per vehicle would take seconds.
    expect(elapsed).toBeLessThan(1500);
  });
});

describe('screenTelemetryVehicles', () => {
  it('keeps valid vehicles and explains each rejected one with its input position', () => {
    const vehicles = makeTelemetryVehicles(5);
    const bad = [
      { ...vehicles[1]!, vehicleId: SAMPLE_VIN },
      { ...vehicles[2]!, signals: { Location: { latitude: 200, longitude: 0 } } },
      vehicles[0]!,
    ];
    const { accepted, rejected } = screenTelemetryVehicles([
      vehicles[0],
      bad[0],
      bad[1],
      vehicles[3],
      bad[2],
    ]);
    expect(accepted).toEqual([vehicles[0], vehicles[3]]);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 4]);
    expect(rejected[0]!.error.message).toContain('vehicles[1].vehicleId: is shaped like a VIN');
    expect(rejected[1]!.error.issues.map((issue) => issue.path)).toContain(
      'vehicles[2].signals.Location.latitude',
    );
    expect(rejected[2]!.error.message).toContain('vehicles[4].vehicleId: vehicle');
    expect(() => packTelemetryUpdates(TENANT, accepted, OCCURRED_AT)).not.toThrow();
  });
});

describe('chunkEntries', () => {
  const entry = (bytes: number, index = 0): PutEventsEntry => ({
    EventBusName: 'fleetwire',
    Source: 'fleetwire.trips',
    DetailType: 'Trip.Ended',
    Detail: `${index}`.padEnd(bytes - 14 - 'fleetwire.trips'.length - 'Trip.Ended'.length, ' '),
    Time: new Date(OCCURRED_AT),
    Resources: [],
  });

  it('puts at most 10 entries in a request, in order', () => {
    const entries = Array.from({ length: 23 }, (_, i) => entry(200, i));
    const chunks = chunkEntries(entries, 10);
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 3]);
    expect(chunks.flat()).toEqual(entries);
    expect(chunkEntries([], 10)).toEqual([]);
  });

  it('keeps each request under the PutEvents request size limit', () => {
    const entries = packTelemetryEntries('fleetwire', TENANT, makeTelemetryVehicles(10_000), OCCURRED_AT);
    const chunks = chunkEntries(entries, 10);
    expect(chunks.flat()).toEqual(entries);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(10);
      expect(chunk.reduce((total, e) => total + awsEntrySize(e), 0)).toBeLessThanOrEqual(
        PUT_EVENTS_MAX_REQUEST_BYTES,
      );
    }
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(entries.length / 3));
  });

  it('refuses a chunk size PutEvents would refuse, and an entry too large for any request', () => {
    expect(() => chunkEntries([entry(100)], 11)).toThrow(/maxEntries must be an integer from 1 to 10/);
    expect(() => chunkEntries([entry(100)], 0)).toThrow(EventCatalogError);
    expect(() => chunkEntries([entry(PUT_EVENTS_MAX_REQUEST_BYTES + 1)])).toThrow(/exceeds the 256000-byte/);
  });

  it('mixes small typed events and packed telemetry', () => {
    const telemetry = packTelemetryEntries('fleetwire', TENANT, makeTelemetryVehicles(2000), OCCURRED_AT);
    const small = Array.from({ length: 12 }, (_, i) => entry(300, i));
    const chunks = chunkEntries([...telemetry, ...small]);
    expect(chunks.flat()).toHaveLength(telemetry.length + small.length);
    expect(chunks.every((chunk) => chunk.length <= 10)).toBe(true);
  });
});

describe('factories used here', () => {
  it('make distinct valid pseudonyms', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => sampleVehicleId(i));
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
  });
});
