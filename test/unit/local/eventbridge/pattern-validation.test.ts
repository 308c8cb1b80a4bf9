import { describe, expect, it } from 'vitest';
import { compileEventPattern, InvalidEventPatternError } from '../../../../src/local/eventbridge/pattern.ts';

/**
 * Validation. Which patterns AWS refuses comes from the EventBridge User Guide; the reasons are AWS's own
 * wording, as produced by its matching engine (aws/event-ruler, `JsonRuleCompiler`, `CIDR`, `WildcardParser`)
 * and seen in real `InvalidEventPatternException` responses.
 */
type RejectionCase = readonly [name: string, pattern: unknown, reason: string];

/** Compiles and returns the error, so each test can check both its type and its reason. */
function rejectionOf(pattern: unknown): unknown {
  try {
    compileEventPattern(pattern);
  } catch (error) {
    return error;
  }
  return undefined;
}

function itRejects(cases: readonly RejectionCase[]): void {
  it.each(cases)('%s', (_name, pattern, reason) => {
    // prepare
    const expected = `Event pattern is not valid. Reason: ${reason}`;
    // act
    const error = rejectionOf(pattern);
    // assess
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect(error).toMatchObject({ name: 'InvalidEventPatternError', message: expected, reason });
  });
}

function itAccepts(cases: readonly (readonly [name: string, pattern: unknown])[]): void {
  it.each(cases)('%s', (_name, pattern) => {
    // prepare, act
    const error = rejectionOf(pattern);
    // assess
    expect(error).toBeUndefined();
  });
}

// Page: "Event pattern syntax" (eb-create-pattern): "the value to match is in a JSON array"; the pattern is a
// JSON object naming the fields to match.
describe('pattern structure (eb-create-pattern)', () => {
  itRejects([
    [
      'a leaf value must be an array: string',
      { source: 'aws.ec2' },
      '"source" must be an object or an array',
    ],
    [
      'a leaf value must be an array: number',
      { detail: { count: 2 } },
      '"count" must be an object or an array',
    ],
    [
      'a leaf value must be an array: null',
      { detail: { state: null } },
      '"state" must be an object or an array',
    ],
    ['a leaf value must be an array: boolean', { enabled: true }, '"enabled" must be an object or an array'],
    ['an empty value array', { source: [] }, 'Empty arrays are not allowed'],
    ['the empty pattern', {}, 'Empty objects are not allowed'],
    ['an empty nested object', { detail: {} }, 'Empty objects are not allowed'],
    ['a pattern that is an array', ['aws.ec2'], 'Filter is not an object'],
    ['a pattern that is a string of JSON but not an object', '"aws.ec2"', 'Filter is not an object'],
    ['a pattern that is a number', 42, 'Filter is not an object'],
    ['a pattern that is null', null, 'Filter is not an object'],
    ['a pattern that is undefined', undefined, 'Filter is not an object'],
    [
      'nested arrays as values',
      { source: [['aws.ec2']] },
      'Match value must be String, number, true, false, or null',
    ],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, 'Unrecognized match type contains'],
    ['operators are case sensitive', { source: [{ Prefix: 'aws.' }] }, 'Unrecognized match type Prefix'],
    ['an empty match expression', { source: [{}] }, 'Match expression name not found'],
    [
      'two operators in one match expression',
      { source: [{ prefix: 'aws.', suffix: 'ec2' }] },
      'Only one key allowed in match expression',
    ],
  ]);

  // Page: TestEventPattern API reference: "EventPattern ... Length Constraints: Maximum length of 4096."
  it('rejects a pattern longer than 4096 characters', () => {
    // prepare
    const pattern = { source: [`aws.${'x'.repeat(4096)}`] };
    // act
    const error = rejectionOf(pattern);
    // assess
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).reason).toMatch(/over the maximum of 4096$/);
  });

  it('accepts a pattern of exactly 4096 characters', () => {
    // prepare
    const filler = 4096 - JSON.stringify({ source: [''] }).length;
    const pattern = { source: ['x'.repeat(filler)] };
    // act
    const error = rejectionOf(pattern);
    // assess
    expect(error).toBeUndefined();
  });

  it.each([
    ['not JSON at all', 'this is not json'],
    ['single quotes', "{'source': ['aws.ec2']}"],
    ['unterminated', '{"source": ["aws.ec2"]'],
  ])('rejects JSON text that does not parse: %s', (_name, text) => {
    // prepare, act
    const error = rejectionOf(text);
    // assess
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).message).toMatch(
      /^Event pattern is not valid\. Reason: Pattern is not valid JSON: /,
    );
  });

  it('rejects a pattern object that cannot be written as JSON', () => {
    // prepare
    const cyclic: Record<string, unknown> = { source: ['aws.ec2'] };
    cyclic.self = cyclic;
    // act
    const error = rejectionOf(cyclic);
    // assess
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).reason).toMatch(/^Pattern cannot be written as JSON: /);
  });
});

