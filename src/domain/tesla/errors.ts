/**
 * Errors of the Tesla module. Everything it throws on purpose is a {@link TeslaError}, so a caller can
 * tell "Tesla data or configuration was wrong" from a bug with one `instanceof`.
 */

import type { TeslaTopic, TeslaWireFormat } from './types.ts';

/** Base class of every error the Tesla module throws on purpose. */
export class TeslaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Why a Kinesis record could not be decoded. Stable, short, meant for metrics dimensions and the
 * dead-letter queue (the human-readable detail is in the error's message).
 */
export type TeslaDecodeReason =
  /** The record has no bytes at all. */
  | 'empty'
  /** A length or a value runs past the end of the record or of its enclosing message. */
  | 'truncated'
  /** A varint longer than 10 bytes. */
  | 'invalid-varint'
  /** A field number 0, or an end-group tag without a start. */
  | 'invalid-tag'
  /** A known field arrived with another wire type than its schema type has, or wire type 6/7. */
  | 'wire-type'
  /** Nesting deeper than protobufjs allows (only reachable through unknown groups). */
  | 'too-deep'
  /** The protojson text is not valid UTF-8. */
  | 'invalid-utf8'
  /** The protojson text is not JSON. */
  | 'json-syntax'
  /** The protojson document (or one of its messages) is not a JSON object. */
  | 'not-an-object'
  /** A protojson member has a type or value its schema field cannot hold. */
  | 'invalid-field'
  /** A Timestamp that is not a valid instant (nanos out of range, unparseable RFC 3339, beyond year 275760). */
  | 'invalid-timestamp'
  /** The record has no VIN; the server always sets it, so the record cannot be attributed to a vehicle. */
  | 'missing-vin';

/** Where in the record decoding stopped, to make a dead-lettered record easy to inspect. */
export interface TeslaDecodeErrorContext {
  readonly topic: TeslaTopic;
  readonly format: TeslaWireFormat;
  /** Byte offset in the record (binary protobuf only). */
  readonly offset?: number;
}

/** A Kinesis record that cannot be decoded: a poison record, to be dead-lettered with {@link reason}. */
export class TeslaDecodeError extends TeslaError {
  readonly reason: TeslaDecodeReason;
  /** What exactly was wrong, e.g. `Payload.vin: wire type 0, expected 2`. */
  readonly detail: string;
  readonly topic: TeslaTopic;
  readonly format: TeslaWireFormat;
  readonly offset: number | undefined;

  constructor(reason: TeslaDecodeReason, detail: string, context: TeslaDecodeErrorContext, cause?: unknown) {
    const at = context.offset === undefined ? '' : ` at byte ${context.offset}`;
    super(
      `cannot decode ${context.topic} record (${context.format}): ${reason}: ${detail}${at}`,
      cause === undefined ? undefined : { cause },
    );
    this.reason = reason;
    this.detail = detail;
    this.topic = context.topic;
    this.format = context.format;
    this.offset = context.offset;
  }
}

/** A Kinesis stream name that is not one of the Tesla topics' streams. */
export class TeslaUnknownStreamError extends TeslaError {
  readonly streamName: string;

  constructor(streamName: string, expected: readonly string[]) {
    super(`stream "${streamName}" is not a Tesla telemetry stream (expected one of ${expected.join(', ')})`);
    this.streamName = streamName;
  }
}

/** A value given to one of the encoders that Tesla's schema cannot carry. */
export class TeslaEncodeError extends TeslaError {}
