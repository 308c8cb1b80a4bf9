import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DETECTOR_CONFIG,
  DetectorStateError,
  InvalidDetectorConfigError,
  detect,
  parseDetectorState,
  parseGeofences,
  resolveDetectorConfig,
  tick,
  type DetectorState,
} from '../../../../src/domain/detectors/index.ts';
import {
  BERLIN,
  REF,
  T0,
  batchOf,
  contextOf,
  east,
  expectValid,
  min,
  rec,
  roundTrip,
  runBatches,
  sec,
  typesOf,
} from './factory.ts';

describe('all detectors together', () => {
  it('runs a drive out of the depot with its connectivity, and the state survives JSON between batches', () => {
    // prepare
    const context = contextOf(
      {},
      {
        geofences: parseGeofences([
          { id: 'gf-depot', name: 'Depot', shape: { kind: 'circle', center: BERLIN, radiusMeters: 200 } },
        ]),
      },
    );
    const connected = {
      ...REF,
      connectivity: [
        {
          createdAt: new Date(T0 - sec(1)).toISOString(),
          connectionId: 'c1',
          status: 'CONNECTED',
          networkInterface: 'wifi',
        },
      ],
    };
    const drive = Array.from({ length: 30 }, (_, i) =>
      rec(T0 + sec(10 * (i + 1)), { Gear: 'D', VehicleSpeed: 30, Location: east(BERLIN, 134 * (i + 1)) }),
    );
    const batches = [
      connected,
      batchOf([
        rec(T0, { Gear: 'P', VehicleSpeed: 0, Location: BERLIN, DetailedChargeState: 'Disconnected' }),
      ]),
      ...[0, 10, 20].map((i) => batchOf(drive.slice(i, i + 10))),
      batchOf([rec(T0 + sec(310), { Gear: 'P', VehicleSpeed: 0 })]),
    ];
    // act
    const { events, state } = runBatches(detect, batches, context);
    const later = tick(roundTrip(state!), REF, T0 + min(30), context);
    // assess
    expectValid(later.events);
    expect(typesOf(events)).toEqual(['Vehicle.Connectivity.Changed', 'Trip.Started', 'Geofence.Exited']);
    expect(typesOf(later.events)).toEqual(['Trip.Ended', 'Vehicle.Connectivity.Changed']);
    expect(tick(later.state, REF, T0 + min(60), context).events).toEqual([]);
  });

  it('leaves the previous state alone unless the caller hands it over, with the same results either way', () => {
    // prepare: a drive in two batches
    const context = contextOf();
    const drive = Array.from({ length: 20 }, (_, i) =>
      rec(T0 + sec(10 * (i + 1)), { Gear: 'D', VehicleSpeed: 30, Location: east(BERLIN, 134 * (i + 1)) }),
    );
    const first = detect(undefined, batchOf(drive.slice(0, 10)), context).state;
    const snapshot = JSON.stringify(first);
    // act
    const copied = detect(first, batchOf(drive.slice(10)), context);
    const unchangedAfterCopy = JSON.stringify(first);
    const owned = detect(roundTrip(first), batchOf(drive.slice(10)), { ...context, ownsState: true });
    const handedOver = JSON.parse(snapshot) as DetectorState;
    const inPlace = detect(handedOver, batchOf(drive.slice(10)), { ...context, ownsState: true });
    // assess
    expect(unchangedAfterCopy).toBe(snapshot);
    expect(owned).toEqual(copied);
    expect(inPlace.state.trips).toBe(handedOver.trips);
  });

  it('refuses stored state it cannot read, rather than reset open trips', () => {
    expect(() => parseDetectorState({ v: 2 })).toThrow(DetectorStateError);
    expect(() => parseDetectorState({ v: 1, trips: { v: 1 } })).toThrow(/charging/);
    expect(() => detect({ v: 3 } as unknown as DetectorState, REF, contextOf())).toThrow(DetectorStateError);
  });

  it('fills in configuration defaults and refuses bad values', () => {
    expect(resolveDetectorConfig({ trips: { maxGapSeconds: 900 } }).trips).toMatchObject({
      maxGapSeconds: 900,
      parkDwellSeconds: 120,
    });
    expect(DEFAULT_DETECTOR_CONFIG.connectivity.silenceTimeoutSeconds).toBe(600);
    expect(() => resolveDetectorConfig({ trips: { routeMaxPoints: 5000 } })).toThrow(
      InvalidDetectorConfigError,
    );
    expect(() => resolveDetectorConfig({ geofences: { dwellSeconds: -1 } })).toThrow(
      /geofences.dwellSeconds/,
    );
  });
});
