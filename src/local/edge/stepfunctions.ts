import { randomUUID } from 'node:crypto';
import {
  executionArn as buildExecutionArn,
  invalidNameReason,
  parseSfnArn,
  stateMachineArn as buildStateMachineArn,
} from '../stepfunctions/arns.ts';
import { parseDefinition } from '../stepfunctions/definition.ts';
import {
  InvalidDefinitionError,
  InvalidPageTokenError,
  InvalidTaskTokenError,
  TaskTokenNotFoundError,
  TaskTokenTimedOutError,
} from '../stepfunctions/errors.ts';
import { ExecutionRun } from '../stepfunctions/execution-runner.ts';
import { LocalFunctions, type LocalFunctionHandler } from '../stepfunctions/functions.ts';
import { HistoryRecorder, type HistoryEvent } from '../stepfunctions/history.ts';
import { ServiceIntegrations } from '../stepfunctions/integrations.ts';
import { paginate } from '../stepfunctions/pagination.ts';
import { StepFunctionsStore, type StoredExecution, type StoredStateMachine } from '../stepfunctions/store.ts';
import { TaskTokenStore } from '../stepfunctions/task-tokens.ts';
import {
  AwsServiceError,
  unknownOperation,
  validationError,
  type AwsJsonService,
  type RequestContext,
} from './aws-json.ts';

/** How to build a {@link StepFunctionsService}. */
export interface StepFunctionsServiceOptions {
  /** State machines, executions and histories persist in `<dataDir>/stepfunctions/`; in memory when absent. */
  readonly dataDir?: string | undefined;
  /**
   * The edge URL the DynamoDB and EventBridge integrations call; defaults to the address the last request
   * reached the edge on (see {@link StepFunctionsService.setEndpoint}).
   */
  readonly endpoint?: string;
  readonly clock?: () => number;
}

/** Written into the history of executions still running when the edge stops. */
const EDGE_STOPPED_ERROR = 'Fleetwire.EdgeStopped';
const EDGE_STOPPED_CAUSE = 'The local edge stopped while this execution was running.';
const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/**
 * AWS Step Functions on the local edge (awsJson1_0, `AWSStepFunctions`): Standard state machines in ASL
 * with JSONPath, run by aws-local-stepfunctions, with AWS-shaped execution histories, task tokens, and
 * Task resources run in-process: local Lambda functions ({@link registerFunction}), DynamoDB and
 * EventBridge through the edge itself.
 */
export class StepFunctionsService implements AwsJsonService {
  readonly name = 'stepfunctions';
  readonly targetPrefix = 'AWSStepFunctions';
  readonly jsonVersion = '1.0' as const;
  private readonly store: StepFunctionsStore;
  private readonly tokens = new TaskTokenStore();
  private readonly functions = new LocalFunctions();
  private readonly integrations = new ServiceIntegrations(this.functions);
  private readonly runs = new Map<string, ExecutionRun>();
  private readonly clock: () => number;
  private endpoint: string | undefined;

  constructor(options: StepFunctionsServiceOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.store = new StepFunctionsStore(options.dataDir, this.clock);
    this.endpoint = options.endpoint;
  }

  /** Registers a local Lambda function Task states call by name or ARN (`lambda:invoke` or the function ARN). */
  registerFunction(nameOrArn: string, handler: LocalFunctionHandler): void {
    this.functions.register(nameOrArn, handler);
  }

