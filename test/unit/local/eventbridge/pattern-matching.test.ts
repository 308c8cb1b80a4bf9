import { describe, expect, it } from 'vitest';
import { compileEventPattern, matchesEventPattern } from '../../../../src/local/eventbridge/pattern.ts';

/**
 * Matching, one table per AWS documentation page (Amazon EventBridge User Guide), plus the examples of
 * AWS's matching engine's own documentation (aws/event-ruler README). Every expectation is what the page
 * states about its example: where a page says "matches any event where X", the table holds an event with X
 * (expected true) and, where useful, one without (expected false).
 */
type MatchCase = readonly [name: string, pattern: unknown, event: unknown, expected: boolean];

function itMatchesAsDocumented(cases: readonly MatchCase[]): void {
  it.each(cases)('%s', (_name, pattern, event, expected) => {
    // prepare
    const compiled = compileEventPattern(pattern);
    // act
    const result = compiled.matches(event);
    // assess
    expect(result).toBe(expected);
  });
}

/** The EC2 event the "Amazon EventBridge event patterns" and "Event pattern syntax" pages start from. */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const ec2TerminationPattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};
const withState = (state: unknown): unknown => ({ ...ec2Event, detail: { ...ec2Event.detail, state } });

/** The Auto Scaling event of "Matching events on null values and empty strings" (and of old "Field matching"). */
const autoScalingEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// Page: "Amazon EventBridge event patterns" (eb-event-patterns) and "Event pattern syntax" (eb-create-pattern),
// including its "Matching event values" and "Considerations when creating event patterns".
describe('event patterns and pattern syntax (eb-event-patterns, eb-create-pattern)', () => {
  itMatchesAsDocumented([
    ['selects EC2 instance-termination events', ec2TerminationPattern, ec2Event, true],
    ['does not select an instance that is still running', ec2TerminationPattern, withState('running'), false],
    [
      'does not select the same detail from another source',
      ec2TerminationPattern,
      { ...ec2Event, source: 'aws.s3' },
      false,
    ],
    [
      'a list of values matches the first: source aws.ec2',
      { source: ['aws.ec2', 'aws.fargate'] },
      ec2Event,
      true,
    ],
    [
      'a list of values matches the second: source aws.fargate',
      { source: ['aws.ec2', 'aws.fargate'] },
      { ...ec2Event, source: 'aws.fargate' },
      true,
    ],
    [
      'a list of values matches nothing else',
      { source: ['aws.ec2', 'aws.fargate'] },
      { ...ec2Event, source: 'aws.s3' },
      false,
    ],
    [
      'the event must contain every field the pattern names',
      ec2TerminationPattern,
      { ...ec2Event, detail: { 'instance-id': 'i-1234567890abcdef0' } },
      false,
    ],
    [
      'fields must have the same nesting as in the pattern',
      ec2TerminationPattern,
      { ...ec2Event, state: 'terminated', detail: { 'instance-id': 'i-1234567890abcdef0' } },
      false,
    ],
    [
      'fields the pattern does not name are ignored ("*": "*")',
      { detail: { state: ['terminated'] } },
      ec2Event,
      true,
    ],
    [
      'strings match character by character: no case folding',
      ec2TerminationPattern,
      withState('Terminated'),
      false,
    ],
    [
      'strings match character by character: no normalisation',
      ec2TerminationPattern,
      withState('terminated '),
      false,
    ],
    [
      'values follow JSON rules: a number never equals a string',
      { detail: { state: [1] } },
      withState('1'),
      false,
    ],
    [
      'values follow JSON rules: true matches the JSON keyword',
      { detail: { state: [true] } },
      withState(true),
      true,
    ],
    [
      'values follow JSON rules: true does not match "true"',
      { detail: { state: [true] } },
      withState('true'),
      false,
    ],
    [
      'values follow JSON rules: false matches the JSON keyword',
      { detail: { state: [false] } },
      withState(false),
      true,
    ],
    // Old "Field matching" example: the Auto Scaling event matched on its null responseElements.
    [
      'field matching: responseElements is null',
      {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance Launch Successful'],
        detail: { responseElements: [null] },
      },
      autoScalingEvent,
      true,
    ],
    // Old "Value matching" example: a Macie finding with severity score 1 and count 2.
    [
      'value matching: Macie finding with severity score 1 and count 2',
      {
        source: ['aws.macie'],
        'detail-type': ['Macie Finding'],
        detail: { severity: { score: [1] }, count: [2] },
      },
      {
        version: '0',
        id: '0948ba87-d3b8-c6d4-f2da-732a1example',
        'detail-type': 'Macie Finding',
        source: 'aws.macie',
        account: '123456789012',
        time: '2021-04-29T23:12:15Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          schemaVersion: '1.0',
          id: '64b917aa-3843-014c-91d8-937ffexample',
          accountId: '123456789012',
          partition: 'aws',
          region: 'us-east-1',
          type: 'Policy:IAMUser/S3BucketEncryptionDisabled',
          title: 'Encryption is disabled for the S3 bucket',
          severity: { score: 1, description: 'Low' },
          createdAt: '2021-04-29T15:46:02Z',
          updatedAt: '2021-04-29T23:12:15Z',
          count: 2,
        },
      },
      true,
    ],
    [
      'value matching: a Macie finding with another count does not match',
      {
        source: ['aws.macie'],
        'detail-type': ['Macie Finding'],
        detail: { severity: { score: [1] }, count: [2] },
      },
      { source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: 1 }, count: 3 } },
      false,
    ],
  ]);
});

