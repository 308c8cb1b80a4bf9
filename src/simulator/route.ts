/**
 * Routes through a street grid: a vehicle does not fly to its destination, it drives blocks along two
 * perpendicular street directions, with faster arterials and highways for the long stretches, turns
 * at the corners and red lights at some of them.
 */

import type { LocationValue } from '../domain/tesla/index.ts';
import { bearingDegrees, destination, distanceMeters, normalizeDegrees } from './geo.ts';
import type { Rng } from './random.ts';

/** One corner of a route: where the vehicle turns (or arrives), and how it drives the leg to it. */
export interface Waypoint {
  readonly position: LocationValue;
  /** The speed limit of the leg that ends here, km/h. */
  readonly limitKph: number;
  /** A red light at this corner: the vehicle stops before turning. */
  readonly redLight: boolean;
}

/** How the city's streets run. */
export interface StreetGrid {
  /** Bearing of one street direction, degrees from north; the other is perpendicular. */
  readonly bearing: number;
  /** Length of one block, metres. */
  readonly blockMeters: number;
}

function limitFor(rng: Rng, legMeters: number): number {
  if (legMeters > 5_000) return rng.pick([100, 110, 120, 130]);
  if (legMeters > 2_000) return rng.pick([70, 80, 90]);
  if (legMeters > 600) return rng.pick([50, 60]);
  return rng.pick([30, 40, 50]);
}

/**
 * A route from `from` to `to` along the grid: legs alternate between the two street directions, each
 * a random number of blocks long, until the destination is reached. The last waypoint is `to`.
 */
export function planRoute(rng: Rng, from: LocationValue, to: LocationValue, grid: StreetGrid): Waypoint[] {
  const total = distanceMeters(from, to);
  const direction = bearingDegrees(from, to);
  // The displacement in grid coordinates: metres along each street direction (a plane is exact enough).
  const relative = ((direction - grid.bearing) * Math.PI) / 180;
  const remaining = [total * Math.cos(relative), total * Math.sin(relative)];
  const waypoints: Waypoint[] = [];
  let position = from;
  let axis = rng.chance(0.5) ? 0 : 1;
  for (let guard = 0; guard < 64; guard += 1) {
    const along = remaining[axis] ?? 0;
    const other = remaining[1 - axis] ?? 0;
    if (Math.abs(along) < 1 && Math.abs(other) < 1) break;
    if (Math.abs(along) >= 1) {
      const blocks = Math.abs(along) / grid.blockMeters;
      // Finish this direction when the other one is done or little is left; else drive part of it.
      const done = Math.abs(other) < 1 || blocks <= 2 || rng.chance(0.35);
      const leg = done
        ? Math.abs(along)
        : Math.min(Math.abs(along), rng.int(1, Math.ceil(blocks)) * grid.blockMeters);
      const bearing = normalizeDegrees(grid.bearing + axis * 90 + (along < 0 ? 180 : 0));
      position = destination(position, bearing, leg);
      remaining[axis] = along - Math.sign(along) * leg;
      waypoints.push({ position, limitKph: limitFor(rng, leg), redLight: rng.chance(0.25) });
    }
    axis = 1 - axis;
  }
  // The plane approximation leaves centimetres: end exactly at the destination.
  const last = waypoints.pop();
  waypoints.push({ position: to, limitKph: last?.limitKph ?? 30, redLight: false });
  return waypoints;
}

/** A uniformly random point within `radiusMeters` of `center`. */
export function randomPointNear(rng: Rng, center: LocationValue, radiusMeters: number): LocationValue {
  return destination(center, rng.between(0, 360), radiusMeters * Math.sqrt(rng.next()));
}
