/**
 * Argument checks with precise `BadRequest` messages. GraphQL has already checked the types; these check
 * what types cannot say (ranges, identifier shapes). A rejected value is described, never echoed: a
 * mistyped field could hold a VIN, and error messages end up in logs.
 */
import { util } from '@aws-appsync/utils';

/** The pseudonymous vehicle id: 22 URL-safe base64 characters (see the event catalog's `VehicleId`). */
export const VEHICLE_ID_PATTERN = '[A-Za-z0-9_-]{22}';
/** A VIN (ISO 3779): 17 characters without I, O, Q. */
export const VIN_PATTERN = '[A-HJ-NPR-Za-hj-npr-z0-9]{17}';
/** An id Fleetwire mints (command, alert, geofence, rule, trip): 1-80 URL-safe characters. */
export const ENTITY_ID_PATTERN = '[A-Za-z0-9_-]{1,80}';

/** Throws `BadRequest` with `message`. */
export function badRequest(message) {
  util.error(message, 'BadRequest');
}

/** A page size: `fallback` when absent, else 1..`max`. */
export function pageLimit(value, max, fallback) {
  if (value === null || value === undefined) {
    return fallback;
  }
  if (value < 1 || value > max) {
    badRequest(`limit must be between 1 and ${max}; got ${value}.`);
  }
  return value;
}

/** A vehicle id argument; a VIN gets its own message, since that is the likely mistake. */
export function vehicleIdArg(value, name) {
  if (typeof value !== 'string' || !util.matches(VEHICLE_ID_PATTERN, value)) {
    if (typeof value === 'string' && util.matches(VIN_PATTERN, value)) {
      badRequest(
        `${name} looks like a VIN. The API names vehicles by the pseudonymous id registerVehicle returned (22 characters).`,
      );
    }
    const length = typeof value === 'string' ? value.length : 0;
    badRequest(`${name} must be a vehicle id: 22 characters of A-Z a-z 0-9 _ -; got ${length} characters.`);
  }
  return value;
}

/** An optional vehicle id argument. */
export function optionalVehicleIdArg(value, name) {
  if (value === null || value === undefined) {
    return null;
  }
  return vehicleIdArg(value, name);
}

/** An id Fleetwire minted (command, alert, geofence, rule). */
export function entityIdArg(value, name) {
  if (typeof value !== 'string' || !util.matches(ENTITY_ID_PATTERN, value)) {
    const length = typeof value === 'string' ? value.length : 0;
    badRequest(`${name} must be an id: 1-80 characters of A-Z a-z 0-9 _ -; got ${length} characters.`);
  }
  return value;
}

/** An optional id Fleetwire minted. */
export function optionalEntityIdArg(value, name) {
  if (value === null || value === undefined) {
    return null;
  }
  return entityIdArg(value, name);
}

/** A `from`/`to` pair of AWSDateTime arguments: `from` must not be after `to`. */
export function timeRangeArgs(from, to) {
  if (from && to) {
    const start = util.time.parseISO8601ToEpochMilliSeconds(from);
    const end = util.time.parseISO8601ToEpochMilliSeconds(to);
    if (start > end) {
      badRequest('from must not be after to.');
    }
  }
  return { from: from ?? null, to: to ?? null };
}

/** A latitude/longitude pair in range. */
export function locationArg(value, name) {
  if (value.latitude < -90 || value.latitude > 90) {
    badRequest(`${name}.latitude must be between -90 and 90; got ${value.latitude}.`);
  }
  if (value.longitude < -180 || value.longitude > 180) {
    badRequest(`${name}.longitude must be between -180 and 180; got ${value.longitude}.`);
  }
  return { latitude: value.latitude, longitude: value.longitude };
}

/** An empty page, for the lists later issues fill. */
export function emptyPage() {
  return { items: [], nextToken: null };
}

/**
 * The fields selected directly under `prefix` (`''` for the field's own selection, `'vehicles/'` for a
 * list inside it), from AppSync's `ctx.info.selectionSetList`, so a reader fetches only what is asked.
 */
export function selectedFields(ctx, prefix) {
  return ctx.info.selectionSetList
    .filter((path) => path.startsWith(prefix) && path.slice(prefix.length).indexOf('/') < 0)
    .map((path) => path.slice(prefix.length));
}
