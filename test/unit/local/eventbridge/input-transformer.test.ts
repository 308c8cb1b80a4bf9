import { describe, expect, it } from 'vitest';
import {
  compileInputPath,
  compileInputTransformer,
  compileJsonPath,
  compileTargetInput,
  InvalidJsonPathError,
  InvalidTargetInputError,
  TargetInputFailedError,
  type TargetInputContext,
} from '../../../../src/local/eventbridge/input-transformer.ts';

/** The EC2 event of "Amazon EventBridge input transformation" (user guide, Input transform examples). */
const EC2_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

/** The user guide's Input Path for that event. */
const EC2_PATHS = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  resource: '$.resources[0]',
};

/** The rule of the user guide's reserved-variable examples. */
const EXAMPLE_RULE: TargetInputContext = {
  ruleName: 'example',
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ingestionTime: '2015-11-11T21:29:55Z',
};

/** The event detail LocalStack's input-transformer tests send, whose outputs were recorded against AWS. */
const RECORDED_EVENT = {
  ...EC2_EVENT,
  'detail-type': 'core.update-account-command',
  source: 'core.update-account-command',
  resources: [],
  detail: {
    command: 'update-account',
    payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' },
    listsingle: ['HIGH'],
    listmulti: ['ACTIVE', 'INACTIVE'],
    valid: true,
  },
};
const RECORDED_PATHS = {
  userId: '$.detail.payload.acc_id',
  payload: '$.detail.payload',
  systemstring: '$.detail.awsAccountId',
  listsingle: '$.detail.listsingle',
  listmulti: '$.detail.listmulti',
  valid: '$.detail.valid',
};

function transform(
  inputTemplate: string,
  event: object = EC2_EVENT,
  inputPathsMap: Record<string, string> = EC2_PATHS,
) {
  return compileInputTransformer({ inputPathsMap, inputTemplate }, 'under-test').apply(
    event as Record<string, unknown>,
    EXAMPLE_RULE,
  );
}

