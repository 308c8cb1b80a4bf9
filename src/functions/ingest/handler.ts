import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIngestHandler } from './ingest-function.ts';
import { ingestConfigurationFromEnv, ingestDependencies } from './dependencies.ts';
import { PowertoolsIngestObserver } from './powertools-observer.ts';

const logger = new Logger({ serviceName: 'fleetwire-ingest' });
const metrics = new Metrics({ namespace: 'Fleetwire', serviceName: 'ingest' });

/** The Lambda entry point of the Kinesis fan-out; adapters are built once per container. */
export const handler = createIngestHandler(
  ingestDependencies(ingestConfigurationFromEnv()),
  new PowertoolsIngestObserver(logger, metrics),
);