// Page: "Matching events on null values and empty strings in Amazon EventBridge" (eb-event-patterns-null-values).
describe('null values and empty strings (eb-event-patterns-null-values)', () => {
  itMatchesAsDocumented([
    ['eventVersion is an empty string', { detail: { eventVersion: [''] } }, autoScalingEvent, true],
    ['responseElements is null', { detail: { responseElements: [null] } }, autoScalingEvent, true],
    [
      'not interchangeable: an empty-string pattern does not match null',
      { detail: { responseElements: [''] } },
      autoScalingEvent,
      false,
    ],
    [
      'not interchangeable: a null pattern does not match an empty string',
      { detail: { eventVersion: [null] } },
      autoScalingEvent,
      false,
    ],
  ]);
});

// Page: "Matching on multiple field values" / "Arrays in Amazon EventBridge event patterns" (eb-event-patterns-arrays).
describe('arrays (eb-event-patterns-arrays)', () => {
  const pattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  const autoScalingGroup =
    'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate';
  itMatchesAsDocumented([
    [
      'the first pattern value matches the second event value',
      pattern,
      { resources: [autoScalingGroup, 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
      true,
    ],
    ['an empty intersection does not match', pattern, { resources: [autoScalingGroup] }, false],
    [
      'a scalar event value matches if any pattern value does',
      pattern,
      { resources: pattern.resources[2] },
      true,
    ],
  ]);
});

// Page: "Comparison operators for use in event patterns in Amazon EventBridge" (eb-create-pattern-operators):
// the summary table, one row per operator, read against its "Example" column.
describe('comparison operators summary table (eb-create-pattern-operators)', () => {
  itMatchesAsDocumented([
    [
      'And: Location is "New York" and Day is "Monday"',
      { Location: ['New York'], Day: ['Monday'] },
      { Location: 'New York', Day: 'Monday' },
      true,
    ],
    [
      'And: not when only one holds',
      { Location: ['New York'], Day: ['Monday'] },
      { Location: 'New York', Day: 'Tuesday' },
      false,
    ],
    [
      'Anything-but: state besides "initializing"',
      { state: [{ 'anything-but': 'initializing' }] },
      { state: 'running' },
      true,
    ],
    [
      'Anything-but: not "initializing" itself',
      { state: [{ 'anything-but': 'initializing' }] },
      { state: 'initializing' },
      false,
    ],
    [
      'Anything-but (begins with): Region not in the US',
      { Region: [{ 'anything-but': { prefix: 'us-' } }] },
      { Region: 'eu-west-1' },
      true,
    ],
    [
      'Anything-but (begins with): not a US Region',
      { Region: [{ 'anything-but': { prefix: 'us-' } }] },
      { Region: 'us-east-1' },
      false,
    ],
    [
      'Anything-but (ends with): FileName not .png',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'photo.jpg' },
      true,
    ],
    [
      'Anything-but (ends with): not a .png',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'photo.png' },
      false,
    ],
    [
      'Anything-but (ignore case): besides "initializing"',
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'running' },
      true,
    ],
    [
      'Anything-but (ignore case): not "INITIALIZING"',
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'INITIALIZING' },
      false,
    ],
    [
      'Anything-but using a wildcard: a path without /lib/',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/bin/tool' },
      true,
    ],
    [
      'Anything-but using a wildcard: not a path that includes /lib/',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/lib/libc.so' },
      false,
    ],
    ['Begins with: Region is in the US', { Region: [{ prefix: 'us-' }] }, { Region: 'us-west-2' }, true],
    ['Begins with: not outside the US', { Region: [{ prefix: 'us-' }] }, { Region: 'ap-south-1' }, false],
    [
      'Begins with (ignore case): service starts with "eventb"',
      { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      { service: 'EventBridge' },
      true,
    ],
    [
      'Begins with (ignore case): not another service',
      { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      { service: 'Lambda' },
      false,
    ],
    ['Empty: LastName is empty', { LastName: [''] }, { LastName: '' }, true],
    ['Empty: not a non-empty LastName', { LastName: [''] }, { LastName: 'Doe' }, false],
    ['Equals: Name is "Alice"', { Name: ['Alice'] }, { Name: 'Alice' }, true],
    ['Equals: not "alice"', { Name: ['Alice'] }, { Name: 'alice' }, false],
    [
      'Equals (ignore case): Name is "Alice"',
      { Name: [{ 'equals-ignore-case': 'alice' }] },
      { Name: 'Alice' },
      true,
    ],
    [
      'Equals (ignore case): not "Alicia"',
      { Name: [{ 'equals-ignore-case': 'alice' }] },
      { Name: 'Alicia' },
      false,
    ],
    [
      'Ends with: FileName ends with .png',
      { FileName: [{ suffix: '.png' }] },
      { FileName: 'photo.png' },
      true,
    ],
    ['Ends with: not .jpg', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.jpg' }, false],
    [
      'Ends with (ignore case): service ends with "tbridge"',
      { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] },
      { service: 'EVENTBRIDGE' },
      true,
    ],
    [
      'Ends with (ignore case): not another ending',
      { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] },
      { service: 'EventBus' },
      false,
    ],
    ['Exists: ProductName exists', { ProductName: [{ exists: true }] }, { ProductName: 'Widget' }, true],
    ['Exists: not when ProductName is missing', { ProductName: [{ exists: true }] }, { Price: 10 }, false],
    ['Does not exist: ProductName missing', { ProductName: [{ exists: false }] }, { Price: 10 }, true],
    [
      'Does not exist: not when ProductName is there',
      { ProductName: [{ exists: false }] },
      { ProductName: 'Widget' },
      false,
    ],
    [
      'Not: Weather is anything but "Raining"',
      { Weather: [{ 'anything-but': ['Raining'] }] },
      { Weather: 'Sunny' },
      true,
    ],
    [
      'Not: not when it is "Raining"',
      { Weather: [{ 'anything-but': ['Raining'] }] },
      { Weather: 'Raining' },
      false,
    ],
    ['Null: UserID is null', { UserID: [null] }, { UserID: null }, true],
    ['Null: not a present UserID', { UserID: [null] }, { UserID: 'u-1' }, false],
    ['Numeric (equals): Price is 100', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
    ['Numeric (equals): not 101', { Price: [{ numeric: ['=', 100] }] }, { Price: 101 }, false],
    [
      'Numeric (range): Price is more than 10 and at most 20',
      { Price: [{ numeric: ['>', 10, '<=', 20] }] },
      { Price: 20 },
      true,
    ],
    ['Numeric (range): not 10 itself', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 }, false],
    ['Or: PaymentType is "Credit"', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Credit' }, true],
    ['Or: PaymentType is "Debit"', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, true],
    ['Or: not "Cash"', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Cash' }, false],
    [
      'Or (multiple fields): Location is "New York"',
      { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
      { Location: 'New York', Day: 'Sunday' },
      true,
    ],
    [
      'Or (multiple fields): Day is "Monday"',
      { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
      { Location: 'Paris', Day: 'Monday' },
      true,
    ],
    [
      'Or (multiple fields): neither',
      { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
      { Location: 'Paris', Day: 'Sunday' },
      false,
    ],
    [
      'Wildcard: a .png file in dir',
      { FileName: [{ wildcard: 'dir/*.png' }] },
      { FileName: 'dir/photo.png' },
      true,
    ],
    [
      'Wildcard: not a .png file elsewhere',
      { FileName: [{ wildcard: 'dir/*.png' }] },
      { FileName: 'other/photo.png' },
      false,
    ],
  ]);
});

// Page: "Comparison operators for use in event patterns" (eb-create-pattern-operators), formerly "Content
// filtering in Amazon EventBridge event patterns" (eb-event-patterns-content-based-filtering): its sections.
describe('operator sections (eb-create-pattern-operators / content filtering)', () => {
  const exists = { detail: { state: [{ exists: true }] } };
  const numeric = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const complex = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
    },
  };
  const or = {
    detail: {
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    },
  };
  itMatchesAsDocumented([
    [
      'prefix: time starts with 2017-10-02',
      { time: [{ prefix: '2017-10-02' }] },
      { time: '2017-10-02T18:43:48Z' },
      true,
    ],
    [
      'prefix: not another day',
      { time: [{ prefix: '2017-10-02' }] },
      { time: '2017-10-03T18:43:48Z' },
      false,
    ],
    ['prefix: only string values', { time: [{ prefix: '2017' }] }, { time: 2017 }, false],
    ...['EventB', 'EVENTB', 'eventb', 'eVeNtBridge'].map((service): MatchCase => [
      `prefix ignoring case: service "${service}" starts with EventB in any case`,
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      { detail: { service } },
      true,
    ]),
    ['suffix: FileName ends with .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
    ['suffix: only string values', { FileName: [{ suffix: '5' }] }, { FileName: 125 }, false],
    ...['photo.png', 'photo.PNG', 'photo.Png'].map((FileName): MatchCase => [
      `suffix ignoring case: "${FileName}" ends with .png in any case`,
      { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      { detail: { FileName } },
      true,
    ]),
    [
      'anything-but string: pending',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      { detail: { state: 'pending' } },
      true,
    ],
    [
      'anything-but string: initializing',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      { detail: { state: 'initializing' } },
      false,
    ],
    [
      'anything-but number: 456',
      { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      { detail: { 'x-limit': 456 } },
      true,
    ],
    [
      'anything-but number: 123',
      { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      { detail: { 'x-limit': 123 } },
      false,
    ],
    [
      'anything-but list of strings: running',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      { detail: { state: 'running' } },
      true,
    ],
    [
      'anything-but list of strings: overloaded',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      { detail: { state: 'overloaded' } },
      false,
    ],
    [
      'anything-but list of numbers: 150',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      { detail: { 'x-limit': 150 } },
      true,
    ],
    [
      'anything-but list of numbers: 200',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      { detail: { 'x-limit': 200 } },
      false,
    ],
    [
      'anything-but prefix: state without the prefix init',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { state: 'running' } },
      true,
    ],
    [
      'anything-but prefix: state with the prefix init',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { state: 'initializing' } },
      false,
    ],
    [
      'numeric: true for all fields',
      numeric,
      { detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 } },
      true,
    ],
    [
      'numeric: c-count 0 is not > 0',
      numeric,
      { detail: { 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 } },
      false,
    ],
    [
      'numeric: d-count 10 is not < 10',
      numeric,
      { detail: { 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 } },
      false,
    ],
    [
      'numeric: x-limit 301 is not 3.018e2',
      numeric,
      { detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301 } },
      false,
    ],
    [
      'numeric: only JSON numbers',
      numeric,
      { detail: { 'c-count': '5', 'd-count': 9, 'x-limit': 301.8 } },
      false,
    ],
    [
      'numeric: limited to -5.0e9 to +5.0e9 inclusive (at the limit)',
      { detail: { n: [{ numeric: ['>', 0] }] } },
      { detail: { n: 5.0e9 } },
      true,
    ],
    [
      'numeric: limited to -5.0e9 to +5.0e9 inclusive (beyond it)',
      { detail: { n: [{ numeric: ['>', 0] }] } },
      { detail: { n: 6.0e9 } },
      false,
    ],
    ...['10.0.0.0', '10.0.0.1', '10.0.0.255'].map((sourceIPAddress): MatchCase => [
      `IP address: ${sourceIPAddress} starts with 10.0.0 and ends between 0 and 255`,
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      { detail: { sourceIPAddress } },
      true,
    ]),
    [
      'IP address: 10.0.1.0 is outside 10.0.0.0/24',
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      { detail: { sourceIPAddress: '10.0.1.0' } },
      false,
    ],
    [
      'exists: matches an event that has detail.state',
      exists,
      {
        version: '0',
        id: '7bf73129-1428-4cd3-a780-95db273d1602',
        'detail-type': 'EC2 Instance State-change Notification',
        source: 'aws.ec2',
        account: '123456789012',
        time: '2015-11-11T21:29:54Z',
        region: 'us-east-1',
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
        detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
      },
      true,
    ],
    [
      'exists: does NOT match an event without detail.state',
      exists,
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { 'c-count': { c1: 100 } },
      },
      false,
    ],
    [
      'exists only works on leaf nodes: an object is not a leaf',
      { detail: { 'c-count': [{ exists: true }] } },
      { detail: { 'c-count': { c1: 100 } } },
      false,
    ],
    [
      'equals-ignore-case: detail-type regardless of case',
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { 'c-count': { c1: 100 } },
      },
      true,
    ],
    [
      'wildcard: any event bus in us-east-1',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' },
      true,
    ],
    [
      'wildcard: not a bus in another Region',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' },
      false,
    ],
    [
      'wildcard: doc.txt for any user',
      { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
      { FileName: '/Users/jane/doc.txt' },
      true,
    ],
    ['wildcard: \\* is the literal * character', { Name: [{ wildcard: 'a\\*c' }] }, { Name: 'a*c' }, true],
    [
      'wildcard: \\* does not match other characters',
      { Name: [{ wildcard: 'a\\*c' }] },
      { Name: 'abc' },
      false,
    ],
    [
      'wildcard: \\\\ is the literal \\ character',
      { Name: [{ wildcard: 'a\\\\*' }] },
      { Name: 'a\\bc' },
      true,
    ],
    ['wildcard: any number of wildcards', { Name: [{ wildcard: '*a*b*c*' }] }, { Name: 'xaxbxcx' }, true],
    ['wildcard: only string values', { Name: [{ wildcard: '1*' }] }, { Name: 123 }, false],
    [
      'complex example: time prefix, anything-but and numeric together',
      complex,
      {
        time: '2017-10-02T18:43:48Z',
        detail: { state: 'running', 'c-count': 3, 'd-count': 7, 'x-limit': 150 },
      },
      true,
    ],
    [
      'complex example: one failing field fails the pattern',
      complex,
      {
        time: '2017-10-02T18:43:48Z',
        detail: { state: 'running', 'c-count': 3, 'd-count': 7, 'x-limit': 300 },
      },
      false,
    ],
    ['$or: c-count is in (0, 5]', or, { detail: { 'c-count': 3, 'd-count': 20, 'x-limit': 1 } }, true],
    ['$or: d-count is less than 10', or, { detail: { 'c-count': 9, 'd-count': 5, 'x-limit': 1 } }, true],
    ['$or: x-limit equals 3.018e2', or, { detail: { 'c-count': 9, 'd-count': 20, 'x-limit': 301.8 } }, true],
    ['$or: none of the conditions', or, { detail: { 'c-count': 9, 'd-count': 20, 'x-limit': 1 } }, false],
  ]);

  // The page's note: "if you include a key more than once the last reference will be the one used".
  // Only JSON text can carry a duplicate key.
  const duplicateKey =
    '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
  itMatchesAsDocumented([
    [
      'duplicate key: only the last reference counts (eu-west passes)',
      duplicateKey,
      { detail: { location: 'eu-west' } },
      true,
    ],
    [
      'duplicate key: only the last reference counts (us-east fails)',
      duplicateKey,
      { detail: { location: 'us-east' } },
      false,
    ],
  ]);
});

// Page: "Best practices for Amazon EventBridge event patterns" (eb-patterns-best-practices): "Specify event
// source and detail type as filters", where `$or` selects specific CloudTrail calls of two services.
describe('best practices (eb-patterns-best-practices)', () => {
  const pattern = {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [
      { source: ['aws.sqs'], detail: { eventName: ['CreateQueue', 'SetQueueAttributes'] } },
      { source: ['aws.kms'], detail: { eventName: ['CreateKey', 'DisableKeyRotation'] } },
    ],
  };
  const call = (source: string, eventName: string): unknown => ({
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    detail: { eventName },
  });
  itMatchesAsDocumented([
    ['SQS CreateQueue', pattern, call('aws.sqs', 'CreateQueue'), true],
    ['SQS SetQueueAttributes', pattern, call('aws.sqs', 'SetQueueAttributes'), true],
    ['KMS CreateKey', pattern, call('aws.kms', 'CreateKey'), true],
    ['KMS DisableKeyRotation', pattern, call('aws.kms', 'DisableKeyRotation'), true],
    ['not an SQS call named like a KMS one', pattern, call('aws.sqs', 'CreateKey'), false],
    ['not another SQS call', pattern, call('aws.sqs', 'DeleteQueue'), false],
  ]);
});

// Documentation of AWS's matching engine: aws/event-ruler README ("Ruler by Example", "And and Or", "JSON
// Array Matching", "Caveat: Compiled rules and JSON keys with dots").
describe('AWS matching engine documentation (aws/event-ruler README)', () => {
  const sample = {
    version: '0',
    id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '012345679012',
    time: '2017-10-02T16:24:49Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      'instance-id': 'i-000000aaaaaa00000',
      state: 'running',
    },
  };
  const cloudwatchOr = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const parallelOr = {
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
  };
  const nestedOr = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      {
        metricType: ['MetricType'],
        namespace: ['AWS/EC2', 'AWS/ES'],
        $or: [{ metricId: [1234] }, { spaceId: [1000] }],
      },
      { scope: ['Service'] },
    ],
  };
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };
  const nestedEmployees = {
    employees: [
      [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
      [{ firstName: 'Peter', lastName: 'Jones' }],
    ],
  };
  const existsFalse = { detail: { 'c-count': [{ exists: false }] } };
  itMatchesAsDocumented([
    [
      'simple matching',
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
      sample,
      true,
    ],
    ['prefix matching', { time: [{ prefix: '2017-10-02' }] }, sample, true],
    [
      'prefix equals-ignore-case matching',
      { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] },
      sample,
      true,
    ],
    ['suffix matching', { source: [{ suffix: 'ec2' }] }, sample, true],
    [
      'suffix equals-ignore-case matching',
      { source: [{ suffix: { 'equals-ignore-case': 'EC2' } }] },
      sample,
      true,
    ],
    ['equals-ignore-case matching', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, sample, true],
    [
      'wildcard matching',
      { source: [{ wildcard: 'Simple*Service' }] },
      { source: 'Simple Queue Service' },
      true,
    ],
    [
      'wildcard matching: no match',
      { source: [{ wildcard: 'Simple*Service' }] },
      { source: 'Simple Storage' },
      false,
    ],
    [
      'anything-but prefix list',
      { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
      sample,
      true,
    ],
    [
      'anything-but prefix list: excluded prefix',
      { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
      { detail: { state: 'error-3' } },
      false,
    ],
    [
      'anything-but suffix',
      { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } },
      sample,
      true,
    ],
    [
      'anything-but suffix list: excluded suffix',
      { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
      { detail: { 'instance-id': 'i-6789' } },
      false,
    ],
    [
      'anything-but-ignore-case: STOPPED',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] } },
      { detail: { state: 'STOPPED' } },
      false,
    ],
    [
      'anything-but-ignore-case list',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
      sample,
      true,
    ],
    [
      'anything-but wildcard: a jar under bin',
      { detail: { state: [{ 'anything-but': { wildcard: '*/bin/*.jar' } }] } },
      { detail: { state: '/opt/bin/app.jar' } },
      false,
    ],
    [
      'anything-but wildcard list: neither pattern',
      { detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
      { detail: { state: '/opt/lib/app.jar' } },
      true,
    ],
    [
      'numeric matching',
      {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      },
      sample,
      true,
    ],
    ['IP address matching', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, sample, true],
    ['exists matching: c-count present', { detail: { 'c-count': [{ exists: true }] } }, sample, true],
    [
      'exists false: no detail.c-count',
      existsFalse,
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
      true,
    ],
    [
      'exists false: also matches when c-count is not a leaf node',
      existsFalse,
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
      },
      true,
    ],
    [
      'complex example',
      {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
          'source-ip': [{ cidr: '10.0.0.0/8' }],
        },
      },
      sample,
      true,
    ],
    [
      '"source" && ("metricName" || "namespace"): metricName',
      cloudwatchOr,
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      true,
    ],
    [
      '"source" && ("metricName" || "namespace"): namespace',
      cloudwatchOr,
      { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      true,
    ],
    [
      '"source" && ("metricName" || "namespace"): source missing',
      cloudwatchOr,
      { source: 'aws.ec2', namespace: 'AWS/ES' },
      false,
    ],
    [
      'parallel or: one from each $or',
      parallelOr,
      { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
      true,
    ],
    [
      'parallel or: only the first $or',
      parallelOr,
      { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } },
      false,
    ],
    [
      'nested or and and: metricType && namespace && spaceId',
      nestedOr,
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
      true,
    ],
    [
      'nested or and and: metricType && namespace without metricId or spaceId',
      nestedOr,
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' },
      false,
    ],
    ['nested or and and: scope', nestedOr, { source: 'aws.cloudwatch', scope: 'Service' }, true],
    [
      'JSON array matching: objects in an array are values of the parent',
      { employees: { firstName: ['Anna'] } },
      employees,
      true,
    ],
    [
      'JSON array matching: multi-level arrays too',
      { employees: { firstName: ['Anna'] } },
      nestedEmployees,
      true,
    ],
    [
      'JSON array matching: two fields from different array elements do not match',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      employees,
      false,
    ],
    [
      'JSON array matching: two fields from the same array element match',
      { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      employees,
      true,
    ],
    [
      'keys with dots: nested pattern, dotted event key',
      { detail: { state: { status: ['running'] } } },
      { detail: { 'state.status': 'running' } },
      true,
    ],
    [
      'keys with dots: dotted pattern key, nested event',
      { detail: { 'state.status': ['running'] } },
      { detail: { state: { status: 'running' } } },
      true,
    ],
  ]);
});

