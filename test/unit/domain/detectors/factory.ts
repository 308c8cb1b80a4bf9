/**
 * Test helpers for the detector scenarios: records → coalesced batches (through the real coalescing),
 * a runner that round-trips the state through JSON between batches, and catalog validation of every event.
 */
import { expect } from 'vitest';
import { coalesce, type SignalRecord } from '../../../../src/domain/state/coalesce.ts';
import { validateDetail } from '../../../../src/domain/events/catalog/index.ts';
import {
  resolveDetectorConfig,
  type DetectorConfigInput,
  type DetectorContext,
  type DetectorResult,
  type DomainEvent,
  type SampleMap,
  type VehicleBatch,
  type VehicleRef,
} from '../../../../src/domain/detectors/index.ts';
import type { SignalValue } from '../../../../src/domain/tesla/types.ts';

export const TENANT = 'acme-logistics';
export const VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';
export const REF: VehicleRef = { tenantId: TENANT, vehicleId: VEHICLE };

/** 2025-03-14T09:00:00Z. */
export const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
export const sec = (n: number): number => n * 1000;
export const min = (n: number): number => n * 60_000;

/** One `V` record: signals measured at `at`. */
export interface Rec {
  readonly at: number;
  readonly signals: Readonly<Record<string, SignalValue>>;
}

export const rec = (at: number, signals: Record<string, SignalValue>): Rec => ({ at, signals });

/** A batch carrying the vehicle's records as they came (every intermediate value). */
export function batchOf(records: readonly Rec[], extra: Partial<VehicleBatch> = {}): VehicleBatch {
  const newest = records.reduce((max, r) => Math.max(max, r.at), -Infinity);
  return { ...REF, records, ...(records.length > 0 ? { lastRecordAt: newest } : {}), ...extra };
}

/** A batch of only the coalesced samples (the newest per signal), as ingest's coalescing makes them. */
export function coalescedOf(records: readonly Rec[], extra: Partial<VehicleBatch> = {}): VehicleBatch {
  const coalesced = coalesce<SignalValue>(
    records.map((r): SignalRecord<SignalValue> => ({ key: VEHICLE, at: r.at, signals: r.signals })),
  ).get(VEHICLE);
  const samples: Record<string, { value: SignalValue; at: number }> = {};
  for (const [name, sample] of coalesced?.signals ?? [])
    samples[name] = { value: sample.value, at: sample.at };
  return {
    ...REF,
    samples: samples as SampleMap,
    ...(coalesced ? { lastRecordAt: coalesced.lastRecordAt } : {}),
    ...extra,
  };
}

/** A context with a configuration built from `config`. */
export function contextOf(
  config: DetectorConfigInput = {},
  rest: Omit<DetectorContext, 'config'> = {},
): DetectorContext {
  return { config: resolveDetectorConfig(config), ...rest };
}

/** Checks every event against its catalog schema (throws EventContractError naming the issue). */
export function expectValid(events: readonly DomainEvent[]): void {
  for (const event of events) {
    expect(() => validateDetail(event.detailType, event.detail)).not.toThrow();
  }
}

/** JSON round trip, asserting it changes nothing (the state must survive Redis unchanged). */
export function roundTrip<S>(state: S): S {
  const copy = JSON.parse(JSON.stringify(state)) as S;
  expect(copy).toStrictEqual(state);
  return copy;
}

type Detect<S, C> = (previous: S | undefined, batch: VehicleBatch, context: C) => DetectorResult<S>;

/** Feeds batches one after the other, round-tripping the state; returns every event (validated). */
export function runBatches<S, C>(
  detect: Detect<S, C>,
  batches: readonly VehicleBatch[],
  context: C,
  initial?: S,
): { state: S | undefined; events: DomainEvent[] } {
  let state = initial;
  const events: DomainEvent[] = [];
  for (const batch of batches) {
    const result = detect(state === undefined ? undefined : roundTrip(state), batch, context);
    expectValid(result.events);
    events.push(...result.events);
    state = roundTrip(result.state);
  }
  return { state, events };
}

/** Splits records into batches of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Deterministic shuffle (a failure must be reproducible). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Event types in order, for compact assertions. */
export const typesOf = (events: readonly DomainEvent[]): string[] => events.map((event) => event.detailType);

/** A position `meters` east of a point (small distances). */
export function east(from: { latitude: number; longitude: number }, meters: number) {
  return {
    latitude: from.latitude,
    longitude: from.longitude + meters / (111_320 * Math.cos((from.latitude * Math.PI) / 180)),
  };
}

/** A position `meters` north of a point. */
export function north(from: { latitude: number; longitude: number }, meters: number) {
  return { latitude: from.latitude + meters / 110_574, longitude: from.longitude };
}

export const BERLIN = { latitude: 52.52, longitude: 13.405 };
