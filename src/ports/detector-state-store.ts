/**
 * Where the ingest path keeps each vehicle's detector document (detector state, the open telemetry-history
 * window and the events not yet published) between batches: Redis in AWS and offline, memory only as the
 * offline fallback. Writes are compare-and-set on a revision, because the four Tesla streams are read by
 * separate pollers (separate Lambda invocations in AWS) and may process the same vehicle at once.
 */

/** Which vehicle of which tenant. */
export interface DetectorStateKey {
  readonly tenantId: string;
  /** The pseudonymous vehicle id (never a VIN). */
  readonly vehicleId: string;
}

/** A stored document as the store holds it: opaque JSON text, parsed (and validated) by the domain. */
export interface StoredDetectorDocument {
  /** 0 when nothing is stored; each successful save increments it. */
  readonly revision: number;
  /** The document's JSON text; undefined when nothing is stored, or when it is {@link unchanged}. */
  readonly json: string | undefined;
  /** True when the stored revision is the one the caller said it knows: the text is then not sent. */
  readonly unchanged?: boolean;
}

/** One compare-and-set write. */
export interface DetectorDocumentWrite extends DetectorStateKey {
  /** The revision the document was read at; the write is refused if the stored one differs. */
  readonly expectedRevision: number;
  readonly json: string;
  /** The newest record time the document has seen (epoch ms): orders the tenant's vehicles for the ticker. */
  readonly lastRecordAt: number;
}

/** Vehicles of a tenant whose last record falls in a time range. */
export interface QuietVehiclesQuery {
  readonly tenantId: string;
  /** Last record at or after this (epoch ms). */
  readonly seenFrom: number;
  /** Last record at or before this (epoch ms). */
  readonly seenTo: number;
  readonly limit: number;
}

/** The store of detector documents, one round trip per call. */
export interface DetectorStateStore {
  /**
   * The documents of many vehicles, in the order asked. `knownRevisions[i]` is the revision of the
   * document the caller holds for `keys[i]`, if any: a document still at that revision comes back as
   * `unchanged`, without its text (a process that just wrote it need not read and parse it again).
   */
  load(
    keys: readonly DetectorStateKey[],
    knownRevisions?: readonly (number | undefined)[],
  ): Promise<StoredDetectorDocument[]>;
  /** Compare-and-set writes; per write, `true` if it was stored, `false` if its revision was stale. */
  save(writes: readonly DetectorDocumentWrite[]): Promise<boolean[]>;
  /** Every tenant that has a stored document. */
  tenants(): Promise<string[]>;
  /** Vehicle ids of the tenant with a document whose last record time is in the range, oldest first. */
  quietVehicles(query: QuietVehiclesQuery): Promise<string[]>;
}
