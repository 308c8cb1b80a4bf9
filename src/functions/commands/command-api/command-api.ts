/**
 * The `CommandApi` data source's function: what the GraphQL command fields do. `sendCommand` records the
 * command and starts its workflow (the workflow authorizes it: a denial is audited there, not refused
 * here), `decideCommand` answers a waiting approval, the reads return the caller's tenant's commands and
 * their audit trail. The caller always comes from the resolver, i.e. from the verified token.
 *
 * Answers `{data}` or `{error: {type, message}}` for what the caller can fix or should know; failures
 * of the back ends throw, so AppSync reports them as InternalFailure without their details.
 */
import { z } from 'zod';
import {
  APPROVER_ROLE,
  authorizeDecision,
  COMMAND_STATUSES,
  CommandAlreadyExistsError,
  InvalidPageTokenError,
  newCommandId,
} from '../../../domain/commands/index.ts';
import { VEHICLE_ID_PATTERN } from '../../../domain/events/catalog/common.ts';
import type { AuditEntry, AuditLog } from '../../../ports/audit-log.ts';
import type { CommandRecord, CommandStore } from '../../../ports/command-store.ts';
import type { CommandWorkflow, WorkflowHistoryEvent } from '../../../ports/command-workflow.ts';
import { detailsAttribute } from '../attribute-values.ts';
import { CallerSchema, issuesText, type Caller } from '../caller.ts';

/** Most items one page of `commands` or `commandAudit` returns. */
export const MAX_PAGE_SIZE = 100;

/** An id Fleetwire minted, as the event catalog's `EntityId`. */
const commandId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'must be a command id' });
const limit = z.int().min(1).max(MAX_PAGE_SIZE).optional();
const nextToken = z.string().max(4096).nullish();

/** Parameters that can travel in events and the audit log: a flat-keyed JSON object of bounded size. */
const parameters = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'must be a parameter name, e.g. percent' }),
    z.json(),
  )
  .refine((value) => JSON.stringify(value).length <= 4096, {
    error: 'must be at most 4096 characters of JSON',
  });

/** The events the function accepts, one per GraphQL field. */
export const CommandApiEventSchema = z.discriminatedUnion('operation', [
  z.strictObject({
    operation: z.literal('sendCommand'),
    caller: CallerSchema,
    vehicleId: z.string().regex(VEHICLE_ID_PATTERN, { error: 'must be a vehicle id' }),
    command: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'must be a Fleet API command in snake_case' }),
    parameters: parameters.nullish(),
  }),
  z.strictObject({
    operation: z.literal('decideCommand'),
    caller: CallerSchema,
    commandId,
    decision: z.enum(['approve', 'reject']),
    reason: z.string().max(1024).nullish(),
  }),
  z.strictObject({ operation: z.literal('getCommand'), caller: CallerSchema, commandId }),
  z.strictObject({
    operation: z.literal('listCommands'),
    caller: CallerSchema,
    vehicleId: z.string().regex(VEHICLE_ID_PATTERN, { error: 'must be a vehicle id' }).nullish(),
    status: z.enum(COMMAND_STATUSES).nullish(),
    limit,
    nextToken,
  }),
  z.strictObject({ operation: z.literal('commandAudit'), caller: CallerSchema, commandId, limit, nextToken }),
]);

/** An event of the CommandApi function. */
export type CommandApiEvent = z.infer<typeof CommandApiEventSchema>;

/** The GraphQL `Command`: never the approval token, never a VIN. */
export interface CommandView {
  readonly id: string;
  readonly vehicleId: string;
  readonly command: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly status: CommandRecord['status'];
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly approvedBy: string | null;
  readonly reason: string | null;
  readonly message: string | null;
  readonly updatedAt: string;
}

