/**
 * EventBridge event patterns, validated and matched the way AWS does it, so a rule behaves the same on the
 * local bus as in AWS. The semantics follow AWS's documentation and AWS's own matching engine
 * (aws/event-ruler), including its less obvious rules:
 *
 * - A pattern compiles to flat sub-rules: nested keys join with `.` (so `{"a": {"b": [..]}}` and
 *   `{"a.b": [..]}` are the same field, in patterns and events alike), each `$or` multiplies the sub-rules,
 *   and a key written twice keeps its last value. The pattern matches when any sub-rule does.
 * - Event arrays are flattened: a field matches if any element does, but two fields of one sub-rule must not
 *   be satisfied by different elements of the same array ("array consistency").
 * - Operators apply to leaves only: an object is never a value, and `exists` asks whether a leaf is there.
 *
 * Validation errors carry AWS's reasons (`Event pattern is not valid. Reason: ...`).
 */
import { invalid } from './pattern-error.ts';
import {
  compileFieldValues,
  matchesValue,
  wildcardsOf,
  type EventLeaf,
  type FieldMatchers,
  type ValueMatcher,
} from './pattern-matchers.ts';
import { MAX_WILDCARD_COMPLEXITY, wildcardComplexity, type WildcardPattern } from './pattern-wildcard.ts';

export { InvalidEventPatternError } from './pattern-error.ts';

/** A validated, pre-processed pattern. */
export interface CompiledEventPattern {
  /** The pattern as JSON (parsed, deep-frozen). */
  readonly source: Readonly<Record<string, unknown>>;
  /**
   * Whether the event matches: a full EventBridge event (`{version, id, "detail-type", source, account, time,
   * region, resources, detail}`) or any JSON object, as a parsed value. Anything but an object never matches.
   */
  matches(event: unknown): boolean;
}

/** One field of a sub-rule: its dotted path and what its values must satisfy. */
interface FieldRule extends FieldMatchers {
  readonly path: string;
}

/** All fields of one sub-rule, sorted by path because AWS evaluates them in that order (see `matchesSubRule`). */
type SubRule = readonly FieldRule[];

/** The longest pattern EventBridge's APIs accept, as JSON text (the account quota may be lower: 2048 by default). */
const MAX_PATTERN_LENGTH = 4096;
/** AWS's documented cap on the combinations `$or` may produce. */
const MAX_RULE_COMBINATIONS = 1000;
const OR = '$or';
/** Names AWS refuses as field names inside `$or`: its operators and ones it keeps for future operators. */
const RESERVED_IN_OR: ReadonlySet<string> = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const NO_MEMBERSHIP: readonly number[] = [];
const NO_LEAVES: readonly EventLeaf[] = [];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The pattern as parsed JSON. An object is round-tripped through JSON so that it means exactly what the
 * JSON text deployed to AWS would (CDK serialises patterns the same way): `undefined` members vanish, and
 * cycles or BigInts are refused.
 */
