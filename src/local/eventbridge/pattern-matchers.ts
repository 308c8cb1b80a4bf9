/**
 * The values a pattern field lists (`"state": ["running", {"prefix": "stop"}]`): validation with
 * EventBridge's reasons, compilation into matchers, and matching one event value against them.
 */
import { invalid } from './pattern-error.ts';
import { ipAddressOf, isInRange, parseCidr, type CidrRange, type IpAddress } from './pattern-ip.ts';
import { parseWildcard, wildcardMatches, type WildcardPattern } from './pattern-wildcard.ts';

/** A JSON scalar as it appears in an event: the only thing a matcher is ever asked about. */
export type EventScalar = string | number | boolean | null;

/** One compiled entry of a field's value list. */
export type ValueMatcher =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'literal'; readonly value: boolean | null }
  | { readonly kind: 'ip'; readonly address: IpAddress }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'caseless'; readonly regex: RegExp }
  | { readonly kind: 'wildcard'; readonly pattern: WildcardPattern }
  | { readonly kind: 'numeric'; readonly range: NumericRange }
  | { readonly kind: 'cidr'; readonly range: CidrRange }
  | { readonly kind: 'exists' }
  | { readonly kind: 'not-strings'; readonly values: ReadonlySet<string> }
  | { readonly kind: 'not-numbers'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'not-prefix'; readonly values: readonly string[] }
  | { readonly kind: 'not-suffix'; readonly values: readonly string[] }
  | { readonly kind: 'not-caseless'; readonly regexes: readonly RegExp[] }
  | { readonly kind: 'not-wildcard'; readonly patterns: readonly WildcardPattern[] };

/** Bounds of a `numeric` expression; an open bound excludes its value. */
export interface NumericRange {
  readonly low: number;
  readonly lowOpen: boolean;
  readonly high: number;
  readonly highOpen: boolean;
}

/** A field's compiled value list. */
export interface FieldMatchers {
  readonly matchers: readonly ValueMatcher[];
  /** Whether `{"exists": false}` is among the values, i.e. the field also matches when it is absent. */
  readonly matchesAbsence: boolean;
}

/** An event value with what matching it needs computed at most once. */
export interface EventLeaf {
  readonly value: EventScalar;
  /** Array element positions the value sits at: pairs of (array id, index), flattened. */
  readonly membership: readonly number[];
  /** The value read as an IP address: `undefined` until asked, `null` when it is not one. */
  ip?: IpAddress | null;
}

/** EventBridge's documented limit for numbers in numeric comparisons. */
const NUMERIC_LIMIT = 5e9;
const MAX_DECIMALS = 6;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How AWS's JSON parser prints a token it did not expect (`getText()`), for error messages. */
function tokenText(value: unknown): string {
  if (Array.isArray(value)) return '[';
  if (isPlainObject(value)) return '{';
  return String(value);
}

function decimalPlaces(value: number): number {
  const [, fraction = '', exponent = '0'] =
    /^\d+(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(value))) ?? [];
  return Math.max(0, fraction.length - Number(exponent));
}

/** Checks a number used in a numeric comparison against AWS's documented range and precision. */
function comparableNumber(value: number): number {
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) {
    invalid('Value must be between -5.0E9 and 5.0E9, inclusive');
  }
  if (decimalPlaces(value) > MAX_DECIMALS) {
    invalid(`Value ${value} has more than ${MAX_DECIMALS} digits to the right of the decimal point`);
  }
  return value;
}

/** Regular-expression source for `text` where each character also matches its other case, as AWS does. */
function caselessSource(text: string): string {
  const escape = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  let source = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    source += lower === upper ? escape(lower) : `(?:${escape(lower)}|${escape(upper)})`;
  }
  return source;
}

function caseless(text: string, anchor: 'whole' | 'prefix' | 'suffix'): RegExp {
  const source = caselessSource(text);
  if (anchor === 'prefix') return new RegExp(`^${source}`);
  if (anchor === 'suffix') return new RegExp(`${source}$`);
  return new RegExp(`^${source}$`);
}

/** Only one operator per match expression, like AWS; checked after the operand so errors come in AWS's order. */
function onlyKey(expression: Record<string, unknown>): void {
  if (Object.keys(expression).length > 1) invalid('Only one key allowed in match expression');
}

/** `{"prefix": {"equals-ignore-case": "..."}}` and its `suffix` twin. */
function caselessAffix(operand: Record<string, unknown>, kind: 'prefix' | 'suffix'): ValueMatcher {
  const label = kind === 'prefix' ? 'Prefix' : 'Suffix';
  const [operator] = Object.keys(operand);
  if (operator === undefined) invalid(`${label} expression name not found`);
  if (operator !== 'equals-ignore-case') invalid(`Unsupported ${kind} pattern: ${operator}`);
  const text = operand[operator];
  if (typeof text !== 'string') invalid('equals-ignore-case match pattern must be a string');
  onlyKey(operand);
  return { kind: 'caseless', regex: caseless(text, kind) };
}

