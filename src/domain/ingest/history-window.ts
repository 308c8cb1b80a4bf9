/**
 * Downsampling of the telemetry history (DESIGN.md §3 step 6, docs/data-model.md "Telemetry history"):
 * time is cut into fixed windows (60 s by default, aligned to the epoch); a vehicle's records of one
 * window merge into one item holding the newest value of each signal reported in it. The open window is
 * kept per vehicle next to its detector state and written once, when it closes: when a record of a later
 * window arrives, or when the ticker finds the window over for a vehicle gone quiet. One item per window
 * and one write per item, whatever the batch sizes.
 *
 * Records of a window already closed are late: its item is written and cannot be merged into with a
 * `BatchWriteItem` put, so they are counted and left out (the latest state still has them). A redelivered
 * batch merges its records into the same open window again, which changes nothing (last write wins per
 * signal by `created_at`, ties by value as in coalescing).
 */
import { newerSample } from '../state/coalesce.ts';
import type { SignalValue, TimedSignals } from '../detectors/index.ts';

/** The open window of one vehicle: plain JSON, stored in the vehicle's detector document. */
export interface HistoryWindow {
  /** The window's start, epoch ms (a multiple of the window length). */
  readonly start: number;
  /** Signal name → the newest sample reported in the window. */
  readonly signals: Record<string, { readonly value: SignalValue; readonly at: number }>;
}

/** A closed window: one history item to write. */
export interface ClosedHistoryWindow {
  readonly start: number;
  readonly signals: Record<string, SignalValue>;
}

/** What merging a batch's records did. */
export interface HistoryAdvance {
  readonly window: HistoryWindow | null;
  readonly closed: ClosedHistoryWindow[];
  /** Records of windows already closed, left out. */
  readonly late: number;
}

/** The start of the window holding `at`. */
export function windowStart(at: number, windowMs: number): number {
  return Math.floor(at / windowMs) * windowMs;
}

function closedOf(window: HistoryWindow): ClosedHistoryWindow {
  const signals: Record<string, SignalValue> = {};
  for (const name of Object.keys(window.signals).sort()) signals[name] = window.signals[name]!.value;
  return { start: window.start, signals };
}

/**
 * Merges one vehicle's `V` records (any order, duplicates allowed) into its open window, closing the
 * windows a later record moves past. Pure: the given window is not changed.
 */
export function advanceHistory(
  window: HistoryWindow | null,
  records: readonly TimedSignals[],
  windowMs: number,
): HistoryAdvance {
  const ordered = [...records].sort((a, b) => a.at - b.at);
  const closed: ClosedHistoryWindow[] = [];
  let late = 0;
  let open: { start: number; signals: Record<string, { value: SignalValue; at: number }> } | null = window
    ? { start: window.start, signals: { ...window.signals } }
    : null;
  for (const record of ordered) {
    const start = windowStart(record.at, windowMs);
    if (open && start < open.start) {
      late += 1;
      continue;
    }
    if (open && start > open.start) {
      if (Object.keys(open.signals).length > 0) closed.push(closedOf(open));
      open = null;
    }
    open ??= { start, signals: {} };
    for (const name in record.signals) {
      const sample = { value: record.signals[name] as SignalValue, at: record.at };
      if (newerSample(sample, open.signals[name])) open.signals[name] = sample;
    }
  }
  return { window: open, closed, late };
}

/** Closes the open window if it ended by `now` (the ticker, for a vehicle that stopped sending). */
export function closeEndedWindow(
  window: HistoryWindow | null,
  now: number,
  windowMs: number,
): { readonly window: HistoryWindow | null; readonly closed: ClosedHistoryWindow[] } {
  if (!window || window.start + windowMs > now) return { window, closed: [] };
  return { window: null, closed: Object.keys(window.signals).length > 0 ? [closedOf(window)] : [] };
}
