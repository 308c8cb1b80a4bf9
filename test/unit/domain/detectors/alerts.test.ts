import { describe, expect, it } from 'vitest';
import {
  InvalidAlertRuleError,
  detectAlerts,
  detectGeofences,
  parseAlertRules,
  parseGeofences,
  tickAlerts,
  type AlertContext,
  type AlertsObservation,
  type DomainEvent,
  type ErrorsObservation,
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

const DOORS_CLOSED = {
  DriverFront: false,
  DriverRear: false,
  PassengerFront: false,
  PassengerRear: false,
  TrunkFront: false,
  TrunkRear: false,
};
const withRules = (rules: unknown[], rest: Omit<AlertContext, 'config' | 'rules'> = {}): AlertContext => ({
  ...contextOf({}, rest),
  rules: parseAlertRules(rules),
});
const details = (events: DomainEvent[]) => events.map((e) => e.detail as Record<string, unknown>);
const one = (at: number, signals: Record<string, never> | Record<string, unknown>) =>
  batchOf([rec(at, signals as never)]);

describe('alert rules', () => {
  it('raises below 20 % and clears only above 25 % (hysteresis)', () => {
    const context = withRules([
      {
        id: 'low-battery',
        name: 'Low battery',
        severity: 'critical',
        condition: { kind: 'threshold', signal: 'BatteryLevel', op: '<', value: 20, clearValue: 25 },
      },
    ]);
    const levels = [30, 21, 19, 21, 19.5, 24, 25, 26, 24, 18];
    const { events } = runBatches(
      detectAlerts,
      levels.map((level, i) => one(T0 + min(i), { BatteryLevel: level })),
      context,
    );
    expect(typesOf(events)).toEqual([
      'Vehicle.Alert.Raised',
      'Vehicle.Alert.Cleared',
      'Vehicle.Alert.Raised',
    ]);
    const [raised, cleared, again] = details(events);
    expect(raised).toMatchObject({
      severity: 'critical',
      startedAt: new Date(T0 + min(2)).toISOString(),
      signals: { BatteryLevel: 19 },
    });
    expect(raised!['message']).toBe('BatteryLevel 19 % is below 20 %');
    expect(cleared).toMatchObject({
      alertId: raised!['alertId'],
      endedAt: new Date(T0 + min(7)).toISOString(),
      durationSeconds: 300,
    });
    expect(again!['alertId']).not.toBe(raised!['alertId']);
  });

  it('raises speed > 120 km/h only when sustained for 60 s, at start + 60 s', () => {
    const context = withRules([
      {
        id: 'speeding',
        name: 'Speeding',
        sustainSeconds: 60,
        condition: { kind: 'threshold', signal: 'VehicleSpeed', op: '>', value: 120, clearValue: 110 },
      },
    ]);
    // 80 mph = 128.7 km/h. A 30-second burst, then a 2-minute stretch.
    const mph = [60, 80, 80, 80, 70, 70, 80, 80, 80, 80, 80, 80, 80, 80, 80, 70, 65];
    const { events } = runBatches(
      detectAlerts,
      mph.map((v, i) => one(T0 + sec(i * 10), { VehicleSpeed: v })),
      context,
    );
    expect(typesOf(events)).toEqual(['Vehicle.Alert.Raised', 'Vehicle.Alert.Cleared']);
    const [raised, cleared] = details(events);
    expect(raised).toMatchObject({
      startedAt: new Date(T0 + sec(60)).toISOString(),
      occurredAt: new Date(T0 + sec(120)).toISOString(),
    });
    // 70 mph = 112.7 km/h: not yet below the clear threshold of 110; 65 mph = 104.6 km/h is.
    expect(cleared).toMatchObject({ endedAt: new Date(T0 + sec(160)).toISOString() });
  });

  it('raises a sustained condition by the timer when the vehicle sends nothing more', () => {
    const context = withRules([
      { id: 'door', name: 'Door open', sustainSeconds: 120, condition: { kind: 'doorOpenWhileParked' } },
    ]);
    const first = detectAlerts(
      undefined,
      one(T0, { Gear: 'P', DoorState: { ...DOORS_CLOSED, DriverFront: true } }),
      context,
    );
    const early = tickAlerts(roundTrip(first.state), REF, T0 + sec(100), context);
    const due = tickAlerts(roundTrip(early.state), REF, T0 + sec(200), context);
    const again = tickAlerts(roundTrip(due.state), REF, T0 + sec(300), context);
    expectValid(due.events);
    expect([...first.events, ...early.events, ...again.events]).toEqual([]);
    expect(details(due.events)).toEqual([
      expect.objectContaining({
        occurredAt: new Date(T0 + sec(120)).toISOString(),
        message: 'A door is open while parked',
      }),
    ]);
  });

  it('raises a door open while parked, not while driving, and clears when closed', () => {
    const context = withRules([
      { id: 'door', name: 'Door open', condition: { kind: 'doorOpenWhileParked', includeUnlocked: true } },
    ]);
    const batches = [
      one(T0, { Gear: 'D', DoorState: { ...DOORS_CLOSED, PassengerRear: true }, Locked: true }),
      one(T0 + sec(10), { Gear: 'P' }),
      one(T0 + sec(20), { DoorState: DOORS_CLOSED }),
      one(T0 + sec(30), { Locked: false }),
      one(T0 + sec(40), { Locked: true }),
    ];
    const { events } = runBatches(detectAlerts, batches, context);
    expect(typesOf(events)).toEqual([
      'Vehicle.Alert.Raised',
      'Vehicle.Alert.Cleared',
      'Vehicle.Alert.Raised',
      'Vehicle.Alert.Cleared',
    ]);
    expect(details(events)[2]!['message']).toBe('The vehicle is unlocked while parked');
  });

  it('raises low tyre pressure below 2.5 bar and clears when all tyres are above 2.7', () => {
    const context = withRules([
      { id: 'tpms', name: 'Tyres', condition: { kind: 'tyrePressure', belowBar: 2.5, clearAboveBar: 2.7 } },
    ]);
    const tyres = (fl: number) => ({
      TpmsPressureFl: fl,
      TpmsPressureFr: 2.9,
      TpmsPressureRl: 2.9,
      TpmsPressureRr: 2.9,
    });
    const { events } = runBatches(
      detectAlerts,
      [2.9, 2.4, 2.6, 2.45, 2.65, 2.8].map((fl, i) => one(T0 + min(i), tyres(fl))),
      context,
    );
    expect(typesOf(events)).toEqual(['Vehicle.Alert.Raised', 'Vehicle.Alert.Cleared']);
    expect(details(events)[0]!['message']).toBe('Tyre pressure low: Fl 2.4 bar (below 2.5 bar)');
    expect(details(events)[1]!['endedAt']).toBe(new Date(T0 + min(5)).toISOString());
  });

  it('raises outside a geofence during night hours in the tenant time zone, and clears when the window ends', () => {
    const geofences = parseGeofences([
      { id: 'gf-depot', name: 'Depot', shape: { kind: 'circle', center: BERLIN, radiusMeters: 200 } },
    ]);
    const rules = [
      {
        id: 'night',
        name: 'Out at night',
        condition: { kind: 'outsideGeofenceDuringHours', geofenceId: 'gf-depot', from: '22:00', to: '06:00' },
      },
    ];
    // 2025-03-14 21:30 UTC = 22:30 in Berlin (CET, UTC+1).
    const night = Date.UTC(2025, 2, 14, 21, 30);
    const base = { geofences, timeZone: 'Europe/Berlin' };
    const geo = detectGeofences(undefined, one(night, { Location: east(BERLIN, 5000) }), contextOf({}, base));
    const context = withRules(rules, { ...base, geofenceState: roundTrip(geo.state) });
    // 21:00 UTC: 22:00 Berlin is inside the window; 20:50 UTC is not.
    const before = detectAlerts(undefined, one(night - min(40), { Location: east(BERLIN, 5000) }), context);
    const raised = detectAlerts(
      roundTrip(before.state),
      one(night, { Location: east(BERLIN, 5000) }),
      context,
    );
    const morning = tickAlerts(roundTrip(raised.state), REF, Date.UTC(2025, 2, 15, 5, 5), context);
    expectValid([...raised.events, ...morning.events]);
    expect(before.events).toEqual([]);
    expect(details(raised.events)).toEqual([
      expect.objectContaining({ message: 'Outside Depot during 22:00-06:00' }),
    ]);
    expect(details(morning.events)).toEqual([
      expect.objectContaining({ endedAt: '2025-03-15T05:05:00.000Z' }),
    ]);
  });

  it('refuses rules whose clear threshold lies on the raising side, and unknown time zones', () => {
    expect(() =>
      parseAlertRules([
        {
          id: 'x',
          name: 'X',
          condition: { kind: 'threshold', signal: 'BatteryLevel', op: '<', value: 20, clearValue: 15 },
        },
      ]),
    ).toThrow(InvalidAlertRuleError);
    const context = withRules(
      [
        {
          id: 'n',
          name: 'N',
          condition: { kind: 'outsideGeofenceDuringHours', geofenceId: 'g', from: '22:00', to: '06:00' },
        },
      ],
      {
        timeZone: 'Mars/Olympus',
      },
    );
    expect(() => detectAlerts(undefined, one(T0, { Location: BERLIN }), context)).toThrow(
      /unknown time zone/,
    );
  });
});

describe("Tesla's alerts and errors", () => {
  const context = withRules([], { teslaAlertSeverities: { BMS_a066_SW_Over_Current: 'critical' } });
  const alerts = (createdAt: number, endedAt: number | null): AlertsObservation => ({
    createdAt: new Date(createdAt).toISOString(),
    alerts: [
      {
        name: 'BMS_a066_SW_Over_Current',
        audiences: ['Customer', 'Service', 7],
        startedAt: new Date(T0).toISOString(),
        endedAt: endedAt === null ? null : new Date(endedAt).toISOString(),
      },
    ],
  });

  it('raises an active alert once, clears it once with the same id, whatever the resends', () => {
    const batches = [
      alerts(T0, null),
      alerts(T0 + sec(5), null),
      alerts(T0 + min(3), T0 + min(2)),
      alerts(T0 + min(4), T0 + min(2)),
    ].map((a) => ({ ...REF, alerts: [a] }));
    const { events } = runBatches(detectAlerts, batches, context);
    expect(typesOf(events)).toEqual(['Vehicle.Alert.Raised', 'Vehicle.Alert.Cleared']);
    const [raised, cleared] = details(events);
    expect(raised).toMatchObject({
      severity: 'critical',
      trigger: {
        kind: 'tesla',
        alertName: 'BMS_a066_SW_Over_Current',
        audiences: ['Customer', 'Service', 7],
      },
      signals: {},
    });
    expect(cleared).toMatchObject({ alertId: raised!['alertId'], durationSeconds: 120 });
  });

  it('raises and clears an alert first seen already ended', () => {
    const { events } = runBatches(
      detectAlerts,
      [{ ...REF, alerts: [alerts(T0 + min(3), T0 + min(2))] }],
      context,
    );
    expect(typesOf(events)).toEqual(['Vehicle.Alert.Raised', 'Vehicle.Alert.Cleared']);
  });

  it('reports each error once, with VINs redacted from tags and body', () => {
    const errors: ErrorsObservation = {
      createdAt: new Date(T0).toISOString(),
      errors: [
        {
          name: 'cloud_client_nil',
          tags: { field: 'Location', vin: '5YJ3E1EA7KF000001' },
          body: 'client of 5YJ3E1EA7KF000001 not ready',
          createdAt: null,
        },
        { name: 'buffer_full', tags: {}, body: '', createdAt: new Date(T0 - sec(3)).toISOString() },
      ],
    };
    const { events } = runBatches(
      detectAlerts,
      [
        { ...REF, errors: [errors] },
        { ...REF, errors: [errors] },
      ],
      context,
    );
    expect(details(events)).toEqual([
      expect.objectContaining({ errorName: 'buffer_full', reportedAt: new Date(T0 - sec(3)).toISOString() }),
      expect.objectContaining({
        errorName: 'cloud_client_nil',
        tags: { field: 'Location', vin: '[redacted]' },
        body: 'client of [redacted] not ready',
      }),
    ]);
  });
});
