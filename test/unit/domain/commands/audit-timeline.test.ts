import { describe, expect, it } from 'vitest';
import {
  auditRows,
  executionArnOf,
  executionStatus,
  formatStory,
  formatSummaries,
  historyRows,
  InvalidSinceError,
  maskVins,
  maskVinsDeep,
  mergeTimeline,
  parseSince,
  storyTimeline,
  summarizeCommands,
  VIN_MASK,
  withoutTaskToken,
  type CommandStory,
  type ExecutionHistoryEvent,
} from '../../../../src/domain/commands/audit-timeline.ts';
import type { AuditEntry } from '../../../../src/ports/audit-log.ts';
import type { CommandRecord } from '../../../../src/ports/command-store.ts';

const COMMAND_ID = 'cmd_01JABCDEFGHJKMNPQRSTVWXYZ0';
const EXECUTION_ARN = `arn:aws:states:us-east-1:000000000000:execution:fleetwire-vehicle-command:${COMMAND_ID}`;
/** A made-up VIN-shaped string, for the masking checks. */
const VIN = '5YJ3E1EA7KF000001';

function entry(
  at: string,
  step: AuditEntry['step'],
  outcome: AuditEntry['outcome'],
  extra: Partial<AuditEntry> = {},
): AuditEntry {
  return {
    commandId: COMMAND_ID,
    entryId: `${at}#${step}#${outcome}`,
    tenantId: 'acme',
    vehicleId: 'veh-pseudonym-1',
    command: 'door_unlock',
    parameters: {},
    step,
    outcome,
    actor: null,
    requestedBy: 'alice',
    approvedBy: null,
    reason: null,
    message: null,
    at,
    executionArn: EXECUTION_ARN,
    details: {},
    ...extra,
  };
}

const t = (seconds: number, ms = 0): Date => new Date(Date.UTC(2025, 2, 1, 12, 0, seconds, ms));
const iso = (seconds: number, ms = 0): string => t(seconds, ms).toISOString();

/** An unlock: requested, authorized, waits for approval, approved, dispatch fails once (asleep) then succeeds. */
const HISTORY: ExecutionHistoryEvent[] = [
  { id: 1, type: 'ExecutionStarted', timestamp: t(0) },
  {
    id: 2,
    type: 'TaskStateEntered',
    timestamp: t(0, 5),
    stateEnteredEventDetails: { name: 'AuditRequested' },
  },
  {
    id: 3,
    type: 'TaskScheduled',
    timestamp: t(0, 6),
    taskScheduledEventDetails: { resource: 'putItem', resourceType: 'dynamodb' },
  },
  { id: 4, type: 'TaskSucceeded', timestamp: t(0, 9) },
  {
    id: 5,
    type: 'TaskStateExited',
    timestamp: t(0, 10),
    stateExitedEventDetails: { name: 'AuditRequested' },
  },
  { id: 6, type: 'TaskStateEntered', timestamp: t(1), stateEnteredEventDetails: { name: 'WaitForApproval' } },
  {
    id: 7,
    type: 'TaskScheduled',
    timestamp: t(1, 1),
    taskScheduledEventDetails: { resource: 'invoke.waitForTaskToken', resourceType: 'lambda' },
  },
  { id: 8, type: 'TaskStarted', timestamp: t(1, 2) },
  { id: 9, type: 'TaskSubmitted', timestamp: t(1, 3) },
  { id: 10, type: 'TaskSucceeded', timestamp: t(20) },
  {
    id: 11,
    type: 'TaskStateExited',
    timestamp: t(20, 1),
    stateExitedEventDetails: { name: 'WaitForApproval' },
  },
  { id: 12, type: 'TaskStateEntered', timestamp: t(21), stateEnteredEventDetails: { name: 'Dispatch' } },
  {
    id: 13,
    type: 'LambdaFunctionScheduled',
    timestamp: t(21, 1),
    lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:…:dispatch' },
  },
  {
    id: 14,
    type: 'LambdaFunctionFailed',
    timestamp: t(22),
    lambdaFunctionFailedEventDetails: {
      error: 'VehicleAsleepError',
      cause: JSON.stringify({
        errorType: 'VehicleAsleepError',
        errorMessage: `vehicle ${VIN} is asleep; wake_up sent`,
      }),
    },
  } as ExecutionHistoryEvent,
  {
    id: 15,
    type: 'LambdaFunctionScheduled',
    timestamp: t(27),
    lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:…:dispatch' },
  },
  { id: 16, type: 'LambdaFunctionSucceeded', timestamp: t(28) },
  { id: 17, type: 'TaskStateExited', timestamp: t(28, 1), stateExitedEventDetails: { name: 'Dispatch' } },
  { id: 18, type: 'ExecutionSucceeded', timestamp: t(29) },
];

