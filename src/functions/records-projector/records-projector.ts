/**
 * The records projector: the target of the `records` rule. Each EventBridge event (a trip, charging,
 * alert or error event) is checked against the catalog and projected onto its record. A failure throws,
 * so EventBridge retries the event and finally keeps it in the rules' dead-letter queue.
 */
import { parseEvent } from '../../domain/events/catalog/index.ts';
import { applyRecordEvent, type RecordEventOutcome } from '../../domain/records/projector.ts';
import type { FleetRecordsStore } from '../../ports/fleet-records.ts';
import type { TenantConfigSource } from '../../ports/tenant-config.ts';

/** Where the projector reports failures (Powertools' logger in Lambda). */
export interface RecordsProjectorLogger {
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What the projector needs. */
export interface RecordsProjectorDependencies {
  readonly records: FleetRecordsStore;
  readonly tenantConfig: TenantConfigSource;
  readonly logger?: RecordsProjectorLogger;
}

/** Fields of an event that are safe to log whatever it holds (never the detail: it could hold anything). */
function envelopeOf(event: unknown): Record<string, unknown> {
  if (typeof event !== 'object' || event === null) return { eventType: typeof event };
  const { id, source } = event as Record<string, unknown>;
  return { eventId: id, source, detailType: (event as Record<string, unknown>)['detail-type'] };
}

/** The projector: one EventBridge event in, what became of its record out. */
export function createRecordsProjector(
  dependencies: RecordsProjectorDependencies,
): (event: unknown) => Promise<RecordEventOutcome> {
  return async (event) => {
    try {
      return await applyRecordEvent(parseEvent(event), dependencies);
    } catch (error) {
      dependencies.logger?.error('Projecting an event onto its record failed', {
        ...envelopeOf(event),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
}
