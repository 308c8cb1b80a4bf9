import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/domain/tesla/index.ts';
import { Delivery, Rng } from '../../../src/simulator/index.ts';
import type { TeslaMessage } from '../../../src/simulator/index.ts';

const VIN = '5YJFLEET6PF431116';
const STARTED = Date.UTC(2025, 5, 2, 7, 30, 12, 345);

function alert(alertTimesInMillis: boolean): TeslaMessage {
  return {
    topic: 'alerts',
    vin: VIN,
    alertTimesInMillis,
    input: {
      vin: VIN,
      createdAt: STARTED + 5_000,
      alerts: [
        {
          name: 'BMS_a066_SW_Low_Soc',
          audiences: ['Customer'],
          startedAt: STARTED,
          endedAt: STARTED + 4_000,
        },
      ],
    },
  };
}

describe('Delivery', () => {
  it('writes alert times in milliseconds for vehicles that do, and they decode to the same instants', () => {
    const options = { format: 'protobuf' as const, duplicateRatio: 0, outOfOrderRatio: 0 };
    const [millis] = new Delivery(new Rng(1), options).deliver([alert(true)], 0);
    const [seconds] = new Delivery(new Rng(1), options).deliver([alert(false)], 0);
    expect(Buffer.from(millis?.data ?? []).equals(Buffer.from(seconds?.data ?? []))).toBe(false);
    const expected = {
      name: 'BMS_a066_SW_Low_Soc',
      audiences: ['Customer'],
      // The server drops the sub-second part of millisecond times (time.UnixMilli keeps it): both decode alike.
      startedAt: new Date(STARTED).toISOString(),
      endedAt: new Date(STARTED + 4_000).toISOString(),
    };
    expect(decodeRecord('alerts', millis?.data ?? new Uint8Array())).toMatchObject({ alerts: [expected] });
    expect(decodeRecord('alerts', seconds?.data ?? new Uint8Array())).toMatchObject({ alerts: [expected] });
  });

  it('keeps alert times in seconds in protojson, which cannot carry milliseconds there', () => {
    const [record] = new Delivery(new Rng(1), {
      format: 'protojson',
      duplicateRatio: 0,
      outOfOrderRatio: 0,
    }).deliver([alert(true)], 0);
    const json = JSON.parse(Buffer.from(record?.data ?? []).toString('utf8')) as {
      alerts: { startedAt: string }[];
    };
    expect(json.alerts[0]?.startedAt).toBe(new Date(STARTED).toISOString());
  });

  it('holds records back and releases them later, after newer ones', () => {
    const delivery = new Delivery(new Rng(3), { format: 'protobuf', duplicateRatio: 0, outOfOrderRatio: 1 });
    expect(delivery.deliver([alert(false)], 0)).toEqual([]);
    expect(delivery.deliver([], 500)).toEqual([]);
    const late = delivery.deliver([], 5_000);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ delayed: true, kind: 'original', topic: 'alerts', partitionKey: VIN });
    expect(delivery.drain()).toEqual([]);
  });

  it('puts two copies of every record with a ratio of 2', () => {
    const delivery = new Delivery(new Rng(4), { format: 'protobuf', duplicateRatio: 2, outOfOrderRatio: 0 });
    const records = [...delivery.deliver([alert(false)], 0), ...delivery.drain()];
    expect(records.map((r) => r.kind).sort()).toEqual(['duplicate', 'duplicate', 'original']);
  });
});
