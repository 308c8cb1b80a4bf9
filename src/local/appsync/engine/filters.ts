/**
 * AppSync's enhanced subscription filters: a payload reaches a subscription when one filter group holds,
 * and a group holds when every one of its filters does. `fieldName` may be a dotted path into nested
 * objects. Where AppSync's documentation is silent, the choice is the one that cannot leak: an empty
 * filter group list or an empty group matches nothing, a filter on a missing field holds only for the
 * negative operators (`ne`, `notIn`, `notContains`), and values of different types never compare.
 */
import type { SubscriptionFilter } from '@aws-appsync/utils';

/** The operators AppSync's enhanced filters support. */
export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'in',
  'notIn',
  'between',
  'contains',
  'notContains',
  'beginsWith',
  'containsAny',
] as const;

/** AppSync's limits on one subscription's filter (enhanced filtering documentation). */
export const FILTER_LIMITS = { groups: 10, filtersPerGroup: 5, listValues: 5 } as const;

type Scalar = string | number | boolean;

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * What is wrong with a filter a resolver set, or `undefined` when AppSync would accept it. Checked when the
 * subscription starts, so a bad filter fails the subscription rather than silently matching nothing.
 */
export function filterProblem(filter: unknown): string | undefined {
  if (
    typeof filter !== 'object' ||
    filter === null ||
    !Array.isArray((filter as SubscriptionFilter).filterGroup)
  ) {
    return 'a subscription filter must be an object with a filterGroup list (use util.transform.toSubscriptionFilter)';
  }
  const groups = (filter as SubscriptionFilter).filterGroup;
  if (groups.length > FILTER_LIMITS.groups) {
    return `a subscription filter has at most ${FILTER_LIMITS.groups} filter groups; this one has ${groups.length}`;
  }
  for (const group of groups) {
    if (!Array.isArray(group?.filters)) return 'every filter group needs a filters list';
    if (group.filters.length > FILTER_LIMITS.filtersPerGroup) {
      return `a filter group has at most ${FILTER_LIMITS.filtersPerGroup} filters; one has ${group.filters.length}`;
    }
    for (const entry of group.filters) {
      if (typeof entry?.fieldName !== 'string' || entry.fieldName === '')
        return 'every filter needs a fieldName';
      if (!(FILTER_OPERATORS as readonly string[]).includes(entry.operator)) {
        return `${JSON.stringify(entry.operator)} on ${entry.fieldName} is not a filter operator (${FILTER_OPERATORS.join(', ')})`;
      }
      const value: unknown = entry.value;
      const list = ['in', 'notIn', 'containsAny'].includes(entry.operator);
      if (list || entry.operator === 'between') {
        if (!Array.isArray(value) || !value.every(isScalar))
          return `${entry.operator} on ${entry.fieldName} takes a list`;
        if (entry.operator === 'between' && value.length !== 2)
          return `between on ${entry.fieldName} takes [low, high]`;
        if (list && value.length > FILTER_LIMITS.listValues) {
          return `${entry.operator} on ${entry.fieldName} takes at most ${FILTER_LIMITS.listValues} values`;
        }
      } else if (!isScalar(value)) {
        return `${entry.operator} on ${entry.fieldName} takes a string, number or boolean`;
      }
    }
  }
  return undefined;
}

/** The value at a dotted path, or undefined. */
function valueAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const sameType = (a: unknown, b: unknown): boolean =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

function compare(a: unknown, b: unknown): number | undefined {
  if (!sameType(a, b)) return undefined;
  return (a as number | string) < (b as number | string)
    ? -1
    : (a as number | string) > (b as number | string)
      ? 1
      : 0;
}

/** Whether `a` and `b` compare (both numbers or both strings) and their order passes `test`. */
function ordered(a: unknown, b: unknown, test: (comparison: number) => boolean): boolean {
  const comparison = compare(a, b);
  return comparison !== undefined && test(comparison);
}

function contains(field: unknown, value: unknown): boolean {
  if (typeof field === 'string' && typeof value === 'string') return field.includes(value);
  if (Array.isArray(field)) return field.some((item) => item === value);
  return false;
}

function holds(operator: string, field: unknown, value: unknown): boolean {
  const missing = field === undefined || field === null;
  switch (operator) {
    case 'eq':
      return !missing && field === value;
    case 'ne':
      return missing || field !== value;
    case 'gt':
      return ordered(field, value, (c) => c > 0);
    case 'ge':
      return ordered(field, value, (c) => c >= 0);
    case 'lt':
      return ordered(field, value, (c) => c < 0);
    case 'le':
      return ordered(field, value, (c) => c <= 0);
    case 'in':
      return !missing && Array.isArray(value) && value.some((item) => item === field);
    case 'notIn':
      return missing || (Array.isArray(value) && !value.some((item) => item === field));
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return false;
      const low = compare(field, value[0]);
      const high = compare(field, value[1]);
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'contains':
      return !missing && contains(field, value);
    case 'notContains':
      return missing || !contains(field, value);
    case 'beginsWith':
      return typeof field === 'string' && typeof value === 'string' && field.startsWith(value);
    case 'containsAny':
      return Array.isArray(field) && Array.isArray(value) && value.some((item) => field.includes(item));
    default:
      return false;
  }
}

/** Whether `payload` (a published mutation result) reaches a subscription with `filter`; null lets all through. */
export function matchesFilter(filter: SubscriptionFilter | null, payload: Record<string, unknown>): boolean {
  if (filter === null) return true;
  return filter.filterGroup.some(
    (group) =>
      group.filters.length > 0 &&
      group.filters.every((entry) => holds(entry.operator, valueAt(payload, entry.fieldName), entry.value)),
  );
}
