import { describe, expect, it } from 'vitest';
import {
  authorizeCommand,
  authorizeDecision,
  COMMAND_DENIAL_REASONS,
  COMMAND_DENIED_EVENT_REASONS,
  COMMAND_NAMES,
  DECISION_DENIAL_REASONS,
  InvalidAuthorizationInputError,
  SENSITIVE_COMMANDS,
} from '../../../../src/domain/commands/index.ts';
import type { CommandAuthorizationRequest, CommandCaller } from '../../../../src/domain/commands/index.ts';
import { CommandDenialReasonSchema } from '../../../../src/domain/events/catalog/index.ts';

const dispatcher: CommandCaller = { userId: 'u-dispatch', tenantId: 'acme', roles: ['dispatcher'] };
const admin: CommandCaller = { userId: 'u-admin', tenantId: 'acme', roles: ['admin'] };
const vehicle = { vehicleId: 'q0Vx3nF8T2mYb7LkPz4RwA', tenantId: 'acme' };

function request(overrides: Partial<CommandAuthorizationRequest> = {}): CommandAuthorizationRequest {
  return { caller: dispatcher, vehicle, command: 'door_lock', parameters: {}, ...overrides };
}

/** Round-trips through JSON, as Step Functions passes it between states. */
function viaJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('authorizeCommand', () => {
  it.each(COMMAND_NAMES)('allows a dispatcher and an admin to send %s', (command) => {
    const parameters = {
      set_charge_limit: { percent: 80 },
      set_charging_amps: { charging_amps: 16 },
      actuate_trunk: { which_trunk: 'rear' },
      set_sentry_mode: { on: true },
      set_temps: { driver_temp: 21, passenger_temp: 22 },
      window_control: { command: 'vent' },
    }[command as string];
    for (const caller of [dispatcher, admin]) {
      const answer = authorizeCommand(viaJson(request({ caller, command, parameters })));
      expect(answer).toEqual({
        decision: 'allow',
        command,
        sensitive: SENSITIVE_COMMANDS.includes(command),
        normalizedParameters: parameters ?? {},
      });
      expect(viaJson(answer)).toEqual(answer);
    }
  });

  it('says which commands wait for an approval', () => {
    expect(authorizeCommand(request({ command: 'door_unlock' }))).toMatchObject({ sensitive: true });
    expect(authorizeCommand(request({ command: 'door_lock' }))).toMatchObject({ sensitive: false });
  });

  it('denies viewers, auditors and callers without a role (ROLE_NOT_ALLOWED)', () => {
    for (const roles of [['viewer'], ['auditor'], ['viewer', 'auditor'], [], ['superuser']]) {
      const answer = authorizeCommand(request({ caller: { ...dispatcher, roles } }));
      expect(answer).toMatchObject({
        decision: 'deny',
        reason: 'ROLE_NOT_ALLOWED',
        publicReason: 'ROLE_NOT_ALLOWED',
      });
    }
    expect(
      authorizeCommand(request({ caller: { ...dispatcher, roles: ['viewer'] }, command: 'honk_horn' })),
    ).toEqual({
      decision: 'deny',
      reason: 'ROLE_NOT_ALLOWED',
      publicReason: 'ROLE_NOT_ALLOWED',
      message: 'role viewer may not send honk_horn (only admin or dispatcher may)',
    });
    expect(authorizeCommand(request({ caller: { ...dispatcher, roles: [] } }))).toMatchObject({
      message: 'a caller without a Fleetwire role may not send door_lock (only admin or dispatcher may)',
    });
    // One sending role is enough.
    expect(
      authorizeCommand(request({ caller: { ...dispatcher, roles: ['viewer', 'dispatcher'] } })),
    ).toMatchObject({
      decision: 'allow',
    });
  });

  it('denies a vehicle that is not registered (VEHICLE_NOT_FOUND)', () => {
    for (const missing of [undefined, null]) {
      expect(authorizeCommand(request({ vehicle: missing, vehicleId: 'nope-id' }))).toEqual({
        decision: 'deny',
        reason: 'VEHICLE_NOT_FOUND',
        publicReason: 'VEHICLE_NOT_FOUND',
        message: 'vehicle "nope-id" not found',
      });
    }
    expect(authorizeCommand(request({ vehicle: undefined }))).toMatchObject({ message: 'vehicle not found' });
  });

  it("denies another tenant's vehicle in the words of a missing one (VEHICLE_NOT_IN_TENANT)", () => {
    const elsewhere = authorizeCommand(request({ vehicle: { ...vehicle, tenantId: 'globex' } }));
    const missing = authorizeCommand(request({ vehicle: null, vehicleId: vehicle.vehicleId }));
    expect(elsewhere).toMatchObject({
      decision: 'deny',
      reason: 'VEHICLE_NOT_IN_TENANT',
      publicReason: 'VEHICLE_NOT_FOUND',
    });
    if (elsewhere.decision !== 'deny' || missing.decision !== 'deny') throw new Error('expected denials');
    expect(elsewhere.message).toBe(missing.message);
    expect(elsewhere.publicReason).toBe(missing.publicReason);
  });

  it('denies an unknown command (UNKNOWN_COMMAND) before anything else', () => {
    expect(
      authorizeCommand(
        request({ command: 'launch_rocket', vehicle: null, caller: { ...dispatcher, roles: [] } }),
      ),
    ).toEqual({
      decision: 'deny',
      reason: 'UNKNOWN_COMMAND',
      publicReason: 'UNKNOWN_COMMAND',
      message: 'unknown command "launch_rocket": not a Fleet API command Fleetwire sends',
    });
  });

  it('denies invalid parameters (INVALID_PARAMETERS) with the precise problem', () => {
    expect(authorizeCommand(request({ command: 'set_charge_limit', parameters: { percent: 120 } }))).toEqual({
      decision: 'deny',
      reason: 'INVALID_PARAMETERS',
      publicReason: 'INVALID_PARAMETERS',
      message: 'set_charge_limit: percent must be an integer from 50 to 100, got 120',
    });
    expect(authorizeCommand(request({ command: 'door_lock', parameters: { now: true } }))).toMatchObject({
      reason: 'INVALID_PARAMETERS',
    });
  });

  it('checks role before vehicle, and vehicle before parameters, so nothing leaks to whoever may not send', () => {
    const viewer = { ...dispatcher, roles: ['viewer'] };
    const bad = { command: 'set_charge_limit', parameters: { percent: 1 } };
    expect(authorizeCommand(request({ ...bad, caller: viewer, vehicle: null }))).toMatchObject({
      reason: 'ROLE_NOT_ALLOWED',
    });
    expect(authorizeCommand(request({ ...bad, vehicle: { ...vehicle, tenantId: 'globex' } }))).toMatchObject({
      reason: 'VEHICLE_NOT_IN_TENANT',
    });
  });

  it('throws on input no decision can be made on', () => {
    for (const caller of [
      { ...dispatcher, tenantId: '' },
      { ...dispatcher, userId: undefined },
      { ...dispatcher, roles: 'dispatcher' },
      null,
    ]) {
      expect(() => authorizeCommand(request({ caller: caller as unknown as CommandCaller }))).toThrow(
        InvalidAuthorizationInputError,
      );
    }
  });

  it('exports its reason codes, and maps each to the Command.Denied event reason', () => {
    expect(Object.values(COMMAND_DENIAL_REASONS).sort()).toEqual([
      'INVALID_PARAMETERS',
      'ROLE_NOT_ALLOWED',
      'UNKNOWN_COMMAND',
      'VEHICLE_NOT_FOUND',
      'VEHICLE_NOT_IN_TENANT',
    ]);
    for (const reason of Object.values(COMMAND_DENIAL_REASONS)) {
      expect(CommandDenialReasonSchema.safeParse(COMMAND_DENIED_EVENT_REASONS[reason]).success).toBe(true);
    }
  });
});

