import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ALL_DETAIL_TYPES,
  DETAIL_TYPES,
  EVENT_CATALOG,
  EVENT_SOURCES,
  EventCatalogError,
  EventContractError,
  UnknownDetailTypeError,
  VehicleIdSchema,
  eventDefinition,
  isDetailType,
  parseEvent,
  toPutEventsEntry,
  validateDetail,
  type DetailOf,
  type DetailType,
  type PutEventsEntry,
} from '../../../../src/domain/events/catalog/index.ts';
import {
  SAMPLE_VIN,
  eventFactories,
  makeDetail,
  makeEvent,
  makeRawDetail,
  sampleVehicleId,
} from '../../../support/event-factories.ts';

/** The error a validation throws, or a failed test if it does not throw one. */
function contractError(detailType: DetailType, detail: unknown): EventContractError {
  try {
    validateDetail(detailType, detail);
  } catch (error) {
    if (error instanceof EventContractError) return error;
    throw error;
  }
  throw new Error(`${detailType}: expected the detail to be rejected`);
}

const VEHICLE_DETAIL_TYPES = ALL_DETAIL_TYPES.filter(
  (detailType) => detailType !== DETAIL_TYPES.TelemetryUpdated,
);

describe('the catalog', () => {
  it('has exactly the detail-types of DESIGN.md §4, each under its own key', () => {
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual(
      [
        'Telemetry.Updated',
        'Vehicle.Connectivity.Changed',
        'Vehicle.Alert.Raised',
        'Vehicle.Alert.Cleared',
        'Vehicle.Error.Reported',
        'Trip.Started',
        'Trip.Ended',
        'Charging.Started',
        'Charging.Ended',
        'Geofence.Entered',
        'Geofence.Exited',
        'Command.Requested',
        'Command.ApprovalRequested',
        'Command.Authorized',
        'Command.Denied',
        'Command.Succeeded',
        'Command.Failed',
      ].sort(),
    );
    for (const [key, definition] of Object.entries(EVENT_CATALOG)) expect(definition.detailType).toBe(key);
    expect([...ALL_DETAIL_TYPES].sort()).toEqual(Object.keys(EVENT_CATALOG).sort());
  });

  it('names detail-types Noun.PastTense and sources fleetwire.<context>', () => {
    for (const definition of Object.values(EVENT_CATALOG)) {
      expect(definition.detailType).toMatch(/^[A-Z][a-z]+(\.[A-Z][A-Za-z]+)*\.[A-Z][A-Za-z]*ed$/);
      expect(Object.values(EVENT_SOURCES)).toContain(definition.source);
      expect(definition.source).toMatch(/^fleetwire\.[a-z]+$/);
      expect(definition.description.length).toBeGreaterThan(20);
    }
    expect(EVENT_CATALOG['Telemetry.Updated'].source).toBe('fleetwire.ingest');
    expect(EVENT_CATALOG['Command.Failed'].source).toBe('fleetwire.commands');
  });

  it("keeps each definition's version equal to its schema's version literal", () => {
    for (const definition of Object.values(EVENT_CATALOG)) {
      const detail = { ...(definition.example as object), version: definition.version };
      expect(() => validateDetail(definition.detailType, detail)).not.toThrow();
      expect(() =>
        validateDetail(definition.detailType, { ...detail, version: definition.version + 1 }),
      ).toThrow(EventContractError);
    }
  });

  it.each(ALL_DETAIL_TYPES)('%s: the documented example and the factory sample validate', (detailType) => {
    expect(validateDetail(detailType, EVENT_CATALOG[detailType].example)).toEqual(
      EVENT_CATALOG[detailType].example,
    );
    expect(() => validateDetail(detailType, makeDetail(detailType))).not.toThrow();
  });

  it('has a factory per detail-type whose overrides take effect', () => {
    expect(Object.keys(eventFactories)).toHaveLength(ALL_DETAIL_TYPES.length);
    const trip = eventFactories.tripEnded({ distanceKm: 3.5, tenantId: 'other-tenant' });
    expect(validateDetail('Trip.Ended', trip)).toMatchObject({ distanceKm: 3.5, tenantId: 'other-tenant' });
    // Fresh copies: mutating a sample leaves the catalog's example alone.
    trip.route.pointCount = 0;
    expect(EVENT_CATALOG['Trip.Ended'].example.route.pointCount).toBe(4);
  });

  it('looks detail-types up and refuses unknown ones with the catalog error', () => {
    expect(isDetailType('Trip.Ended')).toBe(true);
    expect(isDetailType('Trip.Paused')).toBe(false);
    expect(isDetailType('toString')).toBe(false);
    expect(eventDefinition('Trip.Ended').source).toBe('fleetwire.trips');
    expect(() => eventDefinition('Trip.Paused')).toThrow(UnknownDetailTypeError);
    expect(() => validateDetail('Trip.Paused' as DetailType, {})).toThrow(
      /unknown detail-type "Trip.Paused"/,
    );
    expect(new UnknownDetailTypeError('x')).toBeInstanceOf(EventCatalogError);
  });
});

