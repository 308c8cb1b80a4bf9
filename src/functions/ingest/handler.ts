import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIngestHandler } from './ingest-function.ts';
import { ingestConfigurationFromEnv, ingestDependencies } from './dependencies.ts';
import { PowertoolsIngestObserver } from './powertools-observer.ts';

const logger = new Logger({ serviceName: 'fleetwire-ingest' });
const metrics = new Metrics({ namespace: 'Fleetwire', serviceName: 'ingest' });

/** The Lambda entry point of the Kinesis fan-out; adapters are built once per container. */
export const handler = createIngestHandler(
  ingestDependencies({
    ...ingestConfigurationFromEnv(),
    // Once per vehicle (the vehicle then starts afresh); the count is the DetectorStateErrors metric.
    onDetectorStateError: (vehicle, error) =>
      logger.warn('detector state unreadable; starting from the initial state', {
        tenantId: vehicle.tenantId,
        vehicleId: vehicle.vehicleId,
        reason: error.message,
      }),
  }),
  new PowertoolsIngestObserver(logger, metrics),
);