/** The GraphQL `AuditEntry`. */
export interface AuditEntryView {
  readonly commandId: string;
  readonly at: string;
  readonly step: string;
  readonly outcome: string;
  readonly actor: string | null;
  readonly executionArn: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The GraphQL `AuditEntryConnection`, with the execution's history summarized. */
export interface AuditTrailView {
  readonly items: readonly AuditEntryView[];
  readonly nextToken: string | null;
  /** The execution's status (`RUNNING`, `SUCCEEDED`, `FAILED`, …); null when Step Functions no longer has it. */
  readonly executionStatus: string | null;
  /** Every history event in order; null when Step Functions no longer has the execution (after 90 days). */
  readonly history: readonly WorkflowHistoryEvent[] | null;
}

/** What the function answers. */
export type CommandApiResult =
  | { readonly data: unknown }
  | {
      readonly error: {
        readonly type: 'BadRequest' | 'NotFound' | 'Conflict' | 'Unauthorized';
        readonly message: string;
      };
    };

/** What the function works with. */
export interface CommandApiDependencies {
  readonly commands: CommandStore;
  readonly audit: AuditLog;
  readonly workflow: CommandWorkflow;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** The roles that read audit trails. */
const AUDIT_ROLES = ['auditor', 'admin'];

const fail = (type: 'BadRequest' | 'NotFound' | 'Conflict' | 'Unauthorized', message: string) => ({
  error: { type, message },
});

const NOT_FOUND = 'command not found';

/** A record as the API shows it. */
export function toCommandView(record: CommandRecord): CommandView {
  return {
    id: record.commandId,
    vehicleId: record.vehicleId,
    command: record.command,
    parameters: record.parameters,
    status: record.status,
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    approvedBy: record.approvedBy ?? null,
    reason: record.reason ?? null,
    message: record.message ?? null,
    updatedAt: record.updatedAt,
  };
}

function toAuditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    commandId: entry.commandId,
    at: entry.at,
    step: entry.step,
    outcome: entry.outcome,
    actor: entry.actor,
    executionArn: entry.executionArn,
    details: {
      ...entry.details,
      vehicleId: entry.vehicleId,
      command: entry.command,
      parameters: entry.parameters,
      requestedBy: entry.requestedBy,
      approvedBy: entry.approvedBy,
      reason: entry.reason,
      message: entry.message,
    },
  };
}

