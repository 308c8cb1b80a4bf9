import { describe, expect, it } from 'vitest';
import {
  FleetApiRateLimitedError,
  VehicleAsleepError,
} from '../../../../src/adapters/http/fleet-api-client.ts';
import { CommandStateConflictError } from '../../../../src/domain/commands/index.ts';
import { CommandDeniedDetailSchema } from '../../../../src/domain/events/catalog/commands.ts';
import { createApprovalFunction } from '../../../../src/functions/commands/approval/approval.ts';
import { createAuthorizeFunction } from '../../../../src/functions/commands/authorize/authorize.ts';
import { createCommandApi } from '../../../../src/functions/commands/command-api/command-api.ts';
import { createDispatchFunction } from '../../../../src/functions/commands/dispatch/dispatch.ts';
import type { AuditEntry, AuditLog } from '../../../../src/ports/audit-log.ts';
import type { CommandRecord, CommandStore } from '../../../../src/ports/command-store.ts';
import type { ApprovalDecisionOutput, CommandWorkflow } from '../../../../src/ports/command-workflow.ts';
import type { FleetApi, FleetApiCommandResult } from '../../../../src/ports/fleet-api.ts';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';
const caller = (userId: string, roles: string[], tenantId = 'acme') => ({ userId, tenantId, roles });
const vehicleItem = (tenantId: string) => ({
  Item: { vehicleId: { S: VEHICLE }, tenantId: { S: tenantId } },
});

describe('authorize', () => {
  const authorize = createAuthorizeFunction(() => NOW);
  const event = (overrides: Record<string, unknown>) => ({
    caller: caller('dana', ['dispatcher']),
    vehicleId: VEHICLE,
    vehicleItem: vehicleItem('acme'),
    command: 'door_lock',
    parameters: {},
    approvalTimeoutSeconds: 900,
    ...overrides,
  });

  it('allows a dispatcher to lock their vehicle, without an approval', async () => {
    expect(await authorize(event({}))).toMatchObject({
      decision: 'allow',
      sensitive: false,
      parameters: {},
      expiresAt: null,
      at: NOW.toISOString(),
    });
  });

  it('asks for an approval of a sensitive command, expiring after the timeout', async () => {
    const result = await authorize(event({ command: 'door_unlock' }));
    expect(result).toMatchObject({
      decision: 'allow',
      sensitive: true,
      expiresAt: '2030-01-01T00:15:00.000Z',
    });
    expect(result.auditDetails).toEqual({
      M: { approverRole: { S: 'admin' }, expiresAt: { S: '2030-01-01T00:15:00.000Z' } },
    });
  });

  it("denies another tenant's vehicle as missing, keeping the precise reason for the audit log", async () => {
    const result = await authorize(event({ vehicleItem: vehicleItem('globex') }));
    expect(result).toMatchObject({
      decision: 'deny',
      reason: 'VEHICLE_NOT_IN_TENANT',
      eventReason: 'vehicle_not_found',
    });
    // What the state machine builds Command.Denied from validates against the catalog.
    const detail = {
      version: 1,
      tenantId: 'acme',
      occurredAt: result.at,
      vehicleId: VEHICLE,
      commandId: 'cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2',
      command: 'door_lock',
      parameters: {},
      requestedBy: 'dana',
      executionArn:
        'arn:aws:states:us-east-1:000000000000:execution:fleetwire-vehicle-command:cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2',
      reason: result.eventReason,
      message: result.message,
      deniedBy: null,
    };
    expect(CommandDeniedDetailSchema.safeParse(detail).error?.issues ?? []).toEqual([]);
  });

  it('denies an unknown vehicle and a bad parameter', async () => {
    expect(await authorize(event({ vehicleItem: {} }))).toMatchObject({ reason: 'VEHICLE_NOT_FOUND' });
    expect(
      await authorize(event({ command: 'set_charge_limit', parameters: { percent: 120 } })),
    ).toMatchObject({ decision: 'deny', reason: 'INVALID_PARAMETERS', eventReason: 'invalid_parameters' });
  });
});

