/**
 * The detectors on the ingest path (DESIGN.md §3 steps 5 and 6): per vehicle, load its detector document
 * (detector state, open history window, events not yet published), run the detectors (a batch) or their
 * timer checks (the ticker), publish the domain events, write the closed history windows, and store the
 * new document. Shared by {@link ingestBatch} and the detector ticker, so a batch and a tick behave alike.
 *
 * Order and idempotency: the document is stored only after the events were published and the history
 * written. An event the bus refused after every retry is kept in the document's outbox and published
 * first by the vehicle's next batch or tick (the redelivery the caller asks for, at the latest); so each
 * event is published once even when a batch is redelivered, because the detectors drop the samples they
 * already processed. If the history write fails, the previous window is kept, so the redelivered records
 * rebuild the same items (puts of the same key: harmless). Stores are compare-and-set: two pollers (the V
 * and connectivity streams) working on one vehicle at once make one of them load again and redo its
 * vehicle, publishing only events it has not published yet.
 */
import {
  DEFAULT_DETECTOR_CONFIG,
  DetectorStateError,
  detect,
  initialDetectorState,
  parseDetectorState,
  tick,
  type DetectorConfig,
  type DetectorContext,
  type DetectorState,
  type DomainEvent,
  type VehicleBatch,
  type VehicleRef,
} from '../detectors/index.ts';
import { toPutEventsEntry } from '../events/catalog/index.ts';
import type { DetectorStateStore, StoredDetectorDocument } from '../../ports/detector-state-store.ts';
import type { EventEntry, EventPublisher } from '../../ports/event-publisher.ts';
import type { TelemetryHistoryItem, TelemetryHistoryWriter } from '../../ports/telemetry-history.ts';
import type { TenantConfigSource, TenantSettings } from '../../ports/tenant-config.ts';
import {
  advanceHistory,
  closeEndedWindow,
  type ClosedHistoryWindow,
  type HistoryWindow,
} from './history-window.ts';

/** How many times a vehicle is redone after a compare-and-set conflict before its records are redelivered. */
const MAX_CONFLICT_ROUNDS = 3;

/** Default length of a telemetry-history window. */
export const DEFAULT_HISTORY_WINDOW_SECONDS = 60;

/** What the detectors on the ingest path need. */
export interface DetectorDependencies {
  readonly states: DetectorStateStore;
  readonly tenantConfig: TenantConfigSource;
  /** Where closed history windows go; no history is kept without it. */
  readonly history?: TelemetryHistoryWriter;
  /** The detectors' configuration; {@link DEFAULT_DETECTOR_CONFIG} when absent. */
  readonly config?: DetectorConfig;
  /** Length of a telemetry-history window, seconds; default {@link DEFAULT_HISTORY_WINDOW_SECONDS}. */
  readonly historyWindowSeconds?: number;
  /**
   * Told once per vehicle whose stored document could not be read (another version, corrupt JSON): the
   * vehicle starts again from the initial state. For a log line; the count is in the figures.
   */
  readonly onStateError?: (vehicle: VehicleRef, error: DetectorStateError) => void;
  /**
   * The documents this process wrote last, so that a vehicle's next batch skips reading and parsing its
   * document when nobody else wrote it since (the store compares revisions). A vehicle's `V` records all
   * come through one shard, so in Lambda its batches usually land in the same container.
   */
  readonly cache?: DetectorDocumentCache;
}

/**
 * The latest document written per vehicle with its revision, bounded (least recently written out first).
 * A run {@link take}s a vehicle's document out and hands it to the detectors, which advance it in place
 * (no deep copy of a state that can hold a trip's route): no other run can see it meanwhile, and it is put
 * back only once saved. A run that fails leaves nothing cached, so the next reads the store.
 */
export class DetectorDocumentCache {
  private readonly entries = new Map<string, CachedDocument>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The vehicle's document, removed from the cache: the caller owns it now. */
  take(key: string): CachedDocument | undefined {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry;
  }

