import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlertRules, parseGeofences } from '../../src/domain/detectors/index.ts';
import { tickQuietVehicles } from '../../src/domain/ingest/detector-ticker.ts';
import { detectorRedisKeys, RedisDetectorStateStore } from '../../src/adapters/redis/detector-state-store.ts';
import { RedisLatestStateStore } from '../../src/adapters/redis/latest-state-store.ts';
import { LocalIngestRuntime } from '../../src/local/ingest-runtime.ts';
import {
  alertsRecord,
  connectivityRecord,
  errorsRecord,
  seededRandom,
  teslaVin,
  vehicleDataRecord,
} from '../support/tesla-records.ts';
import {
  NAMESPACE,
  datums,
  startDetectorsFixture,
  type DetectorsFixture,
  type PlainSignals,
  type ScriptedRecord,
} from '../support/ingest-detectors-fixture.ts';

const T0 = Date.UTC(2027, 0, 12, 8, 0, 0);
const sec = (n: number) => n * 1000;
const min = (n: number) => n * 60_000;
const DEPOT = { latitude: 52.52, longitude: 13.405 };

/** A point `meters` east of `point`. */
function east(point: { latitude: number; longitude: number }, meters: number) {
  const degrees = meters / (111_320 * Math.cos((point.latitude * Math.PI) / 180));
  return { latitude: point.latitude, longitude: Math.round((point.longitude + degrees) * 1e6) / 1e6 };
}

