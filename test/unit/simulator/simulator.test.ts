import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/domain/tesla/index.ts';
import { Simulator, SimulatorConfigError, StreamMissingError } from '../../../src/simulator/index.ts';
import type { PutOutcome, RecordSink, SimulatedRecord } from '../../../src/simulator/index.ts';

/** A sink that keeps what it is given. */
class MemorySink implements RecordSink {
  readonly records: SimulatedRecord[] = [];
  async put(records: readonly SimulatedRecord[]): Promise<PutOutcome> {
    this.records.push(...records);
    return { put: records.length, failed: 0, retried: 0, calls: 1 };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Simulator', () => {
  it('runs vehicles on a timer, counts what it put, and hands out the vehicles', async () => {
    const sink = new MemorySink();
    const simulator = new Simulator({ sink, vehicles: 4, seed: 3, tickMs: 20, initial: 'parked' });
    const vins = simulator.vins();
    expect(vins).toHaveLength(4);
    expect(simulator.vehicle(vins[0] as string)).toBeUndefined();

    await simulator.start();
    await sleep(150);
    const vehicle = simulator.vehicle(vins[0] as string);
    expect(vehicle?.vin).toBe(vins[0]);
    await simulator.stop();

    const stats = simulator.stats();
    expect(stats.running).toBe(false);
    expect(stats.vehicles).toBe(4);
    expect(stats.records.connectivity).toBeGreaterThanOrEqual(8);
    expect(stats.records.V).toBeGreaterThanOrEqual(4);
    expect(stats.put).toBe(sink.records.length);
    expect(stats.putFailures).toBe(0);
    expect(stats.recordsPerSecond).toBeGreaterThan(0);
    expect(new Set(sink.records.map((r) => r.partitionKey))).toEqual(new Set(vins));
    // Stopping closes every vehicle's socket: the latest connectivity record of each is a disconnect.
    for (const vin of vins) {
      const last = sink.records
        .filter((r) => r.partitionKey === vin && r.topic === 'connectivity')
        .map((r) => decodeRecord('connectivity', r.data))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .at(-1);
      expect(last).toMatchObject({ status: 'DISCONNECTED' });
    }
  });

  it('stops, and says why, when a stream disappears', async () => {
    const errors: Error[] = [];
    const sink: RecordSink = {
      put: () => Promise.reject(new StreamMissingError(['fleetwire_V'])),
    };
    const simulator = new Simulator({ sink, vehicles: 2, tickMs: 10, onError: (e) => errors.push(e) });
    await simulator.start();
    await expect(simulator.finished()).rejects.toBeInstanceOf(StreamMissingError);
    expect(errors[0]).toBeInstanceOf(StreamMissingError);
    expect(simulator.stats()).toMatchObject({ running: false });
    expect(simulator.stats().putFailures).toBeGreaterThan(0);
    await simulator.stop();
  });

  it('refuses options that cannot work', () => {
    const sink = new MemorySink();
    expect(() => new Simulator({ vehicles: 1 })).toThrow(SimulatorConfigError);
    expect(() => new Simulator({ sink, vehicles: 1, rate: 0 })).toThrow(SimulatorConfigError);
    expect(() => new Simulator({ sink, vehicles: 1, duplicateRatio: -1 })).toThrow(SimulatorConfigError);
    expect(() => new Simulator({ sink, vehicles: -2 })).toThrow(SimulatorConfigError);
    expect(() => new Simulator({ sink, vehicles: 1, tickMs: 0 })).toThrow(SimulatorConfigError);
  });
});
