import type { DetectorTotals, IngestTotals } from './ingest-runtime.ts';
import type { KinesisPollerStats } from './kinesis-poller.ts';
import type { SimulatorStats } from '../simulator/simulator.ts';

/** One reading of the running stack, taken each time the summary is drawn. */
export interface StackReading {
  readonly at: number;
  readonly ingest: Readonly<IngestTotals>;
  readonly pollers: readonly KinesisPollerStats[];
  readonly simulator?: SimulatorStats | undefined;
  /** The detectors' totals; absent when ingest runs no detectors. */
  readonly detectors?: Readonly<DetectorTotals> | undefined;
}

/** What the summary shows, computed from two readings. */
export interface SummaryFigures {
  readonly vehiclesOnline: number | undefined;
  readonly vehiclesTotal: number | undefined;
  readonly recordsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly lagMs: number;
  readonly poison: number;
  readonly unregistered: number;
  readonly failedBatches: number;
  readonly records: number;
  /** Trips, charging, geofence, alert and connectivity events published so far (with the detectors). */
  readonly domainEvents: number | undefined;
  /** Telemetry-history items written so far (with the detectors). */
  readonly historyItems: number | undefined;
}

/** Rates over the interval between two readings; lag is the worst iterator age of any shard. */
export function summaryFigures(previous: StackReading, current: StackReading): SummaryFigures {
  const seconds = Math.max((current.at - previous.at) / 1000, 1e-3);
  const status = current.simulator?.status;
  return {
    vehiclesOnline: status ? current.simulator!.vehicles - (status.offline ?? 0) : undefined,
    vehiclesTotal: current.simulator?.vehicles,
    recordsPerSecond: (current.ingest.records - previous.ingest.records) / seconds,
    eventsPerSecond: (current.ingest.telemetryEvents - previous.ingest.telemetryEvents) / seconds,
    lagMs: Math.max(0, ...current.pollers.map((p) => p.totals.iteratorAgeMs)),
    poison: current.ingest.poison,
    unregistered: current.ingest.unregistered,
    failedBatches: current.ingest.failedBatches,
    records: current.ingest.records,
    domainEvents: current.detectors?.domainEvents,
    historyItems: current.detectors?.historyItems,
  };
}

/** The summary as lines of text (no colours, so it reads the same in a log file). */
export function formatSummary(figures: SummaryFigures, lastError?: string): string[] {
  const online =
    figures.vehiclesOnline === undefined
      ? 'no simulator'
      : `${figures.vehiclesOnline}/${figures.vehiclesTotal}`;
  const lines = [
    `vehicles online ${online.padEnd(12)} records/s ${figures.recordsPerSecond.toFixed(0).padStart(6)}   events/s ${figures.eventsPerSecond.toFixed(1).padStart(6)}`,
    `lag ${`${(figures.lagMs / 1000).toFixed(1)} s`.padEnd(20)} records ${String(figures.records).padStart(8)}   poison ${String(figures.poison).padStart(4)}   unregistered ${figures.unregistered}   failed batches ${figures.failedBatches}`,
  ];
  if (figures.domainEvents !== undefined) {
    lines.push(`domain events ${figures.domainEvents}   history items ${figures.historyItems ?? 0}`);
  }
  if (lastError) lines.push(`last error: ${lastError}`);
  return lines;
}
