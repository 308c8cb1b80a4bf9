import { describe, expect, it } from 'vitest';
import {
  createFleetConfig,
  MAX_ALERT_RULES_PER_TENANT,
  MAX_GEOFENCES_PER_TENANT,
} from '../../../src/functions/fleet-config/fleet-config.ts';
import {
  ConfigItemNotFoundError,
  VersionConflictError,
  type StoredAlertRule,
  type StoredGeofence,
  type StoredMeta,
  type StoredTenantSettings,
  type TenantConfigStore,
  type TenantItemStore,
} from '../../../src/ports/tenant-config-store.ts';

/** An in-memory fake of the store port, with the same conditional-write semantics as the DynamoDB adapter. */
class MemoryItemStore<T extends StoredMeta> implements TenantItemStore<T> {
  readonly items = new Map<string, T>();
  constructor(private readonly idOf: (item: T) => string) {}
  private key = (tenantId: string, id: string) => `${tenantId}/${id}`;
  async list(tenantId: string) {
    return [...this.items.values()].filter((item) => item.tenantId === tenantId);
  }
  async count(tenantId: string) {
    return (await this.list(tenantId)).length;
  }
  async get(tenantId: string, id: string) {
    return this.items.get(this.key(tenantId, id));
  }
  async create(item: T) {
    const key = this.key(item.tenantId, this.idOf(item));
    if (this.items.has(key)) throw new VersionConflictError('taken');
    this.items.set(key, item);
  }
  async replace(item: T, expectedVersion: number) {
    const key = this.key(item.tenantId, this.idOf(item));
    const stored = this.items.get(key);
    if (!stored) throw new ConfigItemNotFoundError('gone');
    if (stored.version !== expectedVersion) throw new VersionConflictError('changed');
    this.items.set(key, item);
  }
  async delete(tenantId: string, id: string) {
    if (!this.items.delete(this.key(tenantId, id))) throw new ConfigItemNotFoundError('none');
  }
}

class MemoryStore implements TenantConfigStore {
  readonly geofences = new MemoryItemStore<StoredGeofence>((g) => g.geofenceId);
  readonly alertRules = new MemoryItemStore<StoredAlertRule>((r) => r.ruleId);
  readonly settings = new Map<string, StoredTenantSettings>();
  async getSettings(tenantId: string) {
    return this.settings.get(tenantId);
  }
  async putSettings(settings: StoredTenantSettings, expectedVersion: number) {
    if ((this.settings.get(settings.tenantId)?.version ?? 0) !== expectedVersion)
      throw new VersionConflictError('changed');
    this.settings.set(settings.tenantId, settings);
  }
}

const admin = (tenantId = 'acme') => ({ userId: 'u-admin', tenantId, roles: ['admin'] });
const viewer = (tenantId = 'acme') => ({ userId: 'u-viewer', tenantId, roles: ['viewer'] });

function makeFleetConfig() {
  const store = new MemoryStore();
  let n = 0;
  const fleetConfig = createFleetConfig({
    store,
    now: () => '2030-01-01T00:00:00.000Z',
    mintId: (prefix) => `${prefix}_${++n}`,
  });
  return { store, fleetConfig };
}

const circle = {
  name: 'Depot',
  kind: 'circle',
  center: { latitude: 52.5, longitude: 13.4 },
  radiusMeters: 200,
};
const square = {
  name: 'Yard',
  kind: 'polygon',
  polygon: [
    { latitude: 52.5, longitude: 13.4 },
    { latitude: 52.5, longitude: 13.41 },
    { latitude: 52.51, longitude: 13.41 },
    { latitude: 52.51, longitude: 13.4 },
  ],
};
const speeding = {
  name: 'Speeding',
  severity: 'warning',
  condition: { signal: 'VehicleSpeed', operator: 'gt', value: 120, clearValue: 110 },
  forSeconds: 60,
};

