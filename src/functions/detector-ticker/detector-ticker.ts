import { tickQuietVehicles, type TickResult } from '../../domain/ingest/detector-ticker.ts';
import type { DetectorDependencies, DetectorRunTarget } from '../../domain/ingest/vehicle-detectors.ts';

/** Where a tick's figures go: Powertools in Lambda. */
export interface TickerObserver {
  tickProcessed(result: TickResult, durationMs: number): void;
  tickFailed(error: unknown): void;
}

/**
 * The detector ticker: a scheduled event in, the timer checks of every vehicle gone quiet run. Wiring
 * only: the work is {@link tickQuietVehicles}, the same code the local ingest runtime runs every 30 s.
 * The schedule's event carries its `time`; the clock is used instead, since the checks must see `now`.
 */
export function createTickerHandler(
  deps: DetectorDependencies,
  target: DetectorRunTarget,
  observer: TickerObserver,
  now: () => number = Date.now,
) {
  return async (): Promise<TickResult> => {
    const started = performance.now();
    try {
      const result = await tickQuietVehicles(deps, target, now());
      observer.tickProcessed(result, performance.now() - started);
      return result;
    } catch (error) {
      // Redis or the tenant configuration down: fail the invocation; the next minute's run tries again.
      observer.tickFailed(error);
      throw error;
    }
  };
}
