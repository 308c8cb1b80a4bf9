/**
 * Reading the records of trips, charging sessions and alerts (the `trips`, `charging-sessions` and
 * `alerts` tables): one DynamoDB Query, by the caller's tenant or by one vehicle through the `byVehicle`
 * index with the tenant checked, newest first, in a time range, without expired items.
 */
import { util } from '@aws-appsync/utils';
import { optionalVehicleIdArg, pageLimit, timeRangeArgs } from './input.js';

/** Above every ISO instant ('~' sorts after digits, `Z` and `#`): an open end of a range. */
const AFTER_EVERYTHING = '~';
/** Below every ISO instant. */
const BEFORE_EVERYTHING = '0';

/**
 * An AWSDateTime as the records store instants (UTC, with milliseconds), so comparing strings compares
 * times whatever offset or precision the client wrote.
 */
export function instantKey(value) {
  const iso = util.time.epochMilliSecondsToISO8601(util.time.parseISO8601ToEpochMilliSeconds(value));
  // Whole seconds may come back without milliseconds; stored instants always have them.
  if (iso.length === 20) {
    return `${iso.slice(0, 19)}.000Z`;
  }
  return iso;
}

/**
 * The Query request for a page of records. By tenant, on the table's `sortKey` (`<startedAt>#<id>`), or on
 * `options.tenantIndex` (sorted by `startedAt`) when the sort key is no time; by vehicle, on `byVehicle`.
 * Every order is by start time, so `from`/`to` bound the start; `to` is inclusive ('~' after it keeps what
 * starts exactly then).
 */
export function recordsQuery(ctx, caller, options) {
  const vehicleId = optionalVehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  const range = timeRangeArgs(ctx.args.from, ctx.args.to);
  const low = range.from ? instantKey(range.from) : BEFORE_EVERYTHING;
  const high = range.to ? `${instantKey(range.to)}${AFTER_EVERYTHING}` : AFTER_EVERYTHING;

  const names = { '#ttl': 'ttl' };
  const values = { ':now': util.time.nowEpochSeconds() };
  // No TTL offline (dynalite), and DynamoDB deletes expired items only within days: never serve them.
  const conditions = ['(attribute_not_exists(#ttl) OR #ttl > :now)'];
  if (options.status) {
    names['#status'] = 'status';
    values[':status'] = options.status;
    conditions.push('#status = :status');
  }

  let index = options.tenantIndex ?? null;
  let query;
  if (vehicleId) {
    // The index is keyed by vehicle; the filter keeps another tenant's items out even if ids were shared.
    index = 'byVehicle';
    names['#tenant'] = 'tenantId';
    values[':tenant'] = caller.tenantId;
    conditions.push('#tenant = :tenant');
    query = {
      expression: '#vehicle = :vehicle AND #start BETWEEN :low AND :high',
      expressionNames: { '#vehicle': 'vehicleId', '#start': 'startedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':vehicle': vehicleId, ':low': low, ':high': high }),
    };
  } else {
    query = {
      expression: '#pk = :pk AND #sk BETWEEN :low AND :high',
      expressionNames: { '#pk': 'tenantId', '#sk': index ? 'startedAt' : options.sortKey },
      expressionValues: util.dynamodb.toMapValues({ ':pk': caller.tenantId, ':low': low, ':high': high }),
    };
  }

  const request = {
    operation: 'Query',
    query,
    filter: {
      expression: conditions.join(' AND '),
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
    scanIndexForward: false,
    limit: pageLimit(ctx.args.limit, 100, 50),
    nextToken: ctx.args.nextToken ?? null,
  };
  if (index) {
    request.index = index;
  }
  return request;
}

/** A value or null (DynamoDB items leave absent what was never written). */
export function orNull(value) {
  if (value === undefined) {
    return null;
  }
  return value;
}