describe('contract violations are rejected with a precise message', () => {
  it.each(ALL_DETAIL_TYPES)('%s: missing tenantId', (detailType) => {
    const error = contractError(detailType, makeRawDetail(detailType, { tenantId: undefined }));
    expect(error).toBeInstanceOf(EventCatalogError);
    expect(error.detailType).toBe(detailType);
    expect(error.issues).toEqual([expect.objectContaining({ path: 'tenantId', code: 'invalid_type' })]);
    expect(error.message).toMatch(
      new RegExp(`^${detailType.replaceAll('.', '\\.')} detail breaks its contract`),
    );
    expect(error.message).toContain('tenantId: Invalid input: expected string, received undefined');
  });

  it.each(ALL_DETAIL_TYPES)('%s: an unknown extra field', (detailType) => {
    const error = contractError(detailType, makeRawDetail(detailType, { vin: SAMPLE_VIN }));
    expect(error.issues).toEqual([
      { path: '(detail)', code: 'unrecognized_keys', message: 'unknown field "vin" (details are strict)' },
    ]);
  });

  it.each(ALL_DETAIL_TYPES)('%s: a wrong version', (detailType) => {
    const error = contractError(detailType, makeRawDetail(detailType, { version: 2 }));
    expect(error.issues).toEqual([
      { path: 'version', code: 'invalid_value', message: 'Invalid input: expected 1' },
    ]);
  });

  it.each(ALL_DETAIL_TYPES)('%s: occurredAt that is not an ISO-8601 UTC date-time', (detailType) => {
    for (const occurredAt of [
      '2025-03-14T10:00:00+01:00',
      '2025-03-14 10:00:00Z',
      '2025-02-30T10:00:00Z',
      1741946400000,
    ]) {
      const error = contractError(detailType, makeRawDetail(detailType, { occurredAt }));
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.path).toBe('occurredAt');
    }
    const error = contractError(
      detailType,
      makeRawDetail(detailType, { occurredAt: '2025-03-14T10:00:00+01:00' }),
    );
    expect(error.message).toContain('occurredAt: must be an ISO-8601 UTC date-time ending in Z');
  });

  it.each(VEHICLE_DETAIL_TYPES)('%s: a real VIN as vehicleId', (detailType) => {
    for (const vin of [SAMPLE_VIN, SAMPLE_VIN.toLowerCase()]) {
      const error = contractError(detailType, makeRawDetail(detailType, { vehicleId: vin }));
      expect(error.issues).toEqual([
        {
          path: 'vehicleId',
          code: 'custom',
          message:
            'is shaped like a VIN; events carry the pseudonymous vehicleId and must never contain a real VIN',
        },
      ]);
    }
  });

  it('Telemetry.Updated: a real VIN as a vehicle of the batch', () => {
    const detail = makeDetail('Telemetry.Updated');
    const [first, second] = detail.vehicles;
    const error = contractError('Telemetry.Updated', {
      ...detail,
      vehicles: [first, { ...second, vehicleId: SAMPLE_VIN }],
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['vehicles[1].vehicleId']);
    expect(error.message).toContain('vehicles[1].vehicleId: is shaped like a VIN');
  });

  it('reports every issue at once, each with its path', () => {
    const error = contractError(
      'Trip.Ended',
      makeRawDetail('Trip.Ended', { tenantId: undefined, vehicleId: 'short', distanceKm: -1, extra: true }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'tenantId',
      'vehicleId',
      'distanceKm',
      '(detail)',
    ]);
    expect(error.message).toContain('(4 issues)');
    expect(error.message).toContain(
      'vehicleId: must be a pseudonymous vehicleId: 22 URL-safe base64 characters',
    );
  });

  it('refuses a detail that is not an object', () => {
    for (const detail of [null, 'x', [], 42]) {
      expect(contractError('Trip.Started', detail).issues).toEqual([
        expect.objectContaining({ path: '(detail)', code: 'invalid_type' }),
      ]);
    }
  });
});

