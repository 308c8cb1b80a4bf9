/**
 * Where the records projected from domain events (trips, charging sessions, alerts) are kept. The store
 * only reads and writes whole records; what a record becomes is decided by `src/domain/records`.
 */
import type { RecordAddress, RecordKind, RecordOfKind } from '../domain/records/records.ts';

/** A stored record and the revision it was read at (for the conditional write that replaces it). */
export interface StoredRecord<K extends RecordKind = RecordKind> {
  readonly record: RecordOfKind[K];
  readonly revision: number;
}

/** The revision a write expects the record to be at; `null` expects no record yet. */
export type ExpectedRevision = number | null;

/** Thrown by {@link FleetRecordsStore.write} when the record is no longer at the expected revision. */
export class RecordRevisionConflictError extends Error {
  override readonly name = 'RecordRevisionConflictError';
}

/** The trips, charging sessions and alerts of every tenant. */
export interface FleetRecordsStore {
  /** The record at `address` with its revision, strongly consistent; undefined when there is none. */
  read<K extends RecordKind>(address: RecordAddress<K>): Promise<StoredRecord<K> | undefined>;
  /**
   * Writes the projected fields of `record` if it is still at `expected`, and moves it to the next
   * revision. Fields the projection does not own (an alert's acknowledgement) are left as they are.
   *
   * @throws RecordRevisionConflictError when another write came first.
   */
  write<K extends RecordKind>(kind: K, record: RecordOfKind[K], expected: ExpectedRevision): Promise<void>;
}
