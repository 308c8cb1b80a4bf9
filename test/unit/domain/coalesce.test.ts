import { describe, expect, it } from 'vitest';
import { coalesce, newerSample, type SignalRecord } from '../../../src/domain/state/coalesce.ts';

const record = (key: string, at: number, signals: Record<string, unknown>): SignalRecord => ({
  key,
  at,
  signals,
});

/** Deterministic shuffle so a failure can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function snapshot(result: ReturnType<typeof coalesce>) {
  return Object.fromEntries(
    [...result].map(([key, v]) => [key, { last: v.lastRecordAt, signals: Object.fromEntries(v.signals) }]),
  );
}

describe('coalescing: last write wins per signal by created_at', () => {
  it('keeps the newest value of each signal, whichever record carried it', () => {
    const result = coalesce([
      record('v1', 2_000, { VehicleSpeed: 50, Soc: 80 }),
      record('v1', 1_000, { VehicleSpeed: 10, Gear: 'D' }),
      record('v2', 1_500, { Soc: 40 }),
    ]);
    expect(snapshot(result)).toEqual({
      v1: {
        last: 2_000,
        signals: {
          VehicleSpeed: { value: 50, at: 2_000 },
          Soc: { value: 80, at: 2_000 },
          Gear: { value: 'D', at: 1_000 },
        },
      },
      v2: { last: 1_500, signals: { Soc: { value: 40, at: 1_500 } } },
    });
  });

  it('gives the same state for duplicated and shuffled input', () => {
    // prepare
    const records = Array.from({ length: 200 }, (_, i) =>
      record(`v${i % 7}`, 1_000 + i * 10, {
        VehicleSpeed: i,
        Location: { latitude: i, longitude: -i },
        Odd: i % 2 === 1,
      }),
    );
    const withDuplicates = [...records, ...records.filter((_, i) => i % 5 === 0)];
    // act
    const clean = snapshot(coalesce(records));
    const noisy = [1, 2, 3].map((seed) => snapshot(coalesce(shuffled(withDuplicates, seed))));
    // assess
    for (const result of noisy) expect(result).toEqual(clean);
  });

  it('breaks a tie of timestamps by value, not by arrival', () => {
    const a = { value: 'A', at: 5 };
    const b = { value: 'B', at: 5 };
    expect(newerSample(b, a)).toBe(true);
    expect(newerSample(a, b)).toBe(false);
    expect(newerSample(a, a)).toBe(false);
    expect(snapshot(coalesce([record('v', 5, { X: 'B' }), record('v', 5, { X: 'A' })]))).toEqual(
      snapshot(coalesce([record('v', 5, { X: 'A' }), record('v', 5, { X: 'B' })])),
    );
  });

  it('keeps null (invalid) as a value: a signal that could not be measured is news too', () => {
    const result = coalesce([record('v', 1, { Soc: 50 }), record('v', 2, { Soc: null })]);
    expect(result.get('v')?.signals.get('Soc')).toEqual({ value: null, at: 2 });
  });
});
