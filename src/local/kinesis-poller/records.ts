/**
 * What the poller sends out, built as Lambda builds it: the function's event records and the invocation
 * record for an on-failure destination.
 */
import type {
  KinesisDiscardCondition,
  KinesisOnFailureRecord,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from '../../functions/kinesis-event.ts';
import type { BufferedRecord } from './batch-plan.ts';

/** Where the records come from and who reads them, the same for every record of a mapping. */
export interface EventSourceIdentity {
  readonly streamArn: string;
  readonly region: string;
  readonly invokeIdentityArn: string;
}

/** Turns one buffered record of `shardId` into the record of a Lambda Kinesis event. */
export function toEventRecord(
  record: BufferedRecord,
  shardId: string,
  source: EventSourceIdentity,
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString(
        'base64',
      ),
      approximateArrivalTimestamp: record.arrivalMs / 1000,
      ...(record.encryptionType ? { encryptionType: record.encryptionType } : {}),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}

/** The event for one batch of records of `shardId`. */
export function toEvent(
  records: readonly BufferedRecord[],
  shardId: string,
  source: EventSourceIdentity,
): KinesisStreamEvent {
  return { Records: records.map((record) => toEventRecord(record, shardId, source)) };
}

/**
 * The JSON size of one event record without its data and partition key, for cutting batches at the
 * payload limit. Sequence numbers are taken at their usual 56 digits.
 */
export function eventRecordOverheadBytes(shardId: string, source: EventSourceIdentity): number {
  const sample = toEventRecord(
    {
      sequenceNumber: '0'.repeat(56),
      partitionKey: '',
      data: new Uint8Array(0),
      arrivalMs: 1_700_000_000_000.5,
    },
    shardId,
    source,
  );
  return Buffer.byteLength(JSON.stringify(sample)) + 1;
}

/** The outcome of the last invocation that included the discarded records. */
export interface LastInvocation {
  /** The function threw (Lambda reports `functionError: "Unhandled"`), rather than answering. */
  readonly functionError: boolean;
}

/** Everything the on-failure invocation record says about a discarded batch. */
export interface DiscardedBatch {
  readonly records: readonly BufferedRecord[];
  readonly shardId: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly condition: KinesisDiscardCondition;
  readonly approximateInvokeCount: number;
  /** Absent when the records were discarded before any invocation (they aged out). */
  readonly lastInvocation?: LastInvocation;
  readonly requestId: string;
  readonly discardedAt: Date;
}

/** The invocation record Lambda sends to an on-failure destination for a discarded Kinesis batch. */
export function onFailureRecord(batch: DiscardedBatch): KinesisOnFailureRecord {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (!first || !last) throw new RangeError('a discarded batch has at least one record');
  return {
    requestContext: {
      requestId: batch.requestId,
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    ...(batch.lastInvocation
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(batch.lastInvocation.functionError ? { functionError: 'Unhandled' } : {}),
          },
        }
      : {}),
    version: '1.0',
    timestamp: batch.discardedAt.toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}
