/**
 * Errors as AppSync sends them: `{ path, data, errorType, errorInfo, locations, message }`, with
 * `sourceName` in each location and never a stack trace or an internal message.
 */
import { GraphQLError, type ASTNode, type GraphQLFormattedError } from 'graphql';

/** An error in AppSync's shape. */
export interface AppSyncFormattedError extends GraphQLFormattedError {
  readonly errorType?: string | null;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

/** What a field failed with: `util.error`, `util.unauthorized`, an auth directive, a failing back end. */
export class AppSyncFieldError extends Error {
  override readonly name = 'AppSyncFieldError';
  constructor(
    message: string,
    readonly errorType: string | null,
    readonly errorData: unknown = null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

/** The message every unexpected failure answers with: the details go to the engine's log, not the client. */
export const INTERNAL_FAILURE_MESSAGE = 'An internal failure occurred while resolving this field.';

/** A GraphQL error that serializes (`toJSON`, `JSON.stringify`) the way AppSync does. */
export class AppSyncGraphQLError extends GraphQLError {
  /** Whether a resolver (or the engine on its behalf) raised it: such errors carry type, data and info. */
  readonly fromResolver: boolean;
  readonly errorType: string | null;
  readonly errorInfo: unknown;
  readonly errorData: unknown;

  constructor(
    message: string,
    options: {
      readonly nodes?: ASTNode | readonly ASTNode[] | null | undefined;
      readonly path?: readonly (string | number)[] | undefined;
      readonly positions?: readonly number[] | undefined;
      readonly source?: GraphQLError['source'];
      readonly fromResolver?: boolean;
      readonly errorType?: string | null;
      readonly errorInfo?: unknown;
      readonly data?: unknown;
    },
  ) {
    super(message, {
      nodes: options.nodes ?? null,
      ...(options.path ? { path: options.path } : {}),
      ...(options.positions ? { positions: options.positions } : {}),
      ...(options.source ? { source: options.source } : {}),
    });
    this.fromResolver = options.fromResolver ?? false;
    this.errorType = options.errorType ?? null;
    this.errorInfo = options.errorInfo ?? null;
    this.errorData = options.data ?? null;
  }

  /** Resolver errors carry `errorType`, `data` and `errorInfo`; validation errors only a message. */
  override toJSON(): AppSyncFormattedError {
    const locations = this.locations?.map(({ line, column }) => ({ line, column, sourceName: null }));
    return {
      ...(this.path ? { path: this.path } : {}),
      ...(this.fromResolver
        ? { data: this.errorData, errorType: this.errorType, errorInfo: this.errorInfo }
        : {}),
      ...(locations ? { locations } : {}),
      message: this.message,
    };
  }
}

/**
 * An error graphql-js produced, in AppSync's shape. Errors resolvers meant (`AppSyncFieldError`) keep their
 * type and message; errors of the request itself (validation, variables, scalars) keep their precise
 * message; anything else is a bug or an outage and becomes `InternalFailure` with a generic message,
 * reported through `report`.
 */
export function toAppSyncError(error: GraphQLError, report: (error: unknown) => void): AppSyncGraphQLError {
  if (error instanceof AppSyncGraphQLError) return error;
  const original = error.originalError;
  const located = {
    nodes: error.nodes,
    path: error.path,
    positions: error.positions,
    source: error.source,
  };
  if (original instanceof AppSyncFieldError) {
    return new AppSyncGraphQLError(original.message, {
      ...located,
      fromResolver: true,
      errorType: original.errorType,
      data: original.errorData,
      errorInfo: original.errorInfo,
    });
  }
  if (original === undefined || original === null || original instanceof GraphQLError) {
    return new AppSyncGraphQLError(error.message, located);
  }
  report(original);
  return new AppSyncGraphQLError(INTERNAL_FAILURE_MESSAGE, {
    ...located,
    fromResolver: true,
    errorType: 'InternalFailure',
  });
}
