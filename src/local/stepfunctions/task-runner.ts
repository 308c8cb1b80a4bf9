import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import './polyfill.ts';
import {
  hasWrappedParameters,
  WRAPPED_HEARTBEAT,
  WRAPPED_PARAMETERS,
  WRAPPED_TIMEOUT,
  type AslState,
} from './definition.ts';
import { TaskFailedError } from './errors.ts';
import { jsonText, errorDetails, type HistoryRecorder } from './history.ts';
import { parseTaskResource, type IntegrationEndpoint, type ServiceIntegrations } from './integrations.ts';
import type { TaskTokenStore } from './task-tokens.ts';

/** What one execution's tasks share. */
export interface TaskRunnerContext {
  readonly executionArn: string;
  readonly recorder: HistoryRecorder;
  readonly tokens: TaskTokenStore;
  readonly integrations: ServiceIntegrations;
  /** Where DynamoDB and EventBridge calls go, read when a task runs. */
  readonly endpoint: () => IntegrationEndpoint;
  /**
   * The string `$$.Task.Token` resolves to while the library evaluates Parameters: the library has no task
   * tokens, so the context object carries this placeholder and the runner swaps in the real token.
   */
  readonly tokenPlaceholder: string;
  /** Whether the execution has ended (stopped, timed out): a task must not start calls after that. */
  readonly ended: () => boolean;
}

/** A task failure of the engine's own making, with the history event type it is recorded as. */
interface TaskOutcomeFailure {
  readonly error: Error;
  readonly timedOut: boolean;
  readonly awsError: string;
  readonly awsCause: string | undefined;
}

/**
 * The local handler of one Task state, for aws-local-stepfunctions' `taskResourceLocalHandlers`: it runs
 * the state's resource (a local Lambda function or a service integration, optionally `.waitForTaskToken`),
 * enforces `TimeoutSeconds` and `HeartbeatSeconds`, and records the task's history events between the
 * library's `TaskStateEntered` and `TaskStateExited`.
 */
export function taskHandler(
  context: TaskRunnerContext,
  state: AslState,
): (input: unknown) => Promise<unknown> {
  return async (input) => {
    // The library reports TaskStateEntered through an async generator: let it drain so the task's own
    // events come after it, in order.
    await new Promise((resolve) => setImmediate(resolve));
    if (context.ended()) return new Promise<never>(() => {});
    return runTask(context, state, input);
  };
}

async function runTask(context: TaskRunnerContext, state: AslState, received: unknown): Promise<unknown> {
  const resourceArn = String(state.Resource);
  const resource = parseTaskResource(resourceArn);
  const wrapped = hasWrappedParameters(state) ? (received as Record<string, unknown>) : undefined;
  const input = wrapped ? wrapped[WRAPPED_PARAMETERS] : received;
  const timeoutSeconds = secondsOf(state, 'TimeoutSeconds', wrapped?.[WRAPPED_TIMEOUT]);
  const heartbeatSeconds = secondsOf(state, 'HeartbeatSeconds', wrapped?.[WRAPPED_HEARTBEAT]);
  const { recorder } = context;
  const where = context.endpoint();

  if (resource.kind === 'lambda-function') {
    recorder.append('LambdaFunctionScheduled', {
      resource: resourceArn,
      input: jsonText(input),
      inputDetails: { truncated: false },
      ...(timeoutSeconds === undefined ? {} : { timeoutInSeconds: timeoutSeconds }),
    });
    recorder.append('LambdaFunctionStarted');
    const deadline = new Deadline(timeoutSeconds);
    try {
      const { payload } = await deadline.race(
        context.integrations.functions.invoke(resourceArn, input, where.region),
      );
      recorder.append('LambdaFunctionSucceeded', {
        output: jsonText(payload),
        outputDetails: { truncated: false },
      });
      return payload;
    } catch (error) {
      const failure = await failureOf(error);
      recorder.append(
        failure.timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
        errorDetails(failure.awsError, failure.awsCause),
      );
      throw failure.error;
    } finally {
      deadline.clear();
    }
  }

  const identity =
    resource.kind === 'integration'
      ? { resourceType: resource.resourceType, resource: resource.resource }
      : { resourceType: 'unknown', resource: resourceArn };
  const token =
    resource.kind === 'integration' && resource.waitForTaskToken
      ? context.tokens.issue(context.executionArn)
      : undefined;
  const parameters = token === undefined ? input : replacePlaceholder(input, context.tokenPlaceholder, token);
  recorder.append('TaskScheduled', {
    ...identity,
    region: where.region,
    parameters: jsonText(parameters),
    ...(timeoutSeconds === undefined ? {} : { timeoutInSeconds: timeoutSeconds }),
    ...(heartbeatSeconds === undefined ? {} : { heartbeatInSeconds: heartbeatSeconds }),
  });
  recorder.append('TaskStarted', identity);
  const deadline = new Deadline(timeoutSeconds);
  const heartbeat = new Deadline(
    token === undefined ? undefined : heartbeatSeconds,
    'States.HeartbeatTimeout',
  );
  // Registered before the call goes out: whoever receives the token may answer before the call returns.
  const answer = token === undefined ? undefined : context.tokens.wait(token, () => heartbeat.restart());
  try {
    if (resource.kind !== 'integration') {
      throw new TaskFailedError(
        'Fleetwire.UnsupportedResource',
        `the local Step Functions engine does not run the resource ${resourceArn}`,
      );
    }
    const result = await deadline.race(context.integrations.call(resource, parameters, where));
    let output = result;
    if (token !== undefined && answer !== undefined) {
      recorder.append('TaskSubmitted', {
        ...identity,
        output: jsonText(result),
        outputDetails: { truncated: false },
      });
      const outcome = await heartbeat.race(deadline.race(answer));
      if (outcome.kind === 'failure') throw new TaskFailedError(outcome.error, outcome.cause);
      if (outcome.kind === 'cancelled') throw new TaskFailedError('States.Aborted', 'the execution ended');
      output = outcome.output;
    }
    recorder.append('TaskSucceeded', {
      ...identity,
      output: jsonText(output),
      outputDetails: { truncated: false },
    });
    return output;
  } catch (error) {
    const failure = await failureOf(error);
    if (token !== undefined) context.tokens.end(token, failure.timedOut ? 'timed-out' : 'completed');
    recorder.append(failure.timedOut ? 'TaskTimedOut' : 'TaskFailed', {
      ...identity,
      ...errorDetails(failure.awsError, failure.awsCause),
    });
    throw failure.error;
  } finally {
    deadline.clear();
    heartbeat.clear();
    if (token !== undefined) context.tokens.end(token, 'completed');
  }
}

