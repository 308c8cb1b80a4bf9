import { describe, expect, it } from 'vitest';
import {
  checkSilence,
  detectConnectivity,
  type ConnectivityObservation,
} from '../../../../src/domain/detectors/index.ts';
import { REF, T0, batchOf, contextOf, expectValid, min, rec, roundTrip, runBatches, sec } from './factory.ts';

const context = contextOf();
const record = (
  at: number,
  status: string,
  connectionId = 'conn-1',
  networkInterface = 'wifi',
): ConnectivityObservation => ({
  createdAt: new Date(at).toISOString(),
  connectionId,
  status,
  networkInterface,
});
const only = (connectivity: ConnectivityObservation[]) => ({ ...REF, connectivity });

describe('connectivity detector', () => {
  it('goes online once for repeated CONNECTED records, offline on DISCONNECTED, and ignores older records', () => {
    const { events } = runBatches(
      detectConnectivity,
      [
        only([record(T0, 'CONNECTED')]),
        only([record(T0 + sec(1), 'CONNECTED'), record(T0, 'CONNECTED')]),
        only([record(T0 + min(5), 'DISCONNECTED')]),
        only([record(T0 + min(4), 'CONNECTED'), record(T0 + min(5), 'DISCONNECTED')]),
        only([record(T0 + min(6), 'UNKNOWN')]),
      ],
      context,
    );
    expect(events.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        status: 'online',
        previousStatus: 'unknown',
        cause: 'connected',
        networkInterface: 'wifi',
        connectionId: 'conn-1',
      }),
      expect.objectContaining({
        status: 'offline',
        previousStatus: 'online',
        cause: 'disconnected',
        occurredAt: new Date(T0 + min(5)).toISOString(),
        networkInterface: null,
      }),
    ]);
  });

  it("ignores an old socket's disconnect after the vehicle reconnected on a new one", () => {
    const { events, state } = runBatches(
      detectConnectivity,
      [
        only([record(T0, 'CONNECTED', 'conn-1')]),
        only([
          record(T0 + sec(10), 'CONNECTED', 'conn-2', 'cellular'),
          record(T0 + sec(11), 'DISCONNECTED', 'conn-1'),
        ]),
      ],
      context,
    );
    expect(events).toHaveLength(1);
    expect(state).toMatchObject({ status: 'online', connectionId: 'conn-2', networkInterface: 'cellular' });
  });

  it('goes offline after the silence timeout, at lastSeenAt + timeout, once; telemetry brings it back', () => {
    // prepare
    const { state } = runBatches(
      detectConnectivity,
      [only([record(T0, 'CONNECTED')]), batchOf([rec(T0 + min(2), { VehicleSpeed: 0 })])],
      context,
    );
    // act
    const early = checkSilence(roundTrip(state!), REF, T0 + min(11), context);
    const due = checkSilence(roundTrip(early.state), REF, T0 + min(13), context);
    const repeated = checkSilence(roundTrip(due.state), REF, T0 + min(30), context);
    const late = detectConnectivity(
      roundTrip(repeated.state),
      batchOf([rec(T0 + min(5), { Soc: 50 })]),
      context,
    );
    const back = detectConnectivity(
      roundTrip(late.state),
      batchOf([rec(T0 + min(31), { Soc: 50 })]),
      context,
    );
    // assess
    expectValid([...due.events, ...back.events]);
    expect(early.events).toEqual([]);
    expect(due.events.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        status: 'offline',
        cause: 'silence_timeout',
        occurredAt: new Date(T0 + min(12)).toISOString(),
        lastSeenAt: new Date(T0 + min(2)).toISOString(),
      }),
    ]);
    expect(repeated.events).toEqual([]);
    expect(late.events).toEqual([]);
    expect(back.events.map((e) => e.detail)).toEqual([
      expect.objectContaining({ status: 'online', previousStatus: 'offline', cause: 'connected' }),
    ]);
  });
});
