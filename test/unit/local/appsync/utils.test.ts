import { describe, expect, it } from 'vitest';
import {
  EarlyReturn,
  extensions,
  newEvaluation,
  ResolverError,
  runtime,
  toSubscriptionFilter,
  util,
  withEvaluation,
} from '../../../../src/local/appsync/utils/index.ts';

const evaluation = () => newEvaluation('Query', 'vehicle', 'User Pool Authorization');
const f = (fieldName: string, operator: string, value: unknown) => ({ fieldName, operator, value });
const groups = (...filters: ReturnType<typeof f>[][]) => ({
  filterGroup: filters.map((list) => ({ filters: list })),
});

describe('util.transform.toSubscriptionFilter (as AppSync evaluates it)', () => {
  // Cases and answers recorded with AppSync's EvaluateCode by localstack/appsync-utils.
  const cases: [string, unknown, unknown][] = [
    ['one operator on one field', { a: { eq: 1 } }, groups([f('a', 'eq', 1)])],
    ['two fields are ANDed', { a: { eq: 1 }, b: { eq: 2 } }, groups([f('a', 'eq', 1), f('b', 'eq', 2)])],
    [
      'an and combines its members',
      { and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] },
      groups([f('a', 'eq', 1), f('b', 'eq', 2)]),
    ],
    [
      'a field beside an and',
      { z: { eq: 0 }, and: [{ a: { eq: 1 } }] },
      groups([f('z', 'eq', 0), f('a', 'eq', 1)]),
    ],
    [
      'a dotted path is kept',
      { 'loc.addr.country': { eq: 'USA' } },
      groups([f('loc.addr.country', 'eq', 'USA')]),
    ],
    [
      'two operators on one field are alternatives',
      { a: { eq: 1, ne: 2 } },
      groups([f('a', 'eq', 1)], [f('a', 'ne', 2)]),
    ],
    [
      'an or splits into groups',
      { or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] },
      groups([f('a', 'eq', 1)], [f('b', 'eq', 2)]),
    ],
    [
      'an or nested in an and multiplies out',
      { and: [{ a: { eq: 1 } }, { or: [{ b: { eq: 2 } }, { c: { eq: 3 } }] }] },
      groups([f('a', 'eq', 1), f('b', 'eq', 2)], [f('a', 'eq', 1), f('c', 'eq', 3)]),
    ],
    [
      'operators and groups together',
      {
        percentageUp: { lte: 50, gte: 20 },
        and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
        or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
      },
      groups(
        [
          f('percentageUp', 'lte', 50),
          f('title', 'ne', 'Book1'),
          f('downvotes', 'gt', 2000),
          f('author', 'eq', 'Admin'),
        ],
        [
          f('percentageUp', 'lte', 50),
          f('title', 'ne', 'Book1'),
          f('downvotes', 'gt', 2000),
          f('isPublished', 'eq', false),
        ],
        [
          f('percentageUp', 'gte', 20),
          f('title', 'ne', 'Book1'),
          f('downvotes', 'gt', 2000),
          f('author', 'eq', 'Admin'),
        ],
        [
          f('percentageUp', 'gte', 20),
          f('title', 'ne', 'Book1'),
          f('downvotes', 'gt', 2000),
          f('isPublished', 'eq', false),
        ],
      ),
    ],
    ['between', { a: { between: [1, 9] } }, groups([f('a', 'between', [1, 9])])],
    ['an unknown operator is carried through', { a: { bogus: 1 } }, groups([f('a', 'bogus', 1)])],
    ['not is a field name', { not: { a: { eq: 1 } } }, groups([f('not', 'a', { eq: 1 })])],
    ['an empty filter', {}, { filterGroup: [] }],
    ['a field with no operator', { a: {} }, { filterGroup: [] }],
    ['an empty and', { and: [] }, { filterGroup: [] }],
    ['null', null, null],
    ['an array', [], null],
    ['a JSON string', '{"a":{"eq":1}}', null],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(toSubscriptionFilter(input)).toEqual(expected);
  });

  it('drops ignored fields wherever they are', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 }, b: { eq: 2 } }, ['a'])).toEqual(groups([f('b', 'eq', 2)]));
    expect(toSubscriptionFilter({ a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, ['b'])).toEqual(
      groups([f('a', 'eq', 1)]),
    );
  });

  it('adds each rule as an alternative to every group', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 } }, [], { r1: { gte: 250 }, r2: { eq: 'p' } })).toEqual(
      groups([f('a', 'eq', 1), f('r1', 'gte', 250)], [f('a', 'eq', 1), f('r2', 'eq', 'p')]),
    );
    expect(toSubscriptionFilter({}, [], { r1: { eq: 1 } })).toEqual(groups([f('r1', 'eq', 1)]));
  });
});

