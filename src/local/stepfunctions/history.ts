import type { AslState } from './definition.ts';
import { resolveReferencePath } from './json-path.ts';

/**
 * One event of GetExecutionHistory, as the JSON protocol carries it: `timestamp` in epoch seconds, and the
 * details object named after the type (`taskScheduledEventDetails`, `stateEnteredEventDetails`, …).
 */
export type HistoryEvent = {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
} & Readonly<Record<string, unknown>>;

/** The event types that close an execution's history. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

/** `{truncated: false}`: the engine never truncates input or output (AWS does past 256 KiB). */
const NOT_TRUNCATED = { truncated: false } as const;

/**
 * The history of one execution: numbers events from 1, chains `previousEventId` to the event before, and
 * takes nothing after the terminal event, so late task callbacks of an aborted or timed-out execution
 * cannot append past its end.
 */
export class HistoryRecorder {
  private readonly list: HistoryEvent[];

  constructor(
    existing: readonly HistoryEvent[] = [],
    private readonly onAppend: (event: HistoryEvent) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {
    this.list = [...existing];
  }

  get events(): readonly HistoryEvent[] {
    return this.list;
  }

  /** Whether the execution's last event has been recorded. */
  get closed(): boolean {
    const last = this.list.at(-1);
    return last !== undefined && TERMINAL_EVENT_TYPES.has(last.type);
  }

  /** Appends an event; undefined (nothing recorded) once the history is closed. */
  append(type: string, details?: Readonly<Record<string, unknown>>): HistoryEvent | undefined {
    if (this.closed) return undefined;
    const id = this.list.length + 1;
    const event: HistoryEvent = {
      id,
      previousEventId: id - 1,
      timestamp: this.clock() / 1000,
      type,
      ...(details ? { [detailsKey(type)]: details } : {}),
    };
    this.list.push(event);
    this.onAppend(event);
    return event;
  }
}

/** `TaskScheduled` → `taskScheduledEventDetails`; state events share `stateEntered`/`stateExited` details. */
export function detailsKey(type: string): string {
  if (/StateEntered$/.test(type)) return 'stateEnteredEventDetails';
  if (/StateExited$/.test(type)) return 'stateExitedEventDetails';
  return `${lowerFirst(type)}EventDetails`;
}

/** A JSON value as history details carry it: a JSON string. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** An event of aws-local-stepfunctions' `eventLogs`, loosely typed: the engine reads only what it maps. */
export interface LibraryEvent {
  readonly type: string;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly parentState?: { readonly name: string; readonly type: string; readonly input?: unknown };
  readonly index?: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: unknown;
  readonly Cause?: unknown;
}

/** What the mapper needs to know of the execution besides the library's events. */
export interface HistoryMapperContext {
  readonly roleArn: string;
  readonly states: ReadonlyMap<string, AslState>;
  /** Error and cause of the stop, read when the library reports the abort. */
  readonly abortReason: () => { readonly error?: string; readonly cause?: string };
  /** Error and cause of the execution's timeout. */
  readonly timeoutReason?: () => { readonly error?: string; readonly cause?: string };
}

/**
 * Turns aws-local-stepfunctions' event log into AWS history events. The library reports executions, states
 * entered, exited, failed, retried and caught, Map iterations and Parallel branches; it knows nothing of
 * tasks, whose scheduled/started/succeeded/failed events the task runner records itself. States still open
 * when the execution is stopped get their `…StateAborted` event, as in AWS.
 */
export class LibraryEventMapper {
  /** States entered and not yet exited, innermost last, for the `…StateAborted` events of a stop. */
  private readonly open: { readonly name: string; readonly type: string; readonly index?: number }[] = [];

  constructor(
    private readonly recorder: HistoryRecorder,
    private readonly context: HistoryMapperContext,
  ) {}

