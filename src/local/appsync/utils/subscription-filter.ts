/**
 * `util.transform.toSubscriptionFilter`, as AppSync evaluates it (recorded with AppSync's `EvaluateCode`
 * by localstack/appsync-utils' tests): a filter object becomes `{ filterGroup: [{ filters: [...] }] }`,
 * the groups OR-ed and the filters of a group AND-ed. Every operator of a field, every member of an `or`
 * and every rule is an alternative, so the groups multiply out; fields, `and` members and operators are
 * carried through as written (no operator is validated or renamed, and `not` is just a field name).
 */
import type { SubscriptionFilter } from '@aws-appsync/utils';

interface FilterEntry {
  readonly fieldName: string;
  readonly operator: string;
  readonly value: unknown;
}

type Groups = FilterEntry[][];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every combination of one alternative from each factor, in order (the first factor varies slowest). */
function product(factors: readonly Groups[]): Groups {
  let groups: Groups = [[]];
  for (const alternatives of factors) {
    groups = groups.flatMap((group) => alternatives.map((alternative) => [...group, ...alternative]));
  }
  return groups;
}

/** The alternatives a filter object stands for. */
function alternativesOf(filter: Record<string, unknown>, ignored: ReadonlySet<string>): Groups {
  const factors: Groups[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      const members = (Array.isArray(value) ? value : [value]).filter(isPlainObject);
      const memberGroups = members.map((member) => alternativesOf(member, ignored));
      factors.push(key === 'and' ? product(memberGroups) : memberGroups.flat());
    } else if (!ignored.has(key)) {
      const operators = isPlainObject(value) ? Object.entries(value) : [];
      factors.push(operators.map(([operator, operand]) => [{ fieldName: key, operator, value: operand }]));
    }
  }
  return product(factors);
}

/**
 * The subscription filter for `filter`; `null` for anything that is not a filter object (null, an array,
 * a JSON string).
 *
 * @param ignoredFields fields left out wherever they appear
 * @param rules at least one must hold: each is added, as an alternative, to every group
 */
export function toSubscriptionFilter(
  filter: unknown,
  ignoredFields: readonly string[] = [],
  rules: Record<string, unknown> = {},
): SubscriptionFilter | null {
  if (!isPlainObject(filter)) return null;
  let groups = alternativesOf(filter, new Set(ignoredFields));
  const ruleAlternativesOf = isPlainObject(rules) ? ruleAlternatives(rules) : [];
  if (ruleAlternativesOf.length > 0) groups = product([groups, ruleAlternativesOf]);
  return {
    filterGroup: groups
      .filter((filters) => filters.length > 0)
      .map((filters) => ({ filters: filters as SubscriptionFilter['filterGroup'][number]['filters'] })),
  };
}

/** Each operator of each rule field, as a one-filter alternative. */
function ruleAlternatives(rules: Record<string, unknown>): Groups {
  return Object.entries(rules).flatMap(([fieldName, operators]) =>
    isPlainObject(operators)
      ? Object.entries(operators).map(([operator, value]) => [{ fieldName, operator, value }])
      : [],
  );
}