  set(key: string, entry: CachedDocument): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** A document with the revision it was stored at. */
export interface CachedDocument {
  readonly revision: number;
  readonly doc: DetectorDocument;
}

/** Everything the ingest path keeps per vehicle, stored as one JSON document. */
export interface DetectorDocument {
  readonly v: 1;
  readonly state: DetectorState;
  readonly history: HistoryWindow | null;
  /** Events the bus refused: published before anything else next time. */
  readonly outbox: DomainEvent[];
  /** The newest record time seen (epoch ms); 0 before any. */
  readonly lastRecordAt: number;
}

/** One vehicle's work: a batch's share (ingest) or a timer check (the ticker). */
export interface VehicleWork extends VehicleRef {
  /** The batch's share; absent for a timer check. */
  readonly batch?: VehicleBatch;
  /** The newest record time of the batch's share (any topic), epoch ms. */
  readonly lastRecordAt?: number;
}

/** The figures of one run. */
export interface DetectorCounts {
  domainEvents: number;
  failedDomainEvents: number;
  detectorStateErrors: number;
  stateConflicts: number;
  historyItems: number;
  failedHistoryItems: number;
  lateHistoryRecords: number;
}

/** What a run did. */
export interface DetectorRunResult {
  /** `tenantId\u0000vehicleId` of the vehicles whose records must be redelivered. */
  readonly failedVehicles: Set<string>;
  /** Indexes into `extraEntries` the bus refused after every retry. */
  readonly failedExtraEntries: number[];
  readonly counts: DetectorCounts;
}

/** How a run publishes: the bus and the publisher. */
export interface DetectorRunTarget {
  readonly events: EventPublisher;
  readonly eventBusName: string;
}

/** The key of a vehicle in {@link DetectorRunResult.failedVehicles}. */
export function vehicleKeyOf(tenantId: string, vehicleId: string): string {
  return `${tenantId}\u0000${vehicleId}`;
}

/** A fresh document. */
export function initialDetectorDocument(): DetectorDocument {
  return { v: 1, state: initialDetectorState(), history: null, outbox: [], lastRecordAt: 0 };
}

/**
 * Reads a stored document. Throws {@link DetectorStateError} for anything that is not a version-1
 * document with a valid detector state.
 */
export function parseDetectorDocument(json: string): DetectorDocument {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DetectorStateError(`detector document is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) {
    throw new DetectorStateError('detector document is not a version-1 document');
  }
  const doc = value as Record<string, unknown>;
  const history = doc['history'] ?? null;
  if (
    history !== null &&
    (typeof history !== 'object' || typeof (history as HistoryWindow).start !== 'number')
  ) {
    throw new DetectorStateError('detector document has an invalid history window');
  }
  if (!Array.isArray(doc['outbox'])) throw new DetectorStateError('detector document has no outbox');
  return {
    v: 1,
    state: parseDetectorState(doc['state']),
    history: history as HistoryWindow | null,
    outbox: doc['outbox'] as DomainEvent[],
    lastRecordAt: typeof doc['lastRecordAt'] === 'number' ? doc['lastRecordAt'] : 0,
  };
}

/** A tenant's detector context and settings, read once per run. */
interface TenantView {
  readonly context: DetectorContext;
  /** The same context for a caller that hands its state over (see {@link DetectorContext.ownsState}). */
  readonly ownedContext: DetectorContext;
  readonly settings: TenantSettings;
}

/** The tenants' configuration, cached for one run (one batch or one tick). */
class TenantViews {
  private readonly views = new Map<string, Promise<TenantView>>();

  constructor(
    private readonly source: TenantConfigSource,
    private readonly config: DetectorConfig,
  ) {}

  of(tenantId: string): Promise<TenantView> {
    let view = this.views.get(tenantId);
    if (!view) {
      view = (async () => {
        const [geofences, rules, settings] = await Promise.all([
          this.source.geofences(tenantId),
          this.source.alertRules(tenantId),
          this.source.settings(tenantId),
        ]);
        const context: DetectorContext = {
          config: this.config,
          geofences,
          rules,
          ...(settings.timeZone && isTimeZone(settings.timeZone) ? { timeZone: settings.timeZone } : {}),
        };
        return { context, ownedContext: { ...context, ownsState: true }, settings };
      })();
      this.views.set(tenantId, view);
    }
    return view;
  }
}

/**
 * Whether the runtime knows a time zone. The alert detector throws for an unknown one, which would fail
 * every batch of the tenant until its settings change; its time-of-day rules use UTC instead.
 */
function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** One vehicle's pending result within a round. */
interface Pending {
  readonly work: VehicleWork;
  readonly stored: StoredDetectorDocument;
  readonly next: DetectorDocument;
  readonly previousHistory: HistoryWindow | null;
  readonly events: DomainEvent[];
  readonly closed: ClosedHistoryWindow[];
  readonly changed: boolean;
}

function eventKey(entry: EventEntry): string {
  return `${entry.DetailType}\n${entry.Detail}`;
}

function entryOf(eventBusName: string, event: DomainEvent): EventEntry {
  // DomainEvent pairs each detail-type with its detail; TypeScript cannot follow the pairing through the
  // union, and toPutEventsEntry validates the detail against the catalog anyway.
  return toPutEventsEntry(eventBusName, event.detailType, event.detail as never);
}

/**
 * Runs the vehicles' work: `extraEntries` (the batch's `Telemetry.Updated`) are published in the same
 * `PutEvents` calls as the domain events.
 *
 * @param now the timer checks' time (epoch ms), for work without a batch.
 */
export async function runVehicleDetectors(
  works: readonly VehicleWork[],
  deps: DetectorDependencies,
  target: DetectorRunTarget,
  now: number,
  extraEntries: readonly EventEntry[] = [],
): Promise<DetectorRunResult> {
  const counts: DetectorCounts = {
    domainEvents: 0,
    failedDomainEvents: 0,
    detectorStateErrors: 0,
    stateConflicts: 0,
    historyItems: 0,
    failedHistoryItems: 0,
    lateHistoryRecords: 0,
  };
  const failedVehicles = new Set<string>();
  const config = deps.config ?? DEFAULT_DETECTOR_CONFIG;
  const windowMs = (deps.historyWindowSeconds ?? DEFAULT_HISTORY_WINDOW_SECONDS) * 1000;
  const tenants = new TenantViews(deps.tenantConfig, config);
  const published = new Map<string, Set<string>>();
  const reportedErrors = new Set<string>();
  let failedExtraEntries: number[] = [];
  let round: readonly VehicleWork[] = works;

  // At least one round, so `extraEntries` go out even for a batch without detector work.
  let attempt = 0;
  do {
    // Taken out of the cache: this run owns them (see DetectorDocumentCache).
    const cached = round.map((work) => deps.cache?.take(vehicleKeyOf(work.tenantId, work.vehicleId)));
    const tenantIds = [...new Set(round.map((work) => work.tenantId))];
    const [stored, views] = await Promise.all([
      deps.states.load(
        round,
        cached.map((entry) => entry?.revision),
      ),
      Promise.all(tenantIds.map((tenantId) => tenants.of(tenantId))),
    ]);
    const viewOf = new Map(tenantIds.map((tenantId, i) => [tenantId, views[i]!]));
    const pending: Pending[] = [];
    for (const [i, work] of round.entries()) {
      const view = viewOf.get(work.tenantId)!;
      const doc = stored[i]!;
      let previous = initialDetectorDocument();
      if (doc.unchanged && cached[i]) previous = cached[i].doc;
      else if (doc.json !== undefined) {
        try {
          previous = parseDetectorDocument(doc.json);
        } catch (error) {
          if (!(error instanceof DetectorStateError)) throw error;
          const key = vehicleKeyOf(work.tenantId, work.vehicleId);
          if (!reportedErrors.has(key)) {
            reportedErrors.add(key);
            counts.detectorStateErrors += 1;
            deps.onStateError?.({ tenantId: work.tenantId, vehicleId: work.vehicleId }, error);
          }
        }
      }
      pending.push(step(work, doc, previous, view, now, windowMs, counts));
    }

    // Publish (the outboxes first) and write the history, together.
    const entries: EventEntry[] = attempt === 0 ? [...extraEntries] : [];
    const owners: (Pending | undefined)[] = entries.map(() => undefined);
    const eventsOfEntry: (DomainEvent | undefined)[] = entries.map(() => undefined);
    for (const p of pending) {
      const key = vehicleKeyOf(p.work.tenantId, p.work.vehicleId);
      const done = published.get(key) ?? new Set<string>();
      published.set(key, done);
      for (const event of p.events) {
        const entry = entryOf(target.eventBusName, event);
        if (done.has(eventKey(entry))) continue;
        entries.push(entry);
        owners.push(p);
        eventsOfEntry.push(event);
      }
    }
    const historyItems: TelemetryHistoryItem[] = [];
    const historyOwners: Pending[] = [];
    if (deps.history) {
      for (const p of pending) {
        const { settings } = viewOf.get(p.work.tenantId)!;
        const days = settings.retentionDays.telemetryHistory;
        for (const window of p.closed) {
          historyItems.push({
            tenantId: p.work.tenantId,
            vehicleId: p.work.vehicleId,
            at: window.start,
            signals: window.signals,
            expiresAt: Math.floor(window.start / 1000) + Math.round(days * 86_400),
          });
          historyOwners.push(p);
        }
      }
    }
    const [failedEntries, failedItems] = await Promise.all([
      entries.length > 0 ? target.events.publish(entries) : Promise.resolve([]),
      deps.history && historyItems.length > 0 ? deps.history.write(historyItems) : Promise.resolve([]),
    ]);

    const refused = new Map<Pending, DomainEvent[]>();
    const failedIndexes = new Set(failedEntries.map((f) => f.index));
    for (const [index, entry] of entries.entries()) {
      const owner = owners[index];
      if (!owner) {
        if (failedIndexes.has(index)) failedExtraEntries.push(index);
        continue;
      }
      if (failedIndexes.has(index)) {
        counts.failedDomainEvents += 1;
        const list = refused.get(owner) ?? [];
        list.push(eventsOfEntry[index]!);
        refused.set(owner, list);
      } else {
        counts.domainEvents += 1;
        published.get(vehicleKeyOf(owner.work.tenantId, owner.work.vehicleId))!.add(eventKey(entry));
      }
    }
    const historyFailed = new Set<Pending>();
    for (const index of failedItems) historyFailed.add(historyOwners[index]!);
    counts.historyItems += historyItems.length - failedItems.length;
    counts.failedHistoryItems += failedItems.length;

    // Store the documents that changed, compare-and-set.
    const writes: { p: Pending; doc: DetectorDocument; json: string; lastRecordAt: number }[] = [];
    for (const p of pending) {
      const key = vehicleKeyOf(p.work.tenantId, p.work.vehicleId);
      const outbox = refused.get(p) ?? [];
      if (outbox.length > 0 || historyFailed.has(p)) failedVehicles.add(key);
      if (!p.changed && outbox.length === 0 && p.next.outbox.length === 0) continue;
      const doc: DetectorDocument = {
        ...p.next,
        history: historyFailed.has(p) ? p.previousHistory : p.next.history,
        outbox,
      };
      writes.push({ p, doc, json: JSON.stringify(doc), lastRecordAt: doc.lastRecordAt });
    }
    const saved = await deps.states.save(
      writes.map((w) => ({
        tenantId: w.p.work.tenantId,
        vehicleId: w.p.work.vehicleId,
        expectedRevision: w.p.stored.revision,
        json: w.json,
        lastRecordAt: w.lastRecordAt,
      })),
    );
    for (const [i, write] of writes.entries()) {
      const key = vehicleKeyOf(write.p.work.tenantId, write.p.work.vehicleId);
      if (saved[i]) deps.cache?.set(key, { revision: write.p.stored.revision + 1, doc: write.doc });
      else deps.cache?.delete(key);
    }
    const conflicted = writes.filter((_, i) => !saved[i]).map((w) => w.p.work);
    counts.stateConflicts += conflicted.length;
    if (conflicted.length > 0 && attempt + 1 >= MAX_CONFLICT_ROUNDS) {
      // Give up on these vehicles for this delivery: their records come again.
      for (const work of conflicted) failedVehicles.add(vehicleKeyOf(work.tenantId, work.vehicleId));
      break;
    }
    round = conflicted;
    attempt += 1;
  } while (round.length > 0);
  failedExtraEntries = [...new Set(failedExtraEntries)].sort((a, b) => a - b);
  return { failedVehicles, failedExtraEntries, counts };
}

/** One vehicle's detectors and history on its previous document. */
function step(
  work: VehicleWork,
  stored: StoredDetectorDocument,
  previous: DetectorDocument,
  view: TenantView,
  now: number,
  windowMs: number,
  counts: DetectorCounts,
): Pending {
  const ref: VehicleRef = { tenantId: work.tenantId, vehicleId: work.vehicleId };
  if (work.batch) {
    // `previous` belongs to this step alone (parsed for it, or taken out of the cache): advance it in place.
    const result = detect(previous.state, work.batch, view.ownedContext);
    const history = advanceHistory(previous.history, work.batch.records ?? [], windowMs);
    counts.lateHistoryRecords += history.late;
    const next: DetectorDocument = {
      v: 1,
      state: result.state,
      history: history.window,
      outbox: previous.outbox,
      lastRecordAt: Math.max(previous.lastRecordAt, work.lastRecordAt ?? 0),
    };
    return {
      work,
      stored,
      next,
      previousHistory: previous.history,
      events: [...previous.outbox, ...result.events],
      closed: history.closed,
      changed: true,
    };
  }
  const result = tick(previous.state, ref, now, view.context);
  const history = closeEndedWindow(previous.history, now, windowMs);
  const next: DetectorDocument = {
    v: 1,
    state: result.state,
    history: history.window,
    outbox: previous.outbox,
    lastRecordAt: previous.lastRecordAt,
  };
  const changed =
    stored.revision === 0 ||
    result.events.length > 0 ||
    history.closed.length > 0 ||
    JSON.stringify(result.state) !== JSON.stringify(previous.state);
  return {
    work,
    stored,
    next,
    previousHistory: previous.history,
    events: [...previous.outbox, ...result.events],
    closed: history.closed,
    changed,
  };
}
