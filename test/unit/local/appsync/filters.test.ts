import { describe, expect, it } from 'vitest';
import { filterProblem, matchesFilter } from '../../../../src/local/appsync/engine/filters.ts';

const one = (fieldName: string, operator: string, value: unknown) =>
  ({ filterGroup: [{ filters: [{ fieldName, operator, value }] }] }) as never;

const PAYLOAD = {
  tenantId: 'acme',
  severity: 'warning',
  speed: 72.4,
  count: 3,
  active: true,
  tags: ['fleet', 'berlin'],
  trigger: { kind: 'rule', rule: { id: 'r1' } },
  nothing: null,
};

describe('enhanced filter semantics', () => {
  const cases: [string, string, unknown, boolean][] = [
    ['tenantId', 'eq', 'acme', true],
    ['tenantId', 'eq', 'globex', false],
    ['count', 'eq', '3', false],
    ['active', 'eq', true, true],
    ['tenantId', 'ne', 'globex', true],
    ['tenantId', 'ne', 'acme', false],
    ['missing', 'ne', 'x', true],
    ['missing', 'eq', 'x', false],
    ['speed', 'gt', 72, true],
    ['speed', 'gt', 72.4, false],
    ['speed', 'ge', 72.4, true],
    ['speed', 'lt', 100, true],
    ['speed', 'le', 72.3, false],
    ['severity', 'gt', 'info', true],
    ['speed', 'gt', '1', false],
    ['severity', 'in', ['warning', 'critical'], true],
    ['severity', 'in', ['info'], false],
    ['severity', 'notIn', ['info'], true],
    ['missing', 'notIn', ['info'], true],
    ['missing', 'in', ['info'], false],
    ['speed', 'between', [70, 80], true],
    ['speed', 'between', [72.4, 72.4], true],
    ['speed', 'between', [80, 90], false],
    ['tenantId', 'contains', 'cm', true],
    ['tags', 'contains', 'berlin', true],
    ['tags', 'contains', 'paris', false],
    ['tags', 'notContains', 'paris', true],
    ['tenantId', 'notContains', 'cm', false],
    ['tenantId', 'beginsWith', 'ac', true],
    ['tenantId', 'beginsWith', 'me', false],
    ['tags', 'containsAny', ['paris', 'fleet'], true],
    ['tags', 'containsAny', ['paris'], false],
    ['trigger.kind', 'eq', 'rule', true],
    ['trigger.rule.id', 'eq', 'r1', true],
    ['trigger.rule.missing', 'eq', 'r1', false],
    ['nothing', 'eq', 'x', false],
    ['tenantId', 'bogus', 'acme', false],
  ];
  it.each(cases)('%s %s %j → %s', (field, operator, value, expected) => {
    expect(matchesFilter(one(field, operator, value), PAYLOAD)).toBe(expected);
  });

  it('ANDs the filters of a group and ORs the groups', () => {
    const filter = {
      filterGroup: [
        {
          filters: [
            { fieldName: 'tenantId', operator: 'eq', value: 'acme' },
            { fieldName: 'speed', operator: 'gt', value: 100 },
          ],
        },
        {
          filters: [
            { fieldName: 'tenantId', operator: 'eq', value: 'acme' },
            { fieldName: 'severity', operator: 'eq', value: 'warning' },
          ],
        },
      ],
    } as never;
    expect(matchesFilter(filter, PAYLOAD)).toBe(true);
    expect(matchesFilter(filter, { ...PAYLOAD, severity: 'info' })).toBe(false);
    expect(matchesFilter(filter, { ...PAYLOAD, tenantId: 'globex', speed: 200 })).toBe(false);
  });

  it('lets everything through without a filter, and nothing through an empty one', () => {
    expect(matchesFilter(null, PAYLOAD)).toBe(true);
    expect(matchesFilter({ filterGroup: [] }, PAYLOAD)).toBe(false);
    expect(matchesFilter({ filterGroup: [{ filters: [] }] }, PAYLOAD)).toBe(false);
  });
});

describe('filter checks at subscribe time', () => {
  it('accepts what toSubscriptionFilter makes of a tenant pin', () => {
    expect(filterProblem(one('tenantId', 'eq', 'acme'))).toBeUndefined();
  });

  it.each([
    [null, /filterGroup list/],
    [one('tenantId', 'lte', 1), /"lte" on tenantId is not a filter operator/],
    [one('severity', 'in', 'warning'), /in on severity takes a list/],
    [one('speed', 'between', [1]), /between on speed takes \[low, high\]/],
    [one('tags', 'in', [1, 2, 3, 4, 5, 6]), /at most 5 values/],
    [{ filterGroup: Array.from({ length: 11 }, () => ({ filters: [] })) }, /at most 10 filter groups/],
  ])('refuses %j', (filter, message) => {
    expect(filterProblem(filter)).toMatch(message);
  });
});