// AWS's matching engine as implemented (aws/event-ruler `JsonRuleCompiler`, `GenericMachine.addPatternRule`,
// `NameState.getNameTransitions`): behaviour the documentation leaves implicit.
describe('AWS matching engine behaviour (aws/event-ruler source)', () => {
  const lastWriteWins = { detail: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] } };
  const absenceInArrays = { a: { z: ['1'], c: [{ exists: false }] } };
  const absenceInArraysSortedFirst = { a: { b: ['1'], c: [{ exists: false }] } };
  const elements = {
    a: [
      { b: '1', z: '1' },
      { b: '2', z: '2', c: 'x' },
    ],
  };
  itMatchesAsDocumented([
    // `$or` copies the fields written so far into each branch, and a later write to a path replaces it.
    [
      '$or: a field inside a branch replaces the same field before it',
      lastWriteWins,
      { detail: { a: '2' } },
      true,
    ],
    [
      '$or: so the replaced value no longer matches on that branch',
      lastWriteWins,
      { detail: { a: '1' } },
      false,
    ],
    [
      '$or: the other branch keeps the field written before it',
      lastWriteWins,
      { detail: { a: '1', b: '3' } },
      true,
    ],
    // Fields are evaluated in path order, and exists:false only asks about array elements consistent with the
    // fields evaluated before it.
    [
      'exists false after the field that picked the array element',
      absenceInArraysSortedFirst,
      elements,
      true,
    ],
    ['exists false evaluated first sees every array element', absenceInArrays, elements, false],
    // A plain value that is an IP address is compared as an address (`CIDR.ipToRangeIfPossible`).
    [
      'an IPv6 value matches the same address written in full',
      { ip: ['2001:db8::1'] },
      { ip: '2001:0db8:0:0:0:0:0:1' },
      true,
    ],
    ['an IPv6 value does not match another address', { ip: ['2001:db8::1'] }, { ip: '2001:db8::2' }, false],
    // Java's InetAddress, which AWS uses, reads IPv4-mapped IPv6 addresses as the IPv4 address.
    [
      'an IPv4-mapped IPv6 event address is in an IPv4 block',
      { ip: [{ cidr: '10.0.0.0/8' }] },
      { ip: '::ffff:a00:1' },
      true,
    ],
  ]);

  it('stays fast when many event arrays multiply the choices', () => {
    // prepare: twelve fields, each satisfied by any of eight array elements, then one that never matches
    const arrays = Object.fromEntries(
      Array.from({ length: 12 }, (_unused, i) => [`a${i}`, Array<string>(8).fill('x')]),
    );
    const pattern = { ...Object.fromEntries(Object.keys(arrays).map((key) => [key, ['x']])), zz: ['2'] };
    const compiled = compileEventPattern(pattern);
    // act
    const result = compiled.matches({ ...arrays, zz: [1] });
    // assess
    expect(result).toBe(false);
  });
});

