import { describe, expect, it } from 'vitest';
import {
  float32Value,
  formatRfc3339,
  isoOfMillis,
  parseRfc3339,
  timestampMillis,
} from '../../../../src/domain/tesla/normalize.ts';
import { seededRandom } from '../../../support/tesla-records.ts';

describe('isoOfMillis', () => {
  it('is Date#toISOString for any instant', () => {
    // prepare
    const random = seededRandom(5);
    const instants = [
      0, -1, 1, 1_700_000_000_000, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000,
    ];
    for (let i = 0; i < 5000; i += 1) instants.push(Math.round((random() - 0.3) * 4e14));
    for (let i = 0; i < 1000; i += 1)
      instants.push(1_700_000_000_000 + Math.round(random() * 86_400_000 * 3));
    // act and assess
    for (const ms of instants) expect(isoOfMillis(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('float32Value', () => {
  it('is the shortest decimal that reads back as the same float32, for many float32s', () => {
    // prepare
    const random = seededRandom(9);
    const buf = new DataView(new ArrayBuffer(4));
    // act and assess
    for (let i = 0; i < 40_000; i += 1) {
      // half random bit patterns, half sensor-like magnitudes (1e-3..1e7, the fast path)
      buf.setUint32(0, Math.floor(random() * 2 ** 32));
      const f =
        i % 2 === 0 ? buf.getFloat32(0) : Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 10 - 2));
      const value = float32Value(f);
      if (!Number.isFinite(f)) {
        expect(value).toBeNull();
        continue;
      }
      expect(Math.fround(value as number)).toBe(f);
      // no shorter form exists: one significant digit less does not read back
      const digits = (value as number)
        .toPrecision(9)
        .replace(/e.*$/, '')
        .replace(/[-.]/g, '')
        .replace(/0+$/, '')
        .replace(/^0+/, '');
      if (digits.length > 1) {
        const shorter = Number((value as number).toPrecision(digits.length - 1));
        expect(Math.fround(shorter)).not.toBe(f);
      }
    }
  });
});

describe('timestamps', () => {
  it.each([
    [0, 0, 0],
    [1, 999_999_999, 1999],
    [-1, 500_000_000, -500],
  ])('seconds %d and nanos %d are %d ms', (seconds, nanos, ms) => {
    expect(timestampMillis(seconds, nanos)).toBe(ms);
  });

  it.each([
    [0, -1],
    [0, 1_000_000_000],
    [0, 0.5],
    [8_640_000_000_001, 0],
    [2 ** 53, 0],
  ])('seconds %d and nanos %d are no instant', (seconds, nanos) => {
    expect(timestampMillis(seconds, nanos)).toBeUndefined();
  });

  it.each([
    ['2023-11-14T22:13:20Z', { seconds: 1_700_000_000, nanos: 0 }],
    ['2023-11-14T22:13:20.000000001Z', { seconds: 1_700_000_000, nanos: 1 }],
    ['0099-01-01T00:00:00Z', { seconds: -59_042_995_200, nanos: 0 }],
    ['2023-11-14 22:13:20Z', undefined],
    ['2023-13-01T00:00:00Z', undefined],
    ['2023-11-14T22:13:60Z', undefined],
    ['2023-11-14T22:13:20.1234567891Z', undefined],
    ['2023-11-14T22:13:20', undefined],
  ])('parses %s', (raw, expected) => {
    expect(parseRfc3339(raw)).toEqual(expected);
  });

  it.each([
    [1_700_000_000, 0, '2023-11-14T22:13:20Z'],
    [1_700_000_000, 1_000_000, '2023-11-14T22:13:20.001Z'],
    [-62_135_596_800, 0, '0001-01-01T00:00:00Z'],
    [-62_135_596_801, 0, undefined],
    [253_402_300_800, 0, undefined],
  ])('formats %d s %d ns as %s', (seconds, nanos, expected) => {
    expect(formatRfc3339(seconds, nanos)).toBe(expected);
  });
});
