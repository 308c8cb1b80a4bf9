import type {
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from '../kinesis-event.ts';
import {
  ingestBatch,
  type IngestCounts,
  type IngestDependencies,
  type IngestRecord,
} from '../../domain/ingest/ingest-batch.ts';

/**
 * Where a batch's figures and failures go: Powertools Metrics and Logger in Lambda, the terminal summary
 * offline. Called once per batch, never per record.
 */
export interface IngestObserver {
  batchProcessed(counts: IngestCounts, durationMs: number, batchItemFailures: number): void;
  batchFailed(error: unknown, records: number): void;
}

/** The stream name of an event source ARN, `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
export function streamNameOf(eventSourceArn: string): string {
  const marker = eventSourceArn.lastIndexOf(':stream/');
  if (marker < 0) throw new Error(`not a Kinesis stream ARN: ${eventSourceArn}`);
  return eventSourceArn.slice(marker + ':stream/'.length);
}

function toIngestRecord(record: KinesisStreamRecord): IngestRecord {
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    streamName: streamNameOf(record.eventSourceARN),
    shardId: record.eventID.slice(0, record.eventID.indexOf(':')),
    partitionKey: record.kinesis.partitionKey,
    data: Buffer.from(record.kinesis.data, 'base64'),
    approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
  };
}

/**
 * The ingest function: Kinesis event in, partial batch response out. Wiring only: the work is
 * {@link ingestBatch}; the same handler runs in Lambda and behind the local poller, with other adapters.
 */
export function createIngestHandler(deps: IngestDependencies, observer: IngestObserver) {
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const started = performance.now();
    try {
      const result = await ingestBatch(event.Records.map(toIngestRecord), deps);
      observer.batchProcessed(result.counts, performance.now() - started, result.batchItemFailures.length);
      return { batchItemFailures: result.batchItemFailures.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      // Redis, KMS or the directory failing is not the records' fault: fail the batch so Kinesis
      // redelivers it (bisecting, then the on-failure destination, if it keeps failing).
      observer.batchFailed(error, event.Records.length);
      throw error;
    }
  };
}
