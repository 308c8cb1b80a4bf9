/**
 * How every signal-driven detector reads a batch: which samples are new, in what order they are applied,
 * and what a detector "sees" of a signal. Shared so that duplicates and reordering mean the same thing in
 * every detector (docs/detectors.md, "Duplicates and out-of-order samples").
 */
import type { LocationValue } from '../tesla/types.ts';
import { newerSample } from '../state/coalesce.ts';
import { DetectorStateError } from './errors.ts';
import type { SampleMap, SignalSample, SignalValue, VehicleBatch } from './types.ts';

/** The last processed sample of each signal a detector reads: its dedup key and its view of the vehicle. */
export type SeenSignals = Record<string, SignalSample<SignalValue>>;

/** The samples of one `created_at`, applied together. */
export interface Step {
  readonly at: number;
  readonly changed: Readonly<Record<string, SignalValue>>;
}

/** A batch sorted out for one detector. */
export interface Plan {
  /**
   * The view before the first step: the stored view, plus samples that are new for their signal but older
   * than the detector's watermark (late: they refresh the view without a transition of their own), plus
   * `latest` values of signals the detector had never seen.
   */
  readonly view: SeenSignals;
  /** The on-time samples, grouped by `created_at`, oldest first. */
  readonly steps: Step[];
}

/**
 * Sorts a batch's samples of the given signals into late refreshes and on-time steps. A sample is a
 * duplicate (dropped) when its signal already has a sample at the same or a newer time; it is late when
 * it is older than the watermark (the newest step the detector has processed). Equal times are on time,
 * because two records of one instant may arrive in two batches.
 */
export function planSteps(
  previousView: SeenSignals,
  watermark: number | null,
  batch: VehicleBatch,
  signals: ReadonlySet<string>,
): Plan {
  const view: SeenSignals = { ...previousView };
  const byTime = new Map<number, Record<string, SignalSample<SignalValue>>>();
  const late: Record<string, SignalSample<SignalValue>> = {};
  const inBatch = new Set<string>();
  const consider = (name: string, sample: SignalSample<SignalValue>): void => {
    if (!signals.has(name) || !Number.isFinite(sample.at)) return;
    inBatch.add(name);
    const seen = previousView[name];
    if (seen !== undefined && sample.at <= seen.at) return;
    if (watermark !== null && sample.at < watermark) {
      if (newerSample(sample, late[name])) late[name] = sample;
      return;
    }
    let changed = byTime.get(sample.at);
    if (!changed) byTime.set(sample.at, (changed = {}));
    // Two values of one signal at one instant: the same total order as coalescing, so arrival order
    // does not matter.
    if (newerSample(sample, changed[name])) changed[name] = sample;
  };
  const samples: SampleMap = batch.samples ?? {};
  for (const name in samples) consider(name, samples[name]!);
  for (const record of batch.records ?? []) {
    for (const name in record.signals) consider(name, { value: record.signals[name]!, at: record.at });
  }
  for (const name in late) view[name] = { value: late[name]!.value, at: late[name]!.at };
  const latest: SampleMap = batch.latest ?? {};
  for (const name of Object.keys(latest).sort()) {
    if (!signals.has(name) || view[name] !== undefined || inBatch.has(name)) continue;
    const sample = latest[name]!;
    view[name] = { value: sample.value, at: sample.at };
  }
  const steps = [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, changed]) => ({
      at,
      changed: Object.fromEntries(
        Object.keys(changed)
          .sort()
          .map((name) => [name, changed[name]!.value]),
      ),
    }));
  return { view, steps };
}

/**
 * A detector's state to work on: the initial one for a vehicle never seen, else the previous one, copied
 * unless the caller handed it over (`owned`: a cached state must not change under its cache).
 *
 * @throws {DetectorStateError} for a state of another version (`kind` names the detector in the message).
 */
export function workingState<S extends { readonly v: number }>(
  previous: S | undefined,
  initial: () => S,
  kind: string,
  owned = false,
): S {
  if (previous === undefined) return initial();
  if (previous.v !== 1) throw new DetectorStateError(`${kind} state version ${String(previous.v)} is not 1`);
  return owned ? previous : structuredClone(previous);
}

/** A signal-driven detector's state: its view of the signals and the newest step it processed. */
export interface SteppedState {
  view: SeenSignals;
  watermark: number | null;
}

/**
 * Runs a batch's new samples of `signals` through a detector: the late ones refresh its view, then each
 * on-time step is applied between `before(at)` (the view as it was) and `after(at)` (the view with the
 * step), and moves the watermark.
 */
export function walkSteps(
  state: SteppedState,
  batch: VehicleBatch,
  signals: ReadonlySet<string>,
  before: (at: number) => void,
  after: (at: number) => void,
): void {
  const plan = planSteps(state.view, state.watermark, batch, signals);
  state.view = plan.view;
  for (const step of plan.steps) {
    before(step.at);
    applyStep(state.view, step);
    after(step.at);
    state.watermark = Math.max(state.watermark ?? step.at, step.at);
  }
}

/** Applies a step's samples to a view. */
export function applyStep(view: SeenSignals, step: Step): void {
  for (const name in step.changed) view[name] = { value: step.changed[name]!, at: step.at };
}

/** A signal's number, or `null` when unknown, invalid or not a number. */
export function numberOf(view: SeenSignals, name: string): number | null {
  const value = view[name]?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A signal's string (an enum by name), or `null`. */
export function stringOf(view: SeenSignals, name: string): string | null {
  const value = view[name]?.value;
  return typeof value === 'string' ? value : null;
}

/** A signal's boolean, or `null`. */
export function booleanOf(view: SeenSignals, name: string): boolean | null {
  const value = view[name]?.value;
  return typeof value === 'boolean' ? value : null;
}

/** A signal's position, or `null` when it is not a valid {latitude, longitude}. */
export function locationOf(view: SeenSignals, name = 'Location'): LocationValue | null {
  return asLocation(view[name]?.value);
}

/** A value as a valid position, or `null`. */
export function asLocation(value: unknown): LocationValue | null {
  if (typeof value !== 'object' || value === null) return null;
  const { latitude, longitude } = value as Record<string, unknown>;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return null;
  return { latitude, longitude };
}

/** Epoch milliseconds as the catalog's UTC date-time. */
export function iso(at: number): string {
  return new Date(at).toISOString();
}

/** Milliseconds between two instants, in seconds with millisecond precision, never negative. */
export function secondsBetween(from: number, to: number): number {
  return Math.max(0, to - from) / 1000;
}

/** Rounds to a fixed number of decimals, so events do not carry float noise (12.300000000000001). */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** The newest `at` among a batch's samples, or `null` for a batch without telemetry. */
export function newestSampleAt(batch: VehicleBatch): number | null {
  let newest: number | null = null;
  for (const sample of Object.values(batch.samples ?? {})) {
    if (Number.isFinite(sample.at) && (newest === null || sample.at > newest)) newest = sample.at;
  }
  return newest;
}

/** Miles → km, for Tesla's Odometer. */
export const KM_PER_MILE = 1.609344;
