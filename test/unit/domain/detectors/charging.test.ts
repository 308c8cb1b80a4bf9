import { describe, expect, it } from 'vitest';
import { detectCharging, tickCharging, type DomainEvent } from '../../../../src/domain/detectors/index.ts';
import {
  BERLIN,
  REF,
  T0,
  batchOf,
  chunks,
  contextOf,
  expectValid,
  min,
  rec,
  roundTrip,
  runBatches,
  typesOf,
  type Rec,
} from './factory.ts';

const context = contextOf();
const ended = (events: DomainEvent[]) =>
  events
    .filter((e) => e.detailType === 'Charging.Ended')
    .map((e) => e.detail as Extract<DomainEvent, { detailType: 'Charging.Ended' }>['detail']);
const started = (events: DomainEvent[]) =>
  events
    .filter((e) => e.detailType === 'Charging.Started')
    .map((e) => e.detail as Extract<DomainEvent, { detailType: 'Charging.Started' }>['detail']);

/** An AC charge at 11 kW: one record a minute, energy counter and battery level rising. */
function acCharge(from: number, minutes: number, level0: number): Rec[] {
  const records: Rec[] = [];
  for (let i = 0; i <= minutes; i++) {
    records.push(
      rec(from + min(i), {
        DetailedChargeState: i === 0 ? 'Starting' : 'Charging',
        ACChargingPower: i === 0 ? 0 : 11,
        DCChargingPower: 0,
        ACChargingEnergyIn: Math.round((11 / 60) * i * 1000) / 1000,
        FastChargerPresent: false,
        BatteryLevel: level0 + i * 0.25,
        ChargeLimitSoc: 80,
        Location: BERLIN,
      }),
    );
  }
  return records;
}

