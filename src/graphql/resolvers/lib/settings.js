/** Checks of the tenant's settings: geofence and alert-rule inputs, shared by their create and update mutations. */
import { util } from '@aws-appsync/utils';
import { badRequest, locationArg } from './input.js';

/** A Tesla field name, as the event catalog's `SignalName`. */
export const SIGNAL_NAME_PATTERN = '[A-Za-z0-9_]{1,64}';

/** A display name of 1-128 characters. */
export function nameArg(value, name) {
  if (value !== null && value !== undefined && (value.trim() === '' || value.length > 128)) {
    badRequest(`${name} must be 1-128 characters and not blank.`);
  }
  return value;
}

/**
 * A geofence's shape: a circle needs `center` and `radiusMeters` (10 m to 100 km), a polygon 3 to 100
 * corners. `kind` is null on update, where any given part is checked on its own.
 */
export function geofenceShapeArgs(input, kind) {
  if (input.center !== null && input.center !== undefined) {
    locationArg(input.center, 'input.center');
  }
  const radius = input.radiusMeters;
  // 10 m: a smaller circle is inside GPS accuracy and would make only jitter (as FleetConfig checks).
  if (radius !== null && radius !== undefined && !(radius >= 10 && radius <= 100000)) {
    badRequest(`input.radiusMeters must be 10–100000; got ${radius}.`);
  }
  const polygon = input.polygon;
  if (polygon !== null && polygon !== undefined) {
    if (polygon.length < 3 || polygon.length > 100) {
      badRequest(`input.polygon must have 3 to 100 corners; got ${polygon.length}.`);
    }
    for (const corner of polygon) {
      locationArg(corner, 'input.polygon[]');
    }
  }
  if (kind === 'circle' && (!input.center || radius === null || radius === undefined)) {
    badRequest('A circle geofence needs input.center and input.radiusMeters.');
  }
  if (kind === 'polygon' && !polygon) {
    badRequest('A polygon geofence needs input.polygon.');
  }
}

/** An alert rule's condition and timing. */
export function alertRuleArgs(input) {
  if (input.condition) {
    if (!util.matches(SIGNAL_NAME_PATTERN, input.condition.signal)) {
      badRequest('input.condition.signal must be a Tesla field name: 1-64 characters of A-Z a-z 0-9 _.');
    }
  }
  const forSeconds = input.forSeconds;
  if (forSeconds !== null && forSeconds !== undefined && (forSeconds < 0 || forSeconds > 86400)) {
    badRequest(`input.forSeconds must be between 0 and 86400; got ${forSeconds}.`);
  }
}