describe('approval', () => {
  it('stores the token, and fails when the command no longer waits', async () => {
    const stored: string[] = [];
    const approval = createApprovalFunction({
      setApprovalToken: async (id, token) => {
        if (id === 'gone') throw new CommandStateConflictError('not waiting');
        stored.push(`${id}:${token}`);
      },
    });
    const event = { commandId: 'cmd_1', tenantId: 'acme', expiresAt: NOW.toISOString(), taskToken: 't0k' };
    expect(await approval(event)).toEqual({ stored: true });
    expect(stored).toEqual(['cmd_1:t0k']);
    await expect(approval({ ...event, commandId: 'gone' })).rejects.toBeInstanceOf(CommandStateConflictError);
  });
});

/** A Fleet API whose vehicle sleeps until `wake_up` and `awakeAfterLooks` state checks. */
function fakeFleetApi(options: {
  asleep?: boolean;
  awakeAfterLooks?: number;
  answer?: FleetApiCommandResult;
  error?: Error;
}) {
  let asleep = options.asleep ?? false;
  let looks = 0;
  let woken = false;
  const calls: string[] = [];
  const api: FleetApi = {
    async sendCommand(vin, command) {
      calls.push(`command ${vin} ${command}`);
      if (options.error) throw options.error;
      if (asleep) throw new VehicleAsleepError(`${command}: the Fleet API answered 408`, 408);
      return options.answer ?? { result: true, reason: '', httpStatus: 200 };
    },
    async wakeUp() {
      calls.push('wake_up');
      woken = true;
      return 'asleep';
    },
    async vehicleState() {
      looks += 1;
      if (woken && looks >= (options.awakeAfterLooks ?? 1)) asleep = false;
      return asleep ? 'asleep' : 'online';
    },
  };
  return { api, calls };
}

describe('dispatch', () => {
  const event = {
    commandId: 'cmd_1',
    tenantId: 'acme',
    vehicleId: VEHICLE,
    command: 'door_lock',
    parameters: {},
  };
  const vault = { reveal: async (id: string) => (id === VEHICLE ? '5YJ3E1EA7JF000001' : undefined) };
  const make = (api: FleetApi, wakeWaitMs = 1000) =>
    createDispatchFunction({
      vault,
      fleetApi: api,
      now: () => NOW,
      sleep: async () => {},
      wakeWaitMs,
      wakePollMs: 10,
    });

  it('sends the command with the VIN from the vault', async () => {
    const { api, calls } = fakeFleetApi({});
    expect(await make(api)(event)).toMatchObject({
      result: true,
      attempts: 1,
      wokeVehicle: false,
      reason: null,
    });
    expect(calls).toEqual(['command 5YJ3E1EA7JF000001 door_lock']);
  });

  it('wakes a sleeping vehicle, waits for it and sends again', async () => {
    const { api, calls } = fakeFleetApi({ asleep: true, awakeAfterLooks: 3 });
    expect(await make(api)(event)).toMatchObject({ result: true, attempts: 2, wokeVehicle: true });
    expect(calls.filter((c) => c === 'wake_up')).toHaveLength(1);
  });

  it('throws VehicleAsleepError for the state machine to retry when the vehicle does not wake in time', async () => {
    const { api } = fakeFleetApi({ asleep: true, awakeAfterLooks: 1_000 });
    const dispatch = createDispatchFunction({ vault, fleetApi: api, wakeWaitMs: 50, wakePollMs: 10 });
    await expect(dispatch(event)).rejects.toBeInstanceOf(VehicleAsleepError);
  });

  it("reports a vehicle's refusal as an answer, and 429 as FleetApiRateLimitedError", async () => {
    const refused = fakeFleetApi({ answer: { result: false, reason: 'not_charging', httpStatus: 200 } });
    expect(await make(refused.api)({ ...event, command: 'charge_stop' })).toMatchObject({
      result: false,
      reason: 'not_charging',
      message: 'the vehicle refused charge_stop: not_charging',
    });
    const limited = fakeFleetApi({
      error: new FleetApiRateLimitedError('door_lock: the Fleet API answered 429', 429),
    });
    await expect(make(limited.api)(event)).rejects.toBeInstanceOf(FleetApiRateLimitedError);
  });

  it('describes its final failure for Command.Failed, never with a VIN', async () => {
    const dispatch = make(fakeFleetApi({}).api);
    const cause = JSON.stringify({
      errorType: 'VehicleAsleepError',
      errorMessage: 'door_lock: not online yet',
    });
    expect(
      await dispatch({ commandId: 'cmd_1', describeFailure: { Error: 'VehicleAsleepError', Cause: cause } }),
    ).toMatchObject({
      code: 'vehicle_unavailable',
      httpStatus: 408,
      attempts: 5,
    });
    expect(
      await dispatch({
        commandId: 'cmd_1',
        describeFailure: { Error: 'States.Timeout', Cause: 'took too long' },
      }),
    ).toMatchObject({ code: 'timeout', attempts: 1, message: 'States.Timeout: took too long' });
    expect(
      await dispatch({ commandId: 'cmd_1', describeFailure: { Error: 'VinNotFoundError' } }),
    ).toMatchObject({
      code: 'internal',
      attempts: 0,
    });
  });
});

