import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { IngestObserver } from './ingest-function.ts';

/** {@link IngestObserver} on Powertools: one EMF metric set and at most one log line per batch. */
export class PowertoolsIngestObserver implements IngestObserver {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  batchProcessed(
    counts: Parameters<IngestObserver['batchProcessed']>[0],
    durationMs: number,
    failures: number,
  ): void {
    this.metrics.addMetric('Records', MetricUnit.Count, counts.records);
    this.metrics.addMetric('PoisonRecords', MetricUnit.Count, counts.poison);
    this.metrics.addMetric('UnregisteredRecords', MetricUnit.Count, counts.unregistered);
    this.metrics.addMetric('Vehicles', MetricUnit.Count, counts.vehicles);
    this.metrics.addMetric('SignalsAccepted', MetricUnit.Count, counts.signalsAccepted);
    this.metrics.addMetric('TelemetryEvents', MetricUnit.Count, counts.telemetryEvents);
    this.metrics.addMetric('FailedEvents', MetricUnit.Count, counts.failedEvents);
    this.metrics.addMetric('BatchItemFailures', MetricUnit.Count, failures);
    this.metrics.addMetric('DomainEvents', MetricUnit.Count, counts.domainEvents);
    this.metrics.addMetric('FailedDomainEvents', MetricUnit.Count, counts.failedDomainEvents);
    this.metrics.addMetric('DetectorStateErrors', MetricUnit.Count, counts.detectorStateErrors);
    this.metrics.addMetric('HistoryItems', MetricUnit.Count, counts.historyItems);
    this.metrics.addMetric('FailedHistoryItems', MetricUnit.Count, counts.failedHistoryItems);
    this.metrics.addMetric('BatchDuration', MetricUnit.Milliseconds, durationMs);
    this.metrics.publishStoredMetrics();
    if (counts.poison > 0 || counts.failedEvents > 0 || failures > 0) {
      this.logger.warn('ingest batch had failures', {
        poison: counts.poison,
        failedEvents: counts.failedEvents,
        batchItemFailures: failures,
      });
    }
  }

  batchFailed(error: unknown, records: number): void {
    this.metrics.addMetric('FailedBatches', MetricUnit.Count, 1);
    this.metrics.publishStoredMetrics();
    this.logger.error('ingest batch failed; Kinesis will redeliver it', { records, error: error as Error });
  }
}
