import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ingestConfigurationFromEnv, ingestDependencies } from '../ingest/dependencies.ts';
import { createTickerHandler } from './detector-ticker.ts';

const logger = new Logger({ serviceName: 'fleetwire-detector-ticker' });
const metrics = new Metrics({ namespace: 'Fleetwire', serviceName: 'detector-ticker' });

// The ingest function's adapters (same Redis, bus, history table and tenant configuration), built once
// per container: the ticker is the ingest path's clock and must see exactly its state.
const deps = ingestDependencies({
  ...ingestConfigurationFromEnv(),
  onDetectorStateError: (vehicle, error) =>
    logger.warn('detector state unreadable; starting from the initial state', {
      tenantId: vehicle.tenantId,
      vehicleId: vehicle.vehicleId,
      reason: error.message,
    }),
});
if (!deps.detectors) throw new Error('the detector ticker needs the detector state store');

/** The Lambda entry point, run every minute by an EventBridge schedule. */
export const handler = createTickerHandler(
  deps.detectors,
  { events: deps.events, eventBusName: deps.eventBusName },
  {
    tickProcessed(result, durationMs) {
      metrics.addMetric('TickedVehicles', MetricUnit.Count, result.vehicles);
      metrics.addMetric('DomainEvents', MetricUnit.Count, result.counts.domainEvents);
      metrics.addMetric('FailedDomainEvents', MetricUnit.Count, result.counts.failedDomainEvents);
      metrics.addMetric('DetectorStateErrors', MetricUnit.Count, result.counts.detectorStateErrors);
      metrics.addMetric('HistoryItems', MetricUnit.Count, result.counts.historyItems);
      metrics.addMetric('FailedHistoryItems', MetricUnit.Count, result.counts.failedHistoryItems);
      metrics.addMetric('TickDuration', MetricUnit.Milliseconds, durationMs);
      metrics.publishStoredMetrics();
      if (result.failedVehicles > 0) {
        logger.warn('tick left vehicles for the next run', { failedVehicles: result.failedVehicles });
      }
    },
    tickFailed(error) {
      metrics.addMetric('FailedTicks', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      logger.error('detector tick failed', { error: error as Error });
    },
  },
);
