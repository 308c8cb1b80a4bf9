/**
 * `decodeRecord`: one Kinesis record's `Data`, of a known topic, to a {@link DecodedRecord}, whichever
 * format the server wrote; anything undecodable is a {@link TeslaDecodeError} (a poison record).
 */

import { decodeBinary, WireFailure } from './decode-binary.ts';
import { decodeProtojson, JsonFailure } from './decode-protojson.ts';
import { TeslaDecodeError, TeslaError } from './errors.ts';
import { TESLA_TOPICS } from './types.ts';
import type { DecodedRecord, TeslaTopic, TeslaWireFormat } from './types.ts';

const OPEN_BRACE = 0x7b;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function binary(topic: TeslaTopic, data: Uint8Array): DecodedRecord {
  try {
    return decodeBinary(topic, data);
  } catch (error) {
    if (error instanceof WireFailure) {
      throw new TeslaDecodeError(error.reason, error.detail, {
        topic,
        format: 'protobuf',
        offset: error.offset,
      });
    }
    throw error;
  }
}

function protojson(topic: TeslaTopic, data: Uint8Array): DecodedRecord {
  try {
    return decodeProtojson(topic, data);
  } catch (error) {
    if (error instanceof JsonFailure) {
      throw new TeslaDecodeError(error.reason, error.detail, { topic, format: 'protojson' });
    }
    throw error;
  }
}

/**
 * Decodes the `Data` of one Kinesis record of `topic`.
 *
 * The format is told by the first bytes: `{` (0x7B) can never start a binary record of these messages
 * (it would be field 15 as a group), so a record starting with it is protojson. A record whose first
 * non-whitespace byte is `{` after whitespace is ambiguous: 0x0A is also the tag of field 1, and a first
 * field of exactly 123 bytes is length 0x7B. Such a record is read as protojson first and, if that
 * fails, as binary; if both fail, the protojson error is reported.
 *
 * @throws {TeslaDecodeError} for a record that cannot be decoded, with its `reason`.
 */
export function decodeRecord(topic: TeslaTopic, data: Uint8Array): DecodedRecord {
  if (!TESLA_TOPICS.includes(topic)) throw new TeslaError(`unknown Tesla topic "${String(topic)}"`);
  const first = data[0];
  if (first === undefined) {
    throw new TeslaDecodeError('empty', 'the record has no bytes', { topic, format: 'protobuf' });
  }
  if (first === OPEN_BRACE) return protojson(topic, data);
  if (isJsonWhitespace(first)) {
    let i = 1;
    while (i < data.length && isJsonWhitespace(data[i] as number)) i += 1;
    if (data[i] === OPEN_BRACE) {
      try {
        return protojson(topic, data);
      } catch (jsonError) {
        try {
          return binary(topic, data);
        } catch {
          throw jsonError;
        }
      }
    }
  }
  return binary(topic, data);
}

/**
 * The format {@link decodeRecord} reads a record as first: protojson when its first non-whitespace byte
 * is `{`, else binary protobuf.
 */
export function wireFormatOf(data: Uint8Array): TeslaWireFormat {
  let i = 0;
  while (i < data.length && isJsonWhitespace(data[i] as number)) i += 1;
  return data[i] === OPEN_BRACE ? 'protojson' : 'protobuf';
}