function numericRange(operand: unknown): NumericRange {
  if (!Array.isArray(operand)) invalid('Value of numeric must be an array.');
  const terms: readonly unknown[] = operand;
  if (terms.length === 0) invalid('Invalid member in numeric match: ]');
  const [operator, value] = terms;
  if (typeof operator !== 'string') invalid(`Invalid member in numeric match: ${tokenText(operator)}`);
  const numberTerm = (term: unknown, name: string): number =>
    typeof term === 'number' ? comparableNumber(term) : invalid(`Value of ${name} must be numeric`);

  switch (operator) {
    case '=': {
      const exact = numberTerm(value, 'equals');
      if (terms.length > 2) invalid('Too many elements in numeric expression');
      return { low: exact, lowOpen: false, high: exact, highOpen: false };
    }
    case '<':
    case '<=': {
      const high = numberTerm(value, operator);
      if (terms.length > 2) invalid('Too many elements in numeric expression');
      return { low: -Infinity, lowOpen: false, high, highOpen: operator === '<' };
    }
    case '>':
    case '>=': {
      const low = numberTerm(value, operator);
      const lowOpen = operator === '>';
      if (terms.length === 2) return { low, lowOpen, high: Infinity, highOpen: false };
      const upper = terms[2];
      if (typeof upper !== 'string') invalid(`Bad value in numeric range: ${tokenText(upper)}`);
      if (upper !== '<' && upper !== '<=') invalid(`Bad numeric range operator: ${upper}`);
      const high = numberTerm(terms[3], upper);
      if (terms.length > 4) invalid('Too many terms in numeric range expression');
      if (!(low < high)) invalid('Bottom must be less than top');
      return { low, lowOpen, high, highOpen: upper === '<' };
    }
    default:
      return invalid(`Unrecognized numeric range operator: ${operator}`);
  }
}

/** `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": value or list}}`. */
function anythingButOperator(expression: Record<string, unknown>): ValueMatcher {
  const [operator] = Object.keys(expression);
  if (operator === undefined) invalid('Anything-But expression name not found');
  if (
    operator !== 'prefix' &&
    operator !== 'suffix' &&
    operator !== 'equals-ignore-case' &&
    operator !== 'wildcard'
  ) {
    invalid(`Unsupported anything-but pattern: ${operator}`);
  }
  const operand = expression[operator];
  if (typeof operand !== 'string' && typeof operand !== 'number' && !Array.isArray(operand)) {
    invalid('Value of anything-but must be an array or single string/number value.');
  }
  const texts = (Array.isArray(operand) ? operand : [operand]).map((item: unknown) => {
    if (typeof item !== 'string') {
      if (operator === 'equals-ignore-case') {
        invalid('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      invalid(
        operator === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
      );
    }
    if (item === '' && (operator === 'prefix' || operator === 'suffix'))
      invalid('Null prefix/suffix not allowed');
    return item;
  });
  onlyKey(expression);
  switch (operator) {
    case 'prefix':
      return { kind: 'not-prefix', values: texts };
    case 'suffix':
      return { kind: 'not-suffix', values: texts };
    case 'equals-ignore-case':
      return { kind: 'not-caseless', regexes: texts.map((text) => caseless(text, 'whole')) };
    case 'wildcard':
      return { kind: 'not-wildcard', patterns: texts.map(parseWildcard) };
  }
}

function anythingBut(operand: unknown): ValueMatcher {
  if (typeof operand === 'string') return { kind: 'not-strings', values: new Set([operand]) };
  if (typeof operand === 'number')
    return { kind: 'not-numbers', values: new Set([comparableNumber(operand)]) };
  if (isPlainObject(operand)) return anythingButOperator(operand);
  if (!Array.isArray(operand))
    invalid('Value of anything-but must be an array or single string/number value.');
  const items: readonly unknown[] = operand;
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of items) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(comparableNumber(item));
    else invalid('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.size > 0 === numbers.size > 0) {
    invalid('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return strings.size > 0
    ? { kind: 'not-strings', values: strings }
    : { kind: 'not-numbers', values: numbers };
}

/** One `{operator: operand}` entry; `'absent'` stands for `{"exists": false}`. */
function matchExpression(expression: Record<string, unknown>): ValueMatcher | 'absent' {
  const [operator] = Object.keys(expression);
  if (operator === undefined) invalid('Match expression name not found');
  const operand = expression[operator];
  let matcher: ValueMatcher | 'absent';
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (isPlainObject(operand)) {
        matcher = caselessAffix(operand, operator);
      } else {
        if (typeof operand !== 'string') invalid(`${operator} match pattern must be a string`);
        matcher = { kind: operator, value: operand };
      }
      break;
    case 'equals-ignore-case':
      if (typeof operand !== 'string') invalid('equals-ignore-case match pattern must be a string');
      matcher = { kind: 'caseless', regex: caseless(operand, 'whole') };
      break;
    case 'exactly':
      // Undocumented but accepted by AWS's engine: a plain string equality, never read as an IP address.
      if (typeof operand !== 'string') invalid('exact match pattern must be a string');
      matcher = { kind: 'string', value: operand };
      break;
    case 'wildcard':
      if (typeof operand !== 'string') invalid('wildcard match pattern must be a string');
      matcher = { kind: 'wildcard', pattern: parseWildcard(operand) };
      break;
    case 'numeric':
      matcher = { kind: 'numeric', range: numericRange(operand) };
      break;
    case 'cidr':
      // AWS words this "prefix match pattern must be a string", which misleads; this names the operator.
      if (typeof operand !== 'string') invalid('cidr match pattern must be a string');
      matcher = { kind: 'cidr', range: parseCidr(operand) };
      break;
    case 'exists':
      if (typeof operand !== 'boolean') invalid('exists match pattern must be either true or false.');
      matcher = operand ? { kind: 'exists' } : 'absent';
      break;
    case 'anything-but':
      matcher = anythingBut(operand);
      break;
    default:
      return invalid(`Unrecognized match type ${operator}`);
  }
  onlyKey(expression);
  return matcher;
}

/** A plain value in a field's list: strings that are IP addresses compare as addresses, as in AWS. */
function exactValue(value: unknown): ValueMatcher {
  if (typeof value === 'string') {
    const address = ipAddressOf(value);
    return address === undefined ? { kind: 'string', value } : { kind: 'ip', address };
  }
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value };
  if (typeof value === 'boolean' || value === null) return { kind: 'literal', value };
  return invalid('Match value must be String, number, true, false, or null');
}