/** In-memory ports for the command API. */
function fakes() {
  const records = new Map<string, CommandRecord>();
  const entries: AuditEntry[] = [];
  const started: { name: string; input: unknown }[] = [];
  const decisions: ApprovalDecisionOutput[] = [];
  const commands: CommandStore = {
    async create(record) {
      records.set(record.commandId, record);
    },
    async get(id) {
      return records.get(id);
    },
    async listByTenant(tenantId, query) {
      const items = [...records.values()].filter(
        (r) => r.tenantId === tenantId && (query.status === undefined || r.status === query.status),
      );
      return { items: items.slice(0, query.limit) };
    },
    async setApprovalToken(id, token) {
      records.set(id, { ...records.get(id)!, approvalTaskToken: token });
    },
    async claimApprovalToken(id, token) {
      const record = records.get(id)!;
      if (record.approvalTaskToken !== token) return false;
      const { approvalTaskToken: _token, ...rest } = record;
      records.set(id, rest);
      return true;
    },
  };
  const audit: AuditLog = {
    async append(entry) {
      entries.push(entry);
    },
    async listForCommand(id) {
      return { items: entries.filter((e) => e.commandId === id) };
    },
    async listByTenant(tenantId) {
      return { items: entries.filter((e) => e.tenantId === tenantId) };
    },
  };
  const workflow: CommandWorkflow = {
    executionArnOf: (name) =>
      `arn:aws:states:us-east-1:000000000000:execution:fleetwire-vehicle-command:${name}`,
    async start(name, input) {
      started.push({ name, input });
      return this.executionArnOf(name);
    },
    async sendDecision(_token, output) {
      decisions.push(output);
      return true;
    },
    async history(executionArn) {
      return { executionArn, status: 'RUNNING', events: [] };
    },
  };
  const api = createCommandApi({ commands, audit, workflow, now: () => NOW, newId: () => 'cmd_TEST' });
  return { api, records, entries, started, decisions };
}