  handle(event: LibraryEvent): void {
    const state = event.state;
    switch (event.type) {
      case 'ExecutionStarted':
        this.recorder.append('ExecutionStarted', {
          input: jsonText(event.input),
          inputDetails: NOT_TRUNCATED,
          roleArn: this.context.roleArn,
        });
        return;
      case 'ExecutionSucceeded':
        this.recorder.append('ExecutionSucceeded', {
          output: jsonText(event.output),
          outputDetails: NOT_TRUNCATED,
        });
        return;
      case 'ExecutionFailed':
        this.recorder.append('ExecutionFailed', errorDetails(event.Error, event.Cause));
        return;
      case 'ExecutionAborted': {
        for (const open of [...this.open].reverse()) {
          if (['Task', 'Wait', 'Map', 'Parallel'].includes(open.type)) {
            this.recorder.append(`${open.type}StateAborted`);
          }
        }
        this.open.length = 0;
        this.recorder.append('ExecutionAborted', definedOnly(this.context.abortReason()));
        return;
      }
      case 'ExecutionTimeout':
        this.recorder.append(
          'ExecutionTimedOut',
          definedOnly(this.context.timeoutReason?.() ?? { error: 'States.Timeout' }),
        );
        return;
      case 'StateEntered':
        if (!state) return;
        this.open.push({ name: state.name, type: state.type, ...indexOf(event) });
        this.recorder.append(`${state.type}StateEntered`, {
          name: state.name,
          input: jsonText(state.input),
          inputDetails: NOT_TRUNCATED,
        });
        if (state.type === 'Parallel') this.recorder.append('ParallelStateStarted');
        if (state.type === 'Map') this.recorder.append('MapStateStarted', { length: this.mapLength(state) });
        return;
      case 'StateExited':
        if (!state) return;
        this.close(state.name, event.index);
        if (state.type === 'Parallel') this.recorder.append('ParallelStateSucceeded');
        if (state.type === 'Map') this.recorder.append('MapStateSucceeded');
        this.recorder.append(`${state.type}StateExited`, {
          name: state.name,
          output: jsonText(state.output),
          outputDetails: NOT_TRUNCATED,
        });
        return;
      case 'StateFailed':
        // Task failures are recorded by the task runner; AWS has no failure event for the other states.
        if (state && (state.type === 'Parallel' || state.type === 'Map')) {
          this.recorder.append(`${state.type}StateFailed`);
        }
        return;
      case 'StateRetried':
        if (state && (state.type === 'Parallel' || state.type === 'Map')) {
          this.recorder.append(
            `${state.type}StateStarted`,
            state.type === 'Map' ? { length: this.mapLength(state) } : undefined,
          );
        }
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.recorder.append(event.type, { name: event.parentState?.name, index: event.index });
        return;
      default:
        // StateCaught and the Parallel branch events have no counterpart in AWS's history.
        return;
    }
  }

  private close(name: string, index: number | undefined): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const candidate = this.open[i];
      if (candidate && candidate.name === name && candidate.index === index) {
        this.open.splice(i, 1);
        return;
      }
    }
  }

  /** The number of items a Map state iterates over: its input, through `InputPath` and `ItemsPath`. */
  private mapLength(state: { readonly name: string; readonly input?: unknown }): number {
    const definition = this.context.states.get(state.name);
    let items: unknown = state.input;
    if (typeof definition?.InputPath === 'string') items = resolveReferencePath(definition.InputPath, items);
    if (typeof definition?.ItemsPath === 'string') items = resolveReferencePath(definition.ItemsPath, items);
    return Array.isArray(items) ? items.length : 0;
  }
}

function indexOf(event: LibraryEvent): { index?: number } {
  return event.index === undefined ? {} : { index: event.index };
}

/** `{error, cause}` with the cause as a string, as AWS always carries it. */
export function errorDetails(error: unknown, cause: unknown): Record<string, string> {
  return definedOnly({
    error: error === undefined || error === null ? undefined : String(error),
    cause:
      cause === undefined || cause === null ? undefined : typeof cause === 'string' ? cause : jsonText(cause),
  });
}

function definedOnly<T extends Record<string, unknown>>(value: T): Record<string, NonNullable<T[keyof T]>> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Record<
    string,
    NonNullable<T[keyof T]>
  >;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
