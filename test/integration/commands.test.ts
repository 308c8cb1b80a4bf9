import { randomUUID } from 'node:crypto';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { DynamoDbAuditLog } from '../../src/adapters/aws/dynamodb/audit-log.ts';
import { DynamoDbVehicleDirectory } from '../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { KmsMacProvider, KmsVinVault } from '../../src/adapters/aws/kms.ts';
import { tailEvents } from '../../src/cli/commands/events.ts';
import {
  COMMAND_APPROVAL_REQUESTED,
  COMMAND_AUTHORIZED,
  COMMAND_DENIED,
  COMMAND_FAILED,
  COMMAND_REQUESTED,
  COMMAND_SUCCEEDED,
} from '../../src/domain/events/catalog/commands.ts';
import { Pseudonymizer } from '../../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../../src/domain/vehicles/registration.ts';
import { startLocalStack, type LocalStack } from '../../src/local/stack.ts';
import { simulatedVin } from '../../src/simulator/vin.ts';
import { postGraphQL, RealtimeProbe } from '../support/appsync-probe.ts';

/** Short waits: the approval times out after 4 s, a sleeping vehicle wakes 300 ms after wake_up. */
const APPROVAL_TIMEOUT_SECONDS = 4;
const OTHER_TENANT = `other-${randomUUID().slice(0, 8)}`;

const COMMAND_FIELDS =
  'id vehicleId command parameters status requestedBy requestedAt approvedBy reason message updatedAt';
const SEND = `mutation Send($input: SendCommandInput!) { sendCommand(input: $input) { ${COMMAND_FIELDS} } }`;
const DECIDE = `mutation Decide($input: DecideCommandInput!) { decideCommand(input: $input) { ${COMMAND_FIELDS} } }`;
const GET = `query Get($id: ID!) { command(id: $id) { ${COMMAND_FIELDS} } }`;
const AUDIT = `query Audit($id: ID!) { commandAudit(commandId: $id, limit: 100) {
  items { commandId at step outcome actor executionArn details } nextToken executionStatus
  history { id timestamp type stateName error } } }`;
const SUBSCRIBE = `subscription { onCommandUpdate { tenantId commandId vehicleId command status reason } }`;

const SCHEMAS = {
  'Command.Requested': COMMAND_REQUESTED.schema,
  'Command.ApprovalRequested': COMMAND_APPROVAL_REQUESTED.schema,
  'Command.Authorized': COMMAND_AUTHORIZED.schema,
  'Command.Denied': COMMAND_DENIED.schema,
  'Command.Succeeded': COMMAND_SUCCEEDED.schema,
  'Command.Failed': COMMAND_FAILED.schema,
} as const;

interface CommandView {
  readonly id: string;
  readonly vehicleId: string;
  readonly command: string;
  readonly status: string;
  readonly requestedBy: string;
  readonly approvedBy: string | null;
  readonly reason: string | null;
  readonly message: string | null;
}

interface BusEvent {
  readonly 'detail-type': keyof typeof SCHEMAS;
  readonly detail: Record<string, unknown> & { commandId: string };
}

