import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { InvalidDefinitionError } from './errors.ts';

/** A state of a definition, as far as the engine looks into it. */
export type AslState = Record<string, unknown> & { readonly Type: string };

/** A validated definition, with every state indexed by its (machine-wide unique) name. */
export interface ParsedDefinition {
  readonly definition: StateMachineDefinition;
  readonly states: ReadonlyMap<string, AslState>;
}

/**
 * aws-local-stepfunctions gives a Task with no `TimeoutSeconds` 60 s, where AWS gives it a year: the engine
 * enforces task timeouts itself and hands the library this instead. It is also the longest delay a Node timer
 * takes (2^31 - 1 ms), so no timeout the library arms can overflow into firing at once.
 */
export const LIBRARY_TASK_TIMEOUT_SECONDS = 2_147_483;

/**
 * Parses and validates a definition as CreateStateMachine does: JSON, then asl-validator (through
 * aws-local-stepfunctions), then what the library would get wrong silently: JSONata (refused), and state
 * names repeated across branches (the engine routes tasks by name). Throws {@link InvalidDefinitionError}.
 */
export function parseDefinition(text: string): ParsedDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidDefinitionError(
      `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidDefinitionError(
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'",
    );
  }
  const definition = parsed as StateMachineDefinition & { QueryLanguage?: unknown };
  if (definition.QueryLanguage !== undefined && definition.QueryLanguage !== 'JSONPath') {
    throw jsonataRefused('the state machine');
  }
  try {
    // The constructor runs asl-validator with ARN and path checks; the instance itself is not kept.
    new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  } catch (error) {
    const reason = (error as Error).message.replace(
      /^State machine definition is invalid, see error\(s\) below:\s*/,
      '',
    );
    throw new InvalidDefinitionError(`Invalid State Machine Definition: '${reason.trim()}'`);
  }
  const states = new Map<string, AslState>();
  collectStates(definition as unknown as Record<string, unknown>, states);
  return { definition, states };
}

/** Every state of a definition and of its Parallel branches and Map processors, by name. */
function collectStates(machine: Record<string, unknown>, into: Map<string, AslState>): void {
  const states = (machine.States ?? {}) as Record<string, AslState>;
  for (const [name, state] of Object.entries(states)) {
    if (into.has(name)) {
      throw new InvalidDefinitionError(
        `Invalid State Machine Definition: 'DUPLICATE_STATE_NAME: Duplicate State name: ${name}'`,
      );
    }
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      throw jsonataRefused(`state ${name}`);
    }
    into.set(name, state);
    for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) collectStates(branch, into);
    const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (processor) collectStates(processor, into);
  }
}

function jsonataRefused(where: string): InvalidDefinitionError {
  return new InvalidDefinitionError(
    `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${where} uses QueryLanguage JSONata, ` +
      "which the local engine does not run (aws-local-stepfunctions ignores it); use JSONPath'",
  );
}

/**
 * The copy of a definition handed to aws-local-stepfunctions: Task timeouts and heartbeats are taken out
 * (the engine's task runner enforces them, and records them in the history) and replaced by a timeout the
 * library never reaches first; the machine's own `TimeoutSeconds` is capped to what a timer can hold.
 */
export function libraryDefinition(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition) as unknown as Record<string, unknown>;
  rewriteMachine(copy);
  if (typeof copy.TimeoutSeconds === 'number') {
    copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, LIBRARY_TASK_TIMEOUT_SECONDS);
  }
  return copy as unknown as StateMachineDefinition;
}

/**
 * Keys of the Parameters wrapper of a Task with `TimeoutSecondsPath` or `HeartbeatSecondsPath`: those paths
 * are read from the state input, which the library's task handlers never see (they get the effective
 * parameters), so the library resolves them beside the parameters and the task runner unwraps them.
 */
export const WRAPPED_PARAMETERS = 'fleetwire:parameters';
export const WRAPPED_TIMEOUT = 'fleetwire:timeoutSeconds';
export const WRAPPED_HEARTBEAT = 'fleetwire:heartbeatSeconds';

/** Whether a Task state's parameters reach the task runner wrapped (see {@link WRAPPED_PARAMETERS}). */
export function hasWrappedParameters(state: Readonly<Record<string, unknown>>): boolean {
  return typeof state.TimeoutSecondsPath === 'string' || typeof state.HeartbeatSecondsPath === 'string';
}

function rewriteMachine(machine: Record<string, unknown>): void {
  for (const state of Object.values((machine.States ?? {}) as Record<string, Record<string, unknown>>)) {
    if (state.Type === 'Task' && hasWrappedParameters(state)) {
      state.Parameters = {
        ...(state.Parameters === undefined
          ? { [`${WRAPPED_PARAMETERS}.$`]: '$' }
          : { [WRAPPED_PARAMETERS]: state.Parameters }),
        ...(typeof state.TimeoutSecondsPath === 'string'
          ? { [`${WRAPPED_TIMEOUT}.$`]: state.TimeoutSecondsPath }
          : {}),
        ...(typeof state.HeartbeatSecondsPath === 'string'
          ? { [`${WRAPPED_HEARTBEAT}.$`]: state.HeartbeatSecondsPath }
          : {}),
      };
    }
    if (state.Type === 'Task') {
      delete state.TimeoutSecondsPath;
      delete state.HeartbeatSeconds;
      delete state.HeartbeatSecondsPath;
      state.TimeoutSeconds = LIBRARY_TASK_TIMEOUT_SECONDS;
    }
    for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) rewriteMachine(branch);
    const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (processor) rewriteMachine(processor);
  }
}