describe('util', () => {
  it('error stops the handler with message, type, data and info', () => {
    let after = false;
    const run = () =>
      withEvaluation(evaluation(), () => {
        util.error('vehicle not found', 'NotFound', { id: 'x' }, { hint: 1 });
        after = true;
      });
    expect(run).toThrow(ResolverError);
    expect(after).toBe(false);
    try {
      run();
    } catch (error) {
      expect({ ...(error as ResolverError) }).toEqual({
        message: 'vehicle not found',
        errorType: 'NotFound',
        data: { id: 'x' },
        errorInfo: { hint: 1 },
      });
    }
  });

  it('unauthorized names the field being resolved, as AppSync does', () => {
    expect(() => withEvaluation(evaluation(), () => util.unauthorized())).toThrow(
      expect.objectContaining({
        message: 'Not Authorized to access vehicle on type Query',
        errorType: 'Unauthorized',
      }),
    );
  });

  it('appendError records and carries on', () => {
    const current = evaluation();
    const value = withEvaluation(current, () => {
      util.appendError('partial', 'Partial');
      return 42;
    });
    expect(value).toBe(42);
    expect(current.appendedErrors).toEqual([
      { message: 'partial', errorType: 'Partial', data: null, errorInfo: null },
    ]);
  });

  it('complains when used outside an evaluation', () => {
    expect(() => util.appendError('x')).toThrow(/outside a resolver evaluation/);
  });

  it('matches the whole value, as Java Pattern.matches does', () => {
    expect(util.matches('[a-z]{3}', 'abc')).toBe(true);
    expect(util.matches('[a-z]{3}', 'abcd')).toBe(false);
    expect(util.matches('a|b', 'ab')).toBe(false);
  });

  it('converts values to DynamoDB typed values (numbers stay numbers, lists not sets)', () => {
    expect(
      util.dynamodb.toMapValues({ id: 'v1', n: 3, ok: true, none: null, tags: ['a'], m: { x: 1 } }),
    ).toEqual({
      id: { S: 'v1' },
      n: { N: 3 },
      ok: { BOOL: true },
      none: { NULL: null },
      tags: { L: [{ S: 'a' }] },
      m: { M: { x: { N: 1 } } },
    });
    expect(util.dynamodb.toString(null)).toBeNull();
    expect(util.dynamodb.toStringSet(['a', 'b'])).toEqual({ SS: ['a', 'b'] });
  });

  it('reads ISO 8601 times with an offset and refuses others', () => {
    expect(util.time.parseISO8601ToEpochMilliSeconds('2025-01-01T01:00:00+01:00')).toBe(Date.UTC(2025, 0, 1));
    expect(() => util.time.parseISO8601ToEpochMilliSeconds('2025-01-01 00:00')).toThrow(/not an ISO 8601/);
    expect(util.time.nowISO8601()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('makes ids of the documented shapes', () => {
    expect(util.autoId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(util.autoUlid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(util.autoKsuid()).toMatch(/^[0-9A-Za-z]{27}$/);
  });

  it('says what it does not implement offline instead of behaving differently', () => {
    const addResponseHeader = util.http.addResponseHeader as (name: string, value: string) => void;
    expect(() => addResponseHeader('x', 'y')).toThrow(/util\.http\.addResponseHeader is not implemented/);
    expect(() => (util.time.nowFormatted as (format: string) => string)('yyyy')).toThrow(
      /not implemented offline/,
    );
  });
});

describe('extensions and runtime', () => {
  it('setSubscriptionFilter records the filter of the evaluation', () => {
    const current = newEvaluation('Subscription', 'onFleetUpdate', 'User Pool Authorization');
    const filter = toSubscriptionFilter({ tenantId: { eq: 'acme' } })!;
    withEvaluation(current, () => extensions.setSubscriptionFilter(filter));
    expect(current.subscriptionFilter).toBe(filter);
  });

  it('earlyReturn stops the handler with its value', () => {
    expect(() => withEvaluation(evaluation(), () => runtime.earlyReturn({ hello: 'world' }))).toThrow(
      EarlyReturn,
    );
    try {
      runtime.earlyReturn({ hello: 'world' });
    } catch (error) {
      expect((error as EarlyReturn).value).toEqual({ hello: 'world' });
    }
  });
});