describe('FleetConfig geofences', () => {
  it('creates a circle and a polygon with minted ids and version 1', async () => {
    // prepare
    const { fleetConfig, store } = makeFleetConfig();
    // act
    const a = await fleetConfig({ operation: 'createGeofence', caller: admin(), input: circle });
    const b = await fleetConfig({ operation: 'createGeofence', caller: admin(), input: square });
    // assess
    expect(a).toEqual({
      data: {
        id: 'geo_1',
        name: 'Depot',
        kind: 'circle',
        center: { latitude: 52.5, longitude: 13.4 },
        radiusMeters: 200,
        polygon: null,
        version: 1,
        createdAt: '2030-01-01T00:00:00.000Z',
        updatedAt: '2030-01-01T00:00:00.000Z',
      },
    });
    expect(b).toMatchObject({ data: { id: 'geo_2', kind: 'polygon', center: null } });
    expect(await store.geofences.count('acme')).toBe(2);
  });

  it.each([
    [{ ...circle, radiusMeters: 5 }, 'input.radiusMeters must be 10–100000; got 5.'],
    [{ ...circle, radiusMeters: 200_000 }, 'input.radiusMeters must be 10–100000; got 200000.'],
    [
      { name: 'C', kind: 'circle', radiusMeters: 50 },
      'A circle geofence needs input.center and input.radiusMeters.',
    ],
    [
      { ...square, polygon: [square.polygon[0], square.polygon[0], square.polygon[1], square.polygon[0]] },
      'input.polygon must have at least 3 distinct vertices; got 2.',
    ],
    [{ ...square, polygon: square.polygon.slice(0, 2) }, 'input.polygon must have 3 to 100 corners; got 2.'],
    [
      { ...square, polygon: [{ latitude: 95, longitude: 0 }, ...square.polygon.slice(1)] },
      'input.polygon[0].latitude must be between -90 and 90; got 95.',
    ],
    [{ ...circle, name: '  ' }, 'input.name must be 1-128 characters and not blank.'],
    [{ name: 'P', kind: 'polygon' }, 'A polygon geofence needs input.polygon.'],
  ])('refuses %j: %s', async (input, message) => {
    const { fleetConfig } = makeFleetConfig();
    expect(await fleetConfig({ operation: 'createGeofence', caller: admin(), input })).toEqual({
      error: { type: 'BadRequest', message },
    });
  });

  it('stores a closed polygon ring open, as the detector reads it', async () => {
    const { fleetConfig } = makeFleetConfig();
    const ring = { ...square, polygon: [...square.polygon, square.polygon[0]] };
    const result = await fleetConfig({ operation: 'createGeofence', caller: admin(), input: ring });
    expect((result as { data: { polygon: unknown[] } }).data.polygon).toHaveLength(4);
  });

  it('refuses a geofence beyond the per-tenant limit, with a clear error', async () => {
    // prepare
    const { fleetConfig, store } = makeFleetConfig();
    for (let i = 0; i < MAX_GEOFENCES_PER_TENANT; i++) {
      await store.geofences.create({
        tenantId: 'acme',
        geofenceId: `g${i}`,
        name: 'x',
        shape: { kind: 'circle', center: { latitude: 0, longitude: 0 }, radiusMeters: 50 },
        version: 1,
        createdAt: '',
        updatedAt: '',
      });
    }
    // act
    const result = await fleetConfig({ operation: 'createGeofence', caller: admin(), input: circle });
    const other = await fleetConfig({ operation: 'createGeofence', caller: admin('globex'), input: circle });
    // assess
    expect(result).toEqual({
      error: {
        type: 'LimitExceeded',
        message: 'This tenant has 500 geofences, the most it may have (500); delete one first.',
      },
    });
    expect(other).toHaveProperty('data');
  });

  it('updates with optimistic concurrency: a stale expectedVersion is a Conflict', async () => {
    // prepare
    const { fleetConfig } = makeFleetConfig();
    await fleetConfig({ operation: 'createGeofence', caller: admin(), input: circle });
    // act
    const first = await fleetConfig({
      operation: 'updateGeofence',
      caller: admin(),
      input: { id: 'geo_1', radiusMeters: 300, expectedVersion: 1 },
    });
    const stale = await fleetConfig({
      operation: 'updateGeofence',
      caller: admin(),
      input: { id: 'geo_1', name: 'Old', expectedVersion: 1 },
    });
    // assess
    expect(first).toMatchObject({ data: { radiusMeters: 300, center: circle.center, version: 2 } });
    expect(stale).toEqual({
      error: { type: 'Conflict', message: 'The geofence is at version 2, not 1: read it again and retry.' },
    });
  });

  it("cannot see or change another tenant's geofence", async () => {
    const { fleetConfig } = makeFleetConfig();
    await fleetConfig({ operation: 'createGeofence', caller: admin(), input: circle });
    const update = await fleetConfig({
      operation: 'updateGeofence',
      caller: admin('globex'),
      input: { id: 'geo_1', name: 'Mine' },
    });
    const remove = await fleetConfig({ operation: 'deleteGeofence', caller: admin('globex'), id: 'geo_1' });
    expect(update).toMatchObject({ error: { type: 'NotFound' } });
    expect(remove).toMatchObject({ error: { type: 'NotFound' } });
  });

  it('refuses to delete a geofence an alert rule uses', async () => {
    const { fleetConfig } = makeFleetConfig();
    await fleetConfig({ operation: 'createGeofence', caller: admin(), input: circle });
    await fleetConfig({
      operation: 'createAlertRule',
      caller: admin(),
      input: {
        name: 'Night out',
        severity: 'critical',
        outsideGeofenceDuringHours: { geofenceId: 'geo_1', from: '22:00', to: '06:00' },
      },
    });
    expect(await fleetConfig({ operation: 'deleteGeofence', caller: admin(), id: 'geo_1' })).toEqual({
      error: {
        type: 'Conflict',
        message: 'Alert rule rule_2 uses this geofence: change or delete the rule first.',
      },
    });
  });
});

