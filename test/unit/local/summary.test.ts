import { describe, expect, it } from 'vitest';
import { formatSummary, summaryFigures, type StackReading } from '../../../src/local/summary.ts';
import type { IngestTotals } from '../../../src/local/ingest-runtime.ts';
import type { KinesisPollerStats } from '../../../src/local/kinesis-poller.ts';

const totals = (records: number, telemetryEvents: number): IngestTotals => ({
  batches: 1,
  failedBatches: 0,
  records,
  poison: 2,
  unregistered: 0,
  autoRegistered: 0,
  telemetryEvents,
  failedEvents: 0,
  batchItemFailures: 0,
});
const poller = (iteratorAgeMs: number) => ({ totals: { iteratorAgeMs } }) as unknown as KinesisPollerStats;

describe('the terminal summary', () => {
  it('computes rates over the interval and the worst lag of any stream', () => {
    const previous: StackReading = { at: 0, ingest: totals(100, 10), pollers: [] };
    const current: StackReading = {
      at: 2_000,
      ingest: totals(300, 14),
      pollers: [poller(120), poller(3_400)],
    };
    const figures = summaryFigures(previous, current);
    expect(figures).toMatchObject({
      recordsPerSecond: 100,
      eventsPerSecond: 2,
      lagMs: 3_400,
      poison: 2,
      records: 300,
    });
    const text = formatSummary(figures).join('\n');
    expect(text).toContain('records/s    100');
    expect(text).toContain('lag 3.4 s');
    expect(text).toContain('no simulator');
    expect(text).not.toContain('domain events');
  });

  it('shows what the detectors published and wrote, when they run', () => {
    const detectors = {
      domainEvents: 7,
      failedDomainEvents: 0,
      detectorStateErrors: 0,
      historyItems: 42,
      failedHistoryItems: 0,
      ticks: 3,
    };
    const reading: StackReading = { at: 0, ingest: totals(100, 10), pollers: [], detectors };
    const text = formatSummary(summaryFigures(reading, { ...reading, at: 1_000 })).join('\n');
    expect(text).toContain('domain events 7   history items 42');
  });
});