const ENTRIES: AuditEntry[] = [
  entry(iso(0), 'requested', 'requested', { actor: 'alice', parameters: { which: 'all' } }),
  entry(iso(0, 500), 'authorize', 'authorized', { actor: 'alice' }),
  entry(iso(1, 3), 'approval', 'approval_requested', { actor: 'alice' }),
  entry(iso(20), 'approval', 'approved', { actor: 'bob', approvedBy: 'bob' }),
  entry(iso(28, 1), 'dispatch', 'succeeded', { approvedBy: 'bob', details: { attempts: 2 } }),
];

const RECORD: CommandRecord = {
  commandId: COMMAND_ID,
  tenantId: 'acme',
  vehicleId: 'veh-pseudonym-1',
  command: 'door_unlock',
  parameters: {},
  status: 'succeeded',
  requestedBy: 'alice',
  requestedAt: iso(0),
  updatedAt: iso(28, 1),
  executionArn: EXECUTION_ARN,
  approvedBy: 'bob',
  approvedAt: iso(20),
  attempts: 2,
  approvalTaskToken: 'secret-token',
};

describe('historyRows', () => {
  it('summarizes the history: start and end, one row per state visit, waits, failures and retries', () => {
    const rows = historyRows(HISTORY);
    expect(rows.map((row) => [row.step, row.outcome])).toEqual([
      ['execution', 'started'],
      ['AuditRequested', 'entered; exited after 5 ms'],
      ['WaitForApproval', 'entered; exited after 19001 ms'],
      ['WaitForApproval', 'waiting for task token'],
      ['Dispatch', 'entered; exited after 7001 ms'],
      ['Dispatch', 'task failed'],
      ['Dispatch', 'retry 1'],
      ['execution', 'succeeded'],
    ]);
    const failure = rows.find((row) => row.outcome === 'task failed');
    // The Lambda cause is unwrapped to its message, and the VIN in it is masked.
    expect(failure?.reason).toBe(`VehicleAsleepError: vehicle ${VIN_MASK} is asleep; wake_up sent`);
    expect(rows.every((row) => row.source === 'execution' && row.who === '')).toBe(true);
  });

  it('marks a state that was never exited, and reports the execution failure with its cause', () => {
    const rows = historyRows([
      { id: 1, type: 'ExecutionStarted', timestamp: iso(0) },
      { id: 2, type: 'TaskStateEntered', timestamp: iso(1), stateEnteredEventDetails: { name: 'Dispatch' } },
      {
        id: 3,
        type: 'ExecutionFailed',
        timestamp: iso(2),
        executionFailedEventDetails: { error: 'FleetApiUnavailableError', cause: 'HTTP 503' },
      } as ExecutionHistoryEvent,
    ]);
    expect(rows.map((row) => [row.step, row.outcome, row.reason])).toEqual([
      ['execution', 'started', undefined],
      ['Dispatch', 'entered; never exited', undefined],
      ['execution', 'failed', 'FleetApiUnavailableError: HTTP 503'],
    ]);
  });

  it('reports a task timeout even without details', () => {
    const rows = historyRows([
      {
        id: 1,
        type: 'TaskStateEntered',
        timestamp: iso(0),
        stateEnteredEventDetails: { name: 'WaitForApproval' },
      },
      { id: 2, type: 'TaskTimedOut', timestamp: iso(900) },
    ]);
    expect(rows[1]).toMatchObject({ step: 'WaitForApproval', outcome: 'task timed out' });
  });
});

