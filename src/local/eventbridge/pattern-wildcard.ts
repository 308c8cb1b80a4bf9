/**
 * The `wildcard` operator: parsing with AWS's escaping rules, matching, and AWS's "Rule is too complex"
 * limit on how nondeterministic the wildcards of one field may be.
 */
import { invalid } from './pattern-error.ts';

/** A compiled wildcard value. */
export interface WildcardPattern {
  /** The operand as written, for diagnostics and de-duplication. */
  readonly text: string;
  /** The literal runs between unescaped `*`s; one run means the value has no wildcard. */
  readonly segments: readonly string[];
  /**
   * The operand as EventBridge's engine sees it: UTF-8 bytes of the quoted string, with
   * {@link WILDCARD_TOKEN} for each `*`. Used only to measure complexity.
   */
  readonly tokens: readonly number[];
}

/** Stands for `*` in {@link WildcardPattern.tokens}; never a byte value. */
const WILDCARD_TOKEN = -1;
/** A byte no literal token can be, standing for "any other byte" when exploring inputs. */
const OTHER_BYTE = 256;
const QUOTE_BYTE = 0x22;

/**
 * The most wildcard-prefix matches one value may produce before AWS refuses the rule. AWS does not publish
 * the number; 10 is the value consistent with every observation we have: AWS accepts
 * `/Users/*\/dir/dir/dir/dir/dir/doc.txt` (complexity 7) and three `*:stack/<name>/*` values in one field (9),
 * and refuses `*:*:*:*:*:event-bus/*` (11) and four `*:stack/<name>/*` values (12).
 */
export const MAX_WILDCARD_COMPLEXITY = 10;

/** Exploring more input states than this means the field is pathologically nondeterministic. */
const MAX_EXPLORED_STATES = 50_000;

const encoder = new TextEncoder();

/**
 * Parses a wildcard operand. `*` matches any run of characters (including none), `\*` a literal `*` and
 * `\\` a literal `\`. Like AWS, refuses `**` and any other escape, reporting the byte offset in the quoted
 * string (AWS's `pos`).
 */
export function parseWildcard(text: string): WildcardPattern {
  const segments: string[] = [];
  const tokens: number[] = [QUOTE_BYTE];
  let literal = '';
  // AWS parses the operand with its surrounding quotes, so positions start at 1.
  let position = 1;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (char === '*') {
      if (chars[i + 1] === '*') invalid(`Consecutive wildcard characters at pos ${position}`);
      segments.push(literal);
      literal = '';
      tokens.push(WILDCARD_TOKEN);
      position += 1;
    } else if (char === '\\') {
      const next = chars[i + 1];
      if (next !== '*' && next !== '\\') invalid(`Invalid escape character at pos ${position}`);
      literal += next;
      tokens.push(next.charCodeAt(0));
      position += 2;
      i += 1;
    } else {
      literal += char;
      const bytes = encoder.encode(char);
      tokens.push(...bytes);
      position += bytes.length;
    }
  }
  segments.push(literal);
  tokens.push(QUOTE_BYTE);
  return { text, segments, tokens };
}

/** Whether `value` matches; linear in the value's length (no regular-expression backtracking). */
export function wildcardMatches(pattern: WildcardPattern, value: string): boolean {
  const { segments } = pattern;
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  // Leftmost placement of each middle run leaves the most room for the rest, so greedy search is exact.
  let from = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const at = value.indexOf(segment, from);
    if (at < 0 || at + segment.length > end) return false;
    from = at + segment.length;
  }
  return true;
}

/**
 * AWS's complexity of the wildcard values of one field: the largest number of wildcard-value prefixes
 * (`a*`, `a*b`, ...) that any single input can match at once, summed over the values. This is the measure
 * EventBridge's engine (aws/event-ruler's MachineComplexityEvaluator) applies; it is computed here by
 * exploring the sets of prefixes an input can be matching. Stops early, returning `limit + 1`, once the
 * answer is known to exceed `limit`.
 */
export function wildcardComplexity(patterns: readonly WildcardPattern[], limit: number): number {
  // A state is "pattern p has matched its first i tokens"; state ids are offsets[p] + i.
  const offsets: number[] = [];
  const tokenOf: number[] = [];
  const previousIsWildcard: boolean[] = [];
  const alphabet = new Set<number>([OTHER_BYTE]);
  for (const { tokens } of patterns) {
    offsets.push(tokenOf.length);
    for (let i = 0; i <= tokens.length; i++) {
      tokenOf.push(tokens[i] ?? Number.NaN);
      previousIsWildcard.push(i > 0 && tokens[i - 1] === WILDCARD_TOKEN);
      const token = tokens[i];
      if (token !== undefined && token !== WILDCARD_TOKEN) alphabet.add(token);
    }
  }
  const isStart = new Set(offsets);

  // A `*` may match nothing, so reaching the state before it also reaches the state after it.
  const close = (states: number[]): number[] => {
    const result = new Set(states);
    const pending = [...states];
    for (let state = pending.pop(); state !== undefined; state = pending.pop()) {
      if (tokenOf[state] === WILDCARD_TOKEN && !result.has(state + 1)) {
        result.add(state + 1);
        pending.push(state + 1);
      }
    }
    return [...result].sort((a, b) => a - b);
  };
  const score = (states: readonly number[]): number => states.filter((state) => !isStart.has(state)).length;

  const start = close(offsets);
  const seen = new Set<string>([start.join(',')]);
  const queue: number[][] = [start];
  let max = score(start);
  for (let head = 0; head < queue.length && max <= limit; head++) {
    const states = queue[head] ?? [];
    for (const byte of alphabet) {
      const next: number[] = [];
      for (const state of states) {
        if (tokenOf[state] === byte) next.push(state + 1);
        if (previousIsWildcard[state]) next.push(state);
      }
      if (next.length === 0) continue;
      const closed = close(next);
      const key = closed.join(',');
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_STATES) return limit + 1;
      seen.add(key);
      queue.push(closed);
      max = Math.max(max, score(closed));
    }
  }
  return max > limit ? limit + 1 : max;
}
