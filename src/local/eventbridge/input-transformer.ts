/**
 * EventBridge's target input shaping, offline: `InputPath` and input transformers (`InputPathsMap` +
 * `InputTemplate`), with the substitution rules AWS applies at delivery time.
 *
 * What AWS does, as documented in "Amazon EventBridge input transformation" and as recorded against AWS:
 * - a JSON template (one starting with `{`) gets string values quoted, numbers/booleans/null as literals,
 *   objects and arrays as JSON; a path that matches nothing becomes `""`;
 * - a placeholder inside a JSON string gets the bare text of a string, the literal of a number/boolean, and
 *   an object or array verbatim (which breaks the JSON: AWS then drops the event, and so do we);
 * - a string template (anything else, typically `"…"`) gets objects and arrays with their quotes removed,
 *   e.g. `{acc_id:0a787ecb-4015,sf_id:baz}` and `[ACTIVE,INACTIVE]`;
 * - `<aws.events.event>` is the event without `detail` (and `detail-type` spelt `detailType`),
 *   `<aws.events.event.json>` the whole event.
 */
import type { InputTransformer, RuleTargetDefinition } from '../../domain/events/rules.ts';

/** Base of every error this module throws. */
export class InputTransformerError extends Error {
  override readonly name: string = 'InputTransformerError';
}

/** A JSONPath outside the subset EventBridge evaluates (dot notation, array indices, `*`). */
export class InvalidJsonPathError extends InputTransformerError {
  override readonly name: string = 'InvalidJsonPathError';
}

/**
 * A target definition EventBridge would refuse at `PutTargets` (the CDK deployment would fail): undefined
 * placeholder, reserved variable name, more than 100 variables, malformed JSON template, …
 */
export class InvalidTargetInputError extends InputTransformerError {
  override readonly name: string = 'InvalidTargetInputError';
}

/**
 * The input could not be built for one event: the template produced invalid JSON or the `InputPath`
 * matched nothing. AWS drops such an event for that target without telling the publisher.
 */
export class TargetInputFailedError extends InputTransformerError {
  override readonly name: string = 'TargetInputFailedError';
}

/** The variables EventBridge defines itself; `InputPathsMap` may not redefine them. */
export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

/** AWS's limits on an input transformer (API reference, `InputTransformer`). */
export const INPUT_TRANSFORMER_LIMITS = {
  maxVariables: 100,
  maxTemplateLength: 8192,
  maxPathLength: 256,
  maxVariableNameLength: 256,
} as const;

/** What a rule knows about the delivery that the predefined variables expose. */
export interface TargetInputContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  /** When EventBridge received the event, ISO-8601. */
  readonly ingestionTime: string;
}

/** The input sent to a target: the exact text AWS would send, and its JSON value for in-process handlers. */
export interface TargetInput {
  readonly text: string;
  /** `JSON.parse(text)`, or the text itself when a string template produced something that is not JSON. */
  readonly value: unknown;
}

/** A target's input shaping, compiled once per rule target. */
export interface CompiledTargetInput {
  /** Builds the input for one matched event; throws {@link TargetInputFailedError} when AWS would drop it. */
  apply(event: Readonly<Record<string, unknown>>, context: TargetInputContext): TargetInput;
}

/** The outcome of evaluating a JSONPath: `found` false when nothing in the document matched. */
export interface JsonPathResult {
  readonly found: boolean;
  readonly value: unknown;
}

/** A JSONPath in EventBridge's subset, parsed once. */
export interface CompiledJsonPath {
  readonly source: string;
  evaluate(document: unknown): JsonPathResult;
}

type PathStep =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/**
 * Parses a JSONPath of the subset EventBridge documents: `$`, `.name` (letters, digits, `-`, `_`, `/`, …),
 * `[0]`, `[-1]`, `.*` and `[*]`. Bracketed names and filters are refused, as AWS asks for dot notation.
 */