describe('auditRows', () => {
  it('names who acted: the actor, the approver of an approval, else the system', () => {
    const rows = auditRows([
      entry(iso(0), 'requested', 'requested', { actor: 'alice' }),
      entry(iso(1), 'approval', 'rejected', {
        approvedBy: 'carol',
        reason: 'not_now',
        message: 'driver on site',
      }),
      entry(iso(2), 'approval', 'timed_out'),
    ]);
    expect(rows.map((row) => [row.step, row.who, row.outcome, row.reason])).toEqual([
      ['requested', 'alice', 'requested', undefined],
      ['approval', 'carol', 'rejected', 'not_now: driver on site'],
      ['approval', 'system', 'timed_out', undefined],
    ]);
  });
});

describe('mergeTimeline', () => {
  it('orders by time, the execution before the audit at the same instant, each source in its own order', () => {
    const merged = mergeTimeline(auditRows(ENTRIES), historyRows(HISTORY));
    expect(merged.map((row) => `${row.source}:${row.step}:${row.outcome}`)).toEqual([
      'execution:execution:started',
      'audit:requested:requested',
      'execution:AuditRequested:entered; exited after 5 ms',
      'audit:authorize:authorized',
      'execution:WaitForApproval:entered; exited after 19001 ms',
      'execution:WaitForApproval:waiting for task token',
      'audit:approval:approval_requested',
      'audit:approval:approved',
      'execution:Dispatch:entered; exited after 7001 ms',
      'execution:Dispatch:task failed',
      'execution:Dispatch:retry 1',
      'audit:dispatch:succeeded',
      'execution:execution:succeeded',
    ]);
    const times = merged.map((row) => Date.parse(row.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('formatStory', () => {
  const story: CommandStory = {
    commandId: COMMAND_ID,
    command: withoutTaskToken(RECORD),
    auditEntries: ENTRIES,
    executionArn: EXECUTION_ARN,
    executionHistory: HISTORY,
  };

  it('prints a header and the whole timeline in order, without the task token or a VIN', () => {
    const text = formatStory(story);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`command    ${COMMAND_ID}  door_unlock {}`);
    expect(lines[1]).toBe('vehicle    veh-pseudonym-1  tenant acme');
    expect(lines[2]).toBe(`requested  ${iso(0)} by alice`);
    expect(lines[3]).toBe(`status     succeeded  (approved by bob at ${iso(20)}; 2 attempt(s))`);
    expect(lines[4]).toBe(`execution  ${EXECUTION_ARN}  SUCCEEDED`);
    expect(lines[6]).toMatch(/^TIME\s+SOURCE\s+STEP\s+WHO\s+OUTCOME\s+REASON$/);
    const timeline = lines.slice(7);
    expect(timeline).toHaveLength(storyTimeline(story).length);
    expect(timeline[1]).toMatch(new RegExp(`^${iso(0)}\\s+audit\\s+requested\\s+alice\\s+requested$`));
    expect(timeline.findIndex((line) => /approved/.test(line))).toBeLessThan(
      timeline.findIndex((line) => /dispatch\s+system\s+succeeded/.test(line)),
    );
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain(VIN);
  });

  it('says when the history or the command item is missing', () => {
    const text = formatStory({
      ...story,
      command: null,
      executionHistory: null,
      historyUnavailable: 'Step Functions no longer has this execution (histories are kept 90 days)',
    });
    expect(text).toContain('status     ? (no item in the commands table)');
    expect(text).toContain(`execution  ${EXECUTION_ARN}  UNKNOWN`);
    expect(text).toContain('history    unavailable: Step Functions no longer has this execution');
    expect(text).toContain(`command    ${COMMAND_ID}  door_unlock {"which":"all"}`);
  });
});

describe('summarizeCommands and formatSummaries', () => {
  it('gives one line per command, ordered by its first entry, with its last outcome and approver', () => {
    const other = (at: string, step: AuditEntry['step'], outcome: AuditEntry['outcome']): AuditEntry =>
      entry(at, step, outcome, {
        commandId: 'cmd_01JZZZZZZZZZZZZZZZZZZZZZZZ',
        command: 'door_lock',
        reason: outcome === 'denied' ? 'role_not_allowed' : null,
      });
    const summaries = summarizeCommands([
      other(iso(40), 'authorize', 'denied'),
      ...ENTRIES.slice().reverse(),
      other(iso(39), 'requested', 'requested'),
    ]);
    expect(
      summaries.map((summary) => [
        summary.command,
        summary.step,
        summary.outcome,
        summary.approvedBy,
        summary.reason,
        summary.entries,
      ]),
    ).toEqual([
      ['door_unlock', 'dispatch', 'succeeded', 'bob', null, 5],
      ['door_lock', 'authorize', 'denied', null, 'role_not_allowed', 2],
    ]);
    const lines = formatSummaries(summaries);
    expect(lines[0]).toMatch(
      /^TIME\s+COMMAND ID\s+COMMAND\s+VEHICLE\s+REQUESTED BY\s+OUTCOME\s+APPROVED BY\s+REASON$/,
    );
    expect(lines[2]).toContain('authorize: denied');
    expect(lines[2]).toMatch(/role_not_allowed$/);
  });
});

describe('helpers', () => {
  it('parses --since as ISO time or a duration back from now', () => {
    const now = Date.parse('2025-03-01T12:00:00.000Z');
    expect(parseSince('2025-02-01', now)).toBe('2025-02-01T00:00:00.000Z');
    expect(parseSince('2025-02-01T10:30:00+01:00', now)).toBe('2025-02-01T09:30:00.000Z');
    expect(parseSince('90m', now)).toBe('2025-03-01T10:30:00.000Z');
    expect(parseSince('24h', now)).toBe('2025-02-28T12:00:00.000Z');
    expect(parseSince('7d', now)).toBe('2025-02-22T12:00:00.000Z');
    for (const bad of ['yesterday', '2025-13-45', '5w', '']) {
      expect(() => parseSince(bad, now)).toThrow(InvalidSinceError);
    }
  });

  it('masks VIN-shaped words in free text, in either case, but not ids or plain long words', () => {
    expect(maskVins(`POST /api/1/vehicles/${VIN}/command/door_lock`)).toBe(
      `POST /api/1/vehicles/${VIN_MASK}/command/door_lock`,
    );
    expect(maskVins(VIN.toLowerCase())).toBe(VIN_MASK);
    expect(maskVins('ABCDEFGHJKLMNPRST')).toBe('ABCDEFGHJKLMNPRST');
    expect(maskVins(COMMAND_ID)).toBe(COMMAND_ID);
    expect(maskVinsDeep({ vehicleId: VIN, cause: VIN, list: [VIN], at: t(0) })).toEqual({
      vehicleId: VIN,
      cause: VIN_MASK,
      list: [VIN_MASK],
      at: iso(0),
    });
  });

  it('takes the execution ARN from the command, else from the audit entries', () => {
    expect(executionArnOf(RECORD, [])).toBe(EXECUTION_ARN);
    expect(executionArnOf(null, ENTRIES)).toBe(EXECUTION_ARN);
    expect(executionArnOf(undefined, [])).toBeNull();
  });

  it('reads the execution status from the last execution event', () => {
    expect(executionStatus(HISTORY)).toBe('SUCCEEDED');
    expect(executionStatus(HISTORY.slice(0, 5))).toBe('RUNNING');
    expect(executionStatus([])).toBe('UNKNOWN');
    expect(executionStatus(null)).toBe('UNKNOWN');
  });

  it('drops the approval task token from the command item', () => {
    expect(withoutTaskToken(RECORD)).not.toHaveProperty('approvalTaskToken');
  });
});
