import { decodeRecord, topicOfStream, TeslaDecodeError, TeslaUnknownStreamError } from '../tesla/index.ts';
import type { DecodedRecord, SignalValue, VehicleDataRecord } from '../tesla/index.ts';
import { VIN_LIKE_PATTERN, type Pseudonymizer } from '../pseudonym/pseudonym.ts';
import { coalesce, type SignalRecord } from '../state/coalesce.ts';
import { packTelemetry, screenTelemetryVehicles } from '../events/packing.ts';
import { DETAIL_TYPES, EVENT_CATALOG, type TelemetryVehicleUpdate } from '../events/catalog/index.ts';
import type { VehicleDirectory, VehicleRegistration } from '../../ports/vehicle-directory.ts';
import type { LatestStateStore, VehicleStateUpdate } from '../../ports/latest-state-store.ts';
import type {
  DeadLetterQueue,
  EventEntry,
  EventPublisher,
  PoisonRecord,
} from '../../ports/event-publisher.ts';

/** One Kinesis record as ingest sees it, whatever delivered it (Lambda or the local poller). */
export interface IngestRecord {
  /** What a batch item failure names: the record's sequence number. */
  readonly sequenceNumber: string;
  readonly streamName: string;
  readonly shardId: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Epoch seconds, with fraction, as Kinesis reports it. */
  readonly approximateArrivalTimestamp: number;
}

/** What ingest needs from the outside. */
export interface IngestDependencies {
  readonly pseudonyms: Pseudonymizer;
  readonly directory: VehicleDirectory;
  readonly state: LatestStateStore;
  readonly events: EventPublisher;
  readonly deadLetters: DeadLetterQueue;
  /** The Tesla server's stream namespace: streams are `<namespace>_<topic>`. */
  readonly namespace: string;
  readonly eventBusName: string;
  /**
   * Offline only: registers a vehicle the directory does not know (DESIGN.md §3 step 3). In AWS an
   * unregistered vehicle is dropped, as Tesla asks receivers to keep an allowlist.
   */
  readonly autoRegister?: (vin: string, vehicleId: string) => Promise<VehicleRegistration>;
  readonly now?: () => Date;
}

/** What one batch did: the records to redeliver and the figures for the batch's metrics. */
export interface IngestResult {
  /** Sequence numbers of the records Kinesis must deliver again (partial batch response). */
  readonly batchItemFailures: string[];
  readonly counts: IngestCounts;
}

/** Per-batch figures; never per record in logs (DESIGN.md §1). */
export interface IngestCounts {
  records: number;
  poison: number;
  unregistered: number;
  autoRegistered: number;
  vehicles: number;
  signalsAccepted: number;
  vinLikeValuesRedacted: number;
  telemetryEvents: number;
  failedEvents: number;
  byTopic: Record<string, number>;
}

interface DecodedIngestRecord {
  readonly record: IngestRecord;
  readonly decoded: DecodedRecord;
}

/**
 * Runs one Kinesis batch through ingest (DESIGN.md §3): decode, pseudonymize, identify the tenant,
 * coalesce, merge into the latest state, publish packed `Telemetry.Updated` per tenant. Poison records go
 * to the dead-letter queue without failing the batch; events that cannot be published turn into batch
 * item failures for the records they came from, so Kinesis redelivers exactly those. Every step is
 * idempotent, so a redelivery changes nothing twice.
 */
