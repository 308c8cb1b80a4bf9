/** `Query.alerts`: the tenant's alerts (AlertsTable), newest first, optionally of one vehicle or status. */
import { READERS, requireUser } from './lib/identity.js';
import { alertOf } from './lib/alerts.js';
import { recordsQuery } from './lib/records.js';
import { failOnDataSourceError } from './lib/results.js';

/** By the caller's tenant through `byTenant` (sorted by start), or one vehicle's, tenant-filtered. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return recordsQuery(ctx, caller, { tenantIndex: 'byTenant', status: ctx.args.status ?? null });
}

export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing alerts');
  return { items: ctx.result.items.map(alertOf), nextToken: ctx.result.nextToken ?? null };
}
