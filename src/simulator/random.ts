/**
 * A small seeded pseudo-random generator. The simulator must replay exactly from a seed (tests, bug
 * reports, benchmarks), so nothing in the model may call `Math.random`.
 */

/**
 * 32-bit FNV-1a of a string with murmur3's final mix: turns labels such as `vehicle:3` into independent
 * seeds. The mix matters: labels that differ in one character would otherwise give seeds that differ
 * in a few bits, and generators seeded so start out correlated.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A seeded generator (mulberry32) with the few distributions the simulation needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * An independent generator for one part of the simulation. Forking by label (rather than drawing
   * from one shared stream) keeps vehicle 3's life the same when vehicle 4 is added or behaves
   * differently.
   */
  static fork(seed: number, label: string): Rng {
    return new Rng(hashString(`${seed >>> 0}:${label}`));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Normally distributed (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `count` random bytes as lower-case hex. */
  hex(count: number): string {
    let out = '';
    for (let i = 0; i < count; i += 1)
      out += Math.floor(this.next() * 256)
        .toString(16)
        .padStart(2, '0');
    return out;
  }

  /** A version-4-shaped UUID, as the server's connection ids look. */
  uuid(): string {
    const h = this.hex(16);
    const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
  }
}