describe('vehicle commands offline: the vehicle-command workflow on the edge, the simulator and its Fleet API', () => {
  let stack: LocalStack;
  let sfn: SFNClient;
  let dynamodb: DynamoDBClient;
  let kms: KMSClient;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const events: BusEvent[] = [];
  const tail = new AbortController();
  const executions: string[] = [];
  let awakeVehicle: string;
  let asleepVehicle: string;
  let otherTenantVehicle: string;
  let probeDemo: RealtimeProbe;
  let probeOther: RealtimeProbe;

  const gql = async (who: string, query: string, variables: Record<string, unknown>) => {
    const { body } = await postGraphQL(stack.api.url, { query, variables }, { Authorization: tokens[who]! });
    return body;
  };
  const send = async (who: string, vehicleId: string, command: string, parameters: unknown = {}) => {
    const body = await gql(who, SEND, {
      input: { vehicleId, command, parameters: JSON.stringify(parameters) },
    });
    expect(body.errors).toBeUndefined();
    const sent = (body.data as { sendCommand: CommandView }).sendCommand;
    executions.push(sent.id);
    return sent;
  };
  const settled = async (id: string, statuses: readonly string[], timeout = 15_000, who = 'auditor') => {
    let last: CommandView | null = null;
    await expect
      .poll(
        async () => {
          last = ((await gql(who, GET, { id })).data as { command: CommandView | null }).command;
          return last !== null && statuses.includes(last.status);
        },
        { timeout, interval: 100 },
      )
      .toBe(true);
    return last! as CommandView;
  };
  const auditOf = async (id: string) => {
    const body = await gql('auditor', AUDIT, { id });
    expect(body.errors).toBeUndefined();
    return (
      body.data as {
        commandAudit: { items: { step: string; outcome: string; actor: string | null; details: string }[] };
      }
    ).commandAudit;
  };

  beforeAll(async () => {
    process.env.REDIS_URL = inject('redisUrl');
    stack = await startLocalStack({
      edgePort: 0,
      apiPort: 0,
      apiTlsPort: false,
      simulatedVehicles: 24,
      warn: () => {},
      commands: { approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS, wakeDelayMs: 300, wakePollMs: 100 },
    });
    const config = awsClientConfig({ endpoint: stack.edge.url });
    sfn = new SFNClient(config);
    dynamodb = new DynamoDBClient(config);
    kms = new KMSClient(config);
    const issue = async (name: string, tenantId: string, role: string) => {
      const { token, claims } = await stack.api.issuer.issueToken({
        tenantId,
        roles: [role],
        username: name,
      });
      tokens[name] = token;
      users[name] = claims.sub;
    };
    await issue('dispatcher', 'demo', 'dispatcher');
    await issue('ada', 'demo', 'admin');
    await issue('alan', 'demo', 'admin');
    await issue('viewer', 'demo', 'viewer');
    await issue('auditor', 'demo', 'auditor');
    await issue('outsider', OTHER_TENANT, 'dispatcher');
    await issue('outsideAuditor', OTHER_TENANT, 'auditor');

    // Vehicles by what their simulated twin is doing now: a charging one stays put for the test's length.
    const pseudonyms = new Pseudonymizer(new KmsMacProvider(kms));
    const vins = stack.simulator!.vins();
    const byStatus = async (status: string) => {
      const vin = vins.find((candidate) => stack.simulator!.vehicle(candidate)?.status() === status);
      if (!vin) throw new Error(`no simulated vehicle is ${status}: pick another seed or fleet size`);
      return pseudonyms.vehicleIdOf(vin);
    };
    awakeVehicle = await byStatus('charging');
    asleepVehicle = await byStatus('asleep');
    const registered = await registerVehicle(
      { tenantId: OTHER_TENANT, vin: simulatedVin(99, 1) },
      {
        pseudonyms,
        directory: new DynamoDbVehicleDirectory(dynamodb),
        vault: new KmsVinVault(kms, dynamodb),
      },
    );
    otherTenantVehicle = registered.vehicleId;

    const pattern = encodeURIComponent('{"source":["fleetwire.commands"]}');
    void tailEvents(
      new URL(`/_edge/events/tail?bus=fleetwire&pattern=${pattern}`, stack.edge.url),
      (line) => events.push(JSON.parse(line) as BusEvent),
      tail.signal,
    ).catch(() => {});
    probeDemo = await RealtimeProbe.open(stack.api.realtimeUrl, { Authorization: tokens.viewer! });
    await probeDemo.init();
    expect((await probeDemo.start('demo', SUBSCRIBE, { Authorization: tokens.viewer! })).type).toBe(
      'start_ack',
    );
    probeOther = await RealtimeProbe.open(stack.api.realtimeUrl, { Authorization: tokens.outsideAuditor! });
    await probeOther.init();
    expect((await probeOther.start('other', SUBSCRIBE, { Authorization: tokens.outsideAuditor! })).type).toBe(
      'start_ack',
    );
  }, 60_000);

  afterAll(async () => {
    tail.abort();
    probeDemo?.close();
    probeOther?.close();
    sfn?.destroy();
    dynamodb?.destroy();
    kms?.destroy();
    await stack?.stop();
  });

  it('locks a vehicle for a dispatcher, and the vehicle then reports Locked = true in its telemetry', async () => {
    // act
    const sent = await send('dispatcher', awakeVehicle, 'door_lock');
    const done = await settled(sent.id, ['succeeded', 'failed']);
    // assess
    expect(sent.status).toBe('requested');
    expect(done).toMatchObject({ status: 'succeeded', requestedBy: users.dispatcher, approvedBy: null });
    await expect
      .poll(
        async () =>
          (await stack.state.vehicleStates('demo', [awakeVehicle]))[0]?.signals.get('Locked')?.value,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    const audit = await auditOf(sent.id);
    expect(audit.items.map((e) => `${e.step}/${e.outcome}`)).toEqual([
      'requested/requested',
      'authorize/authorized',
      'dispatch/succeeded',
    ]);
  });

  it('holds door_unlock for an approval, and dispatches it once another admin approves', async () => {
    // act
    const sent = await send('ada', awakeVehicle, 'door_unlock');
    await settled(sent.id, ['approval_requested']);
    const selfApproval = await gql('ada', DECIDE, { input: { commandId: sent.id, decision: 'approve' } });
    // The token is stored by the approval step right after the status changes.
    let approved: { data?: unknown; errors?: readonly Record<string, unknown>[] } | undefined;
    await expect
      .poll(async () => {
        approved = await gql('alan', DECIDE, {
          input: { commandId: sent.id, decision: 'approve', reason: 'driver locked out' },
        });
        return approved.errors?.[0]?.message ?? 'ok';
      })
      .toBe('ok');
    const done = await settled(sent.id, ['succeeded', 'failed']);
    // assess
    expect(selfApproval.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(String(selfApproval.errors?.[0]?.message)).toMatch(/^SELF_APPROVAL: /);
    expect(done).toMatchObject({ status: 'succeeded', approvedBy: users.alan });
    const audit = await auditOf(sent.id);
    expect(audit.items.map((e) => `${e.step}/${e.outcome}/${e.actor === null ? '-' : e.actor}`)).toEqual([
      `requested/requested/${users.ada}`,
      'authorize/approval_requested/-',
      `approval/denied/${users.ada}`,
      `approval/approved/${users.alan}`,
      'authorize/authorized/-',
      'dispatch/succeeded/-',
    ]);
    expect(JSON.parse(audit.items[2]!.details)).toMatchObject({ reason: 'SELF_APPROVAL' });
    expect(events.filter((e) => e.detail.commandId === sent.id).map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining(['Command.ApprovalRequested', 'Command.Authorized', 'Command.Succeeded']),
    );
  });

  it("refuses a viewer's command, and the workflow's denial of it is in the audit log", async () => {
    // act
    const body = await gql('viewer', SEND, {
      input: { vehicleId: awakeVehicle, command: 'door_lock', parameters: '{}' },
    });
    // assess
    expect(body.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    const id = /recorded as command (cmd_\w+)/.exec(String(body.errors?.[0]?.message))?.[1];
    expect(id).toBeDefined();
    executions.push(id!);
    const done = await settled(id!, ['denied']);
    expect(done).toMatchObject({ reason: 'role_not_allowed', requestedBy: users.viewer });
    const audit = await auditOf(id!);
    expect(audit.items.map((e) => `${e.step}/${e.outcome}`)).toEqual([
      'requested/requested',
      'authorize/denied',
    ]);
    expect(JSON.parse(audit.items[1]!.details)).toMatchObject({ reason: 'ROLE_NOT_ALLOWED' });
  });

  it.each([
    [
      'a bad parameter',
      'dispatcher',
      'set_charge_limit',
      { percent: 120 },
      'invalid_parameters',
      'INVALID_PARAMETERS',
    ],
    ['an unknown command', 'dispatcher', 'self_destruct', {}, 'unknown_command', 'UNKNOWN_COMMAND'],
  ] as const)(
    'denies %s, with the reason, in the audit log',
    async (_what, who, command, parameters, reason, precise) => {
      // act
      const sent = await send(who, awakeVehicle, command, parameters);
      const done = await settled(sent.id, ['denied']);
      // assess
      expect(done.reason).toBe(reason);
      const audit = await auditOf(sent.id);
      expect(audit.items.map((e) => `${e.step}/${e.outcome}`)).toEqual([
        'requested/requested',
        'authorize/denied',
      ]);
      expect(JSON.parse(audit.items[1]!.details)).toMatchObject({ reason: precise, publicReason: reason });
    },
  );

  it("denies a command to another tenant's vehicle as if it did not exist; the audit log keeps the real reason", async () => {
    // act
    const sent = await send('dispatcher', otherTenantVehicle, 'honk_horn');
    const done = await settled(sent.id, ['denied']);
    // assess
    expect(done).toMatchObject({
      reason: 'vehicle_not_found',
      message: `vehicle "${otherTenantVehicle}" not found`,
    });
    const entries = (await new DynamoDbAuditLog(dynamodb).listForCommand(sent.id, { limit: 10 })).items;
    expect(entries.map((e) => [e.outcome, e.reason])).toEqual([
      ['requested', null],
      ['denied', 'VEHICLE_NOT_IN_TENANT'],
    ]);
  });

  it('ends a rejected command and a command nobody approves in time as denied', async () => {
    // act
    const rejected = await send('dispatcher', awakeVehicle, 'actuate_trunk', { which_trunk: 'rear' });
    const expiring = await send('dispatcher', awakeVehicle, 'window_control', { command: 'vent' });
    await settled(rejected.id, ['approval_requested']);
    await expect
      .poll(
        async () =>
          (await gql('ada', DECIDE, { input: { commandId: rejected.id, decision: 'reject' } })).errors
            ?.length ?? 0,
      )
      .toBe(0);
    const rejectedDone = await settled(rejected.id, ['denied']);
    const expiredDone = await settled(expiring.id, ['denied'], (APPROVAL_TIMEOUT_SECONDS + 6) * 1000);
    // assess
    expect(rejectedDone).toMatchObject({ reason: 'approval_rejected', message: `rejected by ${users.ada}` });
    expect(expiredDone.reason).toBe('approval_timed_out');
    expect((await auditOf(rejected.id)).items.map((e) => `${e.step}/${e.outcome}`).at(-1)).toBe(
      'approval/rejected',
    );
    expect((await auditOf(expiring.id)).items.map((e) => `${e.step}/${e.outcome}`).at(-1)).toBe(
      'approval/timed_out',
    );
  });

  it('wakes a sleeping vehicle and then carries out the command', async () => {
    // act
    const sent = await send('dispatcher', asleepVehicle, 'flash_lights');
    const done = await settled(sent.id, ['succeeded', 'failed']);
    // assess
    expect(done.status).toBe('succeeded');
    await expect
      .poll(() =>
        events.find((e) => e.detail.commandId === sent.id && e['detail-type'] === 'Command.Succeeded'),
      )
      .toBeDefined();
    const succeeded = events.find(
      (e) => e.detail.commandId === sent.id && e['detail-type'] === 'Command.Succeeded',
    )!;
    expect(succeeded.detail).toMatchObject({ wokeVehicle: true, attempts: 2 });
  });

  it('publishes every Command.* event as the catalog defines it', async () => {
    // assess
    const ours = events.filter((e) => executions.includes(e.detail.commandId));
    expect(ours.length).toBeGreaterThanOrEqual(executions.length * 2);
    for (const event of ours) {
      const result = SCHEMAS[event['detail-type']].safeParse(event.detail);
      expect(result.error?.issues ?? [], `${event['detail-type']} ${JSON.stringify(event.detail)}`).toEqual(
        [],
      );
    }
  });

  it('gives every execution a complete, ordered history through the real SFNClient, and auditors the summary', async () => {
    for (const id of executions) {
      const executionArn = `${stack.commandStateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
      const history: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 20, nextToken }),
        );
        history.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
      expect(history[0]?.type).toBe('ExecutionStarted');
      expect(history.at(-1)?.type).toMatch(/^Execution(Succeeded|Failed)$/);
      const summary = (await gql('auditor', AUDIT, { id })).data as {
        commandAudit: { history: { id: number }[]; executionStatus: string };
      };
      expect(summary.commandAudit.history.map((e) => e.id)).toEqual(history.map((e) => e.id));
    }
  });

  it("streams command updates to the caller's tenant only", async () => {
    // act
    const outsiders = await send('outsider', awakeVehicle, 'honk_horn');
    await settled(outsiders.id, ['denied'], 15_000, 'outsideAuditor');
    // The demo auditor cannot see it: another tenant's command reads as missing.
    expect(
      ((await gql('auditor', GET, { id: outsiders.id })).data as { command: unknown }).command,
    ).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // assess
    const demo = probeDemo
      .takeData('demo')
      .map(
        (m) =>
          (m.payload as { data: { onCommandUpdate: { tenantId: string; commandId: string } } }).data
            .onCommandUpdate,
      );
    const other = probeOther
      .takeData('other')
      .map(
        (m) =>
          (m.payload as { data: { onCommandUpdate: { tenantId: string; commandId: string } } }).data
            .onCommandUpdate,
      );
    expect(demo.length).toBeGreaterThan(0);
    expect(new Set(demo.map((u) => u.tenantId))).toEqual(new Set(['demo']));
    expect(other.map((u) => `${u.tenantId}/${u.commandId}`)).toEqual(
      expect.arrayContaining([`${OTHER_TENANT}/${outsiders.id}`]),
    );
    expect(new Set(other.map((u) => u.tenantId))).toEqual(new Set([OTHER_TENANT]));
  });
});