export function compileJsonPath(path: string): CompiledJsonPath {
  if (path.length === 0 || path.length > INPUT_TRANSFORMER_LIMITS.maxPathLength) {
    throw new InvalidJsonPathError(
      `JSON path must be 1 to ${INPUT_TRANSFORMER_LIMITS.maxPathLength} characters long: ${JSON.stringify(path)}`,
    );
  }
  if (!path.startsWith('$')) throw new InvalidJsonPathError(`JSON path must start with $: ${path}`);
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      const start = i + 1;
      let end = start;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const name = path.slice(start, end);
      if (name.length === 0)
        throw new InvalidJsonPathError(`JSON path has an empty name at ${start}: ${path}`);
      if (name.includes(']'))
        throw new InvalidJsonPathError(`JSON path has an unexpected ] at ${start}: ${path}`);
      steps.push(name === '*' ? { kind: 'wildcard' } : { kind: 'field', name });
      i = end;
    } else if (char === '[') {
      const close = path.indexOf(']', i);
      const inner = close < 0 ? '' : path.slice(i + 1, close);
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else {
        throw new InvalidJsonPathError(
          `JSON path must use dot notation and numeric array indices, not [${inner}]: ${path}`,
        );
      }
      i = close + 1;
    } else {
      throw new InvalidJsonPathError(`JSON path has an unexpected ${JSON.stringify(char)} at ${i}: ${path}`);
    }
  }
  const definite = steps.every((step) => step.kind !== 'wildcard');
  return {
    source: path,
    evaluate(document: unknown): JsonPathResult {
      const matches = walk(steps, 0, document);
      // A path with a wildcard yields the list of its matches, one without it the single value (as JsonPath does).
      if (definite)
        return matches.length === 0 ? { found: false, value: undefined } : { found: true, value: matches[0] };
      return matches.length === 0 ? { found: false, value: undefined } : { found: true, value: matches };
    },
  };
}

function walk(steps: readonly PathStep[], at: number, node: unknown): unknown[] {
  const step = steps[at];
  if (!step) return [node];
  if (step.kind === 'field') {
    if (!isPlainObject(node) || !Object.hasOwn(node, step.name)) return [];
    return walk(steps, at + 1, node[step.name]);
  }
  if (step.kind === 'index') {
    if (!Array.isArray(node)) return [];
    const index = step.index < 0 ? node.length + step.index : step.index;
    if (index < 0 || index >= node.length) return [];
    return walk(steps, at + 1, node[index]);
  }
  const children: unknown[] = Array.isArray(node) ? node : isPlainObject(node) ? Object.values(node) : [];
  return children.flatMap((child) => walk(steps, at + 1, child));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `InputPath`: the part of the event the target receives. */
export function compileInputPath(path: string, targetId = 'target'): CompiledTargetInput {
  let compiled: CompiledJsonPath;
  try {
    compiled = compileJsonPath(path);
  } catch (error) {
    throw new InvalidTargetInputError(
      `InputPath for target ${targetId} is not valid: ${(error as Error).message}`,
    );
  }
  return {
    apply(event) {
      const result = compiled.evaluate(event);
      if (!result.found) throw new TargetInputFailedError(`InputPath ${path} matched nothing in the event`);
      const text = JSON.stringify(result.value);
      return { text, value: JSON.parse(text) as unknown };
    },
  };
}

/** Placeholder names: `InputTransformerPathKey` (`[A-Za-z0-9_-]+`) or one of the predefined `aws.events.*`. */
const PLACEHOLDER = /^<(aws\.events\.[A-Za-z.-]+|[A-Za-z0-9_-]+)>/;

type TemplateSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: string; readonly inString: boolean };

type Resolved = { readonly found: false } | { readonly found: true; readonly value: unknown };

/**
 * Compiles an input transformer, refusing what AWS refuses at `PutTargets`: more than 100 variables, a
 * variable named like a predefined one or starting with `AWS.`, a placeholder that names no variable, a
 * placeholder used as an object key, and a JSON template that is not JSON.
 */