describe('vehicleId', () => {
  it('accepts the pseudonym ingest computes and nothing of a VIN', () => {
    for (let seed = 0; seed < 200; seed++)
      expect(VehicleIdSchema.safeParse(sampleVehicleId(seed)).success).toBe(true);
    for (const notAnId of [
      SAMPLE_VIN,
      'WP0ZZZ99ZTS392124',
      `${sampleVehicleId(1)}=`,
      sampleVehicleId(1).slice(1),
      'q0Vx3nF8T2mYb7LkPz4Rw/',
      'q0Vx3nF8T2mYb7LkPz4Rw+',
    ]) {
      expect(VehicleIdSchema.safeParse(notAnId).success).toBe(false);
    }
  });
});

describe('event-specific rules', () => {
  it('Telemetry.Updated: each vehicle once, at least one vehicle and one signal', () => {
    const detail = makeDetail('Telemetry.Updated');
    const [first] = detail.vehicles;
    expect(contractError('Telemetry.Updated', { ...detail, vehicles: [first, first] }).issues).toEqual([
      expect.objectContaining({
        path: 'vehicles[1].vehicleId',
        message: expect.stringContaining('more than once'),
      }),
    ]);
    expect(contractError('Telemetry.Updated', { ...detail, vehicles: [] }).issues[0]?.path).toBe('vehicles');
    expect(
      contractError('Telemetry.Updated', { ...detail, vehicles: [{ ...first, signals: {} }] }).issues,
    ).toEqual([
      expect.objectContaining({
        path: 'vehicles[0].signals',
        message: expect.stringContaining('at least one signal'),
      }),
    ]);
  });

  it('Telemetry.Updated: signal names and values are checked, and none carries a VIN', () => {
    const withSignals = (signals: Record<string, unknown>): unknown => {
      const detail = makeDetail('Telemetry.Updated');
      return { ...detail, vehicles: [{ ...detail.vehicles[0], signals }] };
    };
    const ok = {
      Speed: 1,
      Locked: false,
      Gear: 'D',
      Odometer: null,
      Location: { latitude: -33.9, longitude: 151.2 },
      DoorState: { DriverFront: true, TrunkRear: false },
      Field250: '1',
      SemiTruck: { nested: [1, 'a', null, { deep: true }] },
    };
    expect(() => validateDetail('Telemetry.Updated', withSignals(ok))).not.toThrow();

    const cases: [Record<string, unknown>, string, string][] = [
      [{ Vin: 'abc' }, 'vehicles[0].signals.Vin', 'invalid key: a signal named Vin is never published'],
      [{ VehicleName: SAMPLE_VIN }, 'vehicles[0].signals.VehicleName', 'is shaped like a VIN'],
      [{ 'Bad-Name': 1 }, 'vehicles[0].signals.Bad-Name', 'invalid key: must be a Tesla field name'],
      [{ Location: { latitude: 91, longitude: 0 } }, 'vehicles[0].signals.Location.latitude', 'Too big'],
      [
        { Location: { latitude: 1, longitude: 2, altitude: 3 } },
        'vehicles[0].signals.Location',
        'unknown field "altitude"',
      ],
      [{ Speed: [1, 2] }, 'vehicles[0].signals.Speed', 'Invalid input'],
    ];
    for (const [signals, path, message] of cases) {
      const error = contractError('Telemetry.Updated', withSignals(signals));
      expect(error.issues.map((issue) => issue.path)).toContain(path);
      expect(error.message).toContain(message);
    }
    expect(() => validateDetail('Telemetry.Updated', withSignals({ Speed: Number.NaN }))).toThrow(
      EventContractError,
    );
  });

  it('Vehicle.Alert.*: the trigger is a Tesla alert or a rule, nothing in between', () => {
    const raised = makeDetail('Vehicle.Alert.Raised');
    expect(() =>
      validateDetail('Vehicle.Alert.Raised', {
        ...raised,
        trigger: { kind: 'tesla', alertName: 'BMS_a066_SW_Over_Current', audiences: ['Customer', 7] },
        signals: {},
      }),
    ).not.toThrow();
    expect(
      contractError('Vehicle.Alert.Raised', {
        ...raised,
        trigger: { kind: 'rule', alertName: 'x', audiences: [] },
      })
        .issues.map((issue) => issue.path)
        .sort(),
    ).toEqual(['trigger', 'trigger.ruleId', 'trigger.ruleName']);
    expect(contractError('Vehicle.Alert.Raised', { ...raised, severity: 'fatal' }).issues[0]?.path).toBe(
      'severity',
    );
  });

  it('Trip.Ended: the route is an encoded polyline of bounded size', () => {
    const trip = makeDetail('Trip.Ended');
    expect(
      contractError('Trip.Ended', { ...trip, route: { ...trip.route, polyline: 'abc def' } }).message,
    ).toContain('route.polyline: must be an encoded polyline');
    expect(
      contractError('Trip.Ended', { ...trip, route: { ...trip.route, pointCount: 501 } }).issues[0]?.path,
    ).toBe('route.pointCount');
    expect(
      contractError('Trip.Ended', { ...trip, route: { ...trip.route, precision: 6 } }).issues[0]?.path,
    ).toBe('route.precision');
  });

  it('Command.Authorized: approval by someone else, approver and time together', () => {
    const authorized = makeDetail('Command.Authorized');
    expect(
      contractError('Command.Authorized', { ...authorized, approvedBy: authorized.requestedBy }).issues,
    ).toEqual([{ path: 'approvedBy', code: 'custom', message: 'must be another user than requestedBy' }]);
    expect(contractError('Command.Authorized', { ...authorized, approvedAt: null }).issues[0]?.path).toBe(
      'approvedAt',
    );
    expect(() =>
      validateDetail('Command.Authorized', { ...authorized, approvedBy: null, approvedAt: null }),
    ).not.toThrow();
  });

  it('Command.*: requestedBy is a user id, never a VIN; command names and execution ARNs are checked', () => {
    for (const detailType of ALL_DETAIL_TYPES.filter((type) => type.startsWith('Command.'))) {
      expect(
        contractError(detailType, makeRawDetail(detailType, { requestedBy: SAMPLE_VIN })).issues,
      ).toEqual([
        expect.objectContaining({
          path: 'requestedBy',
          message: expect.stringContaining('shaped like a VIN'),
        }),
      ]);
      expect(
        contractError(detailType, makeRawDetail(detailType, { command: 'Door Lock' })).issues[0]?.path,
      ).toBe('command');
      expect(
        contractError(
          detailType,
          makeRawDetail(detailType, { executionArn: 'arn:aws:lambda:us-east-1:1:function:x' }),
        ).issues[0]?.path,
      ).toBe('executionArn');
    }
  });

  it('Command.ApprovalRequested carries no task token', () => {
    const detail = makeRawDetail('Command.ApprovalRequested', { taskToken: 'AAAA' });
    expect(contractError('Command.ApprovalRequested', detail).message).toContain('unknown field "taskToken"');
  });
});

