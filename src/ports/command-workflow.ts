/**
 * The `vehicle-command` state machine as the command API drives it: start an execution per command,
 * answer a waiting approval, and read an execution's history for the audit trail.
 */

/** One history event, summarized for auditors. */
export interface WorkflowHistoryEvent {
  readonly id: number;
  readonly timestamp: string;
  /** Step Functions' event type, e.g. `TaskStateEntered`, `TaskSucceeded`. */
  readonly type: string;
  /** The state, for state entered/exited events. */
  readonly stateName: string | null;
  /** The error of a failure or timeout event. */
  readonly error: string | null;
}

/** An execution's status and its whole history, in order. */
export interface WorkflowHistory {
  readonly executionArn: string;
  readonly status: string;
  readonly events: readonly WorkflowHistoryEvent[];
}

/** The approval task's answer (the output of the waiting state). */
export interface ApprovalDecisionOutput {
  readonly approved: boolean;
  readonly approverId: string;
  /** The admin's words, if any. */
  readonly reason: string | null;
  readonly decidedAt: string;
  /** Never empty: the admin's reason, or a sentence saying who decided. */
  readonly message: string;
  /** The audit entry's `details`, as DynamoDB attribute values (`{"M": …}`). */
  readonly auditDetails: unknown;
}

/** The command workflow. */
export interface CommandWorkflow {
  /** The ARN the execution named `name` will have. */
  executionArnOf(name: string): string;
  /** Starts the execution named `name`; resolves with its ARN. */
  start(name: string, input: unknown): Promise<string>;
  /**
   * Answers the approval task with `output`. Resolves false when the task no longer waits (timed out,
   * execution ended); throws for anything else.
   */
  sendDecision(taskToken: string, output: ApprovalDecisionOutput): Promise<boolean>;
  /** The execution's history, or undefined when Step Functions no longer has it (after 90 days). */
  history(executionArn: string): Promise<WorkflowHistory | undefined>;
}
