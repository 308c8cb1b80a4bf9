/**
 * `Query.telemetryHistory` (TelemetryHistoryTable): one vehicle's downsampled history, oldest first. The
 * partition key is `<tenant>#<vehicleId>` with the tenant from the caller's identity, so another tenant's
 * vehicle id finds nothing. Expired items are filtered out: DynamoDB's TTL deletes up to days late, and the
 * offline edge never does.
 */
import { util } from '@aws-appsync/utils';
import { READERS, requireUser } from './lib/identity.js';
import { badRequest, pageLimit, timeRangeArgs, vehicleIdArg } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

/** The earliest and latest instants an ISO sort key can hold: bounds of an open range. */
const EARLIEST = '0000-01-01T00:00:00.000Z';
const LATEST = '9999-12-31T23:59:59.999Z';

/** An AWSDateTime as the table's sort key writes it (UTC, milliseconds), so strings compare as times. */
function sortKeyOf(value, fallback) {
  if (!value) {
    return fallback;
  }
  return util.time.epochMilliSecondsToISO8601(util.time.parseISO8601ToEpochMilliSeconds(value));
}

/** The optional signal names: 1-50 of them, each a Tesla field name. */
function signalsArg(value) {
  if (value === null || value === undefined) {
    return null;
  }
  if (value.length < 1 || value.length > 50) {
    badRequest(`signals must name 1 to 50 signals; got ${value.length}.`);
  }
  for (const name of value) {
    if (!util.matches('[A-Za-z][A-Za-z0-9_]{0,63}', name)) {
      badRequest('signals must be signal names such as VehicleSpeed (letters, digits, _).');
    }
  }
  return value;
}

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  const vehicleId = vehicleIdArg(ctx.args.vehicleId, 'vehicleId');
  const range = timeRangeArgs(ctx.args.from, ctx.args.to);
  signalsArg(ctx.args.signals);
  return {
    operation: 'Query',
    query: {
      expression: '#key = :key AND #at BETWEEN :from AND :to',
      expressionNames: { '#key': 'vehicleKey', '#at': 'at' },
      expressionValues: util.dynamodb.toMapValues({
        ':key': `${caller.tenantId}#${vehicleId}`,
        ':from': sortKeyOf(range.from, EARLIEST),
        ':to': sortKeyOf(range.to, LATEST),
      }),
    },
    filter: {
      expression: '#ttl > :now',
      expressionNames: { '#ttl': 'ttl' },
      expressionValues: util.dynamodb.toMapValues({ ':now': util.time.nowEpochSeconds() }),
    },
    scanIndexForward: true,
    limit: pageLimit(ctx.args.limit, 1000, 100),
    nextToken: ctx.args.nextToken ?? null,
  };
}

/** Items as `TelemetryPoint`s; with `signals`, only those signals, and only items that hold one of them. */
export function response(ctx) {
  failOnDataSourceError(ctx, 'Reading the telemetry history');
  const vehicleId = ctx.args.vehicleId;
  const wanted = ctx.args.signals ?? null;
  const items = [];
  for (const item of ctx.result.items) {
    let signals = item.signals ?? {};
    if (wanted) {
      const picked = {};
      let found = false;
      for (const name of wanted) {
        if (signals[name] !== undefined) {
          picked[name] = signals[name];
          found = true;
        }
      }
      signals = found ? picked : null;
    }
    if (signals) {
      items.push({ vehicleId, at: item.at, signals });
    }
  }
  return { items, nextToken: ctx.result.nextToken ?? null };
}
