/**
 * The state of one resolver handler evaluation, which AppSync keeps per invocation behind its `util`,
 * `extensions` and `runtime` globals. APPSYNC_JS handlers are synchronous (no async, no promises), so one
 * evaluation runs to completion before another starts: a module-level "current evaluation" is exact, with
 * no leaking between concurrent GraphQL fields.
 */
import type { SubscriptionFilter } from '@aws-appsync/utils';

/** An error as `util.error` / `util.appendError` describe it. */
export interface ResolverErrorDetails {
  readonly message: string;
  readonly errorType: string | null;
  readonly data: unknown;
  readonly errorInfo: unknown;
}

/** How the caller authenticated, as `util.authType()` names it. */
export type AuthTypeName = 'User Pool Authorization' | 'IAM Authorization';

/** What a handler evaluation recorded besides its return value. */
export interface ResolverEvaluation {
  /** The field being resolved, for `util.unauthorized()`'s message. */
  readonly typeName: string;
  readonly fieldName: string;
  readonly authType: AuthTypeName;
  /** `util.appendError` calls, in order. */
  readonly appendedErrors: ResolverErrorDetails[];
  /** The last `extensions.setSubscriptionFilter` call. */
  subscriptionFilter: SubscriptionFilter | undefined;
  /** The last `extensions.setSubscriptionInvalidationFilter` call. */
  subscriptionInvalidationFilter: SubscriptionFilter | undefined;
  /** `extensions.invalidateSubscriptions` calls, in order. */
  readonly invalidations: { readonly subscriptionField: string; readonly payload: Record<string, unknown> }[];
}

/** A fresh evaluation record for one field's resolver (shared by its request and response handlers). */
export function newEvaluation(
  typeName: string,
  fieldName: string,
  authType: AuthTypeName,
): ResolverEvaluation {
  return {
    typeName,
    fieldName,
    authType,
    appendedErrors: [],
    subscriptionFilter: undefined,
    subscriptionInvalidationFilter: undefined,
    invalidations: [],
  };
}

/**
 * Thrown by `util.error` and `util.unauthorized`: AppSync stops the handler there and the field resolves
 * to null with this error. Not an `Error` subclass on purpose: nothing in resolver code can catch it
 * (APPSYNC_JS has no try/catch), and the engine tells it from a bug by its class.
 */
export class ResolverError implements ResolverErrorDetails {
  constructor(
    readonly message: string,
    readonly errorType: string | null,
    readonly data: unknown = null,
    readonly errorInfo: unknown = null,
  ) {}
}

/** Thrown by `runtime.earlyReturn`: the handler stops and `value` is its result. */
export class EarlyReturn {
  constructor(
    readonly value: unknown,
    readonly skipTo: 'END' | 'NEXT' | undefined,
  ) {}
}

let current: ResolverEvaluation | undefined;

/** Runs a (synchronous) handler with `evaluation` as the one `util`, `extensions` and `runtime` act on. */
export function withEvaluation<T>(evaluation: ResolverEvaluation, run: () => T): T {
  const previous = current;
  current = evaluation;
  try {
    return run();
  } finally {
    current = previous;
  }
}

/** The evaluation in progress; a utility called outside one is a bug in the engine or a test. */
export function currentEvaluation(what: string): ResolverEvaluation {
  if (!current) {
    throw new Error(
      `${what} was called outside a resolver evaluation (run the handler through withEvaluation)`,
    );
  }
  return current;
}
