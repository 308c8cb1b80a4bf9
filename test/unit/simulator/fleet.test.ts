import { describe, expect, it } from 'vitest';
import { decodeRecord, wireFormatOf } from '../../../src/domain/tesla/index.ts';
import type { DecodedRecord, VehicleDataRecord } from '../../../src/domain/tesla/index.ts';
import { isValidVin, SIMULATED_FIELDS, SimulatedFleet } from '../../../src/simulator/index.ts';
import type { FleetOptions, SimulatedRecord } from '../../../src/simulator/index.ts';

const START = Date.UTC(2025, 5, 2, 7, 30, 0);
const MINUTE = 60_000;

/** Steps a fleet every `tickMs` up to `durationMs` after START and returns every record put. */
function run(
  options: Partial<FleetOptions> & { vehicles: number },
  durationMs: number,
  tickMs = 250,
): {
  fleet: SimulatedFleet;
  records: SimulatedRecord[];
} {
  const fleet = new SimulatedFleet({ startMs: START, seed: 5, ...options });
  const records: SimulatedRecord[] = [];
  for (let t = START; t <= START + durationMs; t += tickMs) records.push(...fleet.step(t));
  return { fleet, records };
}

function decoded(records: readonly SimulatedRecord[]): DecodedRecord[] {
  return records.map((r) => decodeRecord(r.topic, r.data));
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What is wrong with a decoded record's values; empty when all is well. */
function problemsOf(
  record: DecodedRecord,
  raw: SimulatedRecord,
  window: readonly [string, string],
): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${record.topic} ${record.vin} ${record.createdAt}: ${what}`);
  };
  check(record.topic === raw.topic, 'topic');
  check(record.vin === raw.partitionKey && isValidVin(record.vin), 'vin is the partition key and valid');
  check(
    ISO.test(record.createdAt) && record.createdAt >= window[0] && record.createdAt <= window[1],
    'createdAt',
  );
  check(wireFormatOf(raw.data) === raw.format, 'format');
  switch (record.topic) {
    case 'V': {
      const s = record.signals;
      const number = (name: string, min: number, max: number) => {
        if (name in s)
          check(
            typeof s[name] === 'number' && (s[name] as number) >= min && (s[name] as number) <= max,
            `${name} ${String(s[name])}`,
          );
      };
      const oneOf = (name: string, values: readonly unknown[]) => {
        if (name in s) check(values.includes(s[name]), `${name} ${String(s[name])}`);
      };
      for (const key of Object.keys(s))
        check((SIMULATED_FIELDS as readonly string[]).includes(key), `unexpected ${key}`);
      number('VehicleSpeed', 0, 81);
      number('Soc', 0, 100);
      number('BatteryLevel', 0, 100);
      number('ChargeLimitSoc', 50, 100);
      number('GpsHeading', 0, 360);
      number('Odometer', 1_000, 100_000);
      number('EnergyRemaining', 0, 100);
      number('RatedRange', 0, 400);
      number('EstBatteryRange', 0, 400);
      number('ACChargingPower', 0, 12);
      number('DCChargingPower', 0, 260);
      number('InsideTemp', -30, 60);
      number('OutsideTemp', -30, 50);
      for (const tire of ['Fl', 'Fr', 'Rl', 'Rr']) number(`TpmsPressure${tire}`, 2, 3.5);
      if ('Location' in s) {
        const { latitude, longitude } = s.Location as { latitude: number; longitude: number };
        check(Math.abs(latitude - 52.52) < 0.5 && Math.abs(longitude - 13.4) < 0.8, 'Location in town');
      }
      oneOf('Gear', ['P', 'R', 'N', 'D']);
      oneOf('DetailedChargeState', ['Disconnected', 'Starting', 'Charging', 'Complete', 'Stopped']);
      oneOf('SentryMode', ['Off', 'Armed', 'Aware']);
      oneOf('ChargePortLatch', ['Engaged', 'Disengaged']);
      oneOf('HvacPower', ['On', 'Off']);
      oneOf('CarType', ['Model3', 'ModelY']);
      for (const name of ['Locked', 'ChargePortDoorOpen', 'FastChargerPresent']) oneOf(name, [true, false]);
      if ('DoorState' in s) {
        const doors = Object.values(s.DoorState as object);
        check(doors.length === 6 && doors.every((open) => typeof open === 'boolean'), 'DoorState');
      }
      if ('VehicleName' in s) check(/^\w+ \d+$/.test(String(s.VehicleName)), 'VehicleName');
      if ('Version' in s) check(/^20\d\d\.\d+/.test(String(s.Version)), 'Version');
      break;
    }
    case 'alerts':
      for (const alert of record.alerts) {
        check(/^[A-Z]+_a\d{3}_\w+$/.test(alert.name), `alert name ${alert.name}`);
        check(
          alert.audiences.length > 0 &&
            alert.audiences.every((a) => ['Customer', 'Service', 'ServiceFix'].includes(String(a))),
          'audiences',
        );
        // Times sent in milliseconds decode to the same instants as those sent in seconds.
        check(
          alert.startedAt !== null && ISO.test(alert.startedAt) && alert.startedAt <= record.createdAt,
          `startedAt ${alert.startedAt}`,
        );
        check(alert.endedAt === null || alert.endedAt >= (alert.startedAt ?? ''), `endedAt ${alert.endedAt}`);
      }
      break;
    case 'errors':
      for (const error of record.errors) {
        check(
          /^[a-z_]+$/.test(error.name) && error.createdAt !== null && ISO.test(error.createdAt),
          `error ${error.name}`,
        );
        check(
          Object.values(error.tags).every((value) => typeof value === 'string'),
          'tags',
        );
      }
      break;
    case 'connectivity':
      check(['CONNECTED', 'DISCONNECTED'].includes(String(record.status)), `status ${record.status}`);
      check(UUID.test(record.connectionId), `connectionId ${record.connectionId}`);
      break;
  }
  return problems;
}

describe('SimulatedFleet records', () => {
  // Forty minutes of eight vehicles in both formats: the corpus most tests below read.
  const { fleet, records } = run({ vehicles: 8, format: 'mixed' }, 40 * MINUTE);
  const all = decoded(records);
  const originals = all.filter((_, i) => records[i]?.kind === 'original');
  const window = [new Date(START).toISOString(), new Date(START + 40 * MINUTE).toISOString()] as const;

  it('decode, every one, with decodeRecord to valid values', () => {
    expect(records.length).toBeGreaterThan(5_000);
    const problems = all.flatMap((record, i) => problemsOf(record, records[i] as SimulatedRecord, window));
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('cover every topic, both formats, and what makes ingest hard', () => {
    const counts = fleet.counts();
    expect(counts.records.V).toBeGreaterThan(3_000);
    expect(counts.records.connectivity).toBeGreaterThan(10);
    expect(counts.records.alerts).toBeGreaterThan(0);
    expect(counts.records.errors).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.format))).toEqual(new Set(['protobuf', 'protojson']));
    expect(counts.resends).toBeGreaterThan(0);
    expect(counts.delayed).toBeGreaterThan(0);
    const resent = originals.filter((r): r is VehicleDataRecord => r.topic === 'V' && r.isResend);
    expect(resent).toHaveLength(counts.resends);
  });

  it('carry about 15 signals per record, and the full state after each connect', () => {
    const data = originals.filter((r): r is VehicleDataRecord => r.topic === 'V' && !r.isResend);
    const mean = data.reduce((sum, r) => sum + Object.keys(r.signals).length, 0) / data.length;
    expect(mean).toBeGreaterThan(13);
    expect(mean).toBeLessThan(20);
    let connects = 0;
    for (const vin of fleet.vins()) {
      const ofVin = originals
        .filter((r) => r.vin === vin)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      for (const record of ofVin) {
        if (record.topic !== 'connectivity' || record.status !== 'CONNECTED') continue;
        // Put order may differ (a record held back): the full state is the first one made at or after it.
        const first = ofVin.find(
          (r): r is VehicleDataRecord => r.topic === 'V' && !r.isResend && r.createdAt >= record.createdAt,
        );
        if (first === undefined) continue;
        connects += 1;
        expect(Object.keys(first.signals)).toHaveLength(SIMULATED_FIELDS.length);
      }
    }
    expect(connects).toBeGreaterThan(10);
  });

  it('come about once a second per driving vehicle, and every few seconds to minutes when parked', () => {
    const fast = run(
      { vehicles: 4, rate: 2, initial: 'driving', duplicateRatio: 0, outOfOrderRatio: 0, resendRatio: 0 },
      10 * MINUTE,
    );
    for (const vin of fast.fleet.vins()) {
      const times = decoded(fast.records.filter((r) => r.partitionKey === vin && r.topic === 'V')).map((r) =>
        Date.parse(r.createdAt),
      );
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      const halfSecond = gaps.filter((g) => g === 500).length;
      // Mostly the configured rate; parked stretches between trips send every 30 s.
      expect(halfSecond / gaps.length, vin).toBeGreaterThan(0.5);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    }
  });

  it('keep each vehicle odometer growing in created_at order', () => {
    for (const vin of fleet.vins()) {
      const readings = originals
        .filter((r): r is VehicleDataRecord => r.topic === 'V' && r.vin === vin && 'Odometer' in r.signals)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .map((r) => r.signals.Odometer as number);
      expect(readings.length).toBeGreaterThan(10);
      for (let i = 1; i < readings.length; i += 1)
        expect(readings[i]).toBeGreaterThanOrEqual(readings[i - 1] as number);
    }
  });

  it('are sometimes put after newer ones of the same vehicle', () => {
    let reordered = 0;
    for (const vin of fleet.vins()) {
      const times = originals.filter((r) => r.topic === 'V' && r.vin === vin).map((r) => r.createdAt);
      for (let i = 1; i < times.length; i += 1)
        if ((times[i] as string) < (times[i - 1] as string)) reordered += 1;
    }
    expect(reordered).toBeGreaterThan(10);
  });

  it('pair each DISCONNECTED with the CONNECTED of the same connection', () => {
    for (const vin of fleet.vins()) {
      const open = new Set<string>();
      const events = originals
        .filter((r) => r.topic === 'connectivity' && r.vin === vin)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      for (const event of events) {
        if (event.topic !== 'connectivity') continue;
        if (event.status === 'CONNECTED') open.add(event.connectionId);
        else expect(open.has(event.connectionId), `${vin} ${event.connectionId}`).toBe(true);
      }
    }
  });
});

describe('SimulatedFleet delivery', () => {
  it('duplicates about the configured ratio of records, with the very same bytes', () => {
    for (const ratio of [0.2, 0.5]) {
      const { fleet, records } = run({ vehicles: 8, duplicateRatio: ratio, seed: 9 }, 30 * MINUTE, 1_000);
      // Some originals are still held back when the run ends.
      records.push(...fleet.stop(START + 30 * MINUTE));
      const counts = fleet.counts();
      const originals = Object.values(counts.records).reduce((a, b) => a + b, 0);
      expect(originals).toBeGreaterThan(3_000);
      expect(counts.duplicates / originals).toBeGreaterThan(ratio - 0.03);
      expect(counts.duplicates / originals).toBeLessThan(ratio + 0.03);
      const originalBytes = new Set(
        records.filter((r) => r.kind === 'original').map((r) => Buffer.from(r.data).toString('hex')),
      );
      for (const duplicate of records.filter((r) => r.kind === 'duplicate')) {
        expect(originalBytes.has(Buffer.from(duplicate.data).toString('hex'))).toBe(true);
      }
    }
  });

  it('writes protobuf or protojson as asked', () => {
    for (const format of ['protobuf', 'protojson'] as const) {
      const { records } = run({ vehicles: 2, format }, MINUTE);
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(wireFormatOf(r.data)).toBe(format);
    }
  });

  it('is the same, byte for byte, for the same seed', () => {
    const a = run({ vehicles: 3, format: 'mixed', seed: 77 }, 5 * MINUTE).records;
    const b = run({ vehicles: 3, format: 'mixed', seed: 77 }, 5 * MINUTE).records;
    expect(b.map((r) => Buffer.from(r.data).toString('base64'))).toEqual(
      a.map((r) => Buffer.from(r.data).toString('base64')),
    );
  });

  it('puts everything held back, and the disconnects, when stopped', () => {
    const fleet = new SimulatedFleet({
      vehicles: 5,
      startMs: START,
      seed: 3,
      outOfOrderRatio: 0.5,
      duplicateRatio: 1,
    });
    for (let t = START; t <= START + 30_000; t += 1_000) fleet.step(t);
    const online = fleet.vehicles().filter((v) => v.isOnline()).length;
    const last = fleet.stop(START + 30_000);
    const disconnects = decoded(last).filter(
      (r) => r.topic === 'connectivity' && r.status === 'DISCONNECTED',
    );
    expect(disconnects.length).toBeGreaterThanOrEqual(online);
    expect(last.some((r) => r.delayed)).toBe(true);
    expect(fleet.stop(START + 31_000).filter((r) => r.delayed)).toHaveLength(0);
  });
});

describe('commands through the fleet', () => {
  it('door_lock makes the next record carry Locked = true', () => {
    const fleet = new SimulatedFleet({
      vehicles: 1,
      startMs: START,
      seed: 21,
      initial: 'parked',
      duplicateRatio: 0,
      outOfOrderRatio: 0,
      behaviour: { parkedMs: [3_600_000, 3_600_000], offlinePerHour: 0 },
    });
    const [vin] = fleet.vins();
    fleet.step(START + 10_000);
    const vehicle = fleet.vehicle(vin as string);
    expect(vehicle).toBeDefined();

    vehicle?.applyCommand('door_unlock');
    const afterUnlock = decoded(fleet.step(START + 10_250)).filter(
      (r): r is VehicleDataRecord => r.topic === 'V' && !r.isResend,
    );
    expect(afterUnlock[0]?.signals.Locked).toBe(false);

    vehicle?.applyCommand('door_lock');
    const afterLock = decoded(fleet.step(START + 10_500)).filter(
      (r): r is VehicleDataRecord => r.topic === 'V' && !r.isResend,
    );
    expect(afterLock[0]?.signals.Locked).toBe(true);
  });
});

describe('created_at', () => {
  it('is never shared by two records of one vehicle with different signals', () => {
    const fleet = new SimulatedFleet({
      vehicles: 1,
      startMs: START,
      seed: 2,
      initial: 'parked',
      duplicateRatio: 0,
      resendRatio: 0,
    });
    const [vin] = fleet.vins();
    // The full state at START, then a command applied at that very instant.
    const records = fleet.step(START);
    fleet.vehicle(vin as string)?.applyCommand('door_unlock');
    records.push(...fleet.step(START), ...fleet.step(START + 2_000));
    const times = decoded(records.filter((r) => r.topic === 'V')).map((r) => r.createdAt);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(new Set(times).size).toBe(times.length);
  });
});
