/**
 * The command workflow's events (Step Functions `vehicle-command`): one per step outcome, so an
 * integrator or an auditor can follow who asked which vehicle to do what, who approved it and what
 * happened, without reading the execution history. Every one names the execution it came from.
 */
import { z } from 'zod';
import {
  DETAIL_TYPES,
  EVENT_SOURCES,
  EntityIdSchema,
  JsonValueSchema,
  UserIdSchema,
  UtcDateTimeSchema,
  defineEvent,
  vehicleEventDetailSchema,
} from './common.ts';

/** A Tesla Fleet API vehicle command name, e.g. `door_lock`, `set_charge_limit`. */
export const CommandNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, {
    error: 'must be a Fleet API command name in snake_case, e.g. door_lock',
  })
  .meta({
    id: 'CommandName',
    title: 'CommandName',
    description: 'The Tesla Fleet API vehicle command, e.g. door_lock, honk_horn, set_charge_limit.',
  });

/** The ARN of a `vehicle-command` execution. */
export const ExecutionArnSchema = z
  .string()
  .max(2048)
  .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]+:[^:\s]+$/, {
    error:
      'must be a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>)',
  })
  .meta({
    id: 'ExecutionArn',
    title: 'ExecutionArn',
    description:
      "The Step Functions execution that runs this command: its history (GetExecutionHistory) is the command's " +
      'audit trail, together with the audit log.',
  });

/** A command's parameters, as the Fleet API takes them. */
export const CommandParametersSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'must be a parameter name, e.g. percent' }),
    JsonValueSchema,
  )
  .meta({
    id: 'CommandParameters',
    title: 'CommandParameters',
    description: 'The command\'s parameters as the Fleet API takes them, e.g. {"percent": 80}; {} for none.',
  });

/** The fields every `Command.*` detail carries after the common ones. */
const commandFields = {
  commandId: EntityIdSchema.describe(
    'The command: the same id in every event of its workflow and in the audit log.',
  ),
  command: CommandNameSchema,
  parameters: CommandParametersSchema,
  requestedBy: UserIdSchema.describe('Who asked for the command (a user id, never a VIN).'),
  executionArn: ExecutionArnSchema,
};

const requestedAtField = UtcDateTimeSchema.describe('When the command was requested (Command.Requested).');
const approvedByField = UserIdSchema.nullable().describe(
  'The admin who approved the command; null when the command needs no approval.',
);

/** The `Command.Requested` detail. */
export const CommandRequestedDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
}).describe('A user asked for a command; the workflow has started and will authorize it next.');

/** The `Command.Requested` detail. */
export type CommandRequestedDetail = z.infer<typeof CommandRequestedDetailSchema>;

/** The `Command.ApprovalRequested` detail. */
export const CommandApprovalRequestedDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
  approverRole: z
    .literal('admin')
    .describe('The role an approver needs; the requester cannot approve their own command.'),
  expiresAt: UtcDateTimeSchema.describe(
    'When the wait for a decision times out; the command is then denied.',
  ),
}).describe(
  'A sensitive command waits for another admin to approve it (decideCommand). The task token is never in the ' +
    'event: whoever can read the bus must not be able to approve.',
);

/** The `Command.ApprovalRequested` detail. */
export type CommandApprovalRequestedDetail = z.infer<typeof CommandApprovalRequestedDetailSchema>;

/** The `Command.Authorized` detail. */
export const CommandAuthorizedDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
  approvedBy: approvedByField,
  approvedAt: UtcDateTimeSchema.nullable().describe(
    'When it was approved; null when no approval was needed.',
  ),
})
  .superRefine((detail, ctx) => {
    if ((detail.approvedBy === null) !== (detail.approvedAt === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvedAt'],
        message: 'approvedBy and approvedAt are both set (approved) or both null (no approval needed)',
      });
    }
    // Four eyes: an approval by the requester would defeat the point of asking for one.
    if (detail.approvedBy !== null && detail.approvedBy === detail.requestedBy) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvedBy'],
        message: 'must be another user than requestedBy',
      });
    }
  })
  .describe(
    'The command passed authorization (tenant, role, command and parameters) and, if sensitive, was approved; ' +
      'it is being dispatched to the vehicle.',
  );

/** The `Command.Authorized` detail. */
export type CommandAuthorizedDetail = z.infer<typeof CommandAuthorizedDetailSchema>;

