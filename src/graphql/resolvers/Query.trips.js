/** `Query.trips`: the tenant's trips from the trips table (TripsTable), newest first. */
import { READERS, requireUser } from './lib/identity.js';
import { orNull, recordsQuery } from './lib/records.js';
import { failOnDataSourceError } from './lib/results.js';

/** Keyed by the caller's tenant (or one vehicle, tenant-filtered): no argument can reach another tenant. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return recordsQuery(ctx, caller, { sortKey: 'tripKey' });
}

/** Items as `Trip`s. */
export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing trips');
  const items = ctx.result.items.map((item) => ({
    id: item.tripId,
    vehicleId: item.vehicleId,
    startedAt: item.startedAt,
    endedAt: orNull(item.endedAt),
    durationSeconds: orNull(item.durationSeconds),
    distanceKm: orNull(item.distanceKm),
    energyUsedKwh: orNull(item.energyUsedKwh),
    startPosition: orNull(item.startPosition),
    endPosition: orNull(item.endPosition),
    routePolyline: orNull(item.routePolyline),
    startOdometerKm: orNull(item.startOdometerKm),
    endOdometerKm: orNull(item.endOdometerKm),
    startBatteryLevelPercent: orNull(item.startBatteryLevelPercent),
    endBatteryLevelPercent: orNull(item.endBatteryLevelPercent),
    maxSpeedKph: orNull(item.maxSpeedKph),
    averageSpeedKph: orNull(item.averageSpeedKph),
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
