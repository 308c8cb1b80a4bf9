import { describe, expect, it } from 'vitest';
import {
  decodePolyline,
  detectTrips,
  tickTrips,
  type DomainEvent,
  type TripState,
} from '../../../../src/domain/detectors/index.ts';
import { MAX_ROUTE_POINTS } from '../../../../src/domain/events/catalog/trips.ts';
import {
  BERLIN,
  REF,
  T0,
  batchOf,
  chunks,
  coalescedOf,
  contextOf,
  east,
  expectValid,
  min,
  rec,
  roundTrip,
  runBatches,
  sec,
  shuffled,
  typesOf,
  type Rec,
} from './factory.ts';

/** A scripted car: it drives east at a steady speed and reports every `every` seconds. */
class Car {
  position = BERLIN;
  odometerMiles = 1000;
  energyKwh = 60;
  constructor(readonly capacityKwh = 75) {}

  private get level(): number {
    return Math.round((this.energyKwh / this.capacityKwh) * 1000) / 10;
  }

  park(at: number): Rec {
    return rec(at, {
      Gear: 'P',
      VehicleSpeed: 0,
      Location: this.position,
      Odometer: this.odometerMiles,
      EnergyRemaining: this.energyKwh,
      BatteryLevel: this.level,
    });
  }

  drive(from: number, seconds: number, mph = 30, every = 10): Rec[] {
    const records: Rec[] = [rec(from, { Gear: 'D', VehicleSpeed: 0 })];
    const meters = (mph * 1609.344 * every) / 3600;
    for (let t = every; t <= seconds; t += every) {
      this.position = east(this.position, meters);
      this.odometerMiles += meters / 1609.344;
      this.energyKwh -= (meters / 1000) * 0.16;
      records.push(
        rec(from + sec(t), {
          VehicleSpeed: mph,
          Location: this.position,
          Odometer: Math.round(this.odometerMiles * 1000) / 1000,
          EnergyRemaining: Math.round(this.energyKwh * 100) / 100,
          BatteryLevel: this.level,
        }),
      );
    }
    return records;
  }
}

const context = contextOf();
const detail = <T extends DomainEvent['detailType']>(events: DomainEvent[], type: T) =>
  events
    .filter((event) => event.detailType === type)
    .map((event) => event.detail as Extract<DomainEvent, { detailType: T }>['detail']);

