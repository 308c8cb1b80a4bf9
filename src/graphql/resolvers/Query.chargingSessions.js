/** `Query.chargingSessions`: the tenant's charging sessions (ChargingSessionsTable), newest first. */
import { READERS, requireUser } from './lib/identity.js';
import { orNull, recordsQuery } from './lib/records.js';
import { failOnDataSourceError } from './lib/results.js';

/** Keyed by the caller's tenant (or one vehicle, tenant-filtered): no argument can reach another tenant. */
export function request(ctx) {
  const caller = requireUser(ctx, READERS);
  return recordsQuery(ctx, caller, { sortKey: 'sessionKey' });
}

/** Items as `ChargingSession`s; `currentType` in the schema's lower case. */
export function response(ctx) {
  failOnDataSourceError(ctx, 'Listing charging sessions');
  const items = ctx.result.items.map((item) => ({
    id: item.sessionId,
    vehicleId: item.vehicleId,
    startedAt: item.startedAt,
    endedAt: orNull(item.endedAt),
    currentType: item.currentType ? item.currentType.toLowerCase() : null,
    energyAddedKwh: orNull(item.energyAddedKwh),
    maxPowerKw: orNull(item.maxPowerKw),
    location: orNull(item.position),
    durationSeconds: orNull(item.durationSeconds),
    fastChargerType: orNull(item.fastChargerType),
    startBatteryLevelPercent: orNull(item.startBatteryLevelPercent),
    endBatteryLevelPercent: orNull(item.endBatteryLevelPercent),
    chargeLimitPercent: orNull(item.chargeLimitPercent),
    endReason: orNull(item.endReason),
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
