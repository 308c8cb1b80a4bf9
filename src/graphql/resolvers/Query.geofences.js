/**
 * `Query.geofences`: the tenant's geofences from the geofences table (GeofencesTable), keyed by the
 * caller's tenant, so no other tenant's can come back. Items map to `Geofence` as FleetConfig's
 * `geofenceView` does.
 */
import { util } from '@aws-appsync/utils';
import { READERS, requireUser } from './lib/identity.js';
import { pageLimit } from './lib/input.js';
import { failOnDataSourceError } from './lib/results.js';

export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return {
    operation: 'Query',
    query: {
      expression: '#tenant = :tenant',
      expressionNames: { '#tenant': 'tenantId' },
      expressionValues: util.dynamodb.toMapValues({ ':tenant': caller.tenantId }),
    },
    limit: pageLimit(ctx.args.limit, 100, 50),
    nextToken: ctx.args.nextToken ?? null,
  };
}

export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing geofences');
  const items = ctx.result.items.map((item) => {
    const circle = item.shape.kind === 'circle';
    return {
      id: item.geofenceId,
      name: item.name,
      kind: item.shape.kind,
      center: circle ? item.shape.center : null,
      radiusMeters: circle ? item.shape.radiusMeters : null,
      polygon: circle ? null : item.shape.points,
      version: item.version,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
    };
  });
  return { items, nextToken: ctx.result.nextToken ?? null };
}
