/** One event to put on a bus, as `PutEvents` takes it. */
export interface EventEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  /** The detail as JSON text. */
  readonly Detail: string;
  readonly Resources?: string[];
  readonly Time?: Date;
}

/** An entry the bus did not take, after every retry. */
export interface FailedEventEntry {
  /** Index into the entries given to {@link EventPublisher.publish}. */
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/**
 * Puts events on the bus. Retries what fails (throttling, internal errors) and reports, per entry, what
 * still failed, so the caller can have exactly those records redelivered.
 */
export interface EventPublisher {
  publish(entries: readonly EventEntry[]): Promise<FailedEventEntry[]>;
}

/**
 * A record the ingest function could not decode, kept with everything needed to look at it again. The
 * partition key is left out on purpose: Tesla sets it to the VIN.
 */
export interface PoisonRecord {
  readonly streamName: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** The raw Kinesis data, base64. It may hold a VIN: the dead-letter queue is encrypted and access-limited. */
  readonly dataBase64: string;
  readonly reason: string;
  readonly approximateArrivalTimestamp?: number;
}

/** Where poison records go (SQS in AWS and on the edge). */
export interface DeadLetterQueue {
  send(records: readonly PoisonRecord[]): Promise<void>;
}
