import { randomUUID } from 'node:crypto';
import { InvalidTaskTokenError, TaskTokenNotFoundError, TaskTokenTimedOutError } from './errors.ts';

/** How a waiting task ends: the output of SendTaskSuccess, or the error of SendTaskFailure. */
export type TaskTokenOutcome =
  | { readonly kind: 'success'; readonly output: unknown }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string }
  /** The execution ended (stopped, timed out, failed elsewhere) while the task waited. */
  | { readonly kind: 'cancelled' };

/** Why a token stopped waiting, kept so that late callers get AWS's error for it. */
export type TaskTokenEnd = 'completed' | 'timed-out' | 'cancelled';

interface PendingTask {
  readonly executionArn: string;
  readonly settle: (outcome: TaskTokenOutcome) => void;
  readonly onHeartbeat: () => void;
}

/** How many ended tokens are remembered for their error; older ones answer TaskDoesNotExist. */
const REMEMBERED_ENDS = 10_000;

/**
 * The task tokens of `.waitForTaskToken` tasks. A token is opaque to callers but names its execution, so
 * that the engine tells a token it never issued (`InvalidToken`) from one whose task is gone
 * (`TaskDoesNotExist`, or `TaskTimedOut` while the end is remembered).
 */
export class TaskTokenStore {
  private readonly pending = new Map<string, PendingTask>();
  private readonly ended = new Map<string, TaskTokenEnd>();

  /** Issues a token for a task of `executionArn`; the task waits on {@link wait}. */
  issue(executionArn: string): string {
    return Buffer.from(JSON.stringify({ v: 1, e: executionArn, n: randomUUID() })).toString('base64url');
  }

  /**
   * Waits for SendTaskSuccess or SendTaskFailure on `token`. The caller ends the wait (timeout, heartbeat,
   * stop) with {@link end}; `onHeartbeat` is called on each SendTaskHeartbeat.
   */
  wait(token: string, onHeartbeat: () => void = () => {}): Promise<TaskTokenOutcome> {
    const executionArn = decodeTaskToken(token).executionArn;
    return new Promise((resolve) => {
      this.pending.set(token, { executionArn, settle: resolve, onHeartbeat });
    });
  }

  /** Completes the task waiting on `token`; throws the AWS-named error when nothing waits on it. */
  complete(token: string, outcome: TaskTokenOutcome): void {
    const task = this.require(token);
    this.end(token, 'completed');
    task.settle(outcome);
  }

  /** Tells the task waiting on `token` that it is alive; throws like {@link complete}. */
  heartbeat(token: string): void {
    this.require(token).onHeartbeat();
  }

  /** Stops waiting on `token` (idempotent), remembering why for late callers. */
  end(token: string, why: TaskTokenEnd): void {
    this.pending.delete(token);
    if (this.ended.has(token)) return;
    this.ended.set(token, why);
    if (this.ended.size > REMEMBERED_ENDS) {
      const oldest = this.ended.keys().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  /** Cancels every token of an execution that ended (succeeded, failed, stopped or timed out). */
  endExecution(executionArn: string): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn !== executionArn) continue;
      this.end(token, 'cancelled');
      task.settle({ kind: 'cancelled' });
    }
  }

  /** How many tasks wait for a token. */
  get size(): number {
    return this.pending.size;
  }

  private require(token: string): PendingTask {
    decodeTaskToken(token);
    const task = this.pending.get(token);
    if (task) return task;
    if (this.ended.get(token) === 'timed-out') throw new TaskTokenTimedOutError('Task Timed Out');
    throw new TaskTokenNotFoundError('Task does not exist anymore');
  }
}

/** The execution a token belongs to; throws {@link InvalidTaskTokenError} for anything else. */
export function decodeTaskToken(token: string): { readonly executionArn: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTaskTokenError('Invalid Token');
  }
  const { v, e, n } = (parsed ?? {}) as Record<string, unknown>;
  if (v !== 1 || typeof e !== 'string' || typeof n !== 'string')
    throw new InvalidTaskTokenError('Invalid Token');
  return { executionArn: e };
}
