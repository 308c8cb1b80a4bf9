import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import './polyfill.ts';
import { libraryDefinition, type ParsedDefinition } from './definition.ts';
import {
  errorDetails,
  jsonText,
  LibraryEventMapper,
  type HistoryRecorder,
  type LibraryEvent,
} from './history.ts';
import type { IntegrationEndpoint, ServiceIntegrations } from './integrations.ts';
import type { TaskTokenStore } from './task-tokens.ts';
import { taskHandler } from './task-runner.ts';

/** How an execution ended. */
export interface ExecutionOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** What one execution runs with. */
export interface ExecutionRunOptions {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly input: unknown;
  readonly startTime: Date;
  readonly definition: ParsedDefinition;
  readonly recorder: HistoryRecorder;
  readonly tokens: TaskTokenStore;
  readonly integrations: ServiceIntegrations;
  readonly endpoint: () => IntegrationEndpoint;
}

/**
 * One running execution on aws-local-stepfunctions: Task states go to the engine's task runner, the
 * library's event log is mapped into the history, and {@link done} settles once the history holds its
 * terminal event, whatever ended the execution.
 */
export class ExecutionRun {
  /** Settles with the outcome once the history is complete; never rejects for the execution's own failure. */
  readonly done: Promise<ExecutionOutcome>;
  private abortReason: { error?: string; cause?: string } = {};
  private abort: (() => void) | undefined;
  private ended = false;

  constructor(private readonly options: ExecutionRunOptions) {
    this.done = this.run();
  }

  /** Stops the execution (StopExecution); resolves once its history ends in ExecutionAborted. */
  stop(error?: string, cause?: string): Promise<ExecutionOutcome> {
    if (!this.ended) {
      this.abortReason = {
        ...(error === undefined ? {} : { error }),
        ...(cause === undefined ? {} : { cause }),
      };
      this.abort?.();
    }
    return this.done;
  }

  private async run(): Promise<ExecutionOutcome> {
    const { options } = this;
    const tokenPlaceholder = `fleetwire-task-token-${randomUUID()}`;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const taskContext = {
      executionArn: options.executionArn,
      recorder: options.recorder,
      tokens: options.tokens,
      integrations: options.integrations,
      endpoint: options.endpoint,
      tokenPlaceholder,
      ended: () => this.ended || options.recorder.closed,
    };
    for (const [name, state] of options.definition.states) {
      if (state.Type === 'Task') handlers[name] = taskHandler(taskContext, state);
    }
    const machine = new StateMachine(libraryDefinition(options.definition.definition), {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(options.input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: {
          Id: options.executionArn,
          Name: options.name,
          RoleArn: options.roleArn,
          StartTime: options.startTime.toISOString(),
        },
        StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineName },
        Task: { Token: tokenPlaceholder },
      },
    });
    this.abort = execution.abort;
    const mapper = new LibraryEventMapper(options.recorder, {
      roleArn: options.roleArn,
      states: options.definition.states,
      abortReason: () => this.abortReason,
    });
    const consumed = (async () => {
      for await (const event of execution.eventLogs) mapper.handle(event as unknown as LibraryEvent);
    })();

    let outcome: ExecutionOutcome;
    try {
      outcome = { status: 'SUCCEEDED', output: jsonText(await execution.result) };
    } catch (error) {
      outcome = outcomeOfFailure(error, this.abortReason);
    }
    this.ended = true;
    await consumed;
    // The library reports every end it knows; this covers an end it could not report (a bug in a handler).
    if (!options.recorder.closed) {
      const type = {
        SUCCEEDED: 'ExecutionSucceeded',
        FAILED: 'ExecutionFailed',
        TIMED_OUT: 'ExecutionTimedOut',
        ABORTED: 'ExecutionAborted',
      }[outcome.status];
      options.recorder.append(
        type,
        outcome.status === 'SUCCEEDED'
          ? { output: outcome.output, outputDetails: { truncated: false } }
          : errorDetails(outcome.error, outcome.cause),
      );
    }
    options.tokens.endExecution(options.executionArn);
    return outcome;
  }
}

/** The outcome of an execution whose result rejected, as DescribeExecution reports it. */
function outcomeOfFailure(error: unknown, abortReason: { error?: string; cause?: string }): ExecutionOutcome {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', ...abortReason };
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) {
    const nested = (cause as Error & { cause?: unknown }).cause;
    return { status: 'FAILED', ...errorDetails(cause.name, nested ?? cause.message) };
  }
  return { status: 'FAILED', ...errorDetails('States.Runtime', cause) };
}
