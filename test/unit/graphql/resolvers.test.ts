import { describe, expect, it } from 'vitest';
import { RESOLVERS } from '../../../src/graphql/resolvers/manifest.ts';
import {
  contextFor,
  EVENTBRIDGE,
  OTHER_VEHICLE_ID,
  run,
  runBoth,
  user,
  VEHICLE_ID,
  VIN,
} from './resolver-harness.ts';

const READERS = ['viewer', 'dispatcher', 'admin', 'auditor'];
const ROLES = ['viewer', 'dispatcher', 'admin', 'auditor'] as const;

/** Who may call what (DESIGN.md §5): the specification the resolvers are checked against. */
const ACCESS: Readonly<Record<string, readonly string[] | 'iam' | 'any user'>> = {
  'Query.me': 'any user',
  'Query.vehicles': READERS,
  'Query.vehicle': READERS,
  'Query.fleetState': READERS,
  'Query.vehiclesNear': READERS,
  'Query.telemetryHistory': READERS,
  'Query.trips': READERS,
  'Query.chargingSessions': READERS,
  'Query.alerts': READERS,
  'Query.geofences': READERS,
  'Query.alertRules': READERS,
  'Query.tenantSettings': READERS,
  'Query.command': READERS,
  'Query.commands': READERS,
  'Query.commandAudit': ['auditor', 'admin'],
  'Vehicle.state': READERS,
  'Mutation.registerVehicle': ['admin'],
  'Mutation.sendCommand': ['dispatcher', 'admin'],
  'Mutation.decideCommand': ['admin'],
  'Mutation.acknowledgeAlert': ['dispatcher', 'admin'],
  'Mutation.createGeofence': ['admin'],
  'Mutation.updateGeofence': ['admin'],
  'Mutation.deleteGeofence': ['admin'],
  'Mutation.createAlertRule': ['admin'],
  'Mutation.updateAlertRule': ['admin'],
  'Mutation.deleteAlertRule': ['admin'],
  'Mutation.updateTenantSettings': ['admin'],
  'Query.webhooks': ['admin'],
  'Mutation.createWebhook': ['admin'],
  'Mutation.deleteWebhook': ['admin'],
  'Mutation.rotateWebhookSecret': ['admin'],
  'Mutation.publishFleetUpdate': 'iam',
  'Mutation.publishAlert': 'iam',
  'Mutation.publishCommandUpdate': 'iam',
  'Subscription.onFleetUpdate': READERS,
  'Subscription.onAlert': READERS,
  'Subscription.onCommandUpdate': READERS,
};

const FLEET_UPDATE = {
  tenantId: 'acme',
  occurredAt: '2025-03-14T09:26:53.589Z',
  vehicles: [{ vehicleId: VEHICLE_ID, at: '2025-03-14T09:26:53.120Z', signals: { VehicleSpeed: 72.4 } }],
};
const ALERT = {
  tenantId: 'acme',
  occurredAt: '2025-03-14T09:27:01.250Z',
  vehicleId: VEHICLE_ID,
  alertId: 'alr_01JPA3W9Q8ZK4T7R2M5N6B8C0D',
  status: 'raised',
  severity: 'warning',
  trigger: { kind: 'rule', ruleId: 'rule-speeding', ruleName: 'Speeding' },
  message: 'VehicleSpeed 72.4 km/h is above 60 km/h',
  startedAt: '2025-03-14T09:26:53.120Z',
  signals: { VehicleSpeed: 72.4 },
};
const COMMAND_UPDATE = {
  tenantId: 'acme',
  commandId: 'cmd_01',
  vehicleId: VEHICLE_ID,
  command: 'door_lock',
  status: 'requested',
  occurredAt: '2025-03-14T10:00:00.000Z',
  requestedBy: 'user-1',
};

