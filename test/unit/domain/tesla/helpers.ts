/**
 * Helpers of the Tesla decoding tests: raw wire bytes for records no encoder would write, the project's
 * own copies of Tesla's reference fixtures, and one-signal records.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeRecord, encodeVehicleData, TeslaDecodeError } from '../../../../src/domain/tesla/index.ts';
import type {
  DecodedRecord,
  SignalValue,
  TeslaDecodeReason,
  TeslaTopic,
  TeslaWireFormat,
  ValueInput,
} from '../../../../src/domain/tesla/index.ts';

/** Both formats, for `describe.each`. */
export const FORMATS: readonly TeslaWireFormat[] = ['protobuf', 'protojson'];

/** A fixture copied from Tesla's reference into `test/fixtures/tesla/` (no `/work/shared` needed). */
export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../../../fixtures/tesla/${name}`, import.meta.url)));
}

/** Raw protobuf bytes written field by field, for records that no encoder would produce. */
export function wire(write: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  write(w);
  return w.finish();
}

/** A field tag. */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Concatenated byte arrays: protobuf messages merge, which is how the tests add fields to a record. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** UTF-8 bytes of a text (protojson records). */
export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** A `V` record with one datum, in a format. */
export function oneSignal(
  key: string | number,
  value: ValueInput | null,
  format: TeslaWireFormat,
): Uint8Array {
  return encodeVehicleData(
    { vin: 'VIN1', createdAt: { seconds: 1_700_000_000 }, data: [{ key, value }] },
    { format },
  );
}

/** The signals of a decoded `V` record (fails the test for another topic). */
export function signalsOf(record: DecodedRecord): Record<string, SignalValue> {
  if (record.topic !== 'V') throw new Error(`expected a V record, got ${record.topic}`);
  return record.signals;
}

/** The error `decodeRecord` throws for a record (fails the test if it decodes, or throws another error). */
export function decodeError(topic: TeslaTopic, data: Uint8Array): TeslaDecodeError {
  try {
    decodeRecord(topic, data);
  } catch (error) {
    if (error instanceof TeslaDecodeError) return error;
    throw error;
  }
  throw new Error('expected a TeslaDecodeError, but the record decoded');
}

/** Just the reason of {@link decodeError}. */
export function reasonOf(topic: TeslaTopic, data: Uint8Array): TeslaDecodeReason {
  return decodeError(topic, data).reason;
}
