import { decodeRecord, topicOfStream, TeslaDecodeError, TeslaUnknownStreamError } from '../tesla/index.ts';
import type {
  DecodedRecord,
  SignalValue,
  VehicleAlertsRecord,
  VehicleConnectivityRecord,
  VehicleDataRecord,
  VehicleErrorsRecord,
} from '../tesla/index.ts';
import type { TimedSignals } from '../detectors/index.ts';
import {
  runVehicleDetectors,
  vehicleKeyOf,
  type DetectorDependencies,
  type VehicleWork,
} from './vehicle-detectors.ts';
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
  /**
   * The detectors and the telemetry history (DESIGN.md §3 steps 5 and 6). Without them ingest keeps only
   * the latest state and publishes only `Telemetry.Updated`.
   */
  readonly detectors?: DetectorDependencies;
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
  /** Domain events (trips, charging, geofences, alerts, connectivity) published. */
  domainEvents: number;
  /** Domain events the bus refused after every retry (kept in the vehicle's outbox). */
  failedDomainEvents: number;
  /** Vehicles whose stored detector state could not be read and started again from the initial state. */
  detectorStateErrors: number;
  historyItems: number;
  failedHistoryItems: number;
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
    domainEvents: 0,
    failedDomainEvents: 0,
    detectorStateErrors: 0,
    historyItems: 0,
    failedHistoryItems: 0,
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
  // Every topic's records per vehicle, for the detectors and for redelivering a vehicle's records.
  const inputs = new Map<string, DetectorInput>();
  for (const { record, decoded: message } of decoded) {
    const vehicleId = vehicleIds.get(message.vin)!;
    if (!registrations.has(vehicleId)) {
      counts.unregistered += 1;
      continue;
    }
    if (deps.detectors) {
      let input = inputs.get(vehicleId);
      if (!input) {
        input = {
          records: [],
          alerts: [],
          errors: [],
          connectivity: [],
          sequenceNumbers: [],
          lastRecordAt: 0,
        };
        inputs.set(vehicleId, input);
      }
      input.sequenceNumbers.push(record.sequenceNumber);
      const at = Date.parse(message.createdAt);
      if (at > input.lastRecordAt) input.lastRecordAt = at;
      if (message.topic === 'alerts') input.alerts.push(message);
      else if (message.topic === 'errors') input.errors.push(message);
      else if (message.topic === 'connectivity') input.connectivity.push(message);
    }
    if (message.topic !== 'V') continue;
    const signals = redacted(message, counts);
    const at = Date.parse(message.createdAt);
    signalRecords.push({ key: vehicleId, at, signals });
    inputs.get(vehicleId)?.records.push({ at, signals });
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
  let failedIndexes: number[];
  if (deps.detectors) {
    // 7. The detectors and the history; their events go out in the same PutEvents calls as the telemetry.
    const works: VehicleWork[] = [];
    for (const [vehicleId, input] of inputs) {
      const { tenantId } = registrations.get(vehicleId)!;
      const coalesced = vehicles.get(vehicleId);
      works.push({
        tenantId,
        vehicleId,
        lastRecordAt: input.lastRecordAt,
        batch: {
          tenantId,
          vehicleId,
          ...(input.records.length > 0 ? { records: input.records } : {}),
          ...(input.alerts.length > 0 ? { alerts: input.alerts } : {}),
          ...(input.errors.length > 0 ? { errors: input.errors } : {}),
          ...(input.connectivity.length > 0 ? { connectivity: input.connectivity } : {}),
          ...(coalesced ? { lastRecordAt: coalesced.lastRecordAt } : {}),
        },
      });
    }
    const detection = await runVehicleDetectors(
      works,
      deps.detectors,
      { events: deps.events, eventBusName: deps.eventBusName },
      Date.parse(occurredAt),
      entries,
    );
    failedIndexes = detection.failedExtraEntries;
    counts.domainEvents = detection.counts.domainEvents;
    counts.failedDomainEvents = detection.counts.failedDomainEvents;
    counts.detectorStateErrors = detection.counts.detectorStateErrors;
    counts.historyItems = detection.counts.historyItems;
    counts.failedHistoryItems = detection.counts.failedHistoryItems;
    for (const [vehicleId, input] of inputs) {
      if (!detection.failedVehicles.has(vehicleKeyOf(registrations.get(vehicleId)!.tenantId, vehicleId)))
        continue;
      for (const sequenceNumber of input.sequenceNumbers) failures.add(sequenceNumber);
    }
  } else {
    failedIndexes = (await deps.events.publish(entries)).map((failure) => failure.index);
  }
  counts.failedEvents = failedIndexes.length;
  for (const index of failedIndexes) {
    for (const vehicleId of vehiclesOfEntry[index] ?? []) {
      for (const sequenceNumber of recordsOfVehicle.get(vehicleId) ?? []) failures.add(sequenceNumber);
    }
  }

  return { batchItemFailures: [...failures], counts };
}

/** One vehicle's records of the batch, by topic, as the detectors take them. */
interface DetectorInput {
  readonly records: TimedSignals[];
  readonly alerts: VehicleAlertsRecord[];
  readonly errors: VehicleErrorsRecord[];
  readonly connectivity: VehicleConnectivityRecord[];
  readonly sequenceNumbers: string[];
  lastRecordAt: number;
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