/** Valid arguments (and parent) of each field, so that only the caller decides the outcome. */
const CALLS: Readonly<Record<string, { args?: Record<string, unknown>; source?: unknown }>> = {
  'Query.vehicle': { args: { id: VEHICLE_ID } },
  'Query.vehiclesNear': { args: { center: { latitude: 52.52, longitude: 13.4 }, radiusMeters: 500 } },
  'Query.telemetryHistory': { args: { vehicleId: VEHICLE_ID } },
  'Query.command': { args: { id: 'cmd_01' } },
  'Query.commandAudit': { args: { commandId: 'cmd_01' } },
  'Vehicle.state': { source: { id: VEHICLE_ID } },
  'Mutation.registerVehicle': { args: { input: { vin: VIN } } },
  'Mutation.sendCommand': { args: { input: { vehicleId: VEHICLE_ID, command: 'door_lock' } } },
  'Mutation.decideCommand': { args: { input: { commandId: 'cmd_01', decision: 'approve' } } },
  'Mutation.acknowledgeAlert': { args: { alertId: 'alr_01' } },
  'Mutation.createGeofence': {
    args: {
      input: {
        name: 'Depot',
        kind: 'circle',
        center: { latitude: 52.5, longitude: 13.4 },
        radiusMeters: 200,
      },
    },
  },
  'Mutation.updateGeofence': { args: { input: { id: 'geo_01', name: 'Yard' } } },
  'Mutation.deleteGeofence': { args: { id: 'geo_01' } },
  'Mutation.createAlertRule': {
    args: {
      input: {
        name: 'Speeding',
        severity: 'warning',
        condition: { signal: 'VehicleSpeed', operator: 'gt', value: 120 },
      },
    },
  },
  'Mutation.updateAlertRule': { args: { input: { id: 'rule_01', enabled: false } } },
  'Mutation.deleteAlertRule': { args: { id: 'rule_01' } },
  'Mutation.updateTenantSettings': { args: { input: { timeZone: 'Europe/Berlin' } } },
  'Mutation.createWebhook': {
    args: { input: { url: 'https://example.com/hook', detailTypes: ['Trip.Ended', 'Command.*'] } },
  },
  'Mutation.deleteWebhook': { args: { id: 'wh_01' } },
  'Mutation.rotateWebhookSecret': { args: { id: 'wh_01' } },
  'Mutation.publishFleetUpdate': { args: { input: FLEET_UPDATE } },
  'Mutation.publishAlert': { args: { input: ALERT } },
  'Mutation.publishCommandUpdate': { args: { input: COMMAND_UPDATE } },
};

const callAs = (key: string, identity: Record<string, unknown> | null) =>
  run(key, 'request', contextFor(key, { identity, ...CALLS[key] }));

const keys = RESOLVERS.map((r) => `${r.typeName}.${r.fieldName}`);

describe('role checks', () => {
  it('the access table covers every resolver of the manifest', () => {
    expect(Object.keys(ACCESS).sort()).toEqual([...keys].sort());
  });

  const userCases = keys.flatMap((key) => [...ROLES, 'no role'].map((role) => [key, role] as const));
  it.each(userCases)('%s as %s', (key, role) => {
    // act
    const outcome = callAs(key, user('acme', role === 'no role' ? [] : [role]));
    // assess
    const access = ACCESS[key]!;
    const mayCall = access === 'any user' || (access !== 'iam' && access.includes(role));
    if (key === 'Mutation.sendCommand' && !mayCall && role !== 'no role') {
      // A reader's command goes through the workflow (which denies and audits it), then is refused.
      const ctx = contextFor(key, { identity: user('acme', [role]), ...CALLS[key] });
      const { request, response } = runBoth(key, ctx, { data: { id: 'cmd_01', status: 'requested' } });
      expect(request.kind).toBe('value');
      expect(response).toMatchObject({ kind: 'error', errorType: 'Unauthorized' });
      const message = (response as { message: string }).message;
      expect(message).toContain(`${key} needs one of the roles ${(access as string[]).join(', ')}`);
      expect(message).toContain('The attempt is recorded as command cmd_01 (denied).');
    } else if (mayCall) {
      expect(outcome.kind === 'error' ? outcome.errorType : null).not.toBe('Unauthorized');
    } else if (access === 'iam') {
      expect(outcome).toEqual({
        kind: 'error',
        errorType: 'Unauthorized',
        message: `Not Authorized to access ${key.split('.')[1]} on type ${key.split('.')[0]}`,
      });
    } else {
      expect(outcome).toMatchObject({ kind: 'error', errorType: 'Unauthorized' });
      const message = (outcome as { message: string }).message;
      expect(message).toContain(`${key} needs one of the roles ${access.join(', ')}`);
      expect(message).toContain(role === 'no role' ? 'no Fleetwire role' : `the role(s) ${role}`);
    }
  });

  it.each(keys)('%s refuses or serves IAM callers as the schema says', (key) => {
    const outcome = callAs(key, EVENTBRIDGE);
    if (ACCESS[key] === 'iam') expect(outcome.kind).toBe('value');
    else {
      const [typeName, fieldName] = key.split('.');
      expect(outcome).toEqual({
        kind: 'error',
        errorType: 'Unauthorized',
        message: `Not Authorized to access ${fieldName} on type ${typeName}`,
      });
    }
  });

  it('reads roles from cognito:groups, the groups of the identity, or a roles claim (array or list string)', () => {
    const fromRolesClaim = user('acme', [], { roles: 'viewer, dispatcher' });
    const fromArrayClaim = user('acme', [], { roles: ['dispatcher'] });
    const unknownOnly = user('acme', ['fleet-managers'], { roles: 'superuser' });
    expect(callAs('Mutation.sendCommand', fromRolesClaim)).toMatchObject({
      kind: 'value',
      value: { payload: { caller: { roles: ['viewer', 'dispatcher'] } } },
    });
    expect(callAs('Mutation.sendCommand', fromArrayClaim)).toMatchObject({
      kind: 'value',
      value: { payload: { caller: { roles: ['dispatcher'] } } },
    });
    expect(callAs('Query.me', fromRolesClaim)).toMatchObject({
      kind: 'value',
      value: { payload: { tenantId: 'acme', roles: ['viewer', 'dispatcher'] } },
    });
    expect(callAs('Query.vehicles', unknownOnly)).toMatchObject({ errorType: 'Unauthorized' });
  });
});

