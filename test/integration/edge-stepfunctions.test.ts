import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeService } from '../../src/local/edge/eventbridge.ts';
import { StepFunctionsService } from '../../src/local/edge/stepfunctions.ts';
import { LocalEventBridge, type EventBridgeEvent } from '../../src/local/eventbridge/bus.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

const ROLE = 'arn:aws:iam::000000000000:role/fleetwire-commands';
const TABLE = 'sfn-commands';

/** What a call rejected with, or an error saying it did not. */
async function rejectionOf(promise: Promise<unknown>): Promise<{ name?: string; message?: string }> {
  return promise.then(
    () => ({ name: 'NoError', message: 'expected the call to fail, but it succeeded' }),
    (reason: unknown) => reason as { name?: string; message?: string },
  );
}

class VehicleAsleepError extends Error {
  override name = 'VehicleAsleepError';
}

describe('Step Functions on the edge, through the real SFNClient', () => {
  let edge: TestEdge;
  let sfn: SFNClient;
  let dynamo: DynamoDBClient;
  let bridge: LocalEventBridge;
  const published: EventBridgeEvent[] = [];
  const wakeAttempts = new Map<string, number>();

  async function createMachine(name: string, definition: unknown): Promise<string> {
    const created = await sfn.send(
      new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }),
    );
    return created.stateMachineArn ?? '';
  }

  async function waitForEnd(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let i = 0; i < 500; i++) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${executionArn} is still running`);
  }

  async function waitFor<T>(probe: () => T | undefined): Promise<T> {
    for (let i = 0; i < 500; i++) {
      const value = probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('waited in vain');
  }

  /** The whole history, page by page, checked for what every history must be. */
  async function completeHistory(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 7, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
    for (const event of events) {
      expect(event.previousEventId).toBe((event.id ?? 0) - 1);
      expect(event.timestamp).toBeInstanceOf(Date);
    }
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']).toContain(
      events.at(-1)?.type,
    );
    expect(
      events.filter((event) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(event.type ?? '')),
    ).toHaveLength(1);
    return events;
  }

  async function run(
    stateMachineArn: string,
    input: unknown,
  ): Promise<{ described: DescribeExecutionCommandOutput; history: HistoryEvent[] }> {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    const described = await waitForEnd(started.executionArn ?? '');
    return { described, history: await completeHistory(started.executionArn ?? '') };
  }

  beforeAll(async () => {
    bridge = new LocalEventBridge({
      buses: [{ name: 'fleetwire', description: 'test bus' }],
      rules: [],
      archives: [],
    });
    bridge.subscribe((event) => published.push(event), undefined, { eventBus: 'fleetwire' });
    const stepFunctions = new StepFunctionsService();
    stepFunctions.registerFunction('wake-vehicle', async (event) => {
      const { vehicleId } = event as { vehicleId: string };
      const attempts = (wakeAttempts.get(vehicleId) ?? 0) + 1;
      wakeAttempts.set(vehicleId, attempts);
      if (attempts === 1) throw new VehicleAsleepError(`${vehicleId} is asleep`);
      return { vehicleId, awake: true, attempts };
    });
    stepFunctions.registerFunction(
      'arn:aws:lambda:us-east-1:000000000000:function:double',
      async (event) => ({
        value: (event as { value: number }).value * 2,
      }),
    );
    stepFunctions.registerFunction('always-asleep', async () => {
      throw new VehicleAsleepError('still asleep');
    });
    edge = await startTestEdge({ services: [new EventBridgeService(bridge), stepFunctions] });
    sfn = new SFNClient(edge.clientConfig);
    dynamo = new DynamoDBClient(edge.clientConfig);
    await dynamo.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  afterAll(async () => {
    sfn?.destroy();
    dynamo?.destroy();
    await edge?.stop();
  });

  it('creates, lists, describes and updates state machines, refusing bad ones with AWS error codes', async () => {
    // prepare
    const definition = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };

    // act
    const arn = await createMachine('lifecycle', definition);
    const again = await createMachine('lifecycle', definition);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: arn,
        definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      }),
    );
    const updated = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    const create = (name: string, body: unknown) =>
      rejectionOf(
        sfn.send(
          new CreateStateMachineCommand({
            name,
            roleArn: ROLE,
            definition: typeof body === 'string' ? body : JSON.stringify(body),
          }),
        ),
      );
    const conflict = await create('lifecycle', { StartAt: 'X', States: { X: { Type: 'Fail' } } });
    const jsonata = await create('jsonata', { ...definition, QueryLanguage: 'JSONata' });
    const broken = await create('broken', '{"StartAt": ');
    const dangling = await create('dangling', {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'Nowhere' } },
    });
    const badName = await create('has space', definition);
    const missing = await rejectionOf(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}-missing` })),
    );
    const notAnArn = await rejectionOf(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'nope' })),
    );

    // assess
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:lifecycle');
    expect(again).toBe(arn);
    expect(described).toMatchObject({ name: 'lifecycle', status: 'ACTIVE', type: 'STANDARD', roleArn: ROLE });
    expect(described.creationDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.definition ?? '')).toEqual(definition);
    expect(listed.stateMachines?.map((machine) => machine.stateMachineArn)).toContain(arn);
    expect(JSON.parse(updated.definition ?? '').StartAt).toBe('P');
    expect(conflict.name).toBe('StateMachineAlreadyExists');
    expect(jsonata.name).toBe('InvalidDefinition');
    expect(broken.name).toBe('InvalidDefinition');
    expect(dangling.name).toBe('InvalidDefinition');
    expect(dangling.message).toContain('MISSING_TRANSITION_TARGET');
    expect(badName.name).toBe('InvalidName');
    expect(missing.name).toBe('StateMachineDoesNotExist');
    expect(notAnArn.name).toBe('InvalidArn');
  });

  it('runs Pass, Choice, a local Lambda retried on its custom error, Parallel, Map and Succeed', async () => {
    // prepare
    const arn = await createMachine('command-flow', {
      StartAt: 'Known?',
      States: {
        'Known?': {
          Type: 'Choice',
          Choices: [{ Not: { Variable: '$.vin', IsPresent: true }, Next: 'Unknown' }],
          Default: 'Normalize',
        },
        Normalize: {
          Type: 'Pass',
          Parameters: { 'vehicleId.$': '$.vin', 'values.$': '$.values' },
          Next: 'Wake',
        },
        Unknown: { Type: 'Fail', Error: 'UnknownVehicle', Cause: 'no vehicle id' },
        Wake: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:wake-vehicle',
          Parameters: { 'vehicleId.$': '$.vehicleId' },
          ResultPath: '$.wake',
          Retry: [{ ErrorEquals: ['VehicleAsleepError'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Next: 'Fan out',
        },
        'Fan out': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Branch A', States: { 'Branch A': { Type: 'Pass', Result: 'a', End: true } } },
            { StartAt: 'Branch B', States: { 'Branch B': { Type: 'Pass', Result: 'b', End: true } } },
          ],
          ResultPath: '$.branches',
          Next: 'Double each',
        },
        'Double each': {
          Type: 'Map',
          ItemsPath: '$.values',
          ItemProcessor: {
            ProcessorMode: 'INLINE',
            StartAt: 'Double',
            States: {
              Double: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: 'double', Payload: { 'value.$': '$' } },
                ResultSelector: { 'value.$': '$.Payload.value' },
                End: true,
              },
            },
          },
          ResultPath: '$.doubled',
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });

    // act
    const { described, history } = await run(arn, { vin: 'vehicle-1', values: [1, 2, 3] });
    const unknown = await run(arn, { values: [] });

    // assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual({
      vehicleId: 'vehicle-1',
      values: [1, 2, 3],
      wake: { vehicleId: 'vehicle-1', awake: true, attempts: 2 },
      branches: ['a', 'b'],
      doubled: [{ value: 2 }, { value: 4 }, { value: 6 }],
    });
    const types = history.map((event) => event.type);
    expect(types.slice(0, 14)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ParallelStateEntered',
    ]);
    expect(history[8]?.lambdaFunctionFailedEventDetails).toEqual({
      error: 'VehicleAsleepError',
      cause: JSON.stringify({ errorType: 'VehicleAsleepError', errorMessage: 'vehicle-1 is asleep' }),
    });
    expect(types).toContain('ParallelStateStarted');
    expect(types).toContain('ParallelStateSucceeded');
    expect(history.find((event) => event.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({
      length: 3,
    });
    expect(types.filter((type) => type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(types.filter((type) => type === 'TaskSucceeded')).toHaveLength(3);
    expect(history.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
    });
    expect(types.slice(-3)).toEqual(['SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
    expect(unknown.described).toMatchObject({
      status: 'FAILED',
      error: 'UnknownVehicle',
      cause: 'no vehicle id',
    });
    expect(unknown.history.map((event) => event.type).slice(-2)).toEqual([
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  it('fails with a Lambda error no retrier takes, and catches an unregistered function', async () => {
    // prepare
    const arn = await createMachine('lambda-errors', {
      StartAt: 'Missing',
      States: {
        Missing: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'not-registered', Payload: {} },
          Catch: [
            { ErrorEquals: ['Lambda.ResourceNotFoundException'], ResultPath: '$.caught', Next: 'Asleep' },
          ],
          Next: 'Asleep',
        },
        Asleep: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'always-asleep' },
          End: true,
        },
      },
    });

    // act
    const { described, history } = await run(arn, {});

    // assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'VehicleAsleepError' });
    expect(JSON.parse(described.cause ?? '')).toEqual({
      errorType: 'VehicleAsleepError',
      errorMessage: 'still asleep',
    });
    expect(history.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'Lambda.ResourceNotFoundException',
    });
  });

  it('puts an item on a condition, catches the conditional failure, and reads the item back', async () => {
    // prepare
    const put = {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: TABLE,
        Item: { id: { 'S.$': '$.commandId' }, status: { S: 'PENDING' } },
        ConditionExpression: 'attribute_not_exists(id)',
      },
      ResultPath: null,
    };
    const arn = await createMachine('dynamodb-flow', {
      StartAt: 'Put',
      States: {
        Put: { ...put, Next: 'Put again' },
        'Put again': {
          ...put,
          Catch: [
            {
              ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
              ResultPath: '$.duplicate',
              Next: 'Get',
            },
          ],
          Next: 'Get',
        },
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:getItem',
          Parameters: { TableName: TABLE, Key: { id: { 'S.$': '$.commandId' } } },
          ResultSelector: { 'status.$': '$.Item.status.S' },
          ResultPath: '$.stored',
          End: true,
        },
      },
    });

    // act
    const { described, history } = await run(arn, { commandId: 'cmd-1' });
    const item = await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'cmd-1' } } }));

    // assess
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output ?? '');
    expect(output.duplicate.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(output.stored).toEqual({ status: 'PENDING' });
    expect(item.Item?.status).toEqual({ S: 'PENDING' });
    expect(history.filter((event) => event.type === 'TaskFailed')).toHaveLength(1);
    expect(history.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'dynamodb',
      resource: 'putItem',
    });
  });

  it('publishes to the local bus with events:putEvents', async () => {
    // prepare
    const arn = await createMachine('publish', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: {
            Entries: [
              {
                EventBusName: 'fleetwire',
                Source: 'fleetwire.commands',
                DetailType: 'CommandRequested',
                Detail: { 'commandId.$': '$.commandId' },
              },
            ],
          },
          End: true,
        },
      },
    });

    // act
    const { described } = await run(arn, { commandId: 'cmd-publish' });

    // assess
    const output = JSON.parse(described.output ?? '');
    expect(output.FailedEntryCount).toBe(0);
    expect(output.Entries[0].EventId).toEqual(expect.any(String));
    const event = published.find((candidate) => candidate.id === output.Entries[0].EventId);
    expect(event).toMatchObject({
      source: 'fleetwire.commands',
      'detail-type': 'CommandRequested',
      detail: { commandId: 'cmd-publish' },
    });
  });

  describe('task tokens', () => {
    let arn: string;
    const tokenOf = (commandId: string) =>
      waitFor(() => {
        const event = published.find(
          (candidate) => (candidate.detail as { commandId?: string }).commandId === commandId,
        );
        return (event?.detail as { taskToken?: string } | undefined)?.taskToken;
      });

    beforeAll(async () => {
      arn = await createMachine('await-confirmation', {
        StartAt: 'Request',
        States: {
          Request: {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
            Parameters: {
              Entries: [
                {
                  EventBusName: 'fleetwire',
                  Source: 'fleetwire.commands',
                  DetailType: 'ConfirmationRequested',
                  Detail: { 'commandId.$': '$.commandId', 'taskToken.$': '$$.Task.Token' },
                },
              ],
            },
            TimeoutSecondsPath: '$.timeout',
            HeartbeatSeconds: 1,
            ResultPath: '$.confirmation',
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Rejected' }],
            Next: 'Confirmed',
          },
          Confirmed: { Type: 'Succeed' },
          Rejected: { Type: 'Pass', End: true },
        },
      });
    });

    it('resumes with the output of SendTaskSuccess, and refuses the token afterwards', async () => {
      // prepare
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ commandId: 'ok', timeout: 5 }),
        }),
      );
      const taskToken = await tokenOf('ok');

      // act
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ accepted: true }) }));
      const described = await waitForEnd(started.executionArn ?? '');
      const late = await rejectionOf(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));
      const forged = await rejectionOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })),
      );

      // assess
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output ?? '').confirmation).toEqual({ accepted: true });
      const history = await completeHistory(started.executionArn ?? '');
      expect(history.map((event) => event.type).slice(1, 8)).toEqual([
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSubmitted',
        'TaskSucceeded',
        'TaskStateExited',
        'SucceedStateEntered',
      ]);
      const scheduled = history[2]?.taskScheduledEventDetails;
      expect(scheduled).toMatchObject({
        resourceType: 'events',
        resource: 'putEvents.waitForTaskToken',
        timeoutInSeconds: 5,
        heartbeatInSeconds: 1,
      });
      expect(JSON.parse(scheduled?.parameters ?? '').Entries[0].Detail.taskToken).toBe(taskToken);
      expect(late.name).toBe('TaskDoesNotExist');
      expect(forged.name).toBe('InvalidToken');
    });

    it('goes to Catch on SendTaskFailure with its error and cause', async () => {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ commandId: 'no', timeout: 5 }),
        }),
      );
      const taskToken = await tokenOf('no');

      await sfn.send(
        new SendTaskFailureCommand({ taskToken, error: 'CommandRejected', cause: 'driver said no' }),
      );
      const described = await waitForEnd(started.executionArn ?? '');

      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output ?? '').failure).toEqual({
        Error: 'CommandRejected',
        Cause: 'driver said no',
      });
      const history = await completeHistory(started.executionArn ?? '');
      expect(history.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
        error: 'CommandRejected',
        cause: 'driver said no',
      });
    });

    it('times out with States.Timeout and States.HeartbeatTimeout, both caught', async () => {
      // prepare: the heartbeat (1 s) and the timeout (1 s) race: the heartbeat wins after a heartbeat is missed
      const timeout = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ commandId: 'slow', timeout: 1 }),
        }),
      );
      const heartbeat = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ commandId: 'silent', timeout: 30 }),
        }),
      );
      const slowToken = await tokenOf('slow');

      // act: heartbeats keep the first alive until its 1 s timeout
      const beating = setInterval(() => {
        void sfn.send(new SendTaskHeartbeatCommand({ taskToken: slowToken })).catch(() => undefined);
      }, 300);
      const [timedOut, silent] = await Promise.all([
        waitForEnd(timeout.executionArn ?? ''),
        waitForEnd(heartbeat.executionArn ?? ''),
      ]).finally(() => clearInterval(beating));
      const late = await rejectionOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: slowToken, output: '{}' })),
      );

      // assess
      expect(JSON.parse(timedOut.output ?? '').failure.Error).toBe('States.Timeout');
      expect(JSON.parse(silent.output ?? '').failure.Error).toBe('States.HeartbeatTimeout');
      const history = await completeHistory(timeout.executionArn ?? '');
      expect(history.find((event) => event.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
        resourceType: 'events',
        error: 'States.Timeout',
      });
      await completeHistory(heartbeat.executionArn ?? '');
      expect(late.name).toBe('TaskTimedOut');
    });

    it('aborts a waiting execution with StopExecution and invalidates its token', async () => {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ commandId: 'stop', timeout: 30 }),
        }),
      );
      const taskToken = await tokenOf('stop');

      const stopped = await sfn.send(
        new StopExecutionCommand({
          executionArn: started.executionArn,
          error: 'Operator',
          cause: 'cancelled',
        }),
      );
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      const late = await rejectionOf(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));

      expect(stopped.stopDate).toBeInstanceOf(Date);
      expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'cancelled' });
      const history = await completeHistory(started.executionArn ?? '');
      expect(history.map((event) => event.type).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
      expect(history.at(-1)?.executionAbortedEventDetails).toEqual({ error: 'Operator', cause: 'cancelled' });
      expect(late.name).toBe('TaskDoesNotExist');
    });
  });

  it('names executions, repeats a running start, refuses a conflicting one, and lists newest first', async () => {
    // prepare
    const arn = await createMachine('waiting', {
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 30, End: true } },
    });
    const start = (name: string, input: unknown) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));

    // act
    const first = await start('first', { n: 1 });
    const repeated = await start('first', { n: 1 });
    const conflict = await rejectionOf(start('first', { n: 2 }));
    const second = await start('second', { n: 2 });
    const third = await start('third', { n: 3 });
    await sfn.send(new StopExecutionCommand({ executionArn: third.executionArn }));
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2 }));
    const page2 = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2, nextToken: page1.nextToken }),
    );
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }),
    );
    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: third.executionArn, reverseOrder: true, maxResults: 1 }),
    );
    const withoutData = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: third.executionArn, includeExecutionData: false }),
    );
    const missing = await rejectionOf(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${third.executionArn}-missing` })),
    );
    const badInput = await rejectionOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{not json' })),
    );
    const noMachine = await rejectionOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}-gone`, input: '{}' })),
    );
    const badPageToken = await rejectionOf(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'garbage' })),
    );
    for (const execution of [first, second]) {
      await sfn.send(new StopExecutionCommand({ executionArn: execution.executionArn }));
      await completeHistory(execution.executionArn ?? '');
    }

    // assess
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:waiting:first');
    expect(repeated.executionArn).toBe(first.executionArn);
    expect(conflict.name).toBe('ExecutionAlreadyExists');
    expect([...(page1.executions ?? []), ...(page2.executions ?? [])].map((e) => e.name)).toEqual([
      'third',
      'second',
      'first',
    ]);
    expect(page2.nextToken).toBeUndefined();
    expect(running.executions?.map((e) => e.name)).toEqual(['second', 'first']);
    expect(reversed.events?.map((event) => event.type)).toEqual(['ExecutionAborted']);
    expect(reversed.nextToken).toEqual(expect.any(String));
    expect(withoutData.events?.[0]?.executionStartedEventDetails).toEqual({
      inputDetails: { truncated: false },
      roleArn: ROLE,
    });
    expect(withoutData.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateAborted',
      'ExecutionAborted',
    ]);
    expect(missing.name).toBe('ExecutionDoesNotExist');
    expect(badInput.name).toBe('InvalidExecutionInput');
    expect(noMachine.name).toBe('StateMachineDoesNotExist');
    expect(badPageToken.name).toBe('InvalidToken');
  });

  it('times the execution out with the machine TimeoutSeconds', async () => {
    const arn = await createMachine('machine-timeout', {
      TimeoutSeconds: 1,
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 10, End: true } },
    });

    const { described, history } = await run(arn, {});

    expect(described.status).toBe('TIMED_OUT');
    expect(history.at(-1)?.type).toBe('ExecutionTimedOut');
  });
});