describe('FleetConfig alert rules', () => {
  it('creates a threshold rule in the detectors model and answers it as GraphQL', async () => {
    const { fleetConfig, store } = makeFleetConfig();
    const result = await fleetConfig({ operation: 'createAlertRule', caller: admin(), input: speeding });
    expect(result).toMatchObject({
      data: {
        id: 'rule_1',
        conditionKind: 'threshold',
        condition: { signal: 'VehicleSpeed', operator: 'gt', value: 120, clearValue: 110 },
        forSeconds: 60,
        clearForSeconds: 0,
        enabled: true,
        version: 1,
      },
    });
    expect((await store.alertRules.get('acme', 'rule_1'))?.condition).toEqual({
      kind: 'threshold',
      signal: 'VehicleSpeed',
      op: '>',
      value: 120,
      clearValue: 110,
    });
  });

  it.each([
    [
      { ...speeding, condition: { ...speeding.condition, operator: 'eq' } },
      'input.condition.operator eq is not supported: alert thresholds compare with lt, le, gt or ge.',
    ],
    [
      { ...speeding, condition: { ...speeding.condition, clearValue: 130 } },
      'Invalid alert rule: input.condition.clearValue: must be at or below value 120: the clear threshold lies past the raise threshold',
    ],
    [
      { ...speeding, condition: { ...speeding.condition, value: 'fast' } },
      "input.condition.value must be a number (in the signal's display unit).",
    ],
    [
      { name: 'x', severity: 'info' },
      'input needs one condition: condition, doorOpenWhileParked, tyrePressure or outsideGeofenceDuringHours.',
    ],
    [
      { ...speeding, tyrePressure: { belowBar: 2 } },
      'Give one condition, not input.condition and input.tyrePressure.',
    ],
    [
      { name: 'T', severity: 'info', tyrePressure: { belowBar: 2.5, clearAboveBar: 2 } },
      'Invalid alert rule: input.tyrePressure.clearAboveBar: must be at or above belowBar',
    ],
    [
      {
        name: 'N',
        severity: 'info',
        outsideGeofenceDuringHours: { geofenceId: 'g', from: '25:00', to: '06:00' },
      },
      'Invalid alert rule: input.outsideGeofenceDuringHours.from: must be a time of day HH:MM (00:00-23:59)',
    ],
    [
      {
        name: 'N',
        severity: 'info',
        outsideGeofenceDuringHours: { geofenceId: 'nope', from: '22:00', to: '06:00' },
      },
      'input.outsideGeofenceDuringHours.geofenceId names no geofence of this tenant.',
    ],
    [{ ...speeding, forSeconds: 90_000 }, 'input.forSeconds must be between 0 and 86400; got 90000.'],
  ])('refuses %j: %s', async (input, message) => {
    const { fleetConfig } = makeFleetConfig();
    expect(await fleetConfig({ operation: 'createAlertRule', caller: admin(), input })).toEqual({
      error: { type: 'BadRequest', message },
    });
  });

  it('refuses a rule beyond the per-tenant limit', async () => {
    const { fleetConfig, store } = makeFleetConfig();
    for (let i = 0; i < MAX_ALERT_RULES_PER_TENANT; i++) {
      await store.alertRules.create({
        tenantId: 'acme',
        ruleId: `r${i}`,
        name: 'x',
        severity: 'info',
        enabled: true,
        sustainSeconds: 0,
        clearSustainSeconds: 0,
        condition: { kind: 'doorOpenWhileParked', includeUnlocked: false },
        version: 1,
        createdAt: '',
        updatedAt: '',
      });
    }
    expect(
      await fleetConfig({ operation: 'createAlertRule', caller: admin(), input: speeding }),
    ).toMatchObject({
      error: { type: 'LimitExceeded', message: expect.stringContaining('200 alert rules') },
    });
  });

  it('updates a rule: a new condition replaces the old one, the rest is kept', async () => {
    const { fleetConfig } = makeFleetConfig();
    await fleetConfig({ operation: 'createAlertRule', caller: admin(), input: speeding });
    const result = await fleetConfig({
      operation: 'updateAlertRule',
      caller: admin(),
      input: { id: 'rule_1', doorOpenWhileParked: { includeUnlocked: true }, enabled: false },
    });
    expect(result).toMatchObject({
      data: {
        name: 'Speeding',
        enabled: false,
        conditionKind: 'doorOpenWhileParked',
        condition: null,
        doorOpenWhileParked: { includeUnlocked: true },
        forSeconds: 60,
        version: 2,
      },
    });
  });
});