  /** Sets the edge URL the service integrations call, once the edge listens. */
  setEndpoint(url: string): void {
    this.endpoint = url;
  }

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    this.endpoint ??= context.origin;
    try {
      return await this.dispatch(operation, input, context);
    } catch (error) {
      throw toAwsError(error);
    }
  }

  /** Stops every running execution (recorded as aborted by the edge stopping) and writes everything out. */
  async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => run.stop(EDGE_STOPPED_ERROR, EDGE_STOPPED_CAUSE)));
    this.store.flush();
    this.integrations.close();
  }

  private async dispatch(
    operation: string,
    input: Record<string, unknown>,
    context: RequestContext,
  ): Promise<unknown> {
    switch (operation) {
      case 'CreateStateMachine':
        return this.createStateMachine(input, context);
      case 'DescribeStateMachine':
        return describeMachine(this.machine(requiredString(input, 'stateMachineArn')));
      case 'UpdateStateMachine':
        return this.updateStateMachine(input);
      case 'DeleteStateMachine':
        return this.deleteStateMachine(input);
      case 'ListStateMachines':
        return this.listStateMachines(input, context);
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return describeExecution(this.execution(requiredString(input, 'executionArn')));
      case 'DescribeStateMachineForExecution':
        return this.describeStateMachineForExecution(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'SendTaskSuccess':
        return this.sendTaskSuccess(input);
      case 'SendTaskFailure':
        return this.sendTaskFailure(input);
      case 'SendTaskHeartbeat':
        this.tokens.heartbeat(requiredString(input, 'taskToken'));
        return {};
      default:
        throw unknownOperation('Step Functions', operation);
    }
  }

  private createStateMachine(input: Record<string, unknown>, context: RequestContext): unknown {
    const name = requiredString(input, 'name');
    const definition = requiredString(input, 'definition');
    const roleArn = requiredString(input, 'roleArn');
    const type = optionalString(input, 'type') ?? 'STANDARD';
    const nameProblem = invalidNameReason(name);
    if (nameProblem) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}' ${nameProblem}`);
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`,
      );
    }
    if (type !== 'STANDARD') {
      throw validationError(`the local edge runs STANDARD state machines only, not ${type}`);
    }
    parseDefinition(definition);
    const arn = buildStateMachineArn(context.region, name);
    const existing = this.store.machines.get(arn);
    if (existing) {
      // AWS answers an identical create with the existing machine, and refuses a different one.
      if (existing.definition === definition && existing.roleArn === roleArn) {
        return { stateMachineArn: arn, creationDate: existing.creationDate };
      }
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const machine: StoredStateMachine = {
      arn,
      name,
      region: context.region,
      definition,
      roleArn,
      type: 'STANDARD',
      creationDate: this.now(),
    };
    this.store.machines.set(arn, machine);
    this.store.saveMachines();
    return { stateMachineArn: arn, creationDate: machine.creationDate };
  }

  private updateStateMachine(input: Record<string, unknown>): unknown {
    const machine = this.machine(requiredString(input, 'stateMachineArn'));
    const definition = optionalString(input, 'definition');
    const roleArn = optionalString(input, 'roleArn');
    if (definition === undefined && roleArn === undefined) {
      throw new AwsServiceError(
        'MissingRequiredParameter',
        'Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified',
      );
    }
    if (definition !== undefined) parseDefinition(definition);
    // Running executions keep the definition they started with, as in AWS.
    if (definition !== undefined) machine.definition = definition;
    if (roleArn !== undefined) machine.roleArn = roleArn;
    machine.updateDate = this.now();
    this.store.saveMachines();
    return { updateDate: machine.updateDate };
  }

  private deleteStateMachine(input: Record<string, unknown>): unknown {
    const arn = requiredString(input, 'stateMachineArn');
    machineArnOf(arn);
    // Deleting an unknown machine succeeds in AWS too; running executions run to their end.
    if (this.store.machines.delete(arn)) this.store.saveMachines();
    return {};
  }

  private listStateMachines(input: Record<string, unknown>, context: RequestContext): unknown {
    const machines = [...this.store.machines.values()]
      .filter((machine) => machine.region === context.region)
      .sort((a, b) => compare(a.name, b.name));
    const page = paginate(machines, {
      kind: 'state-machines',
      keyOf: (machine) => machine.name,
      isAfter: (key, cursor) => key > cursor,
      maxResults: pageSize(input),
      nextToken: optionalString(input, 'nextToken'),
    });
    return {
      stateMachines: page.items.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: machine.creationDate,
      })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  private startExecution(input: Record<string, unknown>): unknown {
    const machine = this.machine(requiredString(input, 'stateMachineArn'));
    const name = optionalString(input, 'name') ?? randomUUID();
    const inputText = optionalString(input, 'input') ?? '{}';
    const nameProblem = invalidNameReason(name);
    if (nameProblem) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}' ${nameProblem}`);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${inputText}'`,
      );
    }
    const arn = buildExecutionArn(machine.region, machine.name, name);
    const existing = this.store.executions.get(arn);
    if (existing) {
      // A Standard machine answers a repeated start of a running execution with it; anything else is refused.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: arn, startDate: existing.startDate };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startTime = this.clock();
    const execution: StoredExecution = {
      arn,
      name,
      stateMachineArn: machine.arn,
      region: machine.region,
      roleArn: machine.roleArn,
      definition: machine.definition,
      input: inputText,
      sequence: this.store.sequence(),
      startDate: startTime / 1000,
      status: 'RUNNING',
      history: [],
    };
    this.store.executions.set(arn, execution);
    const recorder = new HistoryRecorder(
      [],
      (event) => {
        execution.history.push(event);
        this.store.saveExecution(arn);
      },
      this.clock,
    );
    const run = new ExecutionRun({
      executionArn: arn,
      name,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      roleArn: machine.roleArn,
      input: parsedInput,
      startTime: new Date(startTime),
      definition: parseDefinition(machine.definition),
      recorder,
      tokens: this.tokens,
      integrations: this.integrations,
      endpoint: () => ({ endpoint: this.requireEndpoint(), region: machine.region }),
    });
    this.runs.set(arn, run);
    this.store.saveExecution(arn, true);
    void run.done.then((outcome) => {
      this.runs.delete(arn);
      execution.status = outcome.status;
      execution.stopDate = execution.history.at(-1)?.timestamp ?? this.now();
      if (outcome.output !== undefined) execution.output = outcome.output;
      if (outcome.error !== undefined) execution.error = outcome.error;
      if (outcome.cause !== undefined) execution.cause = outcome.cause;
      this.store.saveExecution(arn, true);
    });
    return { executionArn: arn, startDate: execution.startDate };
  }

  private describeStateMachineForExecution(input: Record<string, unknown>): unknown {
    const execution = this.execution(requiredString(input, 'executionArn'));
    const machine = this.store.machines.get(execution.stateMachineArn);
    return {
      stateMachineArn: execution.stateMachineArn,
      name: parseSfnArn(execution.stateMachineArn)?.name,
      definition: execution.definition,
      roleArn: execution.roleArn,
      updateDate: machine?.updateDate ?? machine?.creationDate ?? execution.startDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    const machine = this.machine(requiredString(input, 'stateMachineArn'));
    const statusFilter = optionalString(input, 'statusFilter');
    if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter)) {
      throw validationError(
        `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`,
      );
    }
    const executions = [...this.store.executions.values()]
      .filter((execution) => execution.stateMachineArn === machine.arn)
      .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
      .sort((a, b) => b.sequence - a.sequence);
    const page = paginate(executions, {
      kind: `executions:${machine.arn}`,
      keyOf: (execution) => execution.sequence,
      isAfter: (key, cursor) => key < cursor,
      maxResults: pageSize(input),
      nextToken: optionalString(input, 'nextToken'),
    });
    return {
      executions: page.items.map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startDate,
        ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
      })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  private getExecutionHistory(input: Record<string, unknown>): unknown {
    const execution = this.execution(requiredString(input, 'executionArn'));
    const reverse = optionalBoolean(input, 'reverseOrder') ?? false;
    const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
    const events = reverse ? [...execution.history].reverse() : execution.history;
    const page = paginate(events, {
      kind: `history:${execution.arn}:${reverse ? 'reverse' : 'forward'}`,
      keyOf: (event) => event.id,
      isAfter: (key, cursor) => (reverse ? key < cursor : key > cursor),
      maxResults: pageSize(input),
      nextToken: optionalString(input, 'nextToken'),
    });
    return {
      events: includeData ? page.items : page.items.map(withoutExecutionData),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  private async stopExecution(input: Record<string, unknown>): Promise<unknown> {
    const execution = this.execution(requiredString(input, 'executionArn'));
    const error = optionalString(input, 'error');
    const cause = optionalString(input, 'cause');
    if (error !== undefined && error.length > 256) throw lengthError('error', 256);
    if (cause !== undefined && cause.length > 32768) throw lengthError('cause', 32768);
    const run = this.runs.get(execution.arn);
    // Stopping an execution that already ended changes nothing; AWS answers with a stop date all the same.
    if (run) await run.stop(error, cause);
    return { stopDate: execution.stopDate ?? this.now() };
  }

  private sendTaskSuccess(input: Record<string, unknown>): unknown {
    const taskToken = requiredString(input, 'taskToken');
    const output = requiredString(input, 'output');
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsServiceError('InvalidOutput', `Invalid Output: '${output}'`);
    }
    this.tokens.complete(taskToken, { kind: 'success', output: parsed });
    return {};
  }

  private sendTaskFailure(input: Record<string, unknown>): unknown {
    const taskToken = requiredString(input, 'taskToken');
    const error = optionalString(input, 'error') ?? '';
    const cause = optionalString(input, 'cause') ?? '';
    if (error.length > 256) throw lengthError('error', 256);
    if (cause.length > 32768) throw lengthError('cause', 32768);
    this.tokens.complete(taskToken, { kind: 'failure', error, cause });
    return {};
  }

  private machine(arn: string): StoredStateMachine {
    machineArnOf(arn);
    const machine = this.store.machines.get(arn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): StoredExecution {
    if (parseSfnArn(arn)?.kind !== 'execution') {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    }
    const execution = this.store.executions.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private requireEndpoint(): string {
    if (!this.endpoint) throw new Error('the Step Functions service does not know the edge URL yet');
    return this.endpoint;
  }

  private now(): number {
    return this.clock() / 1000;
  }
}

function machineArnOf(arn: string): void {
  if (parseSfnArn(arn)?.kind !== 'stateMachine') {
    throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  }
}

function describeMachine(machine: StoredStateMachine): unknown {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: machine.creationDate,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function describeExecution(execution: StoredExecution): unknown {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** An event without its input and output, for `includeExecutionData: false`. */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy as HistoryEvent;
}

/** The engine's own errors as the AWS errors of the Step Functions API. */
function toAwsError(error: unknown): unknown {
  if (error instanceof InvalidDefinitionError) return new AwsServiceError('InvalidDefinition', error.message);
  if (error instanceof InvalidPageTokenError) return new AwsServiceError('InvalidToken', error.message);
  if (error instanceof InvalidTaskTokenError) return new AwsServiceError('InvalidToken', error.message);
  if (error instanceof TaskTokenNotFoundError) return new AwsServiceError('TaskDoesNotExist', error.message);
  if (error instanceof TaskTokenTimedOutError) return new AwsServiceError('TaskTimedOut', error.message);
  return error;
}

function pageSize(input: Record<string, unknown>): number | undefined {
  const value = input.maxResults;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsServiceError('SerializationException', 'maxResults must be an integer');
  }
  if (value < 0 || value > 1000) {
    throw validationError(
      `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value ${value < 0 ? 'greater than or equal to 0' : 'less than or equal to 1000'}`,
    );
  }
  return value;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) {
    throw validationError(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'string')
    throw new AwsServiceError('SerializationException', `${field} must be a string`);
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new AwsServiceError('SerializationException', `${field} must be a string`);
  return value;
}

function optionalBoolean(input: Record<string, unknown>, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new AwsServiceError('SerializationException', `${field} must be a boolean`);
  return value;
}

function lengthError(field: string, max: number): AwsServiceError {
  return validationError(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