describe('charging detector', () => {
  it('makes one AC session when the cable stays plugged in after Complete', () => {
    // prepare: plugged, charge 60 min, Complete, then plugged for 2 more hours with a record every 10 min
    const records: Rec[] = [rec(T0 - min(5), { DetailedChargeState: 'Disconnected', BatteryLevel: 50 })];
    records.push(...acCharge(T0, 60, 50));
    records.push(rec(T0 + min(61), { DetailedChargeState: 'Complete', ACChargingPower: 0 }));
    for (let i = 1; i <= 12; i++)
      records.push(rec(T0 + min(61 + i * 10), { DetailedChargeState: 'Complete', BatteryLevel: 65 }));
    records.push(rec(T0 + min(200), { DetailedChargeState: 'Disconnected' }));
    // act
    const { events } = runBatches(
      detectCharging,
      chunks(records, 9).map((c) => batchOf(c)),
      context,
    );
    // assess
    expect(typesOf(events)).toEqual(['Charging.Started', 'Charging.Ended']);
    const [start] = started(events);
    const [end] = ended(events);
    expect(start).toMatchObject({
      currentType: 'AC',
      fastChargerType: null,
      startBatteryLevelPercent: 50,
      chargeLimitPercent: 80,
    });
    expect(end).toMatchObject({
      sessionId: start!.sessionId,
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + min(61)).toISOString(),
      durationSeconds: 3660,
      currentType: 'AC',
      energyAddedKwh: 11,
      maxPowerKw: 11,
      startBatteryLevelPercent: 50,
      endBatteryLevelPercent: 65,
      endReason: 'completed',
      position: BERLIN,
    });
  });

  it('keeps a session that resumes within the window after Complete, and ends it when unplugged', () => {
    const records = [
      ...acCharge(T0, 30, 50),
      rec(T0 + min(31), { DetailedChargeState: 'Complete', ACChargingPower: 0 }),
      // A top-up 5 minutes later, on the same plug-in; the counter goes on from where it was.
      rec(T0 + min(36), { DetailedChargeState: 'Charging', ACChargingPower: 7, ACChargingEnergyIn: 6 }),
      rec(T0 + min(40), { DetailedChargeState: 'Complete', ACChargingPower: 0, ACChargingEnergyIn: 6.2 }),
      rec(T0 + min(45), { DetailedChargeState: 'Disconnected' }),
    ];
    const { events } = runBatches(
      detectCharging,
      records.map((r) => batchOf([r])),
      context,
    );
    expect(typesOf(events)).toEqual(['Charging.Started', 'Charging.Ended']);
    expect(ended(events)[0]).toMatchObject({
      endedAt: new Date(T0 + min(40)).toISOString(),
      endReason: 'completed',
      energyAddedKwh: 6.2,
    });
  });

  it('starts a new session when charging resumes after the window', () => {
    const records = [
      ...acCharge(T0, 10, 50),
      rec(T0 + min(11), { DetailedChargeState: 'Stopped', ACChargingPower: 0 }),
      ...acCharge(T0 + min(40), 10, 53).slice(1),
      rec(T0 + min(51), { DetailedChargeState: 'Disconnected' }),
    ];
    const { events } = runBatches(
      detectCharging,
      chunks(records, 4).map((c) => batchOf(c)),
      context,
    );
    expect(typesOf(events)).toEqual([
      'Charging.Started',
      'Charging.Ended',
      'Charging.Started',
      'Charging.Ended',
    ]);
    expect(ended(events).map((e) => e.endReason)).toEqual(['stopped', 'disconnected']);
    expect(new Set(started(events).map((s) => s.sessionId)).size).toBe(2);
  });

  it('cuts a DC session at a Supercharger, unplugged while charging', () => {
    const records: Rec[] = [];
    for (let i = 0; i <= 20; i++) {
      records.push(
        rec(T0 + min(i), {
          DetailedChargeState: 'Charging',
          FastChargerPresent: true,
          FastChargerType: 'Supercharger',
          DCChargingPower: i < 10 ? 150 + i : 120,
          ACChargingPower: 0,
          DCChargingEnergyIn: i * 2.5,
          BatteryLevel: 20 + i * 3,
        }),
      );
    }
    records.push(rec(T0 + min(20) + 30_000, { DetailedChargeState: 'Disconnected', DCChargingPower: 0 }));
    const { events } = runBatches(
      detectCharging,
      chunks(records, 5).map((c) => batchOf(c)),
      context,
    );
    expect(started(events)[0]).toMatchObject({
      currentType: 'DC',
      fastChargerType: 'Supercharger',
      startBatteryLevelPercent: 20,
    });
    expect(ended(events)[0]).toMatchObject({
      currentType: 'DC',
      fastChargerType: 'Supercharger',
      energyAddedKwh: 50,
      maxPowerKw: 159,
      endBatteryLevelPercent: 80,
      endReason: 'disconnected',
      endedAt: new Date(T0 + min(20) + 30_000).toISOString(),
    });
  });

  it('falls back to EnergyRemaining when the vehicle sends no energy counters', () => {
    const records = [
      rec(T0, { DetailedChargeState: 'Charging', ACChargingPower: 7.2, EnergyRemaining: 30 }),
      rec(T0 + min(60), { DetailedChargeState: 'Charging', EnergyRemaining: 37.1 }),
      rec(T0 + min(61), { DetailedChargeState: 'Disconnected' }),
    ];
    const { events } = runBatches(detectCharging, [batchOf(records)], context);
    expect(ended(events)[0]!.energyAddedKwh).toBeCloseTo(7.1, 3);
  });

  it('ends a paused session by the timer, and a resend of the batch adds nothing', () => {
    const batch = batchOf([...acCharge(T0, 10, 50), rec(T0 + min(11), { DetailedChargeState: 'Complete' })]);
    const first = detectCharging(undefined, batch, context);
    const again = detectCharging(roundTrip(first.state), batch, context);
    const early = tickCharging(roundTrip(first.state), REF, T0 + min(20), context);
    const due = tickCharging(roundTrip(early.state), REF, T0 + min(22), context);
    expectValid([...first.events, ...due.events]);
    expect(typesOf(first.events)).toEqual(['Charging.Started']);
    expect(again.events).toEqual([]);
    expect(early.events).toEqual([]);
    expect(ended(due.events)[0]).toMatchObject({
      endedAt: new Date(T0 + min(11)).toISOString(),
      endReason: 'completed',
    });
  });
});
