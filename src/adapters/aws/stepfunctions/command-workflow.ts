import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type {
  ApprovalDecisionOutput,
  CommandWorkflow,
  WorkflowHistory,
  WorkflowHistoryEvent,
} from '../../../ports/command-workflow.ts';

/** {@link CommandWorkflow} on Step Functions (AWS, or the local edge). */
export class StepFunctionsCommandWorkflow implements CommandWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    if (!/^arn:aws[a-z-]*:states:[^:]*:\d{12}:stateMachine:[^:]+$/.test(stateMachineArn)) {
      throw new RangeError(`not a state machine ARN: ${stateMachineArn}`);
    }
  }

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(name: string, input: unknown): Promise<string> {
    const { executionArn } = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    if (!executionArn) throw new Error('StartExecution answered without an executionArn');
    return executionArn;
  }

  async sendDecision(taskToken: string, output: ApprovalDecisionOutput): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      // The wait is over (timed out, execution stopped): the decision came too late, not a failure.
      if (
        error instanceof TaskTimedOut ||
        error instanceof TaskDoesNotExist ||
        error instanceof InvalidToken
      ) {
        return false;
      }
      throw error;
    }
  }

  async history(executionArn: string): Promise<WorkflowHistory | undefined> {
    try {
      const { status } = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const events: WorkflowHistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn,
            maxResults: 1000,
            nextToken,
            includeExecutionData: false,
          }),
        );
        events.push(...(page.events ?? []).map(summarize));
        nextToken = page.nextToken;
      } while (nextToken);
      return { executionArn, status: status ?? 'UNKNOWN', events };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }
}

/** The state name and the error of an event, wherever its type keeps them. */
function summarize(event: HistoryEvent): WorkflowHistoryEvent {
  let stateName: string | null = null;
  let failure: string | null = null;
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const details = value as { name?: unknown; error?: unknown };
    if (key.startsWith('state') && typeof details.name === 'string') stateName = details.name;
    if (typeof details.error === 'string') failure = details.error;
  }
  return {
    id: event.id ?? 0,
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    type: event.type ?? 'Unknown',
    stateName,
    error: failure,
  };
}
