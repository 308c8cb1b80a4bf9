/**
 * The event a Lambda function receives from a Kinesis event source mapping and the partial batch response it
 * may answer with, shaped as AWS documents them ("Using Lambda with Kinesis Data Streams"). Defined here
 * rather than taken from `@types/aws-lambda` so that the ingest function and the local poller share one
 * definition without a dependency that only holds types.
 */

/** The Kinesis part of one record: the data record as Kinesis stored it. */
export interface KinesisStreamRecordPayload {
  /** Always `1.0`. */
  readonly kinesisSchemaVersion: string;
  readonly partitionKey: string;
  /** A decimal string of up to 128 bits; compare as `BigInt`, never as text or a JavaScript number. */
  readonly sequenceNumber: string;
  /** The record's bytes, base64-encoded. */
  readonly data: string;
  /** When Kinesis accepted the record, in epoch seconds with a fraction (e.g. `1545084650.987`). */
  readonly approximateArrivalTimestamp: number;
  /** `KMS` when the stream is encrypted at rest; absent otherwise. */
  readonly encryptionType?: string;
}

/** One record of a {@link KinesisStreamEvent}. */
export interface KinesisStreamRecord {
  readonly kinesis: KinesisStreamRecordPayload;
  readonly eventSource: 'aws:kinesis';
  /** Always `1.0`. */
  readonly eventVersion: string;
  /** `<shardId>:<sequenceNumber>`. */
  readonly eventID: string;
  readonly eventName: 'aws:kinesis:record';
  /** The role the event source mapping reads the stream with. */
  readonly invokeIdentityArn: string;
  readonly awsRegion: string;
  /** The stream's ARN (or the stream consumer's, for enhanced fan-out). */
  readonly eventSourceARN: string;
}

/** What a function invoked by a Kinesis event source mapping receives: records of one shard, in order. */
export interface KinesisStreamEvent {
  readonly Records: readonly KinesisStreamRecord[];
}

/** One failed record of a partial batch response. */
export interface KinesisStreamBatchItemFailure {
  /** The failed record's `kinesis.sequenceNumber`. */
  readonly itemIdentifier: string;
}

/**
 * The partial batch response (`FunctionResponseTypes: ["ReportBatchItemFailures"]`). Lambda checkpoints
 * before the lowest failed sequence number and retries from it; an empty or absent list is a complete
 * success, and an empty, null or misnamed `itemIdentifier` makes the whole batch a failure.
 */
export interface KinesisStreamBatchResponse {
  readonly batchItemFailures?: readonly KinesisStreamBatchItemFailure[] | null;
}

/** A Lambda handler for Kinesis records, as the local poller and the Lambda runtime call it. */
export type KinesisStreamHandler = (
  event: KinesisStreamEvent,
) => Promise<KinesisStreamBatchResponse | void | null | undefined>;

/** Why an event source mapping discarded a batch. */
export type KinesisDiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The invocation record an event source mapping sends to its on-failure destination (SQS, SNS) when it
 * discards a batch. It names the records (shard and sequence range) but does not carry them: a consumer
 * reads them back from the stream before they expire.
 */
export interface KinesisOnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: KinesisDiscardCondition;
    /** How many times the function was invoked with the discarded records (0 when they aged out unread). */
    readonly approximateInvokeCount: number;
  };
  /** The last invocation's outcome; absent when the records were discarded without being invoked. */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** `Unhandled` when the function threw; absent when it answered with a partial batch response. */
    readonly functionError?: string;
  };
  readonly version: '1.0';
  /** When the batch was discarded, ISO-8601 with milliseconds. */
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    /** ISO-8601 with milliseconds. */
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}