describe('trip detector', () => {
  it('cuts a normal trip: started when leaving P, ended after the park dwell, with its figures', () => {
    // prepare
    const car = new Car();
    const records = [
      car.park(T0),
      ...car.drive(T0 + min(1), 600),
      car.park(T0 + min(11) + sec(5)),
      car.park(T0 + min(14)),
    ];
    // act
    const { events, state } = runBatches(
      detectTrips,
      chunks(records, 7).map((c) => batchOf(c)),
      context,
    );
    // assess
    expect(typesOf(events)).toEqual(['Trip.Started', 'Trip.Ended']);
    const [started] = detail(events, 'Trip.Started');
    const [ended] = detail(events, 'Trip.Ended');
    expect(started!.tripId).toBe(ended!.tripId);
    expect(started!.startedAt).toBe(new Date(T0 + min(1)).toISOString());
    expect(started!.startOdometerKm).toBeCloseTo(1000 * 1.609344, 2);
    expect(ended!.endedAt).toBe(new Date(T0 + min(11) + sec(5)).toISOString());
    expect(ended!.durationSeconds).toBe(605);
    // 30 mph for 600 s = 8.047 km
    expect(ended!.distanceKm).toBeCloseTo(8.047, 1);
    expect(ended!.energyUsedKwh).toBeCloseTo(8.047 * 0.16, 1);
    expect(ended!.maxSpeedKph).toBeCloseTo(48.3, 1);
    expect(ended!.averageSpeedKph).toBeCloseTo(48.3, 0);
    expect(ended!.startBatteryLevelPercent).toBe(80);
    expect(ended!.endBatteryLevelPercent).toBeLessThan(80);
    expect(ended!.endPosition!.longitude).toBeGreaterThan(ended!.startPosition!.longitude);
    // A straight road simplifies to its two ends.
    const route = decodePolyline(ended!.route.polyline);
    expect(route.length).toBe(ended!.route.pointCount);
    expect(route.length).toBe(2);
    expect(route[0]![0]).toBe(Math.round(BERLIN.latitude * 1e5));
    expect(state!.trip).toBeNull();
  });

  it('keeps a winding route within the point cap, start and end kept', () => {
    // prepare: a zig-zag that Douglas-Peucker cannot flatten, 400 points
    const records: Rec[] = [rec(T0, { Gear: 'D', VehicleSpeed: 20, Location: BERLIN })];
    for (let i = 1; i <= 400; i++) {
      const base = east(BERLIN, i * 100);
      records.push(
        rec(T0 + sec(i * 5), {
          VehicleSpeed: 40,
          Location: { ...base, latitude: base.latitude + (i % 2) * 0.002 },
        }),
      );
    }
    records.push(rec(T0 + sec(2005), { Gear: 'P', VehicleSpeed: 0 }), rec(T0 + sec(2400), { Gear: 'P' }));
    // act
    const { events } = runBatches(
      detectTrips,
      chunks(records, 50).map((c) => batchOf(c)),
      contextOf({ trips: { routeMaxPoints: 100 } }),
    );
    // assess
    const [ended] = detail(events, 'Trip.Ended');
    expect(ended!.route.pointCount).toBeLessThanOrEqual(100);
    expect(ended!.route.pointCount).toBeGreaterThan(40);
    expect(ended!.route.pointCount).toBeLessThanOrEqual(MAX_ROUTE_POINTS);
    const route = decodePolyline(ended!.route.polyline);
    expect(route[0]).toEqual([Math.round(BERLIN.latitude * 1e5), Math.round(BERLIN.longitude * 1e5)]);
    const last = records[400]!.signals['Location'] as { latitude: number; longitude: number };
    expect(route[route.length - 1]).toEqual([
      Math.round(last.latitude * 1e5),
      Math.round(last.longitude * 1e5),
    ]);
  });

  it('treats a 5-minute gap mid-drive as one trip', () => {
    // prepare
    const car = new Car();
    const parked = car.park(T0 - min(1));
    const first = car.drive(T0, 300);
    const second = car.drive(T0 + min(10), 300).slice(1); // no new gear record: the car stayed in D
    const records = [parked, ...first, ...second, car.park(T0 + min(15) + sec(10)), car.park(T0 + min(20))];
    // act
    const { events } = runBatches(
      detectTrips,
      chunks(records, 10).map((c) => batchOf(c)),
      context,
    );
    // assess
    expect(typesOf(events)).toEqual(['Trip.Started', 'Trip.Ended']);
    expect(detail(events, 'Trip.Ended')[0]!.distanceKm).toBeCloseTo(8.047, 1);
  });

  it('cuts two trips around a 30-minute gap, the first ending at its last record', () => {
    // prepare
    const car = new Car();
    const parked = car.park(T0 - min(1));
    const first = car.drive(T0, 300);
    const second = car.drive(T0 + min(35), 300).slice(1);
    const records = [parked, ...first, ...second, car.park(T0 + min(40) + sec(10)), car.park(T0 + min(45))];
    // act
    const { events } = runBatches(
      detectTrips,
      chunks(records, 10).map((c) => batchOf(c)),
      context,
    );
    // assess
    expect(typesOf(events)).toEqual(['Trip.Started', 'Trip.Ended', 'Trip.Started', 'Trip.Ended']);
    const [firstEnd, secondEnd] = detail(events, 'Trip.Ended');
    expect(firstEnd!.endedAt).toBe(new Date(T0 + sec(300)).toISOString());
    expect(firstEnd!.distanceKm).toBeCloseTo(4.023, 1);
    // The second trip starts with the first record after the gap; its distance is from that record on.
    expect(secondEnd!.startedAt).toBe(new Date(T0 + min(35) + sec(10)).toISOString());
    expect(secondEnd!.distanceKm).toBeCloseTo(4.023 * (29 / 30), 1);
    expect(new Set(detail(events, 'Trip.Started').map((d) => d.tripId)).size).toBe(2);
  });

  it('gives exactly the same events for duplicated, reordered and resent batches, and none for a batch fed twice', () => {
    // prepare
    const car = new Car();
    const records = [
      car.park(T0),
      ...car.drive(T0 + min(1), 600),
      car.park(T0 + min(11) + sec(5)),
      car.park(T0 + min(14)),
    ];
    const clean = runBatches(
      detectTrips,
      chunks(records, 8).map((c) => batchOf(c)),
      context,
    ).events;
    // Neighbouring batches swapped, records shuffled within, a third of them duplicated into the next
    // batch (a resend), and every batch delivered twice.
    const noisy = chunks(records, 8).flatMap((batch, i, all) => {
      const resend = (all[i - 1] ?? []).filter((_, j) => j % 3 === 0);
      const b = batchOf(shuffled([...batch, ...resend], i + 1));
      return [b, b, coalescedOf(batch)];
    });
    // act
    const { events, state } = runBatches(detectTrips, noisy, context);
    // assess
    expect(events).toEqual(clean);
    expect(runBatches(detectTrips, noisy.slice(-2), context, state).events).toEqual([]);
  });

  it('does not split or restart a trip for an out-of-order sample older than what was processed', () => {
    // prepare
    const car = new Car();
    const drive = car.drive(T0, 300);
    const { state } = runBatches(detectTrips, [batchOf(drive)], context);
    // act: a stale P from before the trip, and a stale speed of 0 mid-trip
    const late = runBatches(
      detectTrips,
      [batchOf([rec(T0 - sec(30), { Gear: 'P' })]), batchOf([rec(T0 + sec(100), { VehicleSpeed: 0 })])],
      context,
      state,
    );
    // assess
    expect(late.events).toEqual([]);
    expect(late.state!.trip!.startedAt).toBe(T0);
  });

  it('ends a trip by the timer once the park dwell has passed, and the next batch adds nothing', () => {
    // prepare
    const car = new Car();
    const { state } = runBatches(
      detectTrips,
      [batchOf([...car.drive(T0, 120), car.park(T0 + sec(130))])],
      context,
    );
    // act
    const early = tickTrips(roundTrip(state!), REF, T0 + sec(200), context);
    const due = tickTrips(roundTrip(early.state), REF, T0 + sec(260), context);
    const after = detectTrips(roundTrip(due.state), batchOf([car.park(T0 + sec(300))]), context);
    // assess
    expect(early.events).toEqual([]);
    expectValid(due.events);
    expect(typesOf(due.events)).toEqual(['Trip.Ended']);
    expect((due.events[0]!.detail as { endedAt: string }).endedAt).toBe(
      new Date(T0 + sec(130)).toISOString(),
    );
    expect(after.events).toEqual([]);
  });

  it('gives the same trip id for the same start (a batch processed again after its state was lost)', () => {
    const car = new Car();
    const records = car.drive(T0, 60);
    const a = detectTrips(undefined, batchOf(records), context).events;
    const b = detectTrips(undefined, batchOf(shuffled(records, 7)), context).events;
    expect(a).toEqual(b);
    expect((a[0]!.detail as { tripId: string }).tripId).toMatch(/^trp_[A-Za-z0-9_-]{26}$/);
  });

  it('starts on speed when the vehicle reports no gear, and uses the battery capacity without EnergyRemaining', () => {
    const records = [
      rec(T0, { VehicleSpeed: 0, BatteryLevel: 80, Odometer: 10 }),
      rec(T0 + sec(10), { VehicleSpeed: 20 }),
      rec(T0 + sec(70), { VehicleSpeed: 0, BatteryLevel: 79, Odometer: 10.3 }),
      rec(T0 + sec(200), { VehicleSpeed: 0 }),
    ];
    const { events } = runBatches(
      detectTrips,
      records.map((r) => batchOf([r])),
      contextOf({}, { batteryCapacityKwh: 75 }),
    );
    expect(typesOf(events)).toEqual(['Trip.Started', 'Trip.Ended']);
    const [ended] = detail(events, 'Trip.Ended');
    expect(ended!.energyUsedKwh).toBeCloseTo(0.75, 3);
    expect(ended!.distanceKm).toBeCloseTo(0.3 * 1.609344, 3);
    expect(ended!.startPosition).toBeNull();
    expect(ended!.route).toEqual({ encoding: 'google-polyline', precision: 5, polyline: '', pointCount: 0 });
  });

  it('refuses a stored state of another version', () => {
    expect(() => detectTrips({ v: 2 } as unknown as TripState, batchOf([]), context)).toThrow(/version 2/);
  });
});
