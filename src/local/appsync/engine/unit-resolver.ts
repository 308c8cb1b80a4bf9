/**
 * One unit resolver run, as AppSync runs it: the request handler builds a request document, the data
 * source answers it, the response handler turns `ctx.result` / `ctx.error` into the field's value.
 * `util.error` stops either handler and fails the field; `runtime.earlyReturn` in the request handler
 * skips the data source and the response handler.
 */
import { EarlyReturn, ResolverError, withEvaluation, type ResolverEvaluation } from '../utils/index.ts';
import type { DataSourceHandler } from './data-sources.ts';
import { AppSyncFieldError } from './errors.ts';
import type { LoadedResolver } from './resolver-loader.ts';

/** The `ctx` a handler receives (AppSync's context object, the subset Fleetwire's runtime fills). */
export interface ResolverContext {
  readonly arguments: Record<string, unknown>;
  readonly args: Record<string, unknown>;
  readonly identity: Record<string, unknown> | null;
  readonly source: unknown;
  readonly stash: Record<string, unknown>;
  readonly prev: { readonly result: unknown };
  readonly request: { readonly headers: Record<string, string>; readonly domainName: null };
  readonly info: {
    readonly fieldName: string;
    readonly parentTypeName: string;
    readonly variables: Record<string, unknown>;
    readonly selectionSetList: string[];
    readonly selectionSetGraphQL: string;
  };
  readonly env: Record<string, string>;
  result?: unknown;
  error?: { readonly message: string; readonly type: string };
}

/** `util.error` / `util.unauthorized` as the field error they are. */
function fieldError(error: ResolverError): AppSyncFieldError {
  return new AppSyncFieldError(error.message, error.errorType, error.data, error.errorInfo);
}

/** Runs one handler; an early return is its result, a resolver error the field's error. */
function runHandler(
  handler: (ctx: unknown) => unknown,
  ctx: ResolverContext,
  evaluation: ResolverEvaluation,
) {
  try {
    return { value: withEvaluation(evaluation, () => handler(ctx)), early: false };
  } catch (error) {
    if (error instanceof EarlyReturn) return { value: error.value, early: true };
    if (error instanceof ResolverError) throw fieldError(error);
    throw error;
  }
}

/**
 * Runs `resolver` against `dataSource` with `ctx`, recording `util`/`extensions` side effects in
 * `evaluation`, and answers the field's value.
 *
 * @throws AppSyncFieldError for `util.error` and `util.unauthorized`; anything else is a bug in the
 *   resolver or a malformed request document (the engine reports it as an internal failure).
 */
export async function runUnitResolver(
  resolver: LoadedResolver,
  dataSource: DataSourceHandler,
  ctx: ResolverContext,
  evaluation: ResolverEvaluation,
): Promise<unknown> {
  const request = runHandler(resolver.request, ctx, evaluation);
  if (request.early) return request.value;
  const outcome = await dataSource(request.value);
  ctx.result = outcome.result;
  if (outcome.error) ctx.error = outcome.error;
  return runHandler(resolver.response, ctx, evaluation).value;
}