function parsePattern(pattern: unknown): Record<string, unknown> {
  let text: string | undefined;
  if (typeof pattern === 'string') {
    text = pattern;
  } else {
    try {
      text = JSON.stringify(pattern);
    } catch (error) {
      invalid(`Pattern cannot be written as JSON: ${messageOf(error)}`);
    }
  }
  if (text === undefined) invalid('Filter is not an object');
  // The API's hard limit (TestEventPattern, PutRule); it also bounds every cost of compiling.
  if (text.length > MAX_PATTERN_LENGTH) {
    invalid(`Pattern is ${text.length} characters long, over the maximum of ${MAX_PATTERN_LENGTH}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    invalid(`Pattern is not valid JSON: ${messageOf(error)}`);
  }
  if (!isPlainObject(parsed)) invalid('Filter is not an object');
  return parsed;
}

/** AWS's documented count: the product of the lengths of every `$or` array in the pattern. */
function ruleCombinations(node: Record<string, unknown>): number {
  let product = 1;
  for (const [key, value] of Object.entries(node)) {
    if (key === OR && Array.isArray(value)) {
      product *= Math.max(value.length, 1);
      for (const member of value) if (isPlainObject(member)) product *= ruleCombinations(member);
    } else if (isPlainObject(value)) {
      product *= ruleCombinations(value);
    }
    // Stop multiplying once over: the exact figure no longer matters and could overflow.
    if (product > MAX_RULE_COMBINATIONS) return product;
  }
  return product;
}

/** A sub-rule under construction: path → field, where a later write to a path replaces the earlier one. */
type Draft = Map<string, FieldRule>;

/**
 * Adds an object's fields to every draft. `$or` replaces the drafts by one copy per branch, so fields after
 * it reach every branch and fields before it are copied into each: the same order-sensitive expansion as
 * AWS, including "last write wins" between a field inside a branch and the same field outside.
 */
function addObject(
  node: Record<string, unknown>,
  path: string | undefined,
  drafts: Draft[],
  insideOr: boolean,
): Draft[] {
  const keys = Object.keys(node);
  if (keys.length === 0) invalid('Empty objects are not allowed');
  let current = drafts;
  for (const key of keys) {
    const value = node[key];
    if (key === OR) {
      current = addOr(value, path, current);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      invalid(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    }
    const fieldPath = path === undefined ? key : `${path}.${key}`;
    if (Array.isArray(value)) {
      const field: FieldRule = { path: fieldPath, ...compileFieldValues(value) };
      if (current.length === 0) current = [new Map()];
      for (const draft of current) draft.set(fieldPath, field);
    } else if (isPlainObject(value)) {
      current = addObject(value, fieldPath, current, insideOr);
    } else {
      invalid(`"${key}" must be an object or an array`);
    }
  }
  return current;
}

function addOr(members: unknown, path: string | undefined, drafts: Draft[]): Draft[] {
  if (!Array.isArray(members)) invalid(`It must be an Array followed with ${OR}.`);
  const branches: Draft[] = [];
  for (const member of members as readonly unknown[]) {
    if (!isPlainObject(member)) invalid(`Only JSON object is allowed in array of ${OR} relationship.`);
    const copies =
      drafts.length === 0 ? [new Map<string, FieldRule>()] : drafts.map((draft) => new Map(draft));
    branches.push(...addObject(member, path, copies, true));
  }
  if (members.length < 2) invalid(`There must have at least 2 Objects in ${OR} relationship.`);
  return branches;
}

/** AWS limits how nondeterministic the wildcard values of any one field may be, across all sub-rules. */
function checkWildcardComplexity(subRules: readonly SubRule[]): void {
  const byPath = new Map<string, Map<string, WildcardPattern>>();
  for (const subRule of subRules) {
    for (const field of subRule) {
      for (const { negated, pattern } of wildcardsOf(field)) {
        const patterns = byPath.get(field.path) ?? new Map<string, WildcardPattern>();
        patterns.set(`${negated ? '!' : '='}${pattern.text}`, pattern);
        byPath.set(field.path, patterns);
      }
    }
  }
  for (const patterns of byPath.values()) {
    if (wildcardComplexity([...patterns.values()], MAX_WILDCARD_COMPLEXITY) > MAX_WILDCARD_COMPLEXITY) {
      invalid(
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences ' +
          'after a wildcard character',
      );
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Whether two array memberships can hold together: no array at which they sit at different elements. */
function consistent(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
    }
  }
  return true;
}

function merge(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const merged = [...a];
  for (let j = 0; j < b.length; j += 2) {
    let known = false;
    for (let i = 0; i < a.length; i += 2) known ||= a[i] === b[j];
    if (!known) merged.push(b[j] ?? 0, b[j + 1] ?? 0);
  }
  return merged;
}

function fieldAccepts(matchers: readonly ValueMatcher[], leaf: EventLeaf): boolean {
  for (const matcher of matchers) if (matchesValue(matcher, leaf)) return true;
  return false;
}

/**
 * Whether one sub-rule matches. Fields are taken in path order, each picking a leaf consistent with the
 * leaves picked before it, and `exists: false` asks only about leaves consistent with those: exactly how
 * AWS's engine walks a rule, which makes the result of `exists: false` inside arrays depend on field order.
 */
function matchesSubRule(
  fields: SubRule,
  leaves: ReadonlyMap<string, readonly EventLeaf[]>,
  hasArrays: boolean,
): boolean {
  // Without arrays every choice is forced, so the walk is linear and needs no bookkeeping.
  if (!hasArrays) return matchFrom(fields, 0, NO_MEMBERSHIP, leaves, undefined);
  // Backtracking over array elements could be exponential; a dead end is remembered under the index and
  // only the constraints that later fields can feel (arrays their leaves sit in), so it is never re-walked.
  const relevant: ReadonlySet<number>[] = [];
  const seen = new Set<number>();
  for (let index = fields.length - 1; index >= 0; index--) {
    for (const leaf of leaves.get(fields[index]?.path ?? '') ?? NO_LEAVES) {
      for (let i = 0; i < leaf.membership.length; i += 2) seen.add(leaf.membership[i] ?? 0);
    }
    relevant[index] = new Set(seen);
  }
  return matchFrom(fields, 0, NO_MEMBERSHIP, leaves, { relevant, failures: new Set() });
}

interface SearchMemo {
  readonly relevant: readonly ReadonlySet<number>[];
  readonly failures: Set<string>;
}

function memoKey(index: number, constraints: readonly number[], memo: SearchMemo): string {
  const relevant = memo.relevant[index];
  let key = `${index}:`;
  for (let i = 0; i < constraints.length; i += 2) {
    const arrayId = constraints[i] ?? 0;
    if (relevant?.has(arrayId)) key += `${arrayId}=${constraints[i + 1] ?? 0},`;
  }
  return key;
}

function matchFrom(
  fields: SubRule,
  index: number,
  constraints: readonly number[],
  leaves: ReadonlyMap<string, readonly EventLeaf[]>,
  memo: SearchMemo | undefined,
): boolean {
  const field = fields[index];
  if (field === undefined) return true;
  const key = memo === undefined ? undefined : memoKey(index, constraints, memo);
  if (key !== undefined && memo?.failures.has(key)) return false;
  const candidates = leaves.get(field.path) ?? NO_LEAVES;
  let matched = false;
  if (field.matchers.length > 0) {
    for (const leaf of candidates) {
      if (
        consistent(constraints, leaf.membership) &&
        fieldAccepts(field.matchers, leaf) &&
        matchFrom(fields, index + 1, merge(constraints, leaf.membership), leaves, memo)
      ) {
        matched = true;
        break;
      }
    }
  }
  if (
    !matched &&
    field.matchesAbsence &&
    !candidates.some((leaf) => consistent(constraints, leaf.membership))
  ) {
    matched = matchFrom(fields, index + 1, constraints, leaves, memo);
  }
  if (!matched && key !== undefined) memo?.failures.add(key);
  return matched;
}

class CompiledPattern implements CompiledEventPattern {
  /** Paths that hold a pattern field: the only event leaves worth collecting. */
  private readonly fieldPaths: ReadonlySet<string>;
  /** Every field path and each of its dot-prefixes: the only event branches worth descending into. */
  private readonly walkPaths: ReadonlySet<string>;

  constructor(
    readonly source: Readonly<Record<string, unknown>>,
    private readonly subRules: readonly SubRule[],
  ) {
    const fieldPaths = new Set<string>();
    const walkPaths = new Set<string>();
    for (const subRule of subRules) {
      for (const { path } of subRule) {
        fieldPaths.add(path);
        walkPaths.add(path);
        for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', dot + 1))
          walkPaths.add(path.slice(0, dot));
      }
    }
    this.fieldPaths = fieldPaths;
    this.walkPaths = walkPaths;
  }

  matches(event: unknown): boolean {
    if (!isPlainObject(event)) return false;
    const { leaves, hasArrays } = this.collectLeaves(event);
    for (const subRule of this.subRules) {
      if (matchesSubRule(subRule, leaves, hasArrays)) return true;
    }
    return false;
  }

  /**
   * Flattens the parts of the event the pattern can see into path → leaves. Keys join with `.` like pattern
   * keys do; arrays add no path segment but record which element each leaf came from.
   */
  private collectLeaves(event: Record<string, unknown>): {
    leaves: Map<string, EventLeaf[]>;
    hasArrays: boolean;
  } {
    const leaves = new Map<string, EventLeaf[]>();
    const openArrays = new Set<unknown>();
    let nextArrayId = 0;
    const visit = (value: unknown, path: string, membership: readonly number[]): void => {
      if (Array.isArray(value)) {
        // A self-containing array would otherwise recurse forever: paths do not grow inside arrays.
        if (openArrays.has(value)) return;
        openArrays.add(value);
        const arrayId = nextArrayId++;
        value.forEach((element: unknown, index) => visit(element, path, [...membership, arrayId, index]));
        openArrays.delete(value);
      } else if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          const childPath = `${path}.${key}`;
          if (this.walkPaths.has(childPath)) visit(value[key], childPath, membership);
        }
      } else if (
        (typeof value === 'string' ||
          typeof value === 'number' ||
          typeof value === 'boolean' ||
          value === null) &&
        this.fieldPaths.has(path)
      ) {
        const atPath = leaves.get(path);
        const leaf: EventLeaf = { value, membership };
        if (atPath === undefined) leaves.set(path, [leaf]);
        else atPath.push(leaf);
      }
    };
    for (const key of Object.keys(event)) {
      if (this.walkPaths.has(key)) visit(event[key], key, NO_MEMBERSHIP);
    }
    return { leaves, hasArrays: nextArrayId > 0 };
  }
}

/**
 * Validates a pattern and compiles it for repeated matching.
 *
 * @param pattern The pattern as JSON text, or as an already-parsed value (read as its JSON form).
 * @throws InvalidEventPatternError for any pattern EventBridge would reject, with AWS's reason.
 */
export function compileEventPattern(pattern: string | unknown): CompiledEventPattern {
  const parsed = parsePattern(pattern);
  const combinations = ruleCombinations(parsed);
  if (combinations > MAX_RULE_COMBINATIONS) {
    invalid(`The use of ${OR} results in over ${MAX_RULE_COMBINATIONS} rule combinations`);
  }
  const byPath = (a: FieldRule, b: FieldRule): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const subRules = addObject(parsed, undefined, [], false).map((draft) => [...draft.values()].sort(byPath));
  checkWildcardComplexity(subRules);
  return new CompiledPattern(deepFreeze(parsed), subRules);
}

/**
 * Convenience for one-off checks: `compileEventPattern(pattern).matches(event)`. Compile once instead when
 * matching many events.
 *
 * @throws InvalidEventPatternError if the pattern is invalid.
 */
export function matchesEventPattern(pattern: string | unknown, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}
