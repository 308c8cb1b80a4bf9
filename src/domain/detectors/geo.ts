/**
 * Geometry for trips and geofences: great-circle distance, distances in a local plane, point in
 * polygon, route thinning and Google's encoded polyline. Written for positions a vehicle drives through:
 * local planes are accurate to well under a metre over a few kilometres, which is what a geofence edge
 * or a route segment spans.
 */
import type { LocationValue } from '../tesla/types.ts';

/** The mean Earth radius, m (IUGG). */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function haversineMeters(a: LocationValue, b: LocationValue): number {
  const dLat = (b.latitude - a.latitude) * RAD;
  const dLon = (b.longitude - a.longitude) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * RAD) * Math.cos(b.latitude * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A point in a local east/north plane, metres from an origin. */
interface PlanePoint {
  readonly x: number;
  readonly y: number;
}

/** Projects a position onto the equirectangular plane around `origin` (longitudes wrapped at ±180°). */
function project(origin: LocationValue, point: LocationValue): PlanePoint {
  let dLon = point.longitude - origin.longitude;
  if (dLon > 180) dLon -= 360;
  else if (dLon < -180) dLon += 360;
  return {
    x: dLon * RAD * EARTH_RADIUS_M * Math.cos(origin.latitude * RAD),
    y: (point.latitude - origin.latitude) * RAD * EARTH_RADIUS_M,
  };
}

/** Distance from point p to segment ab in the plane. */
function segmentDistance(p: PlanePoint, a: PlanePoint, b: PlanePoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t =
    lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * Signed distance from a position to a polygon's boundary, metres: negative inside, positive outside.
 * Inside is decided by ray casting (even-odd), in the plane around the position itself so that the
 * position's own neighbourhood is the least distorted.
 */
export function signedDistanceToPolygon(position: LocationValue, polygon: readonly LocationValue[]): number {
  const origin = { x: 0, y: 0 };
  const points = polygon.map((vertex) => project(position, vertex));
  let inside = false;
  let nearest = Infinity;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i]!;
    const b = points[j]!;
    if (a.y > 0 !== b.y > 0 && 0 < ((b.x - a.x) * (0 - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    nearest = Math.min(nearest, segmentDistance(origin, a, b));
  }
  return inside ? -nearest : nearest;
}

/** Signed distance from a position to a circle's boundary, metres: negative inside. */
export function signedDistanceToCircle(
  position: LocationValue,
  center: LocationValue,
  radiusMeters: number,
): number {
  return haversineMeters(position, center) - radiusMeters;
}

/** A route point in 1e-5 degrees (the polyline's precision): integers, exact in JSON and in the encoding. */
export type E5Point = [latitudeE5: number, longitudeE5: number];

/** A position at the polyline's precision. */
export function toE5(position: LocationValue): E5Point {
  return [Math.round(position.latitude * 1e5), Math.round(position.longitude * 1e5)];
}

/** An {@link E5Point} as a position. */
export function fromE5(point: E5Point): LocationValue {
  return { latitude: point[0] / 1e5, longitude: point[1] / 1e5 };
}

/**
 * Douglas-Peucker simplification: keeps the first and last points and, recursively, any point farther
 * than `toleranceMeters` from the chord of its stretch. Iterative (an explicit stack), so a long route
 * cannot overflow the call stack.
 */
export function simplify(points: readonly E5Point[], toleranceMeters: number): E5Point[] {
  if (points.length <= 2 || toleranceMeters <= 0) return [...points];
  const keep = new Array<boolean>(points.length).fill(false);
  keep[0] = true;
  keep[points.length - 1] = true;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    const origin = fromE5(points[first]!);
    const a = { x: 0, y: 0 };
    const b = project(origin, fromE5(points[last]!));
    let farthest = -1;
    let farthestDistance = toleranceMeters;
    for (let i = first + 1; i < last; i++) {
      const distance = segmentDistance(project(origin, fromE5(points[i]!)), a, b);
      if (distance > farthestDistance) {
        farthest = i;
        farthestDistance = distance;
      }
    }
    if (farthest < 0) continue;
    keep[farthest] = true;
    stack.push([first, farthest], [farthest, last]);
  }
  return points.filter((_, i) => keep[i]);
}

/**
 * Thins a route to at most `max` points by repeatedly dropping the interior point that deviates least
 * from the chord of its neighbours (the one whose loss changes the shape least; ties drop the earliest).
 * The first and last points always stay. Deterministic.
 */
export function capPoints(points: readonly E5Point[], max: number): E5Point[] {
  const result = [...points];
  while (result.length > Math.max(2, max)) {
    let weakest = 1;
    let weakestDeviation = Infinity;
    for (let i = 1; i < result.length - 1; i++) {
      const origin = fromE5(result[i]!);
      const deviation = segmentDistance(
        { x: 0, y: 0 },
        project(origin, fromE5(result[i - 1]!)),
        project(origin, fromE5(result[i + 1]!)),
      );
      if (deviation < weakestDeviation) {
        weakest = i;
        weakestDeviation = deviation;
      }
    }
    result.splice(weakest, 1);
  }
  return result;
}

/** One signed value in Google's polyline encoding. */
function encodeValue(value: number): string {
  let rest = value < 0 ? ~(value << 1) : value << 1;
  let text = '';
  while (rest >= 0x20) {
    text += String.fromCharCode((0x20 | (rest & 0x1f)) + 63);
    rest >>>= 5;
  }
  return text + String.fromCharCode(rest + 63);
}

/** Google's encoded polyline (precision 5) of points already at that precision. */
export function encodePolyline(points: readonly E5Point[]): string {
  let text = '';
  let previousLat = 0;
  let previousLon = 0;
  for (const [lat, lon] of points) {
    text += encodeValue(lat - previousLat) + encodeValue(lon - previousLon);
    previousLat = lat;
    previousLon = lon;
  }
  return text;
}

/** Decodes a precision-5 polyline: for tests and for consumers inside Fleetwire. */
export function decodePolyline(text: string): E5Point[] {
  const points: E5Point[] = [];
  let index = 0;
  let lat = 0;
  let lon = 0;
  const next = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = text.charCodeAt(index++) - 63;
      result |= (byte & 0x1f) << shift;
      shift += 5;
    } while (byte >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (index < text.length) {
    lat += next();
    lon += next();
    points.push([lat, lon]);
  }
  return points;
}
