import { describe, expect, it } from 'vitest';
import { isValidVin, simulatedVin, vinCheckDigit } from '../../../src/simulator/index.ts';
import { VIN_PATTERN } from '../../../src/domain/pseudonym/pseudonym.ts';

describe('simulated VINs', () => {
  it('computes the North American check digit (49 CFR 565) of a known VIN', () => {
    // The textbook example: 1M8GDM9AXKP042788 has check digit X.
    expect(vinCheckDigit('1M8GDM9A_KP042788')).toBe('X');
    expect(isValidVin('1M8GDM9AXKP042788')).toBe(true);
    expect(isValidVin('1M8GDM9A1KP042788')).toBe(false);
  });

  it('are valid ISO 3779 VINs, accepted by the registration pattern, and unique', () => {
    const vins = [1, 2, 42].flatMap((seed) => Array.from({ length: 2_000 }, (_, i) => simulatedVin(seed, i)));
    for (const vin of vins) {
      expect(vin).toHaveLength(17);
      expect(vin).not.toMatch(/[IOQ]/);
      expect(VIN_PATTERN.test(vin), vin).toBe(true);
      expect(isValidVin(vin), vin).toBe(true);
    }
    for (const seed of [1, 2, 42]) {
      const ofSeed = Array.from({ length: 2_000 }, (_, i) => simulatedVin(seed, i));
      expect(new Set(ofSeed).size).toBe(2_000);
    }
  });

  it('are obviously fake: Tesla WMI, but FLEET where a real VIN names the model', () => {
    expect(simulatedVin(1, 0)).toMatch(/^5YJFLEET[0-9X][A-HJ-NPR-Z]F\d{6}$/);
  });

  it('are the same for the same seed and index, and differ across seeds', () => {
    expect(simulatedVin(7, 3)).toBe(simulatedVin(7, 3));
    expect(simulatedVin(7, 3)).not.toBe(simulatedVin(8, 3));
  });

  it('rejects what is not a VIN', () => {
    expect(isValidVin('5YJ3E1EA7JF00000')).toBe(false);
    expect(isValidVin('5YJ3E1EA7JF0000O0')).toBe(false);
    expect(isValidVin('5yjfleet6pf431116')).toBe(false);
    expect(() => simulatedVin(1, -1)).toThrow(RangeError);
  });
});
