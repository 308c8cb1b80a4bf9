import { describe, expect, it } from 'vitest';
import {
  advanceHistory,
  closeEndedWindow,
  windowStart,
} from '../../../../src/domain/ingest/history-window.ts';

const T0 = Date.UTC(2027, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const rec = (at: number, signals: Record<string, number>) => ({ at, signals });

describe('telemetry-history downsampling', () => {
  it('merges a window to the newest value per signal and closes it when a later window starts', () => {
    // prepare
    const records = [
      rec(T0 + 50_000, { VehicleSpeed: 3 }),
      rec(T0, { VehicleSpeed: 1, Soc: 80 }),
      rec(T0 + 10_000, { VehicleSpeed: 2 }),
      rec(T0 + MINUTE + 5_000, { VehicleSpeed: 4 }),
    ];
    // act
    const result = advanceHistory(null, records, MINUTE);
    // assess
    expect(result.closed).toEqual([{ start: T0, signals: { Soc: 80, VehicleSpeed: 3 } }]);
    expect(result.window).toEqual({
      start: T0 + MINUTE,
      signals: { VehicleSpeed: { value: 4, at: T0 + MINUTE + 5_000 } },
    });
    expect(result.late).toBe(0);
  });

  it('changes nothing when the same records come again, and counts records of closed windows as late', () => {
    // prepare
    const records = [rec(T0 + MINUTE, { VehicleSpeed: 5 }), rec(T0 + MINUTE + 1_000, { VehicleSpeed: 6 })];
    const first = advanceHistory(null, records, MINUTE);
    // act
    const again = advanceHistory(first.window, [...records, rec(T0 + 30_000, { VehicleSpeed: 1 })], MINUTE);
    // assess
    expect(again.window).toEqual(first.window);
    expect(again.closed).toEqual([]);
    expect(again.late).toBe(1);
  });

  it('closes an open window once it has ended, and not before', () => {
    // prepare
    const { window } = advanceHistory(null, [rec(T0 + 1_000, { Odometer: 10 })], MINUTE);
    // act
    const early = closeEndedWindow(window, T0 + MINUTE - 1, MINUTE);
    const due = closeEndedWindow(window, T0 + MINUTE, MINUTE);
    // assess
    expect(early).toEqual({ window, closed: [] });
    expect(due).toEqual({ window: null, closed: [{ start: T0, signals: { Odometer: 10 } }] });
    expect(windowStart(T0 + 59_999, MINUTE)).toBe(T0);
  });
});