/** Thrown by a {@link Deadline} that passed; turned into the library's own timeout error by {@link failureOf}. */
class DeadlinePassed {
  constructor(readonly awsError: string) {}
}

/** A timer a task's work races against; no timer at all when the state sets no limit. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private reject: ((reason: unknown) => void) | undefined;
  private readonly passed: Promise<never> | undefined;

  constructor(
    private readonly seconds: number | undefined,
    private readonly awsError = 'States.Timeout',
  ) {
    if (seconds === undefined) return;
    this.passed = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    // A rejection nobody raced yet must not surface as unhandled.
    this.passed.catch(() => undefined);
    this.restart();
  }

  race<T>(work: Promise<T>): Promise<T> {
    return this.passed ? Promise.race([work, this.passed]) : work;
  }

  /** Starts the period again (SendTaskHeartbeat). */
  restart(): void {
    if (this.seconds === undefined || !this.reject) return;
    clearTimeout(this.timer);
    const reject = this.reject;
    // Unreferenced: a task left waiting by a stopped edge must not keep the process alive.
    this.timer = setTimeout(() => reject(new DeadlinePassed(this.awsError)), this.seconds * 1000).unref();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** The error the library gets for a task failure, and how the history records it. */
async function failureOf(error: unknown): Promise<TaskOutcomeFailure> {
  if (error instanceof DeadlinePassed) {
    if (error.awsError === 'States.Timeout') {
      // An instance of the library's own timeout class, so that `States.TaskFailed` does not match it.
      const TimeoutError = await statesTimeoutErrorClass();
      return { error: new TimeoutError(), timedOut: true, awsError: 'States.Timeout', awsCause: undefined };
    }
    return {
      error: new TaskFailedError(error.awsError, ''),
      timedOut: true,
      awsError: error.awsError,
      awsCause: undefined,
    };
  }
  if (error instanceof TaskFailedError) {
    return { error, timedOut: false, awsError: error.awsError, awsCause: error.awsCause };
  }
  // A bug in the engine or an integration: the task fails with it rather than the execution hanging.
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new TaskFailedError('States.TaskFailed', message);
  return { error: wrapped, timedOut: false, awsError: wrapped.awsError, awsCause: message };
}

let timeoutClass: Promise<new () => Error> | undefined;

/**
 * aws-local-stepfunctions keeps `States.Timeout` out of the `States.TaskFailed` wildcard by class
 * (`instanceof StatesTimeoutError`), and does not export that class. It is obtained once from the library
 * itself: a one-millisecond task timeout on a task that never answers.
 */
export function statesTimeoutErrorClass(): Promise<new () => Error> {
  timeoutClass ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: {
          Probe: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
            TimeoutSeconds: 0.001,
            End: true,
          },
        },
      },
      { validationOptions: { noValidate: true } },
    );
    const run = probe.run(null, {
      overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => {}) } },
    });
    try {
      await run.result;
    } catch (error) {
      const cause = error instanceof ExecutionError ? error.cause : undefined;
      if (cause instanceof Error && cause.name === 'States.Timeout') {
        return cause.constructor as new () => Error;
      }
      throw error;
    }
    throw new TaskFailedError('States.Runtime', 'the timeout probe did not time out');
  })();
  return timeoutClass;
}

/** `TimeoutSeconds` or `HeartbeatSeconds` of a state, or the value its `…Path` resolved to. */
function secondsOf(
  state: AslState,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
  resolved: unknown,
): number | undefined {
  const fixed = state[field];
  if (typeof fixed === 'number') return fixed;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const value = resolved;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TaskFailedError('States.Runtime', `${field}Path ${path} does not point to a positive integer`);
  }
  return value;
}

/** Replaces the token placeholder wherever it occurs in the strings of a JSON value. */
export function replacePlaceholder(value: unknown, placeholder: string, token: string): unknown {
  if (typeof value === 'string')
    return value.includes(placeholder) ? value.split(placeholder).join(token) : value;
  if (Array.isArray(value)) return value.map((item) => replacePlaceholder(item, placeholder, token));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key, replacePlaceholder(entry, placeholder, token)]),
  );
}
