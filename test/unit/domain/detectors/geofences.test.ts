import { describe, expect, it } from 'vitest';
import {
  InvalidGeofenceError,
  detectGeofences,
  parseGeofences,
  signedDistanceToGeofence,
  tickGeofences,
  type DomainEvent,
} from '../../../../src/domain/detectors/index.ts';
import {
  BERLIN,
  REF,
  T0,
  batchOf,
  contextOf,
  east,
  north,
  rec,
  roundTrip,
  runBatches,
  sec,
  typesOf,
  expectValid,
} from './factory.ts';

const DEPOT = parseGeofences([
  { id: 'gf-depot', name: 'Depot', shape: { kind: 'circle', center: BERLIN, radiusMeters: 200 } },
]);
const YARD = parseGeofences([
  {
    id: 'gf-yard',
    name: 'Yard',
    // A 400 m square around BERLIN, closed (the closing vertex is dropped).
    shape: {
      kind: 'polygon',
      points: [
        north(east(BERLIN, -200), -200),
        north(east(BERLIN, 200), -200),
        north(east(BERLIN, 200), 200),
        north(east(BERLIN, -200), 200),
        north(east(BERLIN, -200), -200),
      ],
    },
  },
]);

/** One position record every 10 s along the given east offsets from BERLIN, in metres. */
const path = (from: number, offsets: readonly number[]) =>
  offsets.map((meters, i) => batchOf([rec(from + sec(i * 10), { Location: east(BERLIN, meters) })]));

const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);

describe('geofence detector', () => {
  it('makes no events for GPS jitter at a circle edge', () => {
    // prepare: far outside first, then parked at the edge, jittering ±15 m for 30 minutes
    const jitter = Array.from({ length: 180 }, (_, i) => 200 + (i % 2 === 0 ? 15 : -15) + (i % 3) * 3);
    const { events } = runBatches(
      detectGeofences,
      path(T0, [2000, 1500, 1000, 600, ...jitter]),
      contextOf({}, { geofences: DEPOT }),
    );
    expect(events).toEqual([]);
  });

  it('makes no events for brief firm excursions shorter than the dwell', () => {
    const flicker = Array.from({ length: 60 }, (_, i) => (i % 4 < 2 ? 150 : 260));
    const { events } = runBatches(
      detectGeofences,
      path(T0, [2000, ...flicker]),
      contextOf({}, { geofences: DEPOT }),
    );
    expect(events).toEqual([]);
  });

  it('makes exactly one enter and one exit for a real crossing of a circle', () => {
    // prepare: approach, stay 10 min at the centre, leave
    const offsets = [
      2000,
      1000,
      500,
      300,
      150,
      50,
      ...repeat(0, 60),
      50,
      150,
      300,
      500,
      1000,
      1000,
      1000,
      1000,
      1000,
      1000,
      1000,
    ];
    // act
    const { events } = runBatches(detectGeofences, path(T0, offsets), contextOf({}, { geofences: DEPOT }));
    // assess
    expect(typesOf(events)).toEqual(['Geofence.Entered', 'Geofence.Exited']);
    const [entered, exited] = events.map((e) => e.detail) as [
      Extract<DomainEvent, { detailType: 'Geofence.Entered' }>['detail'],
      Extract<DomainEvent, { detailType: 'Geofence.Exited' }>['detail'],
    ];
    // The first position inside by the hysteresis (150 m from the centre: 50 m inside).
    expect(entered.occurredAt).toBe(new Date(T0 + sec(40)).toISOString());
    expect(entered.geofenceName).toBe('Depot');
    // The first position outside by the hysteresis (300 m: 100 m outside).
    expect(exited.occurredAt).toBe(new Date(T0 + sec(680)).toISOString());
    expect(exited.enteredAt).toBe(entered.occurredAt);
    expect(exited.dwellSeconds).toBe(640);
  });

  it('makes one enter and one exit for a polygon, and none when the batches come again', () => {
    const batches = path(T0, [
      1000,
      600,
      100,
      ...repeat(0, 20),
      100,
      400,
      1000,
      1000,
      1000,
      1000,
      1000,
      1000,
      1000,
    ]);
    const first = runBatches(detectGeofences, batches, contextOf({}, { geofences: YARD }));
    const again = runBatches(detectGeofences, batches, contextOf({}, { geofences: YARD }), first.state);
    expect(typesOf(first.events)).toEqual(['Geofence.Entered', 'Geofence.Exited']);
    expect(again.events).toEqual([]);
  });

  it('adopts the side a vehicle is first seen on without an event; its exit has no enteredAt', () => {
    const { events } = runBatches(
      detectGeofences,
      path(T0, [...repeat(0, 10), 300, 1000, 1000, 1000, 1000, 1000, 1000, 1000]),
      contextOf({}, { geofences: DEPOT }),
    );
    expect(typesOf(events)).toEqual(['Geofence.Exited']);
    expect(events[0]!.detail).toMatchObject({ enteredAt: null, dwellSeconds: null });
  });

  it('confirms an entry by the timer when the vehicle parks inside and goes quiet', () => {
    const { state } = runBatches(
      detectGeofences,
      path(T0, [1000, 1000, 0]),
      contextOf({}, { geofences: DEPOT }),
    );
    const early = tickGeofences(roundTrip(state!), REF, T0 + sec(50), contextOf({}, { geofences: DEPOT }));
    const due = tickGeofences(roundTrip(early.state), REF, T0 + sec(80), contextOf({}, { geofences: DEPOT }));
    expectValid(due.events);
    expect(early.events).toEqual([]);
    expect(typesOf(due.events)).toEqual(['Geofence.Entered']);
    expect(due.events[0]!.detail.occurredAt).toBe(new Date(T0 + sec(20)).toISOString());
  });

  it('measures signed distances for circles and polygons', () => {
    expect(signedDistanceToGeofence(BERLIN, DEPOT[0]!)).toBeCloseTo(-200, 0);
    expect(signedDistanceToGeofence(east(BERLIN, 300), DEPOT[0]!)).toBeCloseTo(100, 0);
    expect(signedDistanceToGeofence(BERLIN, YARD[0]!)).toBeCloseTo(-200, 0);
    expect(signedDistanceToGeofence(east(BERLIN, 250), YARD[0]!)).toBeCloseTo(50, 0);
    expect(signedDistanceToGeofence(east(BERLIN, 150), YARD[0]!)).toBeCloseTo(-50, 0);
  });

  it('refuses invalid geofences', () => {
    expect(() =>
      parseGeofences([{ id: 'a', name: 'A', shape: { kind: 'circle', center: BERLIN, radiusMeters: -1 } }]),
    ).toThrow(InvalidGeofenceError);
    expect(() =>
      parseGeofences([
        { id: 'a', name: 'A', shape: { kind: 'polygon', points: [BERLIN, BERLIN, east(BERLIN, 5), BERLIN] } },
      ]),
    ).toThrow(/three distinct/);
    expect(() => parseGeofences([...DEPOT, ...DEPOT])).toThrow(/twice/);
  });
});
