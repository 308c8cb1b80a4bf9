import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DynamoDbAuditLog } from '../../../src/adapters/aws/dynamodb/audit-log.ts';
import { DynamoDbCommandStore } from '../../../src/adapters/aws/dynamodb/command-store.ts';
import {
  COMMAND_AUDIT_TABLE,
  COMMANDS_TABLE,
  createTableInput,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { VIN_MASK } from '../../../src/domain/commands/audit-timeline.ts';
import { StepFunctionsService } from '../../../src/local/edge/stepfunctions.ts';
import type { AuditEntry } from '../../../src/ports/audit-log.ts';
import type { CommandRecord } from '../../../src/ports/command-store.ts';
import { startTestEdge, type TestEdge } from '../../support/aws-edge-fixture.ts';
import { runCli } from '../../support/cli.ts';

/** Tables of this test only, so that it cannot meet another test's items. */
const COMMANDS = 'audit-cli-commands';
const AUDIT = 'audit-cli-command-audit';
const ROLE = 'arn:aws:iam::000000000000:role/fleetwire-commands';
/** A made-up VIN-shaped string the dispatch error quotes: the CLI must never print it. */
const VIN = '5YJ3E1EA7KF000001';

const UNLOCK = 'cmd_01JAUD1T0000000000000000A1';
const DENIED = 'cmd_01JAUD1T0000000000000000B2';
const OLD_LOCK = 'cmd_01JAUD1T0000000000000000C3';

class VehicleAsleepError extends Error {
  override name = 'VehicleAsleepError';
}

/**
 * A machine with the shape of the real one's history: a Pass state, a wait (standing in for the approval),
 * then a Task that fails once with VehicleAsleepError and succeeds on its retry a second later.
 */
const DEFINITION = {
  StartAt: 'LoadVehicle',
  States: {
    LoadVehicle: { Type: 'Pass', Next: 'WaitForApproval' },
    WaitForApproval: { Type: 'Wait', Seconds: 1, Next: 'Dispatch' },
    Dispatch: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:audit-cli-dispatch',
      Retry: [{ ErrorEquals: ['VehicleAsleepError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
      End: true,
    },
  },
};

describe('fleetwire audit', () => {
  let edge: TestEdge;
  let dynamodb: DynamoDBClient;
  let sfn: SFNClient;
  let unlockArn: string;
  let history: HistoryEvent[];
  const cli = (...args: string[]) =>
    runCli(['audit', ...args, '--endpoint', edge.url, '--commands-table', COMMANDS, '--audit-table', AUDIT], {
      timeoutMs: 20_000,
    });

  beforeAll(async () => {
    const stepFunctions = new StepFunctionsService();
    let dispatches = 0;
    stepFunctions.registerFunction('audit-cli-dispatch', async () => {
      dispatches += 1;
      if (dispatches === 1) throw new VehicleAsleepError(`vehicle ${VIN} is asleep; wake_up sent`);
      return { result: true, reason: '', attempts: dispatches, httpStatus: 200 };
    });
    edge = await startTestEdge({ services: [stepFunctions] });
    dynamodb = new DynamoDBClient(edge.clientConfig);
    sfn = new SFNClient(edge.clientConfig);
    for (const [definition, name] of [
      [COMMANDS_TABLE, COMMANDS],
      [COMMAND_AUDIT_TABLE, AUDIT],
    ] as const) {
      await dynamodb.send(new CreateTableCommand(createTableInput(definition, name)));
      await waitUntilTableExists(
        { client: dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
        { TableName: name },
      );
    }

    // A real execution, named after the command, with a retried failure in its history.
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'audit-cli-vehicle-command',
        roleArn: ROLE,
        definition: JSON.stringify(DEFINITION),
      }),
    );
    ({ executionArn: unlockArn = '' } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: UNLOCK,
        input: JSON.stringify({ commandId: UNLOCK }),
      }),
    ));
    for (let status = 'RUNNING'; status === 'RUNNING';) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ({ status = 'RUNNING' } = await sfn.send(new DescribeExecutionCommand({ executionArn: unlockArn })));
    }
    history =
      (await sfn.send(new GetExecutionHistoryCommand({ executionArn: unlockArn, maxResults: 1000 })))
        .events ?? [];
    const at = (type: string, offsetMs = 0): string => {
      const event = history.find((candidate) => candidate.type === type);
      return new Date(event!.timestamp!.getTime() + offsetMs).toISOString();
    };

    // The records the workflow would have written, at the times of the history.
    const store = new DynamoDbCommandStore(dynamodb, COMMANDS);
    const auditLog = new DynamoDbAuditLog(dynamodb, AUDIT);
    const unlock: CommandRecord = {
      commandId: UNLOCK,
      tenantId: 'acme',
      vehicleId: 'veh-one',
      command: 'door_unlock',
      parameters: {},
      status: 'succeeded',
      requestedBy: 'alice',
      requestedAt: at('ExecutionStarted'),
      updatedAt: at('ExecutionSucceeded'),
      executionArn: unlockArn,
      approvedBy: 'bob',
      approvedAt: at('WaitStateExited', -100),
      attempts: 2,
      // Left behind on purpose: `show` must never print it.
      approvalTaskToken: 'tok-must-not-show',
    };
    await store.create(unlock);
    const entry = (
      record: CommandRecord,
      entryAt: string,
      step: AuditEntry['step'],
      outcome: AuditEntry['outcome'],
      extra: Partial<AuditEntry> = {},
    ): AuditEntry => ({
      commandId: record.commandId,
      entryId: `${entryAt}#${step}#${outcome}`,
      tenantId: record.tenantId,
      vehicleId: record.vehicleId,
      command: record.command,
      parameters: record.parameters,
      step,
      outcome,
      actor: null,
      requestedBy: record.requestedBy,
      approvedBy: null,
      reason: null,
      message: null,
      at: entryAt,
      executionArn: record.executionArn,
      details: {},
      ...extra,
    });
    for (const item of [
      // Written with the API's request time, just before the execution starts.
      entry(unlock, at('ExecutionStarted', -5), 'requested', 'requested', { actor: 'alice' }),
      // Within the one-second wait, so the order is certain whatever the machine's timing.
      entry(unlock, at('WaitStateEntered', 100), 'authorize', 'approval_requested', { actor: 'alice' }),
      entry(unlock, at('WaitStateExited', -100), 'approval', 'approved', { actor: 'bob', approvedBy: 'bob' }),
      entry(unlock, at('LambdaFunctionSucceeded'), 'dispatch', 'succeeded', {
        approvedBy: 'bob',
        details: { attempts: 2 },
      }),
    ]) {
      await auditLog.append(item);
    }

    // Two older commands: a denied one for another vehicle (its execution long gone), and an old lock.
    const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString();
    const denied: CommandRecord = {
      ...unlock,
      commandId: DENIED,
      vehicleId: 'veh-two',
      command: 'door_lock',
      status: 'denied',
      requestedBy: 'victor',
      requestedAt: daysAgo(2),
      updatedAt: daysAgo(2),
      executionArn: unlockArn.replace(UNLOCK, DENIED),
      approvedBy: null,
      approvedAt: null,
      reason: 'role_not_allowed',
      attempts: null,
    };
    delete (denied as { approvalTaskToken?: string }).approvalTaskToken;
    const oldLock: CommandRecord = {
      ...denied,
      commandId: OLD_LOCK,
      vehicleId: 'veh-one',
      status: 'succeeded',
      reason: null,
      requestedAt: daysAgo(3),
      updatedAt: daysAgo(3),
      executionArn: unlockArn.replace(UNLOCK, OLD_LOCK),
      requestedBy: 'alice',
    };
    await store.create(denied);
    await store.create(oldLock);
    await auditLog.append(entry(denied, daysAgo(2), 'requested', 'requested', { actor: 'victor' }));
    await auditLog.append(
      entry(denied, new Date(Date.parse(daysAgo(2)) + 5).toISOString(), 'authorize', 'denied', {
        actor: 'victor',
        reason: 'role_not_allowed',
        message: 'viewer may not send door_lock',
      }),
    );
    await auditLog.append(entry(oldLock, daysAgo(3), 'requested', 'requested', { actor: 'alice' }));
    await auditLog.append(
      entry(oldLock, new Date(Date.parse(daysAgo(3)) + 9).toISOString(), 'dispatch', 'succeeded'),
    );
  });

  afterAll(async () => {
    sfn?.destroy();
    dynamodb?.destroy();
    await edge?.stop();
  });

  describe('show', () => {
    it('tells the whole story of a command in time order, from the audit log and the execution history', async () => {
      const result = await cli('show', UNLOCK);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toBe(`command    ${UNLOCK}  door_unlock {}`);
      expect(lines).toContain('vehicle    veh-one  tenant acme');
      expect(result.stdout).toContain(`execution  ${unlockArn}  SUCCEEDED`);
      expect(result.stdout).toMatch(/status\s+succeeded\s+\(approved by bob/);

      // Each milestone once, in this order.
      const milestones = [
        /audit\s+requested\s+alice\s+requested/,
        /execution\s+execution\s+-\s+started/,
        /execution\s+LoadVehicle\s+-\s+entered; exited after \d+ ms/,
        /execution\s+WaitForApproval\s+-\s+entered; exited after \d+ ms/,
        /audit\s+authorize\s+alice\s+approval_requested/,
        /audit\s+approval\s+bob\s+approved/,
        /execution\s+Dispatch\s+-\s+task failed\s+VehicleAsleepError: vehicle \[VIN\] is asleep; wake_up sent/,
        /execution\s+Dispatch\s+-\s+retry 1/,
        /execution\s+execution\s+-\s+succeeded/,
      ];
      const positions = milestones.map((pattern) => lines.findIndex((line) => pattern.test(line)));
      expect(
        positions.every((position) => position > 0),
        JSON.stringify(positions),
      ).toBe(true);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      const dispatched = lines.findIndex((line) => /audit\s+dispatch\s+system\s+succeeded/.test(line));
      expect(dispatched).toBeGreaterThan(positions[7]!);

      // Timestamps never go back.
      const times = lines
        .filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line))
        .map((line) => Date.parse(line.slice(0, 24)));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(result.stdout).not.toContain(VIN);
      expect(result.stdout).toContain(VIN_MASK);
      expect(result.stdout).not.toContain('tok-must-not-show');
    });

    it('prints the raw records and the whole history with --json', async () => {
      const result = await cli('show', UNLOCK, '--json');
      expect(result.code).toBe(0);
      const story = JSON.parse(result.stdout) as {
        commandId: string;
        command: Record<string, unknown>;
        auditEntries: AuditEntry[];
        executionArn: string;
        executionHistory: { id: number; type: string; timestamp: string }[];
        timeline: { source: string; step: string; outcome: string }[];
      };
      expect(story.commandId).toBe(UNLOCK);
      expect(story.command).toMatchObject({ commandId: UNLOCK, status: 'succeeded', approvedBy: 'bob' });
      expect(story.command).not.toHaveProperty('approvalTaskToken');
      expect(story.auditEntries.map((entry) => entry.outcome)).toEqual([
        'requested',
        'approval_requested',
        'approved',
        'succeeded',
      ]);
      expect(story.executionArn).toBe(unlockArn);
      expect(story.executionHistory.map((event) => event.id)).toEqual(history.map((event) => event.id));
      expect(story.executionHistory[0]).toMatchObject({ type: 'ExecutionStarted' });
      expect(story.executionHistory.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
      expect(typeof story.executionHistory[0]?.timestamp).toBe('string');
      expect(story.timeline.length).toBeGreaterThan(story.auditEntries.length);
      expect(result.stdout).not.toContain(VIN);
      expect(result.stdout).not.toContain('tok-must-not-show');
    });

    it('shows the audit entries of a command whose execution Step Functions no longer has', async () => {
      const result = await cli('show', DENIED);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('history    unavailable: Step Functions no longer has this execution');
      expect(result.stdout).toMatch(
        /audit\s+authorize\s+victor\s+denied\s+role_not_allowed: viewer may not send door_lock/,
      );
    });

    it('exits 1 for a command nobody recorded', async () => {
      const result = await cli('show', 'cmd_01JAUD1T0000000000000000ZZ');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no command cmd_01JAUD1T0000000000000000ZZ/);
    });
  });

  describe('list', () => {
    it("lists a tenant's commands with their outcome, filtered by vehicle and since", async () => {
      const all = await cli('list', '--tenant', 'acme');
      expect(all.code).toBe(0);
      const ids = (text: string) => [...text.matchAll(/cmd_\w+/g)].map((match) => match[0]);
      expect(ids(all.stdout)).toEqual([OLD_LOCK, DENIED, UNLOCK]);
      expect(all.stdout).toMatch(
        new RegExp(
          `${DENIED}\\s+door_lock\\s+veh-two\\s+victor\\s+authorize: denied\\s+-\\s+role_not_allowed`,
        ),
      );
      expect(all.stdout).toMatch(
        new RegExp(`${UNLOCK}\\s+door_unlock\\s+veh-one\\s+alice\\s+dispatch: succeeded\\s+bob`),
      );

      const vehicle = await cli('list', '--tenant', 'acme', '--vehicle', 'veh-one');
      expect(ids(vehicle.stdout)).toEqual([OLD_LOCK, UNLOCK]);
      const recent = await cli('list', '--tenant', 'acme', '--vehicle', 'veh-one', '--since', '1d');
      expect(ids(recent.stdout)).toEqual([UNLOCK]);
      const none = await cli('list', '--tenant', 'other');
      expect(none.stdout).toBe('no commands\n');
    });

    it("lists a vehicle's commands without a tenant, through the commands table's vehicle index", async () => {
      const vehicle = await cli('list', '--vehicle', 'veh-one', '--json');
      expect(vehicle.code).toBe(0);
      const summaries = vehicle.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { commandId: string; outcome: string; auditEntries: unknown[] });
      expect(
        summaries.map((summary) => [summary.commandId, summary.outcome, summary.auditEntries.length]),
      ).toEqual([
        [OLD_LOCK, 'succeeded', 2],
        [UNLOCK, 'succeeded', 4],
      ]);
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const recent = await cli('list', '--vehicle', 'veh-one', '--since', since, '--json');
      expect(
        recent.stdout
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as { commandId: string }).commandId),
      ).toEqual([UNLOCK]);
    });

    it('refuses to list without a tenant or a vehicle, and a --since it cannot read', async () => {
      const neither = await cli('list');
      expect(neither.code).toBe(2);
      expect(neither.stderr).toMatch(/needs --tenant .* or --vehicle/);
      const bad = await cli('list', '--tenant', 'acme', '--since', 'last tuesday');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--since: expected an ISO-8601 time/);
    });
  });
});