describe('command API', () => {
  const dana = caller('dana', ['dispatcher']);
  const ada = caller('ada', ['admin']);
  const alan = caller('alan', ['admin']);

  it('records a command and starts its execution named after it, with the caller from the token', async () => {
    const { api, started, records } = fakes();
    const answer = await api({
      operation: 'sendCommand',
      caller: dana,
      vehicleId: VEHICLE,
      command: 'door_lock',
    });
    expect(answer).toEqual({
      data: expect.objectContaining({
        id: 'cmd_TEST',
        status: 'requested',
        requestedBy: 'dana',
        parameters: {},
      }),
    });
    expect(started).toEqual([
      {
        name: 'cmd_TEST',
        input: expect.objectContaining({
          commandId: 'cmd_TEST',
          tenantId: 'acme',
          caller: dana,
          requestedAt: NOW.toISOString(),
        }),
      },
    ]);
    expect(records.get('cmd_TEST')?.executionArn).toMatch(/:execution:fleetwire-vehicle-command:cmd_TEST$/);
    expect(JSON.stringify(answer)).not.toContain('approvalTaskToken');
  });

  it('refuses a self-approval with its reason, and audits the attempt', async () => {
    const { api, records, entries, decisions } = fakes();
    await api({ operation: 'sendCommand', caller: ada, vehicleId: VEHICLE, command: 'door_unlock' });
    records.set('cmd_TEST', {
      ...records.get('cmd_TEST')!,
      status: 'approval_requested',
      approvalTaskToken: 'tok',
    });
    // act
    const answer = await api({
      operation: 'decideCommand',
      caller: ada,
      commandId: 'cmd_TEST',
      decision: 'approve',
    });
    // assess
    expect(answer).toEqual({
      error: { type: 'Unauthorized', message: expect.stringMatching(/^SELF_APPROVAL: /) },
    });
    expect(entries).toMatchObject([
      { step: 'approval', outcome: 'denied', actor: 'ada', reason: 'SELF_APPROVAL' },
    ]);
    expect(decisions).toEqual([]);
  });

  it('hands an approval to the waiting workflow exactly once', async () => {
    const { api, records, decisions } = fakes();
    await api({ operation: 'sendCommand', caller: ada, vehicleId: VEHICLE, command: 'door_unlock' });
    records.set('cmd_TEST', {
      ...records.get('cmd_TEST')!,
      status: 'approval_requested',
      approvalTaskToken: 'tok',
    });
    const decide = () =>
      api({ operation: 'decideCommand', caller: alan, commandId: 'cmd_TEST', decision: 'approve' });
    expect(await decide()).toMatchObject({ data: { id: 'cmd_TEST' } });
    expect(await decide()).toMatchObject({ error: { type: 'Conflict' } });
    expect(decisions).toMatchObject([
      { approved: true, approverId: 'alan', decidedAt: NOW.toISOString(), message: 'approved by alan' },
    ]);
  });

  it("reads another tenant's command as missing, and keeps audit trails from viewers", async () => {
    const { api } = fakes();
    await api({ operation: 'sendCommand', caller: dana, vehicleId: VEHICLE, command: 'door_lock' });
    const globex = caller('gus', ['admin'], 'globex');
    expect(await api({ operation: 'getCommand', caller: globex, commandId: 'cmd_TEST' })).toEqual({
      data: null,
    });
    expect(
      await api({ operation: 'decideCommand', caller: globex, commandId: 'cmd_TEST', decision: 'reject' }),
    ).toMatchObject({ error: { type: 'NotFound' } });
    expect(
      await api({ operation: 'commandAudit', caller: caller('vic', ['viewer']), commandId: 'cmd_TEST' }),
    ).toMatchObject({ error: { type: 'Unauthorized' } });
    expect(
      await api({ operation: 'commandAudit', caller: caller('aud', ['auditor']), commandId: 'cmd_TEST' }),
    ).toMatchObject({ data: { items: [], executionStatus: 'RUNNING', history: [] } });
  });

  it('answers BadRequest for parameters that cannot travel in events', async () => {
    const { api, started } = fakes();
    expect(
      await api({
        operation: 'sendCommand',
        caller: dana,
        vehicleId: VEHICLE,
        command: 'door_lock',
        parameters: { 'a b': 1 },
      }),
    ).toMatchObject({ error: { type: 'BadRequest' } });
    expect(started).toEqual([]);
  });
});