describe('toPutEventsEntry', () => {
  it('builds the entry from a valid detail: source from the catalog, Time from occurredAt', () => {
    const detail = makeDetail('Charging.Ended');
    const entry = toPutEventsEntry('fleetwire', 'Charging.Ended', detail, ['arn:aws:states:us-east-1:1:x']);
    expect(entry).toEqual({
      EventBusName: 'fleetwire',
      Source: 'fleetwire.charging',
      DetailType: 'Charging.Ended',
      Detail: JSON.stringify(detail),
      Time: new Date('2025-03-14T09:13:40.020Z'),
      Resources: ['arn:aws:states:us-east-1:1:x'],
    });
    expect(JSON.parse(entry.Detail)).toEqual(detail);
    expect(toPutEventsEntry('fleetwire', 'Charging.Ended', detail).Resources).toEqual([]);
  });

  it('writes Detail keys in schema order, whatever order the producer used', () => {
    const detail = makeDetail('Geofence.Entered');
    const reversed = Object.fromEntries(Object.entries(detail).reverse()) as DetailOf<'Geofence.Entered'>;
    expect(toPutEventsEntry('fleetwire', 'Geofence.Entered', reversed).Detail).toBe(JSON.stringify(detail));
  });

  it('validates first and publishes nothing that breaks the contract', () => {
    const detail = { ...makeDetail('Trip.Started'), vehicleId: SAMPLE_VIN };
    expect(() => toPutEventsEntry('fleetwire', 'Trip.Started', detail)).toThrow(
      /Trip\.Started detail breaks its contract.*vehicleId/,
    );
  });

  it('fits the AWS SDK PutEvents entry type', () => {
    expectTypeOf<PutEventsEntry>().toExtend<PutEventsRequestEntry>();
    const entries: PutEventsRequestEntry[] = [
      toPutEventsEntry('fleetwire', 'Trip.Started', makeDetail('Trip.Started')),
    ];
    expect(entries).toHaveLength(1);
  });
});