export function compileInputTransformer(
  transformer: InputTransformer,
  targetId = 'target',
): CompiledTargetInput {
  const invalid = (reason: string): InvalidTargetInputError =>
    new InvalidTargetInputError(`InputTransformer for target ${targetId} is not valid: ${reason}`);
  const template = transformer.inputTemplate;
  if (template.length === 0 || template.length > INPUT_TRANSFORMER_LIMITS.maxTemplateLength) {
    throw invalid(`InputTemplate must be 1 to ${INPUT_TRANSFORMER_LIMITS.maxTemplateLength} characters long`);
  }
  const pathsMap = Object.entries(transformer.inputPathsMap ?? {});
  if (pathsMap.length > INPUT_TRANSFORMER_LIMITS.maxVariables) {
    throw invalid(
      `InputPathsMap has ${pathsMap.length} variables, at most ${INPUT_TRANSFORMER_LIMITS.maxVariables} are allowed`,
    );
  }
  const variables = new Map<string, CompiledJsonPath>();
  for (const [name, path] of pathsMap) {
    if ((PREDEFINED_VARIABLES as readonly string[]).includes(name)) {
      throw invalid(`${name} is a predefined variable and cannot be redefined in InputPathsMap`);
    }
    if (name.toUpperCase().startsWith('AWS.'))
      throw invalid(`InputPathsMap keys cannot start with "AWS.": ${name}`);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || name.length > INPUT_TRANSFORMER_LIMITS.maxVariableNameLength) {
      throw invalid(`InputPathsMap key ${JSON.stringify(name)} must match [A-Za-z0-9_-]{1,256}`);
    }
    try {
      variables.set(name, compileJsonPath(path));
    } catch (error) {
      throw invalid(`InputPathsMap value of ${name}: ${(error as Error).message}`);
    }
  }

  const segments = parseTemplate(template);
  const isJsonTemplate = template.trimStart().startsWith('{');
  for (const segment of segments) {
    if (segment.kind !== 'placeholder') continue;
    if (!variables.has(segment.name) && !(PREDEFINED_VARIABLES as readonly string[]).includes(segment.name)) {
      // AWS's own wording for this refusal.
      throw new InvalidTargetInputError(
        `InputTemplate for target ${targetId} contains invalid placeholder ${segment.name}.`,
      );
    }
  }
  if (isJsonTemplate) {
    const keyPlaceholder = placeholderUsedAsKey(template);
    if (keyPlaceholder) throw invalid(`the placeholder <${keyPlaceholder}> cannot be used as an object key`);
    // Stand-ins that keep valid JSON valid, so that only the template's own syntax is judged.
    const probe = segments
      .map((segment) => (segment.kind === 'literal' ? segment.text : segment.inString ? 'x' : 'null'))
      .join('');
    try {
      JSON.parse(probe);
    } catch (error) {
      throw invalid(`InputTemplate is not valid JSON: ${(error as Error).message}`);
    }
  }

  return {
    apply(event, context) {
      const predefined = predefinedValues(event, context);
      const resolve = (name: string): Resolved => {
        if (Object.hasOwn(predefined, name)) return { found: true, value: predefined[name] };
        const path = variables.get(name);
        const result = path ? path.evaluate(event) : { found: false, value: undefined };
        return result.found ? { found: true, value: result.value } : { found: false };
      };
      const text = segments
        .map((segment) =>
          segment.kind === 'literal'
            ? segment.text
            : render(resolve(segment.name), segment.inString, isJsonTemplate),
        )
        .join('');
      if (isJsonTemplate) {
        try {
          return { text, value: JSON.parse(text) as unknown };
        } catch (error) {
          throw new TargetInputFailedError(
            `the input transformer produced invalid JSON (${(error as Error).message}): ${truncate(text)}`,
          );
        }
      }
      try {
        return { text, value: JSON.parse(text) as unknown };
      } catch {
        return { text, value: text };
      }
    },
  };
}