function v(vin: string, at: number, signals: PlainSignals, isResend = false): ScriptedRecord {
  return {
    topic: 'V',
    vin,
    data: vehicleDataRecord({ vin, createdAt: at, isResend, data: datums(signals) }),
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  const random = seededRandom(seed);
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const typesOf = (events: readonly { 'detail-type': string }[]) => events.map((e) => e['detail-type']);

describe('ingest runs the detectors: exact domain events on the bus, once', () => {
  let fx: DetectorsFixture;
  let tenant: string;
  let n = 500;
  const vehicle = async () => {
    const vin = teslaVin(n++);
    return { vin, vehicleId: await fx.register(tenant, vin) };
  };

  beforeAll(async () => {
    fx = await startDetectorsFixture();
    tenant = `fleet-${fx.run}`;
  }, 60_000);

  afterAll(async () => {
    await fx?.stop();
  });

  it('cuts one trip from out-of-order, duplicated and resent records with a connectivity gap', async () => {
    // prepare: 5 min driving every 10 s, a 4-minute silence, 3 more minutes driving, then parked 3 min
    const { vin, vehicleId } = await vehicle();
    const drive = (from: number, seconds: number, odometer0: number) =>
      Array.from({ length: seconds / 10 }, (_, i) =>
        v(vin, from + sec(10 * i), {
          Gear: 'D',
          VehicleSpeed: 40,
          Odometer: odometer0 + i * 0.11,
          BatteryLevel: 80 - i * 0.05,
          Location: east(DEPOT, 1000 + i * 180),
        }),
      );
    const first = drive(T0, 300, 1000);
    const second = drive(T0 + min(9), 180, 1005);
    const parked = Array.from({ length: 18 }, (_, i) =>
      v(vin, T0 + min(12) + sec(10 * i), { Gear: 'P', VehicleSpeed: 0, Odometer: 1007 }),
    );
    const resends = first.slice(-3).map((r, i) => v(vin, T0 + sec(270 + 10 * i), { Gear: 'D' }, true));
    // act: batch 1 lacks some of its records (they come late, in batch 2) and has duplicates
    const late = first.filter((_, i) => i % 7 === 3);
    const batch1 = shuffled([...first.filter((r) => !late.includes(r)), ...first.slice(0, 5)], 1);
    const batch2 = shuffled([...late, ...resends, ...second, ...second.slice(2, 6)], 2);
    expect(await fx.ingest(fx.batchOf(batch1))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(batch2))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(shuffled(parked, 3)))).toEqual([]);
    // assess
    const events = await fx.domainEventsOf(vehicleId);
    const trips = events.filter((e) => e['detail-type'].startsWith('Trip.'));
    expect(typesOf(trips)).toEqual(['Trip.Started', 'Trip.Ended']);
    const ended = trips[1]!.detail as Record<string, unknown>;
    expect(ended).toMatchObject({
      tenantId: tenant,
      vehicleId,
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + min(12)).toISOString(),
    });
    expect(ended['tripId']).toBe((trips[0]!.detail as Record<string, unknown>)['tripId']);
    // the V records brought the vehicle online once
    expect(typesOf(events.filter((e) => e['detail-type'] === 'Vehicle.Connectivity.Changed'))).toHaveLength(
      1,
    );
  });

  it('publishes nothing new when a batch is redelivered', async () => {
    // prepare
    const { vin, vehicleId } = await vehicle();
    const records = [
      ...Array.from({ length: 12 }, (_, i) =>
        v(vin, T0 + sec(10 * i), { Gear: 'D', VehicleSpeed: 30, Odometer: 50 + i * 0.1 }),
      ),
    ];
    const vBatch = fx.batchOf(records);
    const connectivity = fx.batchOf([
      { topic: 'connectivity', vin, data: connectivityRecord({ vin, createdAt: T0 - sec(5) }) },
    ]);
    expect(await fx.ingest(connectivity)).toEqual([]);
    expect(await fx.ingest(vBatch)).toEqual([]);
    const before = typesOf(await fx.domainEventsOf(vehicleId));
    // act
    expect(await fx.ingest(vBatch)).toEqual([]);
    expect(await fx.ingest(connectivity)).toEqual([]);
    // assess
    expect(before).toEqual(['Vehicle.Connectivity.Changed', 'Trip.Started']);
    expect(typesOf(await fx.domainEventsOf(vehicleId))).toEqual(before);
  });

  it('makes one charging session of a charge that completes with the cable left in', async () => {
    // prepare: 20 minutes at 11 kW, then Complete and plugged for 15 minutes
    const { vin, vehicleId } = await vehicle();
    const charging = Array.from({ length: 21 }, (_, i) =>
      v(vin, T0 + min(i), {
        DetailedChargeState: i === 0 ? 'Starting' : 'Charging',
        ACChargingPower: i === 0 ? 0 : 11,
        ACChargingEnergyIn: Math.round((11 / 60) * i * 1000) / 1000,
        BatteryLevel: 50 + i * 0.25,
        Gear: 'P',
      }),
    );
    const complete = Array.from({ length: 16 }, (_, i) =>
      v(vin, T0 + min(21 + i), { DetailedChargeState: 'Complete', ACChargingPower: 0, Gear: 'P' }),
    );
    // act
    expect(await fx.ingest(fx.batchOf(charging.slice(0, 10)))).toEqual([]);
    expect(await fx.ingest(fx.batchOf([...charging.slice(8), ...complete.slice(0, 5)]))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(complete.slice(5)))).toEqual([]);
    // assess
    const events = (await fx.domainEventsOf(vehicleId)).filter((e) =>
      e['detail-type'].startsWith('Charging.'),
    );
    expect(typesOf(events)).toEqual(['Charging.Started', 'Charging.Ended']);
    expect(events[1]!.detail).toMatchObject({
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + min(21)).toISOString(),
      energyAddedKwh: expect.closeTo(3.667, 2),
    });
  });

  it('enters and exits a geofence once, through GPS jitter at its edge', async () => {
    // prepare: a 300 m circle around the depot; the vehicle starts 2 km away, drives in, jitters at the
    // boundary (±10 m, inside the 25 m hysteresis band), and leaves
    const { vin, vehicleId } = await vehicle();
    fx.tenantConfig.set(tenant, {
      geofences: parseGeofences([
        { id: 'depot', name: 'Depot', shape: { kind: 'circle', center: DEPOT, radiusMeters: 300 } },
      ]),
    });
    const at = (i: number) => T0 + sec(15 * i);
    const path = [
      ...Array.from({ length: 4 }, () => 2000),
      ...Array.from({ length: 8 }, () => 100),
      ...Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 290 : 310)),
      ...Array.from({ length: 8 }, () => 800),
    ];
    const records = path.map((meters, i) => v(vin, at(i), { Location: east(DEPOT, meters), Gear: 'D' }));
    // act: three batches, the middle one shuffled
    expect(await fx.ingest(fx.batchOf(records.slice(0, 10)))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(shuffled(records.slice(10, 28), 4)))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(records.slice(28)))).toEqual([]);
    // assess
    const events = (await fx.domainEventsOf(vehicleId)).filter((e) =>
      e['detail-type'].startsWith('Geofence.'),
    );
    expect(typesOf(events)).toEqual(['Geofence.Entered', 'Geofence.Exited']);
    expect(events[0]!.detail).toMatchObject({
      geofenceId: 'depot',
      occurredAt: new Date(at(4)).toISOString(),
    });
    expect(events[1]!.detail).toMatchObject({
      geofenceId: 'depot',
      occurredAt: new Date(at(28)).toISOString(),
    });
    fx.tenantConfig.set(tenant, {});
  });

  it("raises and clears a tenant's alert rule with hysteresis", async () => {
    // prepare: battery below 20 % raises, above 25 % clears
    const { vin, vehicleId } = await vehicle();
    fx.tenantConfig.set(tenant, {
      alertRules: parseAlertRules([
        {
          id: 'low-battery',
          name: 'Low battery',
          condition: { kind: 'threshold', signal: 'BatteryLevel', op: '<', value: 20, clearValue: 25 },
        },
      ]),
    });
    const levels = [30, 22, 19, 18, 21, 24, 19, 26, 27];
    const records = levels.map((level, i) => v(vin, T0 + min(i), { BatteryLevel: level }));
    // act
    expect(await fx.ingest(fx.batchOf(records.slice(0, 4)))).toEqual([]);
    expect(await fx.ingest(fx.batchOf(records.slice(2)))).toEqual([]);
    // assess
    const events = (await fx.domainEventsOf(vehicleId)).filter((e) =>
      e['detail-type'].startsWith('Vehicle.Alert.'),
    );
    expect(typesOf(events)).toEqual(['Vehicle.Alert.Raised', 'Vehicle.Alert.Cleared']);
    expect(events[0]!.detail).toMatchObject({ startedAt: new Date(T0 + min(2)).toISOString() });
    expect(events[1]!.detail).toMatchObject({ endedAt: new Date(T0 + min(7)).toISOString() });
    fx.tenantConfig.set(tenant, {});
  });

  it("turns Tesla's alerts, errors and connectivity topics into events, resends dropped", async () => {
    // prepare
    const { vin, vehicleId } = await vehicle();
    const alert = alertsRecord({
      vin,
      createdAt: T0,
      alerts: [{ name: 'BMS_a066_SW_Low_Soc', audiences: ['Customer'], startedAt: T0 - sec(30) }],
    });
    const error = errorsRecord({ vin, createdAt: T0 + sec(1) });
    const connected = connectivityRecord({
      vin,
      createdAt: T0 - sec(60),
      status: 'CONNECTED',
      connectionId: 'c1',
    });
    const disconnected = connectivityRecord({
      vin,
      createdAt: T0 + sec(90),
      status: 'DISCONNECTED',
      connectionId: 'c1',
    });
    // act: each topic comes on its own stream; everything twice
    for (let round = 0; round < 2; round++) {
      expect(await fx.ingest(fx.batchOf([{ topic: 'connectivity', vin, data: connected }]))).toEqual([]);
      expect(await fx.ingest(fx.batchOf([{ topic: 'alerts', vin, data: alert }]))).toEqual([]);
      expect(await fx.ingest(fx.batchOf([{ topic: 'errors', vin, data: error }]))).toEqual([]);
      expect(await fx.ingest(fx.batchOf([{ topic: 'connectivity', vin, data: disconnected }]))).toEqual([]);
    }
    // assess
    const events = await fx.domainEventsOf(vehicleId);
    // (the error carries its own, earlier time; the alert its start)
    expect(typesOf(events)).toEqual([
      'Vehicle.Error.Reported',
      'Vehicle.Connectivity.Changed',
      'Vehicle.Alert.Raised',
      'Vehicle.Connectivity.Changed',
    ]);
    expect(events.map((e) => (e.detail as { status?: string }).status)).toEqual([
      undefined,
      'online',
      undefined,
      'offline',
    ]);
    expect(JSON.stringify(events)).not.toContain(vin);
  });

  it('turns a PutEvents partial failure into batch item failures, and the redelivery publishes each event once', async () => {
    // prepare: a batch that makes Telemetry.Updated and three domain events; every other entry refused
    const { vin, vehicleId } = await vehicle();
    const records: ScriptedRecord[] = [
      v(vin, T0, { Gear: 'D', VehicleSpeed: 30 }),
      v(vin, T0 + sec(10), { Gear: 'D', VehicleSpeed: 35 }),
    ];
    const batch = fx.batchOf(records);
    const rule = fx.edge.faults.add({
      target: 'AWSEvents.PutEvents',
      effect: { kind: 'partial', entries: 'every-other', code: 'AccessDeniedException' },
      times: 1,
    });
    // act
    const failed = await fx.ingest(batch);
    fx.edge.faults.remove(rule);
    const afterFailure = typesOf(await fx.domainEventsOf(vehicleId));
    const redelivered = await fx.ingest(batch);
    const again = await fx.ingest(batch);
    // assess
    expect(failed.sort()).toEqual(batch.Records.map((r) => r.kinesis.sequenceNumber).sort());
    expect(afterFailure).toHaveLength(1); // entries: telemetry, event, event; index 1 refused
    expect(redelivered).toEqual([]);
    expect(again).toEqual([]);
    expect(typesOf(await fx.domainEventsOf(vehicleId)).sort()).toEqual(
      ['Trip.Started', 'Vehicle.Connectivity.Changed'].sort(),
    );
  });

  it('ends a parked trip and marks a silent vehicle offline from the ticker, once', async () => {
    // prepare: 2 minutes driving, then parked; the vehicle stops sending 30 s after parking
    const { vin, vehicleId } = await vehicle();
    const records = [
      ...Array.from({ length: 12 }, (_, i) => v(vin, T0 + sec(10 * i), { Gear: 'D', VehicleSpeed: 25 })),
      v(vin, T0 + sec(120), { Gear: 'P', VehicleSpeed: 0 }),
      v(vin, T0 + sec(150), { Gear: 'P', VehicleSpeed: 0 }),
    ];
    expect(await fx.ingest(fx.batchOf(records))).toEqual([]);
    const target = { events: fx.deps.events, eventBusName: fx.deps.eventBusName };
    // act: ticks at +3 min (trip over) and +15 min (silent for 10 min), each twice
    const now1 = T0 + sec(150) + min(3);
    const now2 = T0 + sec(150) + min(15);
    await tickQuietVehicles(fx.deps.detectors!, target, now1);
    await tickQuietVehicles(fx.deps.detectors!, target, now1);
    await tickQuietVehicles(fx.deps.detectors!, target, now2);
    await tickQuietVehicles(fx.deps.detectors!, target, now2);
    // assess
    const events = await fx.domainEventsOf(vehicleId);
    expect(typesOf(events)).toEqual([
      'Trip.Started',
      'Trip.Ended',
      'Vehicle.Connectivity.Changed',
      'Vehicle.Connectivity.Changed',
    ]);
    expect(events[1]!.detail).toMatchObject({ endedAt: new Date(T0 + sec(120)).toISOString() });
    expect(events.slice(2).map((e) => e.detail)).toEqual([
      expect.objectContaining({ status: 'online', cause: 'connected' }),
      expect.objectContaining({
        status: 'offline',
        cause: 'silence_timeout',
        occurredAt: new Date(T0 + sec(150) + min(10)).toISOString(),
      }),
    ]);
  });

  it('starts a vehicle with an unreadable detector state afresh, counted once', async () => {
    // prepare
    const { vin, vehicleId } = await vehicle();
    await fx.redis.hset(detectorRedisKeys.document(tenant, vehicleId), 'rev', '3', 'doc', '{"v":0}');
    const before = fx.counts.length;
    // act
    expect(await fx.ingest(fx.batchOf([v(vin, T0, { Gear: 'D', VehicleSpeed: 30 })]))).toEqual([]);
    expect(await fx.ingest(fx.batchOf([v(vin, T0 + sec(10), { Gear: 'D', VehicleSpeed: 30 })]))).toEqual([]);
    // assess
    expect(fx.counts.slice(before).map((c) => c.detectorStateErrors)).toEqual([1, 0]);
    expect(typesOf(await fx.domainEventsOf(vehicleId))).toEqual([
      'Trip.Started',
      'Vehicle.Connectivity.Changed',
    ]);
  });

  // Last: the runtime's ticker visits every tenant with detector state, so it runs after the other tests.
  it("runs the timer checks from the local runtime's interval", async () => {
    // prepare: a vehicle heard from once, then silent for 20 minutes by the runtime's clock
    const { vin, vehicleId } = await vehicle();
    expect(await fx.ingest(fx.batchOf([v(vin, T0 + min(60), { Gear: 'P', VehicleSpeed: 0 })]))).toEqual([]);
    const runtime = new LocalIngestRuntime({
      endpoint: fx.edge.url,
      state: new RedisLatestStateStore(fx.redis),
      detectorStates: new RedisDetectorStateStore(fx.redis),
      tenantConfig: fx.tenantConfig,
      telemetryHistoryTable: fx.tables['telemetry-history']!,
      poisonQueueUrl: fx.queueUrls['fleetwire-ingest-poison']!,
      onFailureQueueUrl: fx.queueUrls['fleetwire-ingest-on-failure']!,
      namespace: NAMESPACE,
      eventBusName: 'fleetwire',
      startingPosition: 'LATEST',
      tickIntervalMs: 100,
      now: () => T0 + min(80),
    });
    // act
    await runtime.start();
    try {
      await expect
        .poll(async () => typesOf(await fx.domainEventsOf(vehicleId)), { timeout: 10_000 })
        .toEqual(['Vehicle.Connectivity.Changed', 'Vehicle.Connectivity.Changed']);
    } finally {
      await runtime.stop();
    }
    // assess
    expect(runtime.observer.detectorTotals.ticks).toBeGreaterThan(0);
    const [online, offline] = await fx.domainEventsOf(vehicleId);
    expect(online!.detail).toMatchObject({ status: 'online' });
    expect(offline!.detail).toMatchObject({ status: 'offline', cause: 'silence_timeout' });
  });
});
