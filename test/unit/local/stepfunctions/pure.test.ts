import { describe, expect, it } from 'vitest';
import {
  executionArn,
  invalidNameReason,
  parseSfnArn,
  stateMachineArn,
} from '../../../../src/local/stepfunctions/arns.ts';
import { libraryDefinition, parseDefinition } from '../../../../src/local/stepfunctions/definition.ts';
import {
  InvalidDefinitionError,
  InvalidPageTokenError,
  InvalidTaskTokenError,
  TaskTokenNotFoundError,
  TaskTokenTimedOutError,
} from '../../../../src/local/stepfunctions/errors.ts';
import { HistoryRecorder, LibraryEventMapper } from '../../../../src/local/stepfunctions/history.ts';
import { parseTaskResource } from '../../../../src/local/stepfunctions/integrations.ts';
import { paginate } from '../../../../src/local/stepfunctions/pagination.ts';
import { TaskTokenStore } from '../../../../src/local/stepfunctions/task-tokens.ts';
import { replacePlaceholder } from '../../../../src/local/stepfunctions/task-runner.ts';

describe('Step Functions ARNs and names', () => {
  it('builds and parses state machine and execution ARNs', () => {
    const machine = stateMachineArn('eu-west-1', 'commands');
    const execution = executionArn('eu-west-1', 'commands', 'run-1');

    expect(machine).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:commands');
    expect(parseSfnArn(machine)).toEqual({
      kind: 'stateMachine',
      region: 'eu-west-1',
      account: '000000000000',
      name: 'commands',
    });
    expect(parseSfnArn(execution)).toMatchObject({
      kind: 'execution',
      stateMachineName: 'commands',
      name: 'run-1',
    });
    expect(parseSfnArn('arn:aws:states:eu-west-1:000000000000:activity:x')).toBeUndefined();
    expect(parseSfnArn('commands')).toBeUndefined();
  });

  it('refuses the names AWS refuses', () => {
    expect(invalidNameReason('command-42_ok')).toBeUndefined();
    for (const name of ['', 'a'.repeat(81), 'with space', 'a:b', 'a/b', 'x*', 'tab\there']) {
      expect(invalidNameReason(name)).toEqual(expect.any(String));
    }
  });
});

describe('pagination', () => {
  const items = [5, 4, 3, 2, 1];
  const page = (nextToken?: string) =>
    paginate(items, {
      kind: 'numbers',
      keyOf: (n) => n,
      isAfter: (key, cursor) => key < cursor,
      maxResults: 2,
      nextToken,
    });

  it('pages with a cursor token until the end', () => {
    const first = page();
    const second = page(first.nextToken);
    const third = page(second.nextToken);

    expect([first.items, second.items, third.items]).toEqual([[5, 4], [3, 2], [1]]);
    expect(third.nextToken).toBeUndefined();
  });

  it('refuses a token of another list or a forged one', () => {
    const other = paginate(items, { kind: 'other', keyOf: (n) => n, isAfter: () => true, maxResults: 1 });

    expect(() => page(other.nextToken)).toThrow(InvalidPageTokenError);
    expect(() => page('not-a-token')).toThrow(InvalidPageTokenError);
  });
});

describe('definitions', () => {
  const task = {
    Type: 'Task',
    Resource: 'arn:aws:states:::dynamodb:putItem',
    Parameters: { TableName: 't' },
  };

  it('refuses JSONata, invalid JSON, invalid ASL and duplicate state names', () => {
    const valid = { StartAt: 'A', States: { A: { ...task, End: true } } };
    const duplicate = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }],
          Next: 'A',
        },
        A: { Type: 'Pass', End: true },
      },
    };

    expect(parseDefinition(JSON.stringify(valid)).states.get('A')).toMatchObject(task);
    expect(() => parseDefinition(JSON.stringify({ ...valid, QueryLanguage: 'JSONata' }))).toThrow(
      InvalidDefinitionError,
    );
    expect(() => parseDefinition('{')).toThrow(InvalidDefinitionError);
    expect(() => parseDefinition(JSON.stringify({ StartAt: 'A', States: {} }))).toThrow(
      InvalidDefinitionError,
    );
    expect(() => parseDefinition(JSON.stringify(duplicate))).toThrow(/DUPLICATE_STATE_NAME/);
  });

  it('hands the library task timeouts it never reaches first, and wraps timeout paths beside the parameters', () => {
    const definition = parseDefinition(
      JSON.stringify({
        StartAt: 'A',
        States: { A: { ...task, TimeoutSecondsPath: '$.t', HeartbeatSeconds: 5, End: true } },
      }),
    ).definition;

    const states = libraryDefinition(definition).States as unknown as Record<string, Record<string, unknown>>;

    expect(states.A).toMatchObject({
      TimeoutSeconds: 2_147_483,
      Parameters: { 'fleetwire:parameters': { TableName: 't' }, 'fleetwire:timeoutSeconds.$': '$.t' },
    });
    expect(states.A).not.toHaveProperty('HeartbeatSeconds');
    expect(definition.States.A).toHaveProperty('TimeoutSecondsPath', '$.t');
  });

  it('reads task resources as Step Functions names them in task events', () => {
    expect(parseTaskResource('arn:aws:states:::events:putEvents.waitForTaskToken')).toEqual({
      kind: 'integration',
      resourceType: 'events',
      resource: 'putEvents.waitForTaskToken',
      action: 'putEvents',
      waitForTaskToken: true,
    });
    expect(parseTaskResource('arn:aws:states:::aws-sdk:dynamodb:query')).toMatchObject({
      resourceType: 'aws-sdk:dynamodb',
      resource: 'query',
    });
    expect(parseTaskResource('arn:aws:lambda:us-east-1:000000000000:function:f')).toMatchObject({
      kind: 'lambda-function',
    });
    expect(parseTaskResource('arn:aws:states:::sqs:sendMessage').kind).toBe('unsupported');
    expect(parseTaskResource('arn:aws:states:::dynamodb:putItem.sync').kind).toBe('unsupported');
  });
});