describe('input transformer: the examples of the EventBridge user guide', () => {
  it('simple string', () => {
    const output = transform('"instance <instance> is in <state>"');
    expect(output.text).toBe('"instance i-0123456789 is in RUNNING"');
    expect(output.value).toBe('instance i-0123456789 is in RUNNING');
  });

  it('string with escaped quotes', () => {
    const output = transform('"instance \\"<instance>\\" is in <state>"');
    expect(output.text).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
    expect(output.value).toBe('instance "i-0123456789" is in RUNNING');
  });

  it('simple JSON', () => {
    const output = transform('{\n  "instance" : <instance>,\n  "state": <state>\n}');
    expect(output.value).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
  });

  it('JSON with strings and variables', () => {
    const output = transform(
      '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
    );
    expect(output.value).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it('JSON with a mix of variables and static information', () => {
    const output = transform(
      '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}',
    );
    expect(output.value).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('including reserved variables in JSON', () => {
    const output = transform(
      '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n' +
        '  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}',
    );
    expect(output.value).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
      ruleName: 'example',
      originalEvent: {
        id: EC2_EVENT.id,
        account: EC2_EVENT.account,
        detailType: EC2_EVENT['detail-type'],
        time: EC2_EVENT.time,
        source: EC2_EVENT.source,
        region: EC2_EVENT.region,
        resources: EC2_EVENT.resources,
        version: '0',
      },
    });
  });

  it('including reserved variables in a string', () => {
    expect(transform('"<aws.events.rule-name> triggered"').value).toBe('example triggered');
  });

  it('CloudWatch log group (the guide shows the log line; the target receives this JSON)', () => {
    const output = transform(
      '{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}',
    );
    expect(output.value).toEqual({
      timestamp: '2015-11-11T21:29:54Z',
      message: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it('array indices in the Input Path ($.resources[0])', () => {
    expect(transform('{"resource": <resource>}').value).toEqual({
      resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111',
    });
  });
});

describe('input transformer: the examples of the API reference (InputTransformer)', () => {
  const paths = { instance: '$.detail.instance', status: '$.detail.status' };
  const event = { ...EC2_EVENT, detail: { instance: 'i-1234', status: 'stopped' } };

  it('a plain-text template is sent as text', () => {
    const output = transform('<instance> is in state <status>', event, paths);
    expect(output).toEqual({ text: 'i-1234 is in state stopped', value: 'i-1234 is in state stopped' });
  });

  it('quote marks in a plain-text template stay as written', () => {
    const output = transform('<instance> is in state "<status>"', event, paths);
    expect(output.text).toBe('i-1234 is in state "stopped"');
  });

  it('a JSON template with variables in quotes or out', () => {
    const output = transform(
      '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}',
      event,
      paths,
    );
    expect(output.value).toEqual({ myInstance: 'i-1234', myStatus: 'i-1234 is in state "stopped"' });
  });
});

describe('input transformer: behaviour recorded against AWS', () => {
  const recorded = (template: string): unknown => transform(template, RECORDED_EVENT, RECORDED_PATHS).value;

  it('puts an object as JSON where a JSON value goes, and a string inside a string', () => {
    expect(recorded('{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}')).toEqual({
      method: 'PUT',
      path: 'users-service/users/0a787ecb-4015',
      bod: { acc_id: '0a787ecb-4015', sf_id: 'baz' },
    });
  });

  it('strips the quotes of objects and arrays placed in a string template', () => {
    expect(recorded('"Payload of <payload> with path users-service/users/<userId> and <userId>"')).toBe(
      'Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path users-service/users/0a787ecb-4015 and 0a787ecb-4015',
    );
    expect(recorded('"<listsingle> single list item"')).toBe('[HIGH] single list item');
    expect(recorded('"<listmulti> multiple list items"')).toBe('[ACTIVE,INACTIVE] multiple list items');
  });

  it('quotes a string value whether or not the template quotes it', () => {
    expect(recorded('{"id" : <userId>}')).toEqual({ id: '0a787ecb-4015' });
    expect(recorded('{"id" : "<userId>"}')).toEqual({ id: '0a787ecb-4015' });
    expect(
      recorded('{"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "hardcoded"]}'),
    ).toEqual({
      method: 'PUT',
      path: 'users-service/users/0a787ecb-4015',
      bod: ['0a787ecb-4015', 'hardcoded'],
    });
  });

  it('replaces in nested strings and repeatedly', () => {
    expect(
      recorded(
        '{"method": "PUT", "nested": {"level1": {"level2": {"level3": "users-service/users/<userId>"} } }, "bod": "<userId>"}',
      ),
    ).toEqual({
      method: 'PUT',
      nested: { level1: { level2: { level3: 'users-service/users/0a787ecb-4015' } } },
      bod: '0a787ecb-4015',
    });
    expect(recorded('{"multi_replacement": "users/<userId>/second/<userId>"}')).toEqual({
      multi_replacement: 'users/0a787ecb-4015/second/0a787ecb-4015',
    });
  });

  it('puts an array as JSON where a JSON value goes and a boolean as its literal', () => {
    expect(recorded('{"singlelistitem": <listsingle>}')).toEqual({ singlelistitem: ['HIGH'] });
    expect(recorded('"Command is <valid>!"')).toBe('Command is true!');
  });

  it('leaves a missing path empty in a string and "" in a JSON value', () => {
    expect(
      recorded(
        '"<listsingle> single list item <listmulti> multiple list items <systemstring> system account id <payload> payload <userId> user id"',
      ),
    ).toBe(
      '[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account id {acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id',
    );
    expect(recorded('{"detailType": <systemstring>, "command": <userId>}')).toEqual({
      detailType: '',
      command: '0a787ecb-4015',
    });
  });

  it('fails the delivery when an object or array lands inside a JSON string, as AWS drops it', () => {
    for (const template of [
      '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
      '{"payload": "<payload>"}',
      '{"singlelistitem": "<listsingle>"}',
    ]) {
      expect(() => recorded(template), template).toThrow(TargetInputFailedError);
    }
  });

  it('gives <aws.events.event> without detail and <aws.events.event.json> whole', () => {
    const output = transform(
      '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}',
      RECORDED_EVENT,
      {},
    );
    const value = output.value as { originalEvent: Record<string, unknown>; originalEventJson: unknown };
    expect(Object.keys(value.originalEvent)).toEqual([
      'id',
      'account',
      'detailType',
      'time',
      'source',
      'region',
      'resources',
      'version',
    ]);
    expect(value.originalEvent).not.toHaveProperty('detail');
    expect(value.originalEventJson).toEqual(RECORDED_EVENT);
  });

  it('gives every predefined string variable in a string template', () => {
    const output = transform(
      '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"',
      RECORDED_EVENT,
      {},
    );
    expect(output.value).toBe(
      'Message containing all pre defined variables arn:aws:events:us-east-2:123456789012:rule/example example 2015-11-11T21:29:55Z',
    );
  });
});

describe('input transformer: values that need escaping', () => {
  const event = { ...EC2_EVENT, detail: { note: 'say "hi"\\ and\nbye', count: 3, nothing: null } };
  const paths = { note: '$.detail.note', count: '$.detail.count', nothing: '$.detail.nothing' };

  it('escapes quotes, backslashes and newlines of a string put inside a JSON string', () => {
    const output = transform('{"message": "note: <note>", "raw": <note>}', event, paths);
    expect(output.value).toEqual({ message: 'note: say "hi"\\ and\nbye', raw: 'say "hi"\\ and\nbye' });
  });

  it('escapes a string put inside a quoted string template', () => {
    expect(transform('"note: <note>"', event, paths).value).toBe('note: say "hi"\\ and\nbye');
  });

  it('writes numbers and null as literals', () => {
    expect(
      transform('{"count": <count>, "nothing": <nothing>, "text": "<count>/<nothing>"}', event, paths).value,
    ).toEqual({
      count: 3,
      nothing: null,
      text: '3/null',
    });
  });
});

describe('input transformer: what AWS refuses at PutTargets', () => {
  const compile = (inputTemplate: string, inputPathsMap?: Record<string, string>): unknown =>
    compileInputTransformer(
      inputPathsMap === undefined ? { inputTemplate } : { inputPathsMap, inputTemplate },
      't1',
    );

  it('a placeholder that names no variable, with AWS message', () => {
    expect(() =>
      compile('"Event of <detail-type> type, with not defined key <notdefinedkey>"', {
        'detail-type': '$.detail-type',
      }),
    ).toThrow(
      new InvalidTargetInputError('InputTemplate for target t1 contains invalid placeholder notdefinedkey.'),
    );
  });

  it('more than 100 variables', () => {
    const paths = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.detail']));
    expect(() => compile('"x"', paths)).toThrow(/at most 100/);
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, '$.detail']));
    expect(() => compile('"x"', hundred)).not.toThrow();
  });

  it('redefining a predefined variable or a key starting with AWS.', () => {
    expect(() => compile('"<aws.events.rule-name>"', { 'aws.events.rule-name': '$.source' })).toThrow(
      /predefined/,
    );
    expect(() => compile('"x"', { 'AWS.mine': '$.source' })).toThrow(/AWS\./);
  });

  it('a placeholder used as an object key', () => {
    expect(() => compile('{<state>: 1}', { state: '$.detail.state' })).toThrow(/object key/);
    expect(() => compile('{"key-<state>": 1}', { state: '$.detail.state' })).toThrow(/object key/);
  });

  it('a JSON template that is not JSON', () => {
    expect(() => compile('{"state": <state>', { state: '$.detail.state' })).toThrow(/not valid JSON/);
  });

  it('an empty template or one over 8192 characters', () => {
    expect(() => compile('')).toThrow(/1 to 8192/);
    expect(() => compile(`"${'x'.repeat(8191)}"`)).toThrow(/1 to 8192/);
  });

  it('a path in bracket notation', () => {
    expect(() => compile('{"a": <a>}', { a: "$.detail['state']" })).toThrow(/dot notation/);
  });

  it('both an InputPath and an input transformer, with AWS message', () => {
    expect(() =>
      compileTargetInput({
        id: 'both',
        target: { kind: 'function', name: 'f' },
        inputPath: '$.detail',
        inputTransformer: { inputTemplate: '"x"' },
      }),
    ).toThrow(
      new InvalidTargetInputError(
        'Only one of Input, InputPath, or InputTransformer must be provided for target both.',
      ),
    );
  });
});

describe('InputPath and the JSONPath subset', () => {
  it('sends the selected part of the event', () => {
    expect(compileInputPath('$.detail').apply(RECORDED_EVENT, EXAMPLE_RULE).value).toEqual(
      RECORDED_EVENT.detail,
    );
    expect(compileInputPath('$.detail.payload.sf_id').apply(RECORDED_EVENT, EXAMPLE_RULE)).toEqual({
      text: '"baz"',
      value: 'baz',
    });
    expect(compileInputPath('$').apply(RECORDED_EVENT, EXAMPLE_RULE).value).toEqual(RECORDED_EVENT);
  });

  it('refuses to deliver when the path matches nothing', () => {
    expect(() => compileInputPath('$.detail.absent').apply(RECORDED_EVENT, EXAMPLE_RULE)).toThrow(
      TargetInputFailedError,
    );
  });

  it('sends the whole event, as a copy, when the target shapes nothing', () => {
    const input = compileTargetInput({ id: 'whole', target: { kind: 'function', name: 'f' } }).apply(
      RECORDED_EVENT,
      EXAMPLE_RULE,
    );
    expect(input.value).toEqual(RECORDED_EVENT);
    expect(input.value).not.toBe(RECORDED_EVENT);
  });

  it('evaluates indices, negative indices and wildcards', () => {
    const doc = {
      items: [
        { id: 'a', tags: ['x'] },
        { id: 'b', tags: ['y', 'z'] },
      ],
      map: { one: 1, two: 2 },
    };
    expect(compileJsonPath('$.items[1].id').evaluate(doc)).toEqual({ found: true, value: 'b' });
    expect(compileJsonPath('$.items[-1].tags[0]').evaluate(doc)).toEqual({ found: true, value: 'y' });
    expect(compileJsonPath('$.items[*].id').evaluate(doc)).toEqual({ found: true, value: ['a', 'b'] });
    expect(compileJsonPath('$.map.*').evaluate(doc)).toEqual({ found: true, value: [1, 2] });
    expect(compileJsonPath('$.items[5].id').evaluate(doc)).toEqual({ found: false, value: undefined });
    expect(compileJsonPath('$.map.one.deeper').evaluate(doc)).toEqual({ found: false, value: undefined });
  });

  it('reads keys with dashes, underscores and slashes', () => {
    const doc = { detail: { 'a-b': { c_d: { 'e/f': 42 } } } };
    expect(compileJsonPath('$.detail.a-b.c_d.e/f').evaluate(doc)).toEqual({ found: true, value: 42 });
  });

  it('refuses paths outside the subset', () => {
    for (const path of ['detail', '$..detail', "$['detail']", '$.detail[?(@.a)]', '$.', '']) {
      expect(() => compileJsonPath(path), path).toThrow(InvalidJsonPathError);
    }
  });
});