describe('Step Functions on the edge with a data directory', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-sfn-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps machines, finished executions and histories, and closes executions cut short by the stop', async () => {
    // prepare
    const first = await startTestEdge({ services: [new StepFunctionsService({ dataDir })] });
    const before = new SFNClient(first.clientConfig);
    const { stateMachineArn } = await before.send(
      new CreateStateMachineCommand({
        name: 'persisted',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Route',
          States: {
            Route: {
              Type: 'Choice',
              Choices: [{ Variable: '$.wait', BooleanEquals: true, Next: 'Wait' }],
              Default: 'Done',
            },
            Wait: { Type: 'Wait', Seconds: 60, Next: 'Done' },
            Done: { Type: 'Pass', End: true },
          },
        }),
      }),
    );
    const done = await before.send(
      new StartExecutionCommand({ stateMachineArn, name: 'done', input: '{"wait": false}' }),
    );
    for (let i = 0; i < 100; i++) {
      const described = await before.send(new DescribeExecutionCommand({ executionArn: done.executionArn }));
      if (described.status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const waiting = await before.send(
      new StartExecutionCommand({ stateMachineArn, name: 'waiting', input: '{"wait": true}' }),
    );
    before.destroy();
    await first.stop();

    // act
    const second = await startTestEdge({ services: [new StepFunctionsService({ dataDir })] });
    const after = new SFNClient(second.clientConfig);
    try {
      const machine = await after.send(new DescribeStateMachineCommand({ stateMachineArn }));
      const finished = await after.send(new DescribeExecutionCommand({ executionArn: done.executionArn }));
      const interrupted = await after.send(
        new DescribeExecutionCommand({ executionArn: waiting.executionArn }),
      );
      const history = await after.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
      const cut = await after.send(new GetExecutionHistoryCommand({ executionArn: waiting.executionArn }));

      // assess
      expect(machine.name).toBe('persisted');
      expect(finished).toMatchObject({ status: 'SUCCEEDED', output: '{"wait":false}' });
      expect(interrupted).toMatchObject({ status: 'ABORTED', error: 'Fleetwire.EdgeStopped' });
      expect(history.events?.map((event) => event.type)).toEqual([
        'ExecutionStarted',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'PassStateEntered',
        'PassStateExited',
        'ExecutionSucceeded',
      ]);
      expect(cut.events?.map((event) => event.type).slice(-2)).toEqual([
        'WaitStateAborted',
        'ExecutionAborted',
      ]);
    } finally {
      after.destroy();
      await second.stop();
    }
  });
});