/** Why a command was denied. */
export const CommandDenialReasonSchema = z
  .enum([
    'vehicle_not_found',
    'vehicle_not_in_tenant',
    'role_not_allowed',
    'unknown_command',
    'invalid_parameters',
    'approval_rejected',
    'approval_timed_out',
  ])
  .describe(
    "vehicle_not_found / vehicle_not_in_tenant: the vehicle is not registered or not the caller's tenant's; " +
      "role_not_allowed: the caller's role may not send this command; unknown_command / invalid_parameters: " +
      'the command catalog refused it; approval_rejected / approval_timed_out: an admin said no, or nobody ' +
      'decided in time.',
  );

/** The `Command.Denied` detail. */
export const CommandDeniedDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
  reason: CommandDenialReasonSchema,
  message: z
    .string()
    .min(1)
    .max(1024)
    .describe('A human-readable explanation, for the requester and the auditor.'),
  deniedBy: UserIdSchema.nullable().describe(
    'The admin who rejected the command (approval_rejected); null when the policy or the timeout denied it.',
  ),
}).describe('The command was refused before reaching the vehicle; nothing was sent to it.');

/** The `Command.Denied` detail. */
export type CommandDeniedDetail = z.infer<typeof CommandDeniedDetailSchema>;

/** The `Command.Succeeded` detail. */
export const CommandSucceededDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
  approvedBy: approvedByField,
  requestedAt: requestedAtField,
  attempts: z
    .int()
    .min(1)
    .describe('Fleet API calls made, retries included (1 when the first call succeeded).'),
  wokeVehicle: z.boolean().describe('Whether the vehicle was asleep and had to be woken first.'),
  result: z
    .strictObject({
      reason: z
        .string()
        .max(1024)
        .nullable()
        .describe("Tesla's reason text in the command response, when it gave one (e.g. already_set)."),
    })
    .describe("The vehicle's answer."),
}).describe('The vehicle carried out the command.');

/** The `Command.Succeeded` detail. */
export type CommandSucceededDetail = z.infer<typeof CommandSucceededDetailSchema>;

/** Why a dispatched command failed. */
export const CommandFailureCodeSchema = z
  .enum([
    'vehicle_unavailable',
    'rejected_by_vehicle',
    'rate_limited',
    'fleet_api_error',
    'timeout',
    'internal',
  ])
  .describe(
    'vehicle_unavailable: asleep or offline and could not be woken; rejected_by_vehicle: the vehicle answered ' +
      'result=false; rate_limited: Tesla kept answering 429; fleet_api_error: 5xx or another error after ' +
      'retries; timeout: no answer in time; internal: a Fleetwire fault.',
  );

/** The `Command.Failed` detail. */
export const CommandFailedDetailSchema = vehicleEventDetailSchema(1, {
  ...commandFields,
  approvedBy: approvedByField,
  requestedAt: requestedAtField,
  attempts: z.int().min(0).describe('Fleet API calls made, retries included (0 if none could be made).'),
  error: z
    .strictObject({
      code: CommandFailureCodeSchema,
      message: z.string().min(1).max(1024).describe('A human-readable explanation.'),
      httpStatus: z
        .int()
        .min(100)
        .max(599)
        .nullable()
        .describe("The Fleet API's last HTTP status; null if no response."),
      vehicleReason: z
        .string()
        .max(1024)
        .nullable()
        .describe("Tesla's reason when the vehicle refused (e.g. not_charging); null otherwise."),
    })
    .describe('What went wrong.'),
}).describe('The command was dispatched but did not succeed.');

/** The `Command.Failed` detail. */
export type CommandFailedDetail = z.infer<typeof CommandFailedDetailSchema>;

const EXAMPLE_TENANT = 'acme-logistics';
const EXAMPLE_VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';
const EXAMPLE_REQUESTER = '3f9c2a7e-5b1d-4e8a-9c6f-1d2e3f4a5b6c';
const EXAMPLE_APPROVER = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const exampleLock = {
  version: 1,
  tenantId: EXAMPLE_TENANT,
  vehicleId: EXAMPLE_VEHICLE,
  commandId: 'cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2',
  command: 'door_lock',
  parameters: {},
  requestedBy: EXAMPLE_REQUESTER,
  executionArn:
    'arn:aws:states:us-east-1:123456789012:execution:fleetwire-vehicle-command:cmd_01JPA4B2V7N3R8T5Y6U1I9O0P2',
} as const;

const exampleUnlock = {
  version: 1,
  tenantId: EXAMPLE_TENANT,
  vehicleId: EXAMPLE_VEHICLE,
  commandId: 'cmd_01JPA5C3W8M4S9V6Z7X2K0L1Q3',
  command: 'door_unlock',
  parameters: {},
  requestedBy: EXAMPLE_REQUESTER,
  executionArn:
    'arn:aws:states:us-east-1:123456789012:execution:fleetwire-vehicle-command:cmd_01JPA5C3W8M4S9V6Z7X2K0L1Q3',
} as const;

