import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepFunctionsStoreError } from './errors.ts';
import type { HistoryEvent } from './history.ts';

/** A state machine as kept on disk and in memory. */
export interface StoredStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  definition: string;
  roleArn: string;
  readonly type: 'STANDARD';
  /** Epoch seconds, as the JSON protocol carries dates. */
  readonly creationDate: number;
  updateDate?: number;
}

/** An execution with its history; the definition is the one it started with (updates do not reach it). */
export interface StoredExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly roleArn: string;
  readonly definition: string;
  /** The input as given, a JSON string. */
  readonly input: string;
  /** Monotonic start order: ListExecutions lists newest first, and its page tokens point into this. */
  readonly sequence: number;
  readonly startDate: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

/** Written into the history of an execution found RUNNING when the engine starts. */
export const RESTART_ERROR = 'Fleetwire.EdgeRestarted';
export const RESTART_CAUSE =
  'The local edge stopped while this execution was running; local executions do not survive a restart.';

/** How long history changes of a running execution may wait to be written, to write once per burst. */
const WRITE_DELAY_MS = 50;

/**
 * State machines and executions, in memory, and as JSON under `<dataDir>/stepfunctions/` when given:
 * `state-machines.json` and one `executions/<hash>.json` per execution, each written whole and atomically.
 * Executions found RUNNING on load were cut short by a stop or crash: they are closed as ABORTED with
 * {@link RESTART_ERROR}, since nothing can resume them.
 */
export class StepFunctionsStore {
  readonly machines = new Map<string, StoredStateMachine>();
  readonly executions = new Map<string, StoredExecution>();
  private readonly dir: string | undefined;
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private nextSequence = 1;

  constructor(dataDir?: string, clock: () => number = Date.now) {
    this.dir = dataDir ? join(dataDir, 'stepfunctions') : undefined;
    if (!this.dir) return;
    const machinesFile = join(this.dir, 'state-machines.json');
    if (existsSync(machinesFile)) {
      const parsed = readJson(machinesFile) as { machines?: unknown };
      if (!Array.isArray(parsed.machines))
        throw new StepFunctionsStoreError(`${machinesFile} is not a state machine store`);
      for (const machine of parsed.machines as StoredStateMachine[]) this.machines.set(machine.arn, machine);
    }
    const executionsDir = join(this.dir, 'executions');
    if (!existsSync(executionsDir)) return;
    for (const file of readdirSync(executionsDir).filter((name) => name.endsWith('.json'))) {
      const execution = readJson(join(executionsDir, file)) as StoredExecution;
      if (typeof execution.arn !== 'string' || !Array.isArray(execution.history)) {
        throw new StepFunctionsStoreError(`${file} is not an execution written by the edge`);
      }
      this.executions.set(execution.arn, execution);
      this.nextSequence = Math.max(this.nextSequence, execution.sequence + 1);
      if (execution.status === 'RUNNING') this.closeInterrupted(execution, clock);
    }
  }

  /** The next start order number. */
  sequence(): number {
    return this.nextSequence++;
  }

  saveMachines(): void {
    if (!this.dir) return;
    writeAtomically(join(this.dir, 'state-machines.json'), {
      version: 1,
      machines: [...this.machines.values()],
    });
  }

  /** Schedules an execution to be written; `now` writes it (and any other pending one) at once. */
  saveExecution(arn: string, now = false): void {
    if (!this.dir) return;
    this.dirty.add(arn);
    if (now) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), WRITE_DELAY_MS).unref();
  }

  /** Writes every execution changed since the last write. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dir) return;
    for (const arn of this.dirty) {
      const execution = this.executions.get(arn);
      if (execution) writeAtomically(join(this.dir, 'executions', `${fileNameOf(arn)}.json`), execution);
    }
    this.dirty.clear();
  }

  private closeInterrupted(execution: StoredExecution, clock: () => number): void {
    const now = clock() / 1000;
    const id = execution.history.length + 1;
    execution.history.push({
      id,
      previousEventId: id - 1,
      timestamp: now,
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: RESTART_ERROR, cause: RESTART_CAUSE },
    });
    execution.status = 'ABORTED';
    execution.stopDate = now;
    execution.error = RESTART_ERROR;
    execution.cause = RESTART_CAUSE;
    this.saveExecution(execution.arn, true);
  }
}

function fileNameOf(arn: string): string {
  return createHash('sha256').update(arn).digest('hex').slice(0, 32);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // A corrupt store must stop the edge rather than be overwritten with an empty one.
    throw new StepFunctionsStoreError(`${file} cannot be read: ${(error as Error).message}`);
  }
}

/** Writes a whole file through a rename, so a crash mid-write never leaves a truncated one. */
function writeAtomically(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, file);
}
