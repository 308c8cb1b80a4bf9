/**
 * The workflow's approval step (`lambda:invoke.waitForTaskToken`): parks the command by storing the task
 * token on its item, where `decideCommand` finds it. The token is a bearer credential for the decision:
 * it goes nowhere else (no event, no log, no API answer).
 */
import { z } from 'zod';
import type { CommandStore } from '../../../ports/command-store.ts';
import { issuesText } from '../caller.ts';

/** The task's payload, as `vehicle-command.asl.json` builds it. */
export const ApprovalEventSchema = z.strictObject({
  commandId: z.string().min(1),
  tenantId: z.string().min(1),
  expiresAt: z.string(),
  taskToken: z.string().min(1),
});

/** The payload did not come from the state machine's definition. */
export class InvalidApprovalEventError extends Error {
  override readonly name = 'InvalidApprovalEventError';
}

/**
 * The approval function. A command that is no longer `approval_requested` throws
 * `CommandStateConflictError`, which fails the execution: that can only be a bug or a manual edit.
 */
export function createApprovalFunction(commands: Pick<CommandStore, 'setApprovalToken'>) {
  return async (event: unknown): Promise<{ readonly stored: true }> => {
    const parsed = ApprovalEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidApprovalEventError(`approval: ${issuesText(parsed.error)}`);
    await commands.setApprovalToken(parsed.data.commandId, parsed.data.taskToken);
    return { stored: true };
  };
}
