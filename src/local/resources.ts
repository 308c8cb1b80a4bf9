import { teslaStreamNames, TESLA_TOPICS } from '../domain/tesla/index.ts';
import type { LocalResources } from './provision.ts';

/** The queue poison records go to (a KMS-encrypted SQS queue in AWS). */
export const POISON_QUEUE_NAME = 'fleetwire-ingest-poison';
/** Where the event source mapping describes batches it gave up on. */
export const ON_FAILURE_QUEUE_NAME = 'fleetwire-ingest-on-failure';
/** Webhook deliveries the deliverer gave up on, with the reason (an SQS queue in AWS too). */
export const WEBHOOK_DLQ_NAME = 'fleetwire-webhooks-dlq';
/** The Tesla server's default namespace in Fleetwire: streams `fleetwire_V`, `fleetwire_alerts`, … */
export const DEFAULT_TESLA_NAMESPACE = 'fleetwire';

/** The streams and queues the local stack provisions for a namespace; `V` gets more shards, as in AWS. */
export function localResources(namespace = DEFAULT_TESLA_NAMESPACE, telemetryShards = 4): LocalResources {
  const streams = teslaStreamNames(namespace);
  return {
    streams: TESLA_TOPICS.map((topic) => ({
      name: streams[topic],
      shards: topic === 'V' ? telemetryShards : 1,
    })),
    queues: [POISON_QUEUE_NAME, ON_FAILURE_QUEUE_NAME, WEBHOOK_DLQ_NAME],
  };
}