describe('authorizeDecision', () => {
  const pending = { requestedBy: dispatcher.userId, tenantId: 'acme' };

  it('lets another admin of the tenant approve or reject', () => {
    expect(authorizeDecision(viaJson({ approver: admin, request: pending, decision: 'approve' }))).toEqual({
      decision: 'allow',
      approved: true,
    });
    expect(authorizeDecision({ approver: admin, request: pending, decision: 'reject' })).toEqual({
      decision: 'allow',
      approved: false,
    });
  });

  it('refuses an approval by the requester (SELF_APPROVAL), but lets them withdraw it', () => {
    const own = { requestedBy: admin.userId, tenantId: 'acme' };
    expect(authorizeDecision({ approver: admin, request: own, decision: 'approve' })).toEqual({
      decision: 'deny',
      reason: 'SELF_APPROVAL',
      publicReason: 'SELF_APPROVAL',
      message: 'a command cannot be approved by the user who requested it; another admin must approve it',
    });
    expect(authorizeDecision({ approver: admin, request: own, decision: 'reject' })).toEqual({
      decision: 'allow',
      approved: false,
    });
  });

  it('refuses anyone but an admin (NOT_ADMIN)', () => {
    for (const roles of [['dispatcher'], ['viewer'], ['auditor'], []]) {
      for (const decision of ['approve', 'reject'] as const) {
        expect(
          authorizeDecision({ approver: { ...admin, userId: 'u-other', roles }, request: pending, decision }),
        ).toMatchObject({ decision: 'deny', reason: 'NOT_ADMIN', publicReason: 'NOT_ADMIN' });
      }
    }
    expect(
      authorizeDecision({
        approver: { ...admin, roles: ['dispatcher'] },
        request: pending,
        decision: 'approve',
      }),
    ).toMatchObject({ message: 'only an admin may approve a command; role dispatcher may not' });
  });

  it('refuses an admin of another tenant as if the request did not exist (WRONG_TENANT)', () => {
    expect(
      authorizeDecision({
        approver: { ...admin, tenantId: 'globex' },
        request: pending,
        decision: 'approve',
      }),
    ).toEqual({
      decision: 'deny',
      reason: 'WRONG_TENANT',
      publicReason: 'REQUEST_NOT_FOUND',
      message: 'command request not found',
    });
  });

  it('throws on a malformed decision or request', () => {
    expect(() =>
      authorizeDecision({ approver: admin, request: pending, decision: 'maybe' as 'approve' }),
    ).toThrow(InvalidAuthorizationInputError);
    expect(() =>
      authorizeDecision({
        approver: admin,
        request: { requestedBy: '', tenantId: 'acme' },
        decision: 'approve',
      }),
    ).toThrow(InvalidAuthorizationInputError);
    expect(() => authorizeDecision({ approver: admin, request: null as never, decision: 'approve' })).toThrow(
      InvalidAuthorizationInputError,
    );
  });

  it('exports its reason codes', () => {
    expect(Object.values(DECISION_DENIAL_REASONS).sort()).toEqual([
      'NOT_ADMIN',
      'REQUEST_NOT_FOUND',
      'SELF_APPROVAL',
      'WRONG_TENANT',
    ]);
  });
});
