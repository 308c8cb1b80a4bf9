/**
 * Applies domain events to the stored records: read the record, project the event onto it, write it back
 * only if it changed and nobody wrote it in between. A repeated event reads and writes nothing new.
 */
import type { FleetwireEvent } from '../events/catalog/index.ts';
import {
  RecordRevisionConflictError,
  type FleetRecordsStore,
  type StoredRecord,
} from '../../ports/fleet-records.ts';
import type { TenantConfigSource } from '../../ports/tenant-config.ts';
import { RecordContentionError } from './errors.ts';
import {
  addressOf,
  projectEvent,
  RETENTION_KIND_OF,
  type RecordAddress,
  type RecordKind,
} from './records.ts';

/** What {@link applyRecordEvent} needs. */
export interface RecordProjectorDependencies {
  readonly records: FleetRecordsStore;
  readonly tenantConfig: TenantConfigSource;
  /** Conflicting writes retried before giving up (the event is then redelivered). @default 5 */
  readonly maxAttempts?: number;
}

/** What became of one event. */
export interface RecordEventOutcome {
  readonly address: RecordAddress;
  readonly outcome: 'created' | 'updated' | 'unchanged';
  /** Read-project-write rounds it took (more than one after a concurrent write). */
  readonly attempts: number;
}

/**
 * Projects one event onto its record.
 *
 * @throws RecordContentionError when the record kept changing under the write for `maxAttempts` rounds.
 * @throws UnsupportedRecordEventError for an event the records do not follow.
 */
export async function applyRecordEvent(
  event: FleetwireEvent,
  dependencies: RecordProjectorDependencies,
): Promise<RecordEventOutcome> {
  const address = addressOf(event);
  const settings = await dependencies.tenantConfig.settings(address.tenantId);
  const retentionDays = settings.retentionDays[RETENTION_KIND_OF[address.kind]];
  const maxAttempts = dependencies.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const stored: StoredRecord | undefined = await dependencies.records.read(address);
    const projection = projectEvent(event, stored?.record, retentionDays);
    if (projection.outcome === 'unchanged') return { address, outcome: 'unchanged', attempts: attempt };
    try {
      await dependencies.records.write(
        address.kind as RecordKind,
        projection.record,
        stored?.revision ?? null,
      );
      return { address, outcome: projection.outcome, attempts: attempt };
    } catch (error) {
      // Another delivery of an event of this record wrote first: project again onto what it wrote.
      if (!(error instanceof RecordRevisionConflictError)) throw error;
    }
  }
  throw new RecordContentionError(
    `The ${address.kind} record ${address.key} of tenant ${address.tenantId} changed under ${maxAttempts} writes in a row.`,
  );
}
