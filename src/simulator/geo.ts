/**
 * Just enough geodesy for vehicles moving a few kilometres: a spherical Earth, exact for the bearing
 * and distance tests and far more precise than a GPS.
 */

import type { LocationValue } from '../domain/tesla/index.ts';

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Normalizes an angle to [0, 360). */
export function normalizeDegrees(degrees: number): number {
  const d = degrees % 360;
  return d < 0 ? d + 360 : d;
}

/** The signed smallest turn from `from` to `to`, in (-180, 180]. */
export function turnDegrees(from: number, to: number): number {
  const d = normalizeDegrees(to - from);
  return d > 180 ? d - 360 : d;
}

/** Great-circle distance in metres. */
export function distanceMeters(a: LocationValue, b: LocationValue): number {
  const dLat = (b.latitude - a.latitude) * RAD;
  const dLon = (b.longitude - a.longitude) * RAD;
  const s =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * RAD) * Math.cos(b.latitude * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Initial bearing from `a` to `b`, degrees clockwise from north in [0, 360). */
export function bearingDegrees(a: LocationValue, b: LocationValue): number {
  const phi1 = a.latitude * RAD;
  const phi2 = b.latitude * RAD;
  const dLon = (b.longitude - a.longitude) * RAD;
  const y = Math.sin(dLon) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLon);
  return normalizeDegrees(Math.atan2(y, x) / RAD);
}

/** The point `meters` away from `from` along `bearing` (degrees clockwise from north). */
export function destination(from: LocationValue, bearing: number, meters: number): LocationValue {
  const delta = meters / EARTH_RADIUS_M;
  const theta = bearing * RAD;
  const phi1 = from.latitude * RAD;
  const lambda1 = from.longitude * RAD;
  const phi2 = Math.asin(
    Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta),
  );
  const lambda2 =
    lambda1 +
    Math.atan2(
      Math.sin(theta) * Math.sin(delta) * Math.cos(phi1),
      Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2),
    );
  return { latitude: phi2 / RAD, longitude: ((lambda2 / RAD + 540) % 360) - 180 };
}