describe('FleetConfig roles and settings', () => {
  it.each([
    ['createGeofence', { input: circle }],
    ['updateGeofence', { input: { id: 'geo_1', name: 'x' } }],
    ['deleteGeofence', { id: 'geo_1' }],
    ['createAlertRule', { input: speeding }],
    ['updateAlertRule', { input: { id: 'rule_1', enabled: false } }],
    ['deleteAlertRule', { id: 'rule_1' }],
    ['updateTenantSettings', { input: { timeZone: 'UTC' } }],
  ])('refuses %s to a viewer', async (operation, rest) => {
    const { fleetConfig } = makeFleetConfig();
    expect(await fleetConfig({ operation, caller: viewer(), ...rest })).toEqual({
      error: {
        type: 'Unauthorized',
        message: `Mutation.${operation} needs one of the roles admin; your token has the role(s) viewer.`,
      },
    });
  });

  it('answers the defaults, then the changed settings, to any role', async () => {
    // prepare
    const { fleetConfig } = makeFleetConfig();
    // act
    const before = await fleetConfig({ operation: 'tenantSettings', caller: viewer() });
    const updated = await fleetConfig({
      operation: 'updateTenantSettings',
      caller: admin(),
      input: { timeZone: 'Europe/Berlin', retentionDays: { trips: 90 }, expectedVersion: 0 },
    });
    const after = await fleetConfig({ operation: 'tenantSettings', caller: viewer() });
    // assess
    expect(before).toEqual({
      data: {
        timeZone: null,
        retentionDays: { telemetryHistory: 30, trips: 365, chargingSessions: 365, alerts: 180 },
        version: 0,
        updatedAt: null,
      },
    });
    expect(updated).toEqual(after);
    expect(after).toMatchObject({
      data: { timeZone: 'Europe/Berlin', retentionDays: { trips: 90, alerts: 180 }, version: 1 },
    });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'input.timeZone must be an IANA time zone such as Europe/Berlin or UTC.'],
    [
      { retentionDays: { alerts: 0 } },
      'input.retentionDays.alerts must be a whole number of days 1-3650; got 0.',
    ],
    [
      { retentionDays: { trips: 1.5 } },
      'input.retentionDays.trips must be a whole number of days 1-3650; got 1.5.',
    ],
  ])('refuses settings %j', async (input, message) => {
    const { fleetConfig } = makeFleetConfig();
    expect(await fleetConfig({ operation: 'updateTenantSettings', caller: admin(), input })).toEqual({
      error: { type: 'BadRequest', message },
    });
  });

  it('refuses a malformed event as BadRequest without throwing', async () => {
    const { fleetConfig } = makeFleetConfig();
    expect(await fleetConfig({ operation: 'dropTables', caller: admin() })).toMatchObject({
      error: { type: 'BadRequest' },
    });
  });
});