/** Splits a template into literal text and placeholders, noting for each placeholder whether it sits in a JSON string. */
function parseTemplate(template: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let literal = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (inString && char === '\\') {
      literal += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === '"') {
      inString = !inString;
      literal += char;
      continue;
    }
    if (char === '<') {
      const match = PLACEHOLDER.exec(template.slice(i));
      if (match?.[1]) {
        if (literal) segments.push({ kind: 'literal', text: literal });
        literal = '';
        segments.push({ kind: 'placeholder', name: match[1], inString });
        i += match[0].length - 1;
        continue;
      }
    }
    literal += char;
  }
  if (literal) segments.push({ kind: 'literal', text: literal });
  return segments;
}

/** The first placeholder of a JSON template that stands where an object key goes (`<k>: …` or `"…<k>…": …`). */
function placeholderUsedAsKey(template: string): string | undefined {
  let inString = false;
  let stringHasPlaceholder: string | undefined;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (inString && char === '\\') {
      i++;
      continue;
    }
    if (char === '"') {
      inString = !inString;
      if (!inString && stringHasPlaceholder) {
        if (nextSignificant(template, i + 1) === ':') return stringHasPlaceholder;
        stringHasPlaceholder = undefined;
      }
      continue;
    }
    if (char !== '<') continue;
    const match = PLACEHOLDER.exec(template.slice(i));
    if (!match?.[1]) continue;
    if (inString) stringHasPlaceholder ??= match[1];
    else if (nextSignificant(template, i + match[0].length) === ':') return match[1];
    i += match[0].length - 1;
  }
  return undefined;
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char !== undefined && !/\s/.test(char)) return char;
  }
  return undefined;
}

function render(resolved: Resolved, inString: boolean, isJsonTemplate: boolean): string {
  if (!resolved.found || resolved.value === undefined) return inString || !isJsonTemplate ? '' : '""';
  const value = resolved.value;
  if (typeof value === 'string') {
    if (inString) return JSON.stringify(value).slice(1, -1);
    return isJsonTemplate ? JSON.stringify(value) : value;
  }
  if (typeof value === 'object' && value !== null) {
    const json = JSON.stringify(value);
    // AWS removes the quotes of an object or array placed in a string template, to keep the string a string.
    return isJsonTemplate ? json : json.replaceAll('\\"', '').replaceAll('"', '');
  }
  return JSON.stringify(value);
}

function predefinedValues(
  event: Readonly<Record<string, unknown>>,
  context: TargetInputContext,
): Record<string, unknown> {
  // The field order AWS sends for <aws.events.event>, which also renames detail-type and leaves out detail.
  const withoutDetail: Record<string, unknown> = {
    id: event.id,
    account: event.account,
    detailType: event['detail-type'],
    time: event.time,
    source: event.source,
    region: event.region,
    resources: event.resources,
    version: event.version,
  };
  return {
    'aws.events.rule-arn': context.ruleArn,
    'aws.events.rule-name': context.ruleName,
    'aws.events.event.ingestion-time': context.ingestionTime,
    'aws.events.event': withoutDetail,
    'aws.events.event.json': event,
  };
}

function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Compiles how one rule target receives a matched event: the whole event, its `InputPath`, or its input
 * transformer. Refuses a target with both, as AWS does.
 */
export function compileTargetInput(definition: RuleTargetDefinition): CompiledTargetInput {
  if (definition.inputPath !== undefined && definition.inputTransformer !== undefined) {
    // AWS's own wording for this refusal.
    throw new InvalidTargetInputError(
      `Only one of Input, InputPath, or InputTransformer must be provided for target ${definition.id}.`,
    );
  }
  if (definition.inputPath !== undefined) return compileInputPath(definition.inputPath, definition.id);
  if (definition.inputTransformer !== undefined)
    return compileInputTransformer(definition.inputTransformer, definition.id);
  return {
    apply(event) {
      const text = JSON.stringify(event);
      return { text, value: JSON.parse(text) as unknown };
    },
  };
}