/** The CommandApi function on its ports. */
export function createCommandApi(deps: CommandApiDependencies) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => newCommandId());

  /** The command, if it is the caller's tenant's; another tenant's reads exactly like a missing one. */
  async function commandOf(caller: Caller, id: string): Promise<CommandRecord | undefined> {
    const record = await deps.commands.get(id);
    return record?.tenantId === caller.tenantId ? record : undefined;
  }

  async function sendCommand(event: Extract<CommandApiEvent, { operation: 'sendCommand' }>) {
    const id = newId();
    const requestedAt = now().toISOString();
    const executionArn = deps.workflow.executionArnOf(id);
    const record: CommandRecord = {
      commandId: id,
      tenantId: event.caller.tenantId,
      vehicleId: event.vehicleId,
      command: event.command,
      parameters: event.parameters ?? {},
      status: 'requested',
      requestedBy: event.caller.userId,
      requestedAt,
      updatedAt: requestedAt,
      executionArn,
    };
    try {
      // First the record: the workflow's updates of it are conditional on its existence.
      await deps.commands.create(record);
    } catch (error) {
      if (error instanceof CommandAlreadyExistsError)
        return fail('Conflict', 'command id collision; send again');
      throw error;
    }
    await deps.workflow.start(id, {
      commandId: id,
      tenantId: record.tenantId,
      vehicleId: record.vehicleId,
      command: record.command,
      parameters: record.parameters,
      requestedBy: record.requestedBy,
      requestedAt,
      caller: event.caller,
    });
    return { data: toCommandView(record) };
  }

  async function decideCommand(event: Extract<CommandApiEvent, { operation: 'decideCommand' }>) {
    const { caller } = event;
    const record = await commandOf(caller, event.commandId);
    if (!record) return fail('NotFound', NOT_FOUND);
    if (record.status !== 'approval_requested') {
      return fail('Conflict', `command ${record.commandId} is ${record.status}, not waiting for approval`);
    }
    const at = now().toISOString();
    const allowed = authorizeDecision({
      approver: caller,
      request: { requestedBy: record.requestedBy, tenantId: record.tenantId },
      decision: event.decision,
    });
    if (allowed.decision === 'deny') {
      // Refused attempts never reach the workflow, so the audit log hears of them from here.
      await deps.audit.append({
        commandId: record.commandId,
        entryId: `${at}#approval#denied`,
        tenantId: record.tenantId,
        vehicleId: record.vehicleId,
        command: record.command,
        parameters: record.parameters,
        step: 'approval',
        outcome: 'denied',
        actor: caller.userId,
        requestedBy: record.requestedBy,
        approvedBy: null,
        reason: allowed.reason,
        message: allowed.message,
        at,
        executionArn: record.executionArn,
        details: { decision: event.decision, roles: caller.roles.join(',') },
      });
      return fail('Unauthorized', `${allowed.publicReason}: ${allowed.message}`);
    }
    const token = record.approvalTaskToken;
    if (token === undefined) {
      return fail(
        'Conflict',
        `command ${record.commandId} is not ready for a decision yet; try again in a moment`,
      );
    }
    // Exactly one decision uses the token, however many admins click at once.
    if (!(await deps.commands.claimApprovalToken(record.commandId, token))) {
      return fail('Conflict', `command ${record.commandId} has already been decided`);
    }
    const reason = event.reason ?? null;
    const verb = allowed.approved ? 'approved' : 'rejected';
    const delivered = await deps.workflow.sendDecision(token, {
      approved: allowed.approved,
      approverId: caller.userId,
      reason,
      decidedAt: at,
      message: reason ?? `${verb} by ${caller.userId}`,
      auditDetails: detailsAttribute({ decision: event.decision, reason, approverRole: APPROVER_ROLE }),
    });
    if (!delivered) {
      return fail('Conflict', `command ${record.commandId} is no longer waiting for approval (it timed out)`);
    }
    const after = await deps.commands.get(record.commandId);
    return { data: toCommandView(after ?? record) };
  }

  async function commandAudit(event: Extract<CommandApiEvent, { operation: 'commandAudit' }>) {
    if (!event.caller.roles.some((role) => AUDIT_ROLES.includes(role))) {
      return fail('Unauthorized', `audit trails are for the roles ${AUDIT_ROLES.join(', ')}`);
    }
    const record = await commandOf(event.caller, event.commandId);
    if (!record) return fail('NotFound', NOT_FOUND);
    const [page, history] = await Promise.all([
      deps.audit.listForCommand(record.commandId, {
        limit: event.limit ?? 50,
        nextToken: event.nextToken ?? undefined,
      }),
      deps.workflow.history(record.executionArn),
    ]);
    return {
      data: {
        items: page.items.map(toAuditEntryView),
        nextToken: page.nextToken ?? null,
        executionStatus: history?.status ?? null,
        history: history?.events ?? null,
      } satisfies AuditTrailView,
    };
  }

  return async (event: unknown): Promise<CommandApiResult> => {
    const parsed = CommandApiEventSchema.safeParse(event);
    if (!parsed.success) return fail('BadRequest', `Invalid command request: ${issuesText(parsed.error)}`);
    const request = parsed.data;
    try {
      switch (request.operation) {
        case 'sendCommand':
          return await sendCommand(request);
        case 'decideCommand':
          return await decideCommand(request);
        case 'getCommand': {
          const record = await commandOf(request.caller, request.commandId);
          return { data: record ? toCommandView(record) : null };
        }
        case 'listCommands': {
          const page = await deps.commands.listByTenant(request.caller.tenantId, {
            vehicleId: request.vehicleId ?? undefined,
            status: request.status ?? undefined,
            limit: request.limit ?? 50,
            nextToken: request.nextToken ?? undefined,
          });
          return { data: { items: page.items.map(toCommandView), nextToken: page.nextToken ?? null } };
        }
        case 'commandAudit':
          return await commandAudit(request);
      }
    } catch (error) {
      if (error instanceof InvalidPageTokenError) return fail('BadRequest', error.message);
      throw error;
    }
  };
}
