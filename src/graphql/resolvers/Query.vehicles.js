/** `Query.vehicles`: the tenant's vehicles from the vehicles table's `byTenant` index (VehiclesTable). */
import { util } from '@aws-appsync/utils';
import { READERS, requireUser } from './lib/identity.js';
import { pageLimit } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

/** A DynamoDB Query keyed by the caller's tenant: the index cannot return another tenant's vehicles. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Query',
    index: 'byTenant',
    query: {
      expression: '#tenant = :tenant',
      expressionNames: { '#tenant': 'tenantId' },
      expressionValues: util.dynamodb.toMapValues({ ':tenant': caller.tenantId }),
    },
    limit: pageLimit(ctx.args.limit, 100, 50),
    nextToken: ctx.args.nextToken ?? null,
  };
}

/** Items as `Vehicle`s; `state` has its own resolver. */
export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing vehicles');
  const items = ctx.result.items.map((item) => ({
    id: item.vehicleId,
    name: item.name,
    registeredAt: item.registeredAt,
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