export async function ingestBatch(
  records: readonly IngestRecord[],
  deps: IngestDependencies,
): Promise<IngestResult> {
  const counts: IngestCounts = {
    records: records.length,
    poison: 0,
    unregistered: 0,
    autoRegistered: 0,
    vehicles: 0,
    signalsAccepted: 0,
    vinLikeValuesRedacted: 0,
    telemetryEvents: 0,
    failedEvents: 0,
    byTopic: {},
  };
  const failures = new Set<string>();

  // 1. Decode; what cannot be decoded is poison.
  const poison: PoisonRecord[] = [];
  const decoded: DecodedIngestRecord[] = [];
  for (const record of records) {
    try {
      const topic = topicOfStream(record.streamName, deps.namespace);
      decoded.push({ record, decoded: decodeRecord(topic, record.data) });
      counts.byTopic[topic] = (counts.byTopic[topic] ?? 0) + 1;
    } catch (error) {
      if (!(error instanceof TeslaDecodeError) && !(error instanceof TeslaUnknownStreamError)) throw error;
      poison.push(poisonOf(record, error.message));
    }
  }
  counts.poison = poison.length;
  if (poison.length > 0) {
    try {
      await deps.deadLetters.send(poison);
    } catch {
      // Not lost: if they cannot be dead-lettered they are redelivered and tried again.
      for (const p of poison) failures.add(p.sequenceNumber);
    }
  }

  // 2. Pseudonymize; 3. identify the tenant.
  const vehicleIds = await deps.pseudonyms.vehicleIdsOf(new Set(decoded.map((d) => d.decoded.vin)));
  const registrations = await deps.directory.lookup([...new Set(vehicleIds.values())]);
  if (deps.autoRegister) {
    for (const [vin, vehicleId] of vehicleIds) {
      if (registrations.has(vehicleId)) continue;
      registrations.set(vehicleId, await deps.autoRegister(vin, vehicleId));
      counts.autoRegistered += 1;
    }
  }

  // 4. Coalesce the telemetry of registered vehicles.
  const signalRecords: SignalRecord<SignalValue>[] = [];
  const recordsOfVehicle = new Map<string, string[]>();
  for (const { record, decoded: message } of decoded) {
    const vehicleId = vehicleIds.get(message.vin)!;
    if (!registrations.has(vehicleId)) {
      counts.unregistered += 1;
      continue;
    }
    if (message.topic !== 'V') continue; // alerts, errors, connectivity: the detectors' input (issue 6)
    signalRecords.push({
      key: vehicleId,
      at: Date.parse(message.createdAt),
      signals: redacted(message, counts),
    });
    const ofVehicle = recordsOfVehicle.get(vehicleId);
    if (ofVehicle) ofVehicle.push(record.sequenceNumber);
    else recordsOfVehicle.set(vehicleId, [record.sequenceNumber]);
  }
  const vehicles = coalesce(signalRecords);
  counts.vehicles = vehicles.size;

  // 5. Merge into the latest state.
  const updates: VehicleStateUpdate[] = [...vehicles.values()].map((vehicle) => ({
    tenantId: registrations.get(vehicle.key)!.tenantId,
    vehicleId: vehicle.key,
    lastRecordAt: vehicle.lastRecordAt,
    signals: vehicle.signals,
  }));
  const applied = await deps.state.apply(updates);

  // 6. Publish what was accepted, packed per tenant.
  const occurredAt = (deps.now?.() ?? new Date()).toISOString();
  const byTenant = new Map<string, TelemetryVehicleUpdate[]>();
  for (const outcome of applied) {
    if (outcome.accepted.size === 0) continue;
    counts.signalsAccepted += outcome.accepted.size;
    const signals: Record<string, SignalValue> = {};
    let at = 0;
    for (const [name, sample] of outcome.accepted) {
      signals[name] = sample.value as SignalValue;
      if (sample.at > at) at = sample.at;
    }
    const list = byTenant.get(outcome.tenantId) ?? [];
    list.push({
      vehicleId: outcome.vehicleId,
      at: new Date(at).toISOString(),
      signals,
    } as TelemetryVehicleUpdate);
    byTenant.set(outcome.tenantId, list);
  }
  const entries: EventEntry[] = [];
  const vehiclesOfEntry: string[][] = [];
  const { source } = EVENT_CATALOG[DETAIL_TYPES.TelemetryUpdated];
  for (const [tenantId, list] of byTenant) {
    const { accepted, rejected } = screenTelemetryVehicles(list);
    for (const bad of rejected) {
      // A vehicle whose update breaks the contract is a bug, not bad input: redeliver it and let the
      // function's error metrics show it, rather than publish something integrators cannot parse.
      for (const sequenceNumber of recordsOfVehicle.get((bad.vehicle as TelemetryVehicleUpdate).vehicleId) ??
        []) {
        failures.add(sequenceNumber);
      }
    }
    for (const packed of packTelemetry(tenantId, accepted, occurredAt)) {
      entries.push({
        EventBusName: deps.eventBusName,
        Source: source,
        DetailType: DETAIL_TYPES.TelemetryUpdated,
        Detail: packed.json,
        Time: new Date(occurredAt),
      });
      vehiclesOfEntry.push(packed.detail.vehicles.map((v) => v.vehicleId));
    }
  }
  counts.telemetryEvents = entries.length;
  const failed = await deps.events.publish(entries);
  counts.failedEvents = failed.length;
  for (const failure of failed) {
    for (const vehicleId of vehiclesOfEntry[failure.index] ?? []) {
      for (const sequenceNumber of recordsOfVehicle.get(vehicleId) ?? []) failures.add(sequenceNumber);
    }
  }

  return { batchItemFailures: [...failures], counts };
}

function poisonOf(record: IngestRecord, reason: string): PoisonRecord {
  return {
    streamName: record.streamName,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    dataBase64: Buffer.from(record.data).toString('base64'),
    reason,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
  };
}

/** The record's signals without any string value that could be a VIN (a VehicleName set to the VIN, say). */
function redacted(message: VehicleDataRecord, counts: IngestCounts): Record<string, SignalValue> {
  let copy: Record<string, SignalValue> | undefined;
  for (const name in message.signals) {
    const value = message.signals[name];
    if (typeof value === 'string' && VIN_LIKE_PATTERN.test(value)) {
      copy ??= { ...message.signals };
      delete copy[name];
      counts.vinLikeValuesRedacted += 1;
    }
  }
  return copy ?? message.signals;
}
