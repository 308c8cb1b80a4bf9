import { describe, expect, it } from 'vitest';
import type { FleetwireEvent } from '../../../src/domain/events/catalog/index.ts';
import {
  addressOf,
  errorAlertId,
  projectEvent,
  UnsupportedRecordEventError,
  type RecordKind,
  type RecordOfKind,
} from '../../../src/domain/records/index.ts';
import { eventFactories, makeEvent } from '../../support/event-factories.ts';

const DAYS = 365;

/** Applies events in order as the projector does, and reports each outcome. */
function replay(events: readonly FleetwireEvent[]) {
  let record: RecordOfKind[RecordKind] | undefined;
  const outcomes: string[] = [];
  for (const event of events) {
    const projection = projectEvent(event, record, DAYS);
    outcomes.push(projection.outcome);
    if (projection.outcome !== 'unchanged') record = projection.record;
  }
  return { record, outcomes };
}

const started = makeEvent('Trip.Started', eventFactories.tripStarted());
const ended = makeEvent('Trip.Ended', eventFactories.tripEnded());

describe('trip records', () => {
  it('opens a trip on Trip.Started and completes it on Trip.Ended', () => {
    // prepare / act
    const { record, outcomes } = replay([started, ended]);

    // assess
    expect(outcomes).toEqual(['created', 'updated']);
    expect(record).toMatchObject({
      tripKey: '2025-03-14T09:02:11.400Z#trp_01JPA2M7C4XW9E3H8K1V6S0YQB',
      status: 'completed',
      endedAt: '2025-03-14T09:41:37.900Z',
      distanceKm: 21.7,
      startOdometerKm: 18234.6,
      routePolyline: 'evn_IqmspAuSqt@_VkbAeVm|@',
      startedEventAt: '2025-03-14T09:02:11.400Z',
      endedEventAt: '2025-03-14T09:41:37.900Z',
    });
  });

  it('an open trip has no end and expires its retention after the start', () => {
    const { record } = replay([started]);

    expect(record).toMatchObject({ status: 'open', endedAt: null, distanceKm: null, routePolyline: null });
    expect(record!.ttl).toBe(Math.floor(Date.parse('2025-03-14T09:02:11.400Z') / 1000) + DAYS * 86_400);
  });

  it('completes a trip whose Trip.Started was never seen, and a late Started does not reopen it', () => {
    const { record, outcomes } = replay([ended, started]);

    expect(outcomes).toEqual(['created', 'updated']);
    expect(record).toMatchObject({
      status: 'completed',
      endedAt: '2025-03-14T09:41:37.900Z',
      distanceKm: 21.7,
    });
    expect(record).toEqual(replay([started, ended]).record);
  });

  it('ignores duplicates and replays of either event', () => {
    const { record, outcomes } = replay([started, started, ended, ended, started, ended]);

    expect(outcomes).toEqual(['created', 'unchanged', 'updated', 'unchanged', 'unchanged', 'unchanged']);
    expect(record).toEqual(replay([started, ended]).record);
  });

  it('puts Started and Ended of different precision on one key', () => {
    const coarse = makeEvent('Trip.Ended', eventFactories.tripEnded({ startedAt: '2025-03-14T09:02:11.4Z' }));

    expect(addressOf(coarse)).toEqual(addressOf(started));
  });
});

describe('charging session records', () => {
  const chargingStarted = makeEvent(
    'Charging.Started',
    eventFactories.chargingStarted({ currentType: 'AC' }),
  );
  const chargingEnded = makeEvent('Charging.Ended', eventFactories.chargingEnded());

  it('the Ended event decides AC/DC and totals, whatever the order; the start keeps its charge limit', () => {
    const inOrder = replay([chargingStarted, chargingEnded]);
    const reversed = replay([chargingEnded, chargingStarted, chargingEnded]);

    expect(inOrder.record).toMatchObject({
      status: 'completed',
      currentType: 'DC',
      energyAddedKwh: 46.8,
      chargeLimitPercent: 80,
      endReason: 'completed',
    });
    expect(reversed.outcomes).toEqual(['created', 'updated', 'unchanged']);
    expect(reversed.record).toEqual(inOrder.record);
  });
});

describe('alert records', () => {
  const raised = makeEvent('Vehicle.Alert.Raised', eventFactories.vehicleAlertRaised());
  const cleared = makeEvent('Vehicle.Alert.Cleared', eventFactories.vehicleAlertCleared());

  it('raises, then clears, keeping the message and the latest signals', () => {
    const { record, outcomes } = replay([raised, cleared, raised, cleared]);

    expect(outcomes).toEqual(['created', 'updated', 'unchanged', 'unchanged']);
    expect(record).toMatchObject({
      alertId: 'alr_01JPA3W9Q8ZK4T7R2M5N6B8C0D',
      status: 'cleared',
      message: 'VehicleSpeed 72.4 km/h is above 60 km/h',
      signals: { VehicleSpeed: 48.1 },
      occurredAt: '2025-03-14T09:29:30.500Z',
      durationSeconds: 156.76,
    });
  });

  it('a Cleared before its Raised stays cleared; the late Raised adds the message only', () => {
    const { record, outcomes } = replay([cleared, raised]);

    expect(outcomes).toEqual(['created', 'updated']);
    expect(record).toMatchObject({
      status: 'cleared',
      message: 'VehicleSpeed 72.4 km/h is above 60 km/h',
      signals: { VehicleSpeed: 48.1 },
      occurredAt: '2025-03-14T09:29:30.500Z',
    });
  });

  it('records a reported error as a raised alert with a stable id, once', () => {
    const detail = eventFactories.vehicleErrorReported();
    const error = makeEvent('Vehicle.Error.Reported', detail);

    const { record, outcomes } = replay([error, error]);

    expect(outcomes).toEqual(['created', 'unchanged']);
    expect(record).toMatchObject({
      alertId: errorAlertId(detail),
      status: 'raised',
      source: 'error',
      trigger: { kind: 'error', errorName: 'cloud_client_nil' },
      message: 'cloud_client_nil: telemetry client not initialized; retrying in 30s',
      tags: { field: 'Location', component: 'telemetry' },
      startedAt: '2025-03-14T09:31:11.900Z',
    });
    expect(errorAlertId({ ...detail, tags: { component: 'telemetry', field: 'Location' } })).toBe(
      errorAlertId(detail),
    );
    expect(errorAlertId({ ...detail, body: 'another' })).not.toBe(errorAlertId(detail));
  });
});

describe('events the records do not follow', () => {
  it('are refused', () => {
    const event = makeEvent('Geofence.Entered', eventFactories.geofenceEntered());

    expect(() => addressOf(event)).toThrow(UnsupportedRecordEventError);
    expect(() => projectEvent(event, undefined, DAYS)).toThrow(UnsupportedRecordEventError);
  });
});