describe('pattern and event forms', () => {
  it('accepts the pattern as JSON text or as a parsed value alike', () => {
    // prepare
    const text = JSON.stringify(ec2TerminationPattern);
    // act
    const results = [
      matchesEventPattern(text, ec2Event),
      matchesEventPattern(ec2TerminationPattern, ec2Event),
    ];
    // assess
    expect(results).toEqual([true, true]);
  });

  it.each([
    ['an array', [ec2Event]],
    ['a string of JSON', JSON.stringify(ec2Event)],
    ['null', null],
    ['a number', 42],
  ] as const)('never matches an event that is %s', (_what, event) => {
    // prepare
    const compiled = compileEventPattern({ source: [{ exists: false }] });
    // act
    const result = compiled.matches(event);
    // assess
    expect(result).toBe(false);
  });

  it('ignores undefined event members as JSON would', () => {
    // prepare
    const compiled = compileEventPattern({ detail: { state: [{ exists: false }] } });
    // act
    const result = compiled.matches({ detail: { state: undefined } });
    // assess
    expect(result).toBe(true);
  });

  it('keeps the parsed pattern, frozen, as its source', () => {
    // prepare
    const text = '{"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}';
    // act
    const { source } = compileEventPattern(text);
    // assess
    expect(source).toEqual({ source: ['aws.ec2'], detail: { state: ['terminated'] } });
    expect(Object.isFrozen(source) && Object.isFrozen(source.detail)).toBe(true);
  });

  it('is not affected by later changes to the pattern object it was compiled from', () => {
    // prepare
    const pattern = { source: ['aws.ec2'] };
    const compiled = compileEventPattern(pattern);
    // act
    pattern.source[0] = 'aws.s3';
    // assess
    expect(compiled.matches(ec2Event)).toBe(true);
  });
});