describe('parseEvent', () => {
  it('parses what a rule target receives, typed by detail-type', () => {
    const event = parseEvent(makeEvent('Trip.Ended'));
    expect(event['detail-type']).toBe('Trip.Ended');
    if (event['detail-type'] === 'Trip.Ended') expect(event.detail.distanceKm).toBe(21.7);
  });

  it('tolerates envelope fields EventBridge adds (replay-name), not detail fields', () => {
    expect(() => parseEvent({ ...makeEvent('Trip.Started'), 'replay-name': 'replay-1' })).not.toThrow();
    const event = makeEvent('Trip.Started');
    expect(() => parseEvent({ ...event, detail: { ...event.detail, extra: 1 } })).toThrow(
      /detail: unknown field "extra"/,
    );
  });

  it('refuses a source that does not match the detail-type, and a non-event', () => {
    expect(() => parseEvent(makeEvent('Trip.Started', undefined, { source: 'fleetwire.charging' }))).toThrow(
      /Trip\.Started event breaks its contract.*source/,
    );
    expect(() => parseEvent({ hello: 'world' })).toThrow(EventContractError);
    expect(() => parseEvent({ ...makeEvent('Trip.Started'), 'detail-type': 'Trip.Paused' })).toThrow(
      UnknownDetailTypeError,
    );
  });
});
