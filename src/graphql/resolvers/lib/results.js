/**
 * Turning data source outcomes into field values or errors. AppSync does not raise a data source's error
 * by itself: a response handler that ignores `ctx.error` silently answers null, so every handler here
 * goes through one of these.
 */
import { util } from '@aws-appsync/utils';

/**
 * Fails the field when the data source failed. The data source's own message stays in AppSync's logs:
 * it can name tables, functions or hosts, which clients have no use for. A DynamoDB validation error with
 * a `nextToken` argument is the client's doing (a token from another query), and says so.
 */
export function failOnDataSourceError(ctx, what) {
  if (ctx.error) {
    if (ctx.args.nextToken && ctx.error.type === 'DynamoDB:ValidationException') {
      util.error('nextToken does not belong to this query; start again without it.', 'BadRequest');
    }
    util.error(`${what} failed; try again.`, 'InternalFailure');
  }
}

/**
 * The data of a Fleetwire Lambda data source's answer, `{ data }` or `{ error: { type, message } }`:
 * expected failures (bad input, conflicts) come back as values with a precise message, unexpected ones
 * as a failed invocation (`ctx.error`).
 */
export function lambdaData(ctx, what) {
  failOnDataSourceError(ctx, what);
  const result = ctx.result;
  if (!result) {
    util.error(`${what} failed; try again.`, 'InternalFailure');
  }
  if (result.error) {
    util.error(result.error.message, result.error.type);
  }
  return result.data;
}

/** Throws `NotImplemented` for a field a later issue implements, after the caller passed its checks. */
export function notImplemented(ctx, arrival) {
  util.error(
    `${ctx.info.parentTypeName}.${ctx.info.fieldName} is not available yet: it arrives with ${arrival}.`,
    'NotImplemented',
  );
}
