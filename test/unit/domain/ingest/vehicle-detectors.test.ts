import { describe, expect, it } from 'vitest';
import { MemoryDetectorStateStore } from '../../../../src/adapters/memory/detector-state-store.ts';
import { StaticTenantConfigSource } from '../../../../src/adapters/memory/tenant-config.ts';
import {
  parseDetectorDocument,
  runVehicleDetectors,
  vehicleKeyOf,
  type VehicleWork,
} from '../../../../src/domain/ingest/vehicle-detectors.ts';
import { DetectorStateError } from '../../../../src/domain/detectors/index.ts';
import type { EventEntry, EventPublisher, FailedEventEntry } from '../../../../src/ports/event-publisher.ts';
import type { DetectorDocumentWrite } from '../../../../src/ports/detector-state-store.ts';

const T0 = Date.UTC(2027, 0, 1, 12, 0, 0);
const REF = { tenantId: 'acme', vehicleId: 'AAAAAAAAAAAAAAAAAAAAAA' };

/** A bus that records what it took and refuses the entries a test names (a pure unit: no SDK involved). */
class RecordingBus implements EventPublisher {
  readonly taken: EventEntry[] = [];
  refuse: (entry: EventEntry) => boolean = () => false;

  async publish(entries: readonly EventEntry[]): Promise<FailedEventEntry[]> {
    const failed: FailedEventEntry[] = [];
    entries.forEach((entry, index) => {
      if (this.refuse(entry)) failed.push({ index, errorCode: 'AccessDeniedException', errorMessage: 'no' });
      else this.taken.push(entry);
    });
    return failed;
  }
}

const driving = (at: number): VehicleWork => ({
  ...REF,
  lastRecordAt: at,
  batch: { ...REF, records: [{ at, signals: { Gear: 'D', VehicleSpeed: 30 } }], lastRecordAt: at },
});

function setup() {
  const states = new MemoryDetectorStateStore();
  const bus = new RecordingBus();
  const deps = { states, tenantConfig: new StaticTenantConfigSource() };
  const target = { events: bus, eventBusName: 'fleetwire' };
  return { states, bus, deps, target };
}

describe('the detectors on the ingest path', () => {
  it('keeps refused events in the outbox and publishes them once with the next run', async () => {
    // prepare
    const { bus, deps, target } = setup();
    bus.refuse = (entry) => entry.DetailType === 'Trip.Started';
    // act
    const first = await runVehicleDetectors([driving(T0)], deps, target, T0);
    bus.refuse = () => false;
    const second = await runVehicleDetectors([driving(T0)], deps, target, T0);
    const third = await runVehicleDetectors([driving(T0)], deps, target, T0);
    // assess
    expect([...first.failedVehicles]).toEqual([vehicleKeyOf(REF.tenantId, REF.vehicleId)]);
    expect(first.counts.failedDomainEvents).toBe(1);
    expect(second.failedVehicles.size).toBe(0);
    expect(third.counts.domainEvents).toBe(0);
    expect(bus.taken.map((e) => e.DetailType).sort()).toEqual([
      'Trip.Started',
      'Vehicle.Connectivity.Changed',
    ]);
  });

  it('redoes a vehicle whose document changed meanwhile, without publishing an event twice', async () => {
    // prepare: the first save of the run loses a race against another writer
    const { states, bus, deps, target } = setup();
    const save = states.save.bind(states);
    let raced = false;
    states.save = async (writes: readonly DetectorDocumentWrite[]) => {
      if (!raced) {
        raced = true;
        await save([{ ...REF, expectedRevision: 0, json: JSON.stringify({ v: 1 }), lastRecordAt: 0 }]);
      }
      return save(writes);
    };
    // act
    const result = await runVehicleDetectors([driving(T0)], deps, target, T0);
    // assess
    expect(result.counts.stateConflicts).toBe(1);
    expect(result.counts.detectorStateErrors).toBe(1);
    expect(result.failedVehicles.size).toBe(0);
    expect(bus.taken.map((e) => e.DetailType).sort()).toEqual([
      'Trip.Started',
      'Vehicle.Connectivity.Changed',
    ]);
    const [stored] = await states.load([REF]);
    expect(stored!.revision).toBe(2);
    expect(parseDetectorDocument(stored!.json!).lastRecordAt).toBe(T0);
  });

  it('refuses documents it cannot read with a DetectorStateError', () => {
    expect(() => parseDetectorDocument('{')).toThrow(DetectorStateError);
    expect(() => parseDetectorDocument('{"v":2}')).toThrow(DetectorStateError);
    expect(() => parseDetectorDocument('{"v":1,"outbox":[],"history":null,"state":{"v":1}}')).toThrow(
      DetectorStateError,
    );
  });
});
