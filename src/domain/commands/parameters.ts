/**
 * Command parameters: a small description of each parameter (its kind and range) from which come both
 * its strict zod schema and the text of `docs/commands.md`, so the documented rule and the enforced one
 * cannot drift apart. Every problem gets a message that names the command, the parameter, the rule and
 * the value received, because the message ends up in front of a dispatcher and in the audit log.
 */
import { z } from 'zod';

/** One parameter's rule. Numbers are JSON numbers: strings such as `"80"` are refused, not coerced. */
export type ParameterSpec =
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly unit?: string }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly unit?: string }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly [string, ...string[]] };

/** The parameters of one command, by name, in the order the docs list them. */
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

/** The value type a spec accepts. */
export type ParameterValue<S extends ParameterSpec> = S extends { readonly kind: 'integer' | 'number' }
  ? number
  : S extends { readonly kind: 'boolean' }
    ? boolean
    : S extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
      ? V
      : never;

/** The parameters object a set of specs accepts (every parameter is required). */
export type ParametersOf<P extends ParameterSpecs> = { readonly [K in keyof P]: ParameterValue<P[K]> };

/**
 * `an integer from 50 to 100`: the rule in words, as messages say it; with `units`, as the docs say it
 * (`an integer from 50 to 100 (%)`).
 */
export function describeParameter(spec: ParameterSpec, units = false): string {
  const unit = units && 'unit' in spec && spec.unit ? ` (${spec.unit})` : '';
  switch (spec.kind) {
    case 'integer':
      return `an integer from ${spec.min} to ${spec.max}${unit}`;
    case 'number':
      return `a number from ${spec.min} to ${spec.max}${unit}`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return spec.values.map((value) => JSON.stringify(value)).join(' or ');
  }
}

/** A received value, short enough for a message: `120`, `"80"`, `null`, `an array`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? typeof value);
  // A pasted novel should not end up in the audit log.
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The message of one bad parameter value. */
function problem(command: string, name: string, spec: ParameterSpec, input: unknown): string {
  if (input === undefined) return `${command}: ${name} is required: ${describeParameter(spec)}`;
  return `${command}: ${name} must be ${describeParameter(spec)}, got ${describeValue(input)}`;
}

/**
 * The zod schema of one parameter. The error function on the base type also answers for its checks
 * (`int`, `min`, `max`), so one rule gives one message whichever check failed.
 */
function parameterSchema(command: string, name: string, spec: ParameterSpec): z.ZodType {
  const error = (issue: { readonly input?: unknown }) => problem(command, name, spec, issue.input);
  switch (spec.kind) {
    case 'integer':
      return z.number({ error }).int({ error }).min(spec.min, { error }).max(spec.max, { error });
    case 'number':
      return z.number({ error }).min(spec.min, { error }).max(spec.max, { error });
    case 'boolean':
      return z.boolean({ error });
    case 'enum':
      return z.enum(spec.values, { error });
  }
}

/** The strict zod schema of a command's parameters object. */
export function parametersSchema<P extends ParameterSpecs>(
  command: string,
  specs: P,
): z.ZodType<ParametersOf<P>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(specs)) shape[name] = parameterSchema(command, name, spec);
  // The cast is the one place the mapped type meets the runtime shape built from the same specs.
  return z.strictObject(shape) as unknown as z.ZodType<ParametersOf<P>>;
}

/** What {@link checkParameters} found. */
export type ParameterCheck<T> =
  | { readonly ok: true; readonly parameters: T }
  | { readonly ok: false; readonly problems: readonly string[] };

/** `an array`, `null`, `a string`: what a non-object parameters value is. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks a parameters value against a command's schema. `undefined` counts as `{}` (a command without
 * parameters is often sent without a body); anything else that is not a plain JSON object is refused.
 */
export function checkParameters(
  command: string,
  specs: ParameterSpecs,
  schema: z.ZodType,
  parameters: unknown,
): ParameterCheck<unknown> {
  const input = parameters === undefined ? {} : parameters;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [`${command}: parameters must be a JSON object, got ${kindOf(input)}`] };
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, parameters: parsed.data };
  const names = Object.keys(specs);
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      message =
        names.length === 0
          ? `${command}: takes no parameters, got ${keys}`
          : `${command}: unknown parameter${issue.keys.length === 1 ? '' : 's'} ${keys} ` +
            `(it takes ${names.join(', ')})`;
    }
    if (!problems.includes(message)) problems.push(message);
  }
  return { ok: false, problems };
}