const exampleChargeLimit = {
  version: 1,
  tenantId: EXAMPLE_TENANT,
  vehicleId: 'Hc9-2dJk_Wq5Ue1Ns7Yt0g',
  commandId: 'cmd_01JPA6D4X9N5T0W7A8Y3L1M2R4',
  command: 'set_charge_limit',
  parameters: { percent: 90 },
  requestedBy: EXAMPLE_REQUESTER,
  executionArn:
    'arn:aws:states:us-east-1:123456789012:execution:fleetwire-vehicle-command:cmd_01JPA6D4X9N5T0W7A8Y3L1M2R4',
} as const;

/** `Command.Requested`. */
export const COMMAND_REQUESTED = defineEvent({
  detailType: DETAIL_TYPES.CommandRequested,
  source: EVENT_SOURCES.commands,
  version: 1,
  description: 'A user sends a command (sendCommand); its workflow starts.',
  schema: CommandRequestedDetailSchema,
  example: { ...exampleLock, occurredAt: '2025-03-14T10:00:00.000Z' },
});

/** `Command.ApprovalRequested`. */
export const COMMAND_APPROVAL_REQUESTED = defineEvent({
  detailType: DETAIL_TYPES.CommandApprovalRequested,
  source: EVENT_SOURCES.commands,
  version: 1,
  description: 'A sensitive command (door_unlock, remote_start_drive, actuate_trunk, …) waits for an admin.',
  schema: CommandApprovalRequestedDetailSchema,
  example: {
    ...exampleUnlock,
    occurredAt: '2025-03-14T10:05:00.412Z',
    approverRole: 'admin',
    expiresAt: '2025-03-14T10:20:00.412Z',
  },
});

/** `Command.Authorized`. */
export const COMMAND_AUTHORIZED = defineEvent({
  detailType: DETAIL_TYPES.CommandAuthorized,
  source: EVENT_SOURCES.commands,
  version: 1,
  description: 'A command passes authorization (and approval, if sensitive) and is dispatched.',
  schema: CommandAuthorizedDetailSchema,
  example: {
    ...exampleUnlock,
    occurredAt: '2025-03-14T10:07:31.088Z',
    approvedBy: EXAMPLE_APPROVER,
    approvedAt: '2025-03-14T10:07:30.950Z',
  },
});

/** `Command.Denied`. */
export const COMMAND_DENIED = defineEvent({
  detailType: DETAIL_TYPES.CommandDenied,
  source: EVENT_SOURCES.commands,
  version: 1,
  description:
    'A command is refused: tenant, role or parameters, or an admin rejects it, or approval times out.',
  schema: CommandDeniedDetailSchema,
  example: {
    ...exampleChargeLimit,
    occurredAt: '2025-03-14T10:10:00.130Z',
    reason: 'role_not_allowed',
    message: 'role viewer may not send set_charge_limit',
    deniedBy: null,
  },
});

/** `Command.Succeeded`. */
export const COMMAND_SUCCEEDED = defineEvent({
  detailType: DETAIL_TYPES.CommandSucceeded,
  source: EVENT_SOURCES.commands,
  version: 1,
  description: 'The vehicle carries out a command.',
  schema: CommandSucceededDetailSchema,
  example: {
    ...exampleLock,
    occurredAt: '2025-03-14T10:00:09.870Z',
    approvedBy: null,
    requestedAt: '2025-03-14T10:00:00.000Z',
    attempts: 2,
    wokeVehicle: true,
    result: { reason: null },
  },
});

/** `Command.Failed`. */
export const COMMAND_FAILED = defineEvent({
  detailType: DETAIL_TYPES.CommandFailed,
  source: EVENT_SOURCES.commands,
  version: 1,
  description:
    'A dispatched command does not succeed (vehicle unreachable or refused, Fleet API errors, timeout).',
  schema: CommandFailedDetailSchema,
  example: {
    ...exampleUnlock,
    occurredAt: '2025-03-14T10:08:45.300Z',
    approvedBy: EXAMPLE_APPROVER,
    requestedAt: '2025-03-14T10:05:00.000Z',
    attempts: 5,
    error: {
      code: 'vehicle_unavailable',
      message: 'vehicle did not wake up within 60 s',
      httpStatus: 408,
      vehicleReason: null,
    },
  },
});