// Page: "Comparison operators for use in event patterns" (eb-create-pattern-operators), each operator's
// operand as documented; reasons as AWS words them.
describe('operator operands (eb-create-pattern-operators)', () => {
  itRejects([
    ['prefix takes a string', { time: [{ prefix: 2017 }] }, 'prefix match pattern must be a string'],
    [
      'prefix takes one string, not a list',
      { time: [{ prefix: ['2017'] }] },
      'prefix match pattern must be a string',
    ],
    ['suffix takes a string', { FileName: [{ suffix: ['.png'] }] }, 'suffix match pattern must be a string'],
    [
      'prefix ignoring case takes only equals-ignore-case',
      { service: [{ prefix: { suffix: 'b' } }] },
      'Unsupported prefix pattern: suffix',
    ],
    [
      'suffix ignoring case takes only equals-ignore-case',
      { service: [{ suffix: { wildcard: 'b' } }] },
      'Unsupported suffix pattern: wildcard',
    ],
    [
      'prefix ignoring case needs its operator',
      { service: [{ prefix: {} }] },
      'Prefix expression name not found',
    ],
    [
      'suffix ignoring case needs its operator',
      { service: [{ suffix: {} }] },
      'Suffix expression name not found',
    ],
    [
      'prefix ignoring case takes a string',
      { service: [{ prefix: { 'equals-ignore-case': 5 } }] },
      'equals-ignore-case match pattern must be a string',
    ],
    [
      'equals-ignore-case takes a string',
      { Name: [{ 'equals-ignore-case': ['alice'] }] },
      'equals-ignore-case match pattern must be a string',
    ],
    [
      'exists takes true or false',
      { ProductName: [{ exists: 'yes' }] },
      'exists match pattern must be either true or false.',
    ],
    ['wildcard takes a string', { FileName: [{ wildcard: 5 }] }, 'wildcard match pattern must be a string'],
    ['cidr takes a string', { ip: [{ cidr: ['10.0.0.0/24'] }] }, 'cidr match pattern must be a string'],
    [
      'anything-but takes no null',
      { state: [{ 'anything-but': null }] },
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      'anything-but takes no boolean',
      { state: [{ 'anything-but': true }] },
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      'anything-but lists hold only strings or only numbers',
      { state: [{ 'anything-but': ['stopped', 100] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      'anything-but lists hold no null',
      { state: [{ 'anything-but': ['stopped', null] }] },
      'Inside anything but list, start|null|boolean is not supported.',
    ],
    [
      'anything-but lists are not empty',
      { state: [{ 'anything-but': [] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      'anything-but applies only to prefix, suffix, equals-ignore-case, wildcard',
      { state: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'Unsupported anything-but pattern: numeric',
    ],
    [
      'anything-but needs an operator inside an object',
      { state: [{ 'anything-but': {} }] },
      'Anything-But expression name not found',
    ],
    [
      'anything-but prefix is not empty',
      { state: [{ 'anything-but': { prefix: '' } }] },
      'Null prefix/suffix not allowed',
    ],
    [
      'anything-but suffix list has no empty suffix',
      { state: [{ 'anything-but': { suffix: ['.txt', ''] } }] },
      'Null prefix/suffix not allowed',
    ],
    [
      'anything-but prefix takes strings',
      { state: [{ 'anything-but': { prefix: 5 } }] },
      'prefix/suffix match pattern must be a string',
    ],
    [
      'anything-but equals-ignore-case takes strings',
      { state: [{ 'anything-but': { 'equals-ignore-case': [5] } }] },
      'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    ],
    [
      'anything-but wildcard takes strings',
      { state: [{ 'anything-but': { wildcard: [5] } }] },
      'wildcard match pattern must be a string',
    ],
    [
      'anything-but prefix cannot ignore case',
      { state: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'init' } } }] },
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      'anything-but takes one operator',
      { state: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
      'Only one key allowed in match expression',
    ],
  ]);

  itAccepts([
    ['prefix "" (matches any string)', { source: [{ prefix: '' }] }],
    ['wildcard "" (matches the empty string)', { source: [{ wildcard: '' }] }],
    ['anything-but wildcard ""', { source: [{ 'anything-but': { wildcard: '' } }] }],
    ['anything-but equals-ignore-case ""', { source: [{ 'anything-but': { 'equals-ignore-case': '' } }] }],
    ['exists together with other values', { source: [{ exists: false }, { prefix: 'aws.' }] }],
    ["exactly, the engine's explicit equality", { source: [{ exactly: 'aws.ec2' }] }],
  ]);
});

// Page: "Comparison operators" (eb-create-pattern-operators), "Numeric matching": JSON numbers "limited to
// values between -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, or six digits to the right of the
// decimal point"; the forms are `=`, `<`, `<=`, `>`, `>=` and a lower bound followed by an upper bound.
describe('numeric (eb-create-pattern-operators, numeric matching)', () => {
  itRejects([
    ['numeric takes an array', { n: [{ numeric: 10 }] }, 'Value of numeric must be an array.'],
    ['numeric needs an operator', { n: [{ numeric: [] }] }, 'Invalid member in numeric match: ]'],
    ['numeric starts with an operator', { n: [{ numeric: [5, '>'] }] }, 'Invalid member in numeric match: 5'],
    ['an unknown operator', { n: [{ numeric: ['!=', 5] }] }, 'Unrecognized numeric range operator: !='],
    ['= needs a number', { n: [{ numeric: ['=', '5'] }] }, 'Value of equals must be numeric'],
    ['> needs a number', { n: [{ numeric: ['>'] }] }, 'Value of > must be numeric'],
    ['the upper bound needs a number', { n: [{ numeric: ['>', 0, '<'] }] }, 'Value of < must be numeric'],
    ['= takes one value', { n: [{ numeric: ['=', 5, '<', 6] }] }, 'Too many elements in numeric expression'],
    [
      'an upper bound comes second',
      { n: [{ numeric: ['<', 10, '>', 0] }] },
      'Too many elements in numeric expression',
    ],
    [
      'the second operator must be < or <=',
      { n: [{ numeric: ['>', 0, '>', 0] }] },
      'Bad numeric range operator: >',
    ],
    [
      'the second operator must be an operator',
      { n: [{ numeric: ['>', 0, 5] }] },
      'Bad value in numeric range: 5',
    ],
    [
      'a range has two bounds at most',
      { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
      'Too many terms in numeric range expression',
    ],
    [
      'the lower bound is below the upper bound',
      { n: [{ numeric: ['>', 5, '<', 1] }] },
      'Bottom must be less than top',
    ],
    ['equal bounds are no range', { n: [{ numeric: ['>=', 5, '<=', 5] }] }, 'Bottom must be less than top'],
    [
      'above +5.0e9',
      { n: [{ numeric: ['<', 5.0e9 + 1] }] },
      'Value must be between -5.0E9 and 5.0E9, inclusive',
    ],
    ['below -5.0e9', { n: [{ numeric: ['>', -6e9] }] }, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    [
      'anything-but numbers obey the same range',
      { n: [{ 'anything-but': [1e10] }] },
      'Value must be between -5.0E9 and 5.0E9, inclusive',
    ],
    [
      'more than six digits to the right of the decimal point',
      { n: [{ numeric: ['=', 0.1234567] }] },
      'Value 0.1234567 has more than 6 digits to the right of the decimal point',
    ],
  ]);

  itAccepts([
    [
      'the documented example',
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
    ],
    ['the limits themselves', { n: [{ numeric: ['>=', -5.0e9, '<=', 5.0e9] }] }],
    ['six decimals', { n: [{ numeric: ['=', 0.123456] }] }],
    ['plain number values outside the numeric range (an account id)', { account: [123456789012] }],
  ]);
});

// Page: "Comparison operators" (eb-create-pattern-operators), "IP address matching": IPv4 and IPv6 CIDR blocks.
describe('cidr (eb-create-pattern-operators, IP address matching)', () => {
  itRejects([
    ['one / is required', { ip: [{ cidr: '10.0.0.0' }] }, "Malformed CIDR, one '/' required"],
    ['only one / is allowed', { ip: [{ cidr: '10.0.0.0/8/8' }] }, "Malformed CIDR, one '/' required"],
    [
      'mask bits are an integer',
      { ip: [{ cidr: '10.0.0.0/abc' }] },
      'Malformed CIDR, mask bits must be an integer',
    ],
    [
      'mask bits are not negative',
      { ip: [{ cidr: '10.0.0.0/-1' }] },
      'Malformed CIDR, mask bits must not be negative',
    ],
    ['IPv4 mask below 32', { ip: [{ cidr: '10.0.0.0/32' }] }, 'IPv4 mask bits must be < 32'],
    ['IPv6 mask below 128', { ip: [{ cidr: '2001:db8::/128' }] }, 'IPv6 mask bits must be < 128'],
    [
      'not an address at all',
      { ip: [{ cidr: 'host.example.com/24' }] },
      'Nonstandard IP address: host.example.com',
    ],
    ['an IPv4 octet above 255', { ip: [{ cidr: '10.0.0.256/24' }] }, 'Invalid IP address: 10.0.0.256'],
    ['an IPv6 address with two ::', { ip: [{ cidr: '2001::db8::/64' }] }, 'Invalid IP address: 2001::db8::'],
  ]);

  itAccepts([
    ['the IPv4 example', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }],
    ['an IPv6 block', { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } }],
    ['host bits set in the address', { detail: { sourceIPAddress: [{ cidr: '10.0.0.5/24' }] } }],
  ]);
});

// Page: "Comparison operators" (eb-create-pattern-operators), "Wildcard matching": any number of `*` but
// never two in a row; `\*` and `\\` are the only escapes; and "Wildcards and event pattern complexity".
describe('wildcard (eb-create-pattern-operators, wildcard matching)', () => {
  itRejects([
    [
      'consecutive wildcard characters',
      { FileName: [{ wildcard: 'dir/**.png' }] },
      'Consecutive wildcard characters at pos 5',
    ],
    [
      'escaping another character',
      { FileName: [{ wildcard: 'dir\\/*.png' }] },
      'Invalid escape character at pos 4',
    ],
    ['a trailing backslash', { FileName: [{ wildcard: 'dir\\' }] }, 'Invalid escape character at pos 4'],
    [
      'positions count UTF-8 bytes, like AWS',
      { FileName: [{ wildcard: 'é**' }] },
      'Consecutive wildcard characters at pos 3',
    ],
    [
      'consecutive wildcards inside anything-but',
      { FileName: [{ 'anything-but': { wildcard: ['*.png', 'a**'] } }] },
      'Consecutive wildcard characters at pos 2',
    ],
    [
      'the complex example: *:*:*:*:*:event-bus/*',
      { EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] },
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    ],
    [
      'complexity adds up across the values of one field',
      {
        EventBusArn: [{ wildcard: '*:a*' }, { wildcard: '*:b*' }, { wildcard: '*:c*' }, { wildcard: '*:d*' }],
      },
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    ],
  ]);

  itAccepts([
    [
      'the recommended simpler pattern',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    ],
    [
      'repeated sequences after a wildcard (discouraged, still accepted)',
      { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
    ],
    ['the recommended shorter sequence', { FileName: [{ wildcard: '/Users/*/doc.txt' }] }],
    ['escaped characters', { FileName: [{ wildcard: 'a\\*b\\\\c*' }] }],
    ['an escaped star next to a wildcard', { FileName: [{ wildcard: '\\**' }] }],
    [
      'complexity counts per field',
      { a: [{ wildcard: '*:a*' }, { wildcard: '*:b*' }], b: [{ wildcard: '*:c*' }, { wildcard: '*:d*' }] },
    ],
  ]);
});

// Page: "Comparison operators" (eb-create-pattern-operators), "Complex example with $or matching", and the
// `$or` rules of AWS's engine (aws/event-ruler README, "The $or Primitive").
describe('$or (eb-create-pattern-operators, $or matching)', () => {
  const branches = (n: number, prefix: string): Record<string, string[]>[] =>
    Array.from({ length: n }, (_unused, i) => ({ [`${prefix}${i}`]: ['x'] }));
  itRejects([
    ['$or takes an array', { $or: { a: ['x'] } }, 'It must be an Array followed with $or.'],
    [
      '$or holds objects',
      { $or: [{ a: ['x'] }, ['b']] },
      'Only JSON object is allowed in array of $or relationship.',
    ],
    [
      '$or needs two objects',
      { $or: [{ a: ['x'] }] },
      'There must have at least 2 Objects in $or relationship.',
    ],
    ['$or needs objects at all', { $or: [] }, 'There must have at least 2 Objects in $or relationship.'],
    [
      'operators are not field names inside $or',
      { $or: [{ numeric: [1] }, { prefix: ['a'] }] },
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    ],
    [
      'nor deeper inside $or',
      { $or: [{ a: { exists: ['x'] } }, { b: ['y'] }] },
      'exists is Ruler reserved fieldName which cannot be used inside $or.',
    ],
    [
      'over 1000 rule combinations (the product of the $or argument counts)',
      { detail: { $or: branches(11, 'a'), x: { $or: branches(10, 'b') }, y: { $or: branches(10, 'c') } } },
      'The use of $or results in over 1000 rule combinations',
    ],
  ]);

  itAccepts([
    [
      'the documented example (3 combinations)',
      {
        detail: {
          $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
        },
      },
    ],
    [
      'exactly 1000 combinations',
      { detail: { $or: branches(10, 'a'), x: { $or: branches(10, 'b') }, y: { $or: branches(10, 'c') } } },
    ],
    ['operator names are ordinary field names outside $or', { detail: { prefix: ['x'], numeric: [1] } }],
  ]);
});