describe('tenant pinning', () => {
  it('refuses a token without a tenant, or with a tenant id that is not one', () => {
    for (const key of ['Query.vehicles', 'Query.me', 'Subscription.onFleetUpdate']) {
      expect(callAs(key, user(undefined, ['admin']))).toEqual({
        kind: 'error',
        errorType: 'Unauthorized',
        message: expect.stringContaining('no custom:tenantId claim'),
      });
      for (const bad of ['', 'a}b', 'acme tenant', '-acme', 'x'.repeat(65)]) {
        expect(callAs(key, user(bad, ['admin']))).toMatchObject({ kind: 'error', errorType: 'Unauthorized' });
      }
    }
  });

  it('keys the vehicles query by the token tenant; arguments cannot name another', () => {
    const outcome = run(
      'Query.vehicles',
      'request',
      contextFor('Query.vehicles', {
        identity: user('acme', ['viewer']),
        args: { tenantId: 'globex', limit: 10 },
      }),
    );
    expect(outcome).toEqual({
      kind: 'value',
      filter: undefined,
      value: {
        operation: 'Query',
        index: 'byTenant',
        query: {
          expression: '#tenant = :tenant',
          expressionNames: { '#tenant': 'tenantId' },
          expressionValues: { ':tenant': { S: 'acme' } },
        },
        limit: 10,
        nextToken: null,
      },
    });
  });

  it('answers null for a vehicle of another tenant, exactly as for a missing one', () => {
    const ctx = () =>
      contextFor('Query.vehicle', { identity: user('acme', ['viewer']), args: { id: VEHICLE_ID } });
    const item = (tenantId: string) => ({
      vehicleId: VEHICLE_ID,
      tenantId,
      name: 'Truck',
      registeredAt: '2025-01-01T00:00:00.000Z',
    });
    expect(runBoth('Query.vehicle', ctx(), item('globex')).response).toMatchObject({
      kind: 'value',
      value: null,
    });
    expect(runBoth('Query.vehicle', ctx(), null).response).toMatchObject({ kind: 'value', value: null });
    expect(runBoth('Query.vehicle', ctx(), item('acme')).response).toMatchObject({
      kind: 'value',
      value: { id: VEHICLE_ID, name: 'Truck', registeredAt: '2025-01-01T00:00:00.000Z' },
    });
  });

  it('reads state under the token tenant, whatever the parent object says', () => {
    const outcome = run(
      'Vehicle.state',
      'request',
      contextFor('Vehicle.state', {
        identity: user('acme', ['viewer']),
        source: { id: OTHER_VEHICLE_ID, tenantId: 'globex' },
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'value',
      value: {
        operation: 'Invoke',
        payload: { operation: 'vehicleState', tenantId: 'acme', vehicleId: OTHER_VEHICLE_ID },
      },
    });
  });

  it('registers vehicles to the token tenant and hands the VIN on untouched', () => {
    const outcome = callAs('Mutation.registerVehicle', user('acme', ['admin']));
    expect(outcome).toMatchObject({
      kind: 'value',
      value: { operation: 'Invoke', payload: { tenantId: 'acme', vin: VIN, name: null } },
    });
  });
});

describe('subscription filters', () => {
  const subscribe = (key: string, identity: Record<string, unknown>, args: Record<string, unknown> = {}) => {
    const ctx = contextFor(key, { identity, args });
    return runBoth(key, ctx, null);
  };
  const tenantOnly = (tenant: string) => ({
    filterGroup: [{ filters: [{ fieldName: 'tenantId', operator: 'eq', value: tenant }] }],
  });

  it.each(['Subscription.onFleetUpdate', 'Subscription.onAlert', 'Subscription.onCommandUpdate'])(
    '%s is pinned to the caller tenant',
    (key) => {
      const { response } = subscribe(key, user('acme', ['viewer']), { tenantId: 'globex' });
      expect(response).toEqual({ kind: 'value', value: null, filter: tenantOnly('acme') });
    },
  );

  it('narrows with the optional arguments, ANDed with the tenant', () => {
    expect(
      subscribe('Subscription.onAlert', user('acme', ['viewer']), {
        vehicleId: VEHICLE_ID,
        severity: 'critical',
      }).response,
    ).toMatchObject({
      filter: {
        filterGroup: [
          {
            filters: [
              { fieldName: 'tenantId', operator: 'eq', value: 'acme' },
              { fieldName: 'vehicleId', operator: 'eq', value: VEHICLE_ID },
              { fieldName: 'severity', operator: 'eq', value: 'critical' },
            ],
          },
        ],
      },
    });
    expect(
      subscribe('Subscription.onCommandUpdate', user('acme', ['viewer']), { commandId: 'cmd_9' }).response,
    ).toMatchObject({
      filter: {
        filterGroup: [
          {
            filters: [
              { fieldName: 'tenantId', operator: 'eq', value: 'acme' },
              { fieldName: 'commandId', operator: 'eq', value: 'cmd_9' },
            ],
          },
        ],
      },
    });
  });

  it('refuses a malformed vehicle id before subscribing', () => {
    expect(
      subscribe('Subscription.onAlert', user('acme', ['viewer']), { vehicleId: VIN }).request,
    ).toMatchObject({
      kind: 'error',
      errorType: 'BadRequest',
      message: expect.stringContaining('looks like a VIN'),
    });
  });
});

describe('publish mutations', () => {
  it('pass the event through for the tenant it names', () => {
    expect(callAs('Mutation.publishFleetUpdate', EVENTBRIDGE)).toMatchObject({
      kind: 'value',
      value: { payload: FLEET_UPDATE },
    });
    expect(callAs('Mutation.publishAlert', EVENTBRIDGE)).toMatchObject({
      kind: 'value',
      value: {
        payload: {
          id: ALERT.alertId,
          tenantId: 'acme',
          status: 'raised',
          endedAt: null,
          acknowledgedBy: null,
        },
      },
    });
  });

  it('refuse an input tenant that is not a tenant id', () => {
    const ctx = contextFor('Mutation.publishFleetUpdate', {
      identity: EVENTBRIDGE,
      args: { input: { ...FLEET_UPDATE, tenantId: 'acme}:x' } },
    });
    expect(run('Mutation.publishFleetUpdate', 'request', ctx)).toMatchObject({
      kind: 'error',
      errorType: 'BadRequest',
      message: expect.stringContaining('input.tenantId must be a tenant id'),
    });
  });
});

describe('input checks', () => {
  const admin = user('acme', ['admin']);
  const cases: [string, Record<string, unknown>, string][] = [
    ['Query.vehicles', { limit: 101 }, 'limit must be between 1 and 100; got 101.'],
    ['Query.fleetState', { limit: 0 }, 'limit must be between 1 and 1000; got 0.'],
    [
      'Query.vehicle',
      { id: 'abc' },
      'id must be a vehicle id: 22 characters of A-Z a-z 0-9 _ -; got 3 characters.',
    ],
    ['Query.vehicle', { id: VIN.toLowerCase() }, 'id looks like a VIN.'],
    [
      'Query.trips',
      { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' },
      'from must not be after to.',
    ],
    [
      'Query.vehiclesNear',
      { center: { latitude: 91, longitude: 0 }, radiusMeters: 10 },
      'center.latitude must be between -90 and 90; got 91.',
    ],
    [
      'Query.vehiclesNear',
      { center: { latitude: 0, longitude: 0 }, radiusMeters: 0 },
      'radiusMeters must be between 1 and 1000000; got 0.',
    ],
    [
      'Query.commandAudit',
      { commandId: 'a b' },
      'commandId must be an id: 1-80 characters of A-Z a-z 0-9 _ -; got 3 characters.',
    ],
    [
      'Mutation.sendCommand',
      { input: { vehicleId: VEHICLE_ID, command: 'Door-Lock' } },
      'input.command must be a Fleet API command',
    ],
    [
      'Mutation.sendCommand',
      { input: { vehicleId: VEHICLE_ID, command: 'set_charge_limit', parameters: [80] } },
      'input.parameters must be a JSON object',
    ],
    [
      'Mutation.createGeofence',
      { input: { name: 'Depot', kind: 'circle' } },
      'A circle geofence needs input.center and input.radiusMeters.',
    ],
    [
      'Mutation.createGeofence',
      { input: { name: ' ', kind: 'polygon' } },
      'input.name must be 1-128 characters and not blank.',
    ],
    [
      'Mutation.createGeofence',
      { input: { name: 'Yard', kind: 'polygon', polygon: [{ latitude: 0, longitude: 0 }] } },
      'input.polygon must have 3 to 100 corners; got 1.',
    ],
    [
      'Mutation.createAlertRule',
      {
        input: {
          name: 'x',
          severity: 'info',
          condition: { signal: 'Vehicle Speed', operator: 'gt', value: 1 },
        },
      },
      'input.condition.signal must be a Tesla field name',
    ],
  ];
  it.each(cases)('%s %j → BadRequest', (key, args, message) => {
    expect(run(key, 'request', contextFor(key, { identity: admin, args }))).toEqual({
      kind: 'error',
      errorType: 'BadRequest',
      message: expect.stringContaining(message),
    });
  });

  it('never repeats a rejected value in the message', () => {
    const outcome = run(
      'Query.vehicle',
      'request',
      contextFor('Query.vehicle', { identity: admin, args: { id: VIN } }),
    );
    expect(JSON.stringify(outcome)).not.toContain(VIN);
  });
});

describe('data source outcomes', () => {
  it("turns a function's expected failure into its error type and message", () => {
    const ctx = contextFor('Mutation.registerVehicle', {
      identity: user('acme', ['admin']),
      args: { input: { vin: 'x' } },
    });
    const { response } = runBoth('Mutation.registerVehicle', ctx, {
      error: { type: 'BadRequest', message: 'a VIN is 17 characters …; got 1 characters' },
    });
    expect(response).toEqual({
      kind: 'error',
      errorType: 'BadRequest',
      message: 'a VIN is 17 characters …; got 1 characters',
    });
  });

  it('hides a failed invocation behind InternalFailure', () => {
    const ctx = contextFor('Query.fleetState', {
      identity: user('acme', ['viewer']),
      error: { type: 'Lambda:Unhandled', message: 'connect ECONNREFUSED 10.0.3.7:6379' },
    });
    expect(run('Query.fleetState', 'response', ctx)).toEqual({
      kind: 'error',
      errorType: 'InternalFailure',
      message: 'Reading the fleet state failed; try again.',
    });
  });

  it('blames a foreign nextToken on the client', () => {
    const ctx = contextFor('Query.vehicles', {
      identity: user('acme', ['viewer']),
      args: { nextToken: 'bogus' },
      error: { type: 'DynamoDB:ValidationException', message: 'The provided starting key is invalid' },
    });
    expect(run('Query.vehicles', 'response', ctx)).toMatchObject({ kind: 'error', errorType: 'BadRequest' });
  });

  it("queries the records tables by the caller's tenant, newest first, without expired items", () => {
    for (const key of ['Query.trips', 'Query.chargingSessions', 'Query.alerts']) {
      const ctx = contextFor(key, { identity: user('acme', ['viewer']) });
      const request = runBoth(key, ctx, { items: [], nextToken: null }).request as {
        value: Record<string, unknown>;
      };
      expect(request.value).toMatchObject({
        operation: 'Query',
        scanIndexForward: false,
        query: { expressionValues: { ':pk': { S: 'acme' } } },
        filter: { expression: '(attribute_not_exists(#ttl) OR #ttl > :now)' },
      });
    }
  });
});
