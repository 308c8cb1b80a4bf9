/**
 * The workflow's authorize step: `authorizeCommand` on the vehicle the state machine loaded (a direct
 * DynamoDB GetItem before this task), with everything the following states need already shaped, so
 * the ASL only moves values: the public reason as the `Command.Denied` event spells it, the precise one
 * for the audit log, the times, and the audit entry's details as attribute values.
 */
import { z } from 'zod';
import {
  APPROVER_ROLE,
  authorizeCommand,
  COMMAND_DENIED_EVENT_REASONS,
  type CommandDenialReason,
  type CommandDeniedEventReason,
  type NormalizedParameters,
} from '../../../domain/commands/index.ts';
import { detailsAttribute } from '../attribute-values.ts';

/** The task's input, as `vehicle-command.asl.json` builds it. */
export const AuthorizeEventSchema = z.looseObject({
  caller: z.unknown(),
  vehicleId: z.string(),
  /** The GetItem output: `{Item: {vehicleId: {S}, tenantId: {S}}}`, without `Item` when not found. */
  vehicleItem: z.looseObject({
    Item: z
      .looseObject({ vehicleId: z.object({ S: z.string() }), tenantId: z.object({ S: z.string() }) })
      .optional(),
  }),
  command: z.string(),
  parameters: z.unknown(),
  approvalTimeoutSeconds: z.int().positive(),
});

/** The task's output; every key is always there, so the state machine's paths always resolve. */
export interface AuthorizeResult {
  readonly decision: 'allow' | 'deny';
  readonly sensitive: boolean;
  /** The validated parameters to dispatch (`{}` on a denial). */
  readonly parameters: NormalizedParameters;
  /** The precise reason (audit log) of a denial, else null. */
  readonly reason: CommandDenialReason | null;
  /** The reason as `Command.Denied` and the caller see it, else null. */
  readonly eventReason: CommandDeniedEventReason | null;
  readonly message: string | null;
  /** When the decision was made (ISO-8601 UTC). */
  readonly at: string;
  readonly approvalTimeoutSeconds: number;
  /** When the wait for an approval times out (sensitive commands), else null. */
  readonly expiresAt: string | null;
  /** The audit entry's `details` (`{"M": …}`) for a denial or an approval request. */
  readonly auditDetails: ReturnType<typeof detailsAttribute>;
}

/** The input did not come from the state machine's definition (a definition out of step with this code). */
export class InvalidAuthorizeEventError extends Error {
  override readonly name = 'InvalidAuthorizeEventError';
}

/**
 * The authorize function. A malformed caller throws `InvalidAuthorizationInputError` (from the policy):
 * the execution fails loudly rather than recording a bug as a policy decision.
 */
export function createAuthorizeFunction(now: () => Date = () => new Date()) {
  return async (event: unknown): Promise<AuthorizeResult> => {
    const parsed = AuthorizeEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidAuthorizeEventError(
        `authorize got an event it cannot read: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    }
    const input = parsed.data;
    const item = input.vehicleItem.Item;
    const decision = authorizeCommand({
      caller: input.caller as never,
      vehicle: item ? { vehicleId: item.vehicleId.S, tenantId: item.tenantId.S } : null,
      vehicleId: input.vehicleId,
      command: input.command,
      parameters: input.parameters,
    });
    const at = now();
    const base = { at: at.toISOString(), approvalTimeoutSeconds: input.approvalTimeoutSeconds };
    if (decision.decision === 'deny') {
      return {
        ...base,
        decision: 'deny',
        sensitive: false,
        parameters: {},
        reason: decision.reason,
        eventReason: COMMAND_DENIED_EVENT_REASONS[decision.publicReason],
        message: decision.message,
        expiresAt: null,
        auditDetails: detailsAttribute({
          publicReason: COMMAND_DENIED_EVENT_REASONS[decision.publicReason],
        }),
      };
    }
    const expiresAt = decision.sensitive
      ? new Date(at.getTime() + input.approvalTimeoutSeconds * 1000).toISOString()
      : null;
    return {
      ...base,
      decision: 'allow',
      sensitive: decision.sensitive,
      parameters: decision.normalizedParameters,
      reason: null,
      eventReason: null,
      message: null,
      expiresAt,
      auditDetails: detailsAttribute(
        decision.sensitive ? { approverRole: APPROVER_ROLE, expiresAt } : { approverRole: null, expiresAt },
      ),
    };
  };
}