describe('history', () => {
  const states = new Map([['Items', { Type: 'Map', ItemsPath: '$.items' }]]);

  it('numbers events, chains them, and takes nothing after the terminal event', () => {
    let now = 1_000;
    const recorder = new HistoryRecorder(
      [],
      () => {},
      () => (now += 500),
    );

    recorder.append('ExecutionStarted', { input: '{}' });
    recorder.append('ExecutionSucceeded', { output: '{}' });
    const late = recorder.append('TaskFailed', { error: 'x' });

    expect(late).toBeUndefined();
    expect(recorder.events).toEqual([
      {
        id: 1,
        previousEventId: 0,
        timestamp: 1.5,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input: '{}' },
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: 2,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: '{}' },
      },
    ]);
    expect(recorder.closed).toBe(true);
  });

  it('maps the library events to AWS event types, with Map, Parallel and the aborted states', () => {
    const recorder = new HistoryRecorder();
    const mapper = new LibraryEventMapper(recorder, {
      roleArn: 'arn:aws:iam::000000000000:role/r',
      states,
      abortReason: () => ({ error: 'Stop', cause: 'why' }),
    });

    for (const event of [
      { type: 'ExecutionStarted', input: { items: [1, 2] } },
      { type: 'StateEntered', state: { name: 'Items', type: 'Map', input: { items: [1, 2] } } },
      { type: 'MapIterationStarted', index: 0, parentState: { name: 'Items', type: 'Map' } },
      { type: 'StateEntered', index: 0, state: { name: 'Work', type: 'Task', input: 1 } },
      { type: 'StateCaught', state: { name: 'Work', type: 'Task' } },
      { type: 'ExecutionAborted' },
    ]) {
      mapper.handle(event);
    }

    expect(recorder.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'TaskStateEntered',
      'TaskStateAborted',
      'MapStateAborted',
      'ExecutionAborted',
    ]);
    expect(recorder.events[0]?.executionStartedEventDetails).toEqual({
      input: '{"items":[1,2]}',
      inputDetails: { truncated: false },
      roleArn: 'arn:aws:iam::000000000000:role/r',
    });
    expect(recorder.events[2]?.mapStateStartedEventDetails).toEqual({ length: 2 });
    expect(recorder.events[3]?.mapIterationStartedEventDetails).toEqual({ name: 'Items', index: 0 });
    expect(recorder.events.at(-1)?.executionAbortedEventDetails).toEqual({ error: 'Stop', cause: 'why' });
  });

  it('records Parallel states with their started and succeeded events, and failures as strings', () => {
    const recorder = new HistoryRecorder();
    const mapper = new LibraryEventMapper(recorder, {
      roleArn: 'r',
      states: new Map(),
      abortReason: () => ({}),
    });

    mapper.handle({ type: 'ExecutionStarted', input: {} });
    mapper.handle({ type: 'StateEntered', state: { name: 'P', type: 'Parallel', input: {} } });
    mapper.handle({ type: 'StateExited', state: { name: 'P', type: 'Parallel', input: {}, output: [1] } });
    mapper.handle({ type: 'ExecutionFailed', Error: 'Boom', Cause: { detail: 1 } });

    expect(recorder.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionFailed',
    ]);
    expect(recorder.events[4]?.stateExitedEventDetails).toMatchObject({ name: 'P', output: '[1]' });
    expect(recorder.events[5]?.executionFailedEventDetails).toEqual({ error: 'Boom', cause: '{"detail":1}' });
  });
});

describe('task tokens', () => {
  const arn = 'arn:aws:states:us-east-1:000000000000:execution:m:e';

  it('completes a waiting task once, then answers TaskDoesNotExist', async () => {
    const tokens = new TaskTokenStore();
    const token = tokens.issue(arn);
    const waiting = tokens.wait(token);

    tokens.complete(token, { kind: 'success', output: { ok: true } });

    await expect(waiting).resolves.toEqual({ kind: 'success', output: { ok: true } });
    expect(() => tokens.complete(token, { kind: 'success', output: null })).toThrow(TaskTokenNotFoundError);
    expect(() => tokens.heartbeat('garbage')).toThrow(InvalidTaskTokenError);
  });

  it('remembers timed-out tokens and cancels the tokens of an ended execution', async () => {
    const tokens = new TaskTokenStore();
    const timedOut = tokens.issue(arn);
    const cancelled = tokens.issue(arn);
    void tokens.wait(timedOut);
    const waiting = tokens.wait(cancelled);

    tokens.end(timedOut, 'timed-out');
    tokens.endExecution(arn);

    expect(() => tokens.heartbeat(timedOut)).toThrow(TaskTokenTimedOutError);
    await expect(waiting).resolves.toEqual({ kind: 'cancelled' });
    expect(() => tokens.heartbeat(cancelled)).toThrow(TaskTokenNotFoundError);
    expect(tokens.size).toBe(0);
  });

  it('puts the real token wherever the $$.Task.Token placeholder landed', () => {
    const parameters = { Entries: [{ Detail: { token: 'P', text: 'token=P' } }], other: 1 };

    expect(replacePlaceholder(parameters, 'P', 'T')).toEqual({
      Entries: [{ Detail: { token: 'T', text: 'token=T' } }],
      other: 1,
    });
  });
});