/** Validates and compiles the value list of one pattern field. */
export function compileFieldValues(values: readonly unknown[]): FieldMatchers {
  if (values.length === 0) invalid('Empty arrays are not allowed');
  const matchers: ValueMatcher[] = [];
  let matchesAbsence = false;
  for (const value of values) {
    const matcher = isPlainObject(value) ? matchExpression(value) : exactValue(value);
    if (matcher === 'absent') matchesAbsence = true;
    else matchers.push(matcher);
  }
  return { matchers, matchesAbsence };
}

/** The wildcard operands of a field (plain and `anything-but`), which AWS's complexity limit applies to. */
export function wildcardsOf(field: FieldMatchers): { negated: boolean; pattern: WildcardPattern }[] {
  return field.matchers.flatMap((matcher): { negated: boolean; pattern: WildcardPattern }[] => {
    if (matcher.kind === 'wildcard') return [{ negated: false, pattern: matcher.pattern }];
    if (matcher.kind === 'not-wildcard')
      return matcher.patterns.map((pattern) => ({ negated: true, pattern }));
    return [];
  });
}

function ipOf(leaf: EventLeaf): IpAddress | null {
  if (leaf.ip === undefined)
    leaf.ip = typeof leaf.value === 'string' ? (ipAddressOf(leaf.value) ?? null) : null;
  return leaf.ip;
}

function inNumericRange(range: NumericRange, value: number): boolean {
  // Outside AWS's documented numeric range an event number takes part in no comparison.
  if (Math.abs(value) > NUMERIC_LIMIT) return false;
  const aboveLow = range.lowOpen ? value > range.low : value >= range.low;
  return aboveLow && (range.highOpen ? value < range.high : value <= range.high);
}

/**
 * Whether one event value satisfies one matcher. String operators never match non-strings; the
 * `anything-but` family matches every value that is not excluded, including numbers, booleans and null,
 * as AWS does.
 */
export function matchesValue(matcher: ValueMatcher, leaf: EventLeaf): boolean {
  const { value } = leaf;
  switch (matcher.kind) {
    case 'string':
    case 'number':
    case 'literal':
      return value === matcher.value;
    case 'ip': {
      const ip = ipOf(leaf);
      return ip !== null && ip.family === matcher.address.family && ip.hex === matcher.address.hex;
    }
    case 'prefix':
      return typeof value === 'string' && value.startsWith(matcher.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(matcher.value);
    case 'caseless':
      return typeof value === 'string' && matcher.regex.test(value);
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(matcher.pattern, value);
    case 'numeric':
      return typeof value === 'number' && inNumericRange(matcher.range, value);
    case 'cidr': {
      const ip = ipOf(leaf);
      return ip !== null && isInRange(ip, matcher.range);
    }
    case 'exists':
      return true;
    case 'not-strings':
      return typeof value !== 'string' || !matcher.values.has(value);
    case 'not-numbers':
      return typeof value !== 'number' || !matcher.values.has(value);
    case 'not-prefix':
      return typeof value !== 'string' || !matcher.values.some((prefix) => value.startsWith(prefix));
    case 'not-suffix':
      return typeof value !== 'string' || !matcher.values.some((suffix) => value.endsWith(suffix));
    case 'not-caseless':
      return typeof value !== 'string' || !matcher.regexes.some((regex) => regex.test(value));
    case 'not-wildcard':
      return (
        typeof value !== 'string' || !matcher.patterns.some((pattern) => wildcardMatches(pattern, value))
      );
  }
}
