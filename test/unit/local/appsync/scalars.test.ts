import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AWS_SCALARS } from '../../../../src/local/appsync/engine/scalars.ts';

const scalar = (name: string) => AWS_SCALARS[name]!;

describe('AWS scalars', () => {
  it.each([
    ['AWSDateTime', '2025-03-14T09:26:53.589Z', true],
    ['AWSDateTime', '2025-03-14T09:26:53+01:00', true],
    ['AWSDateTime', '2025-03-14T09:26Z', true],
    ['AWSDateTime', '2025-03-14T09:26:53', false],
    ['AWSDateTime', '2025-02-30T00:00:00Z', false],
    ['AWSDateTime', '2025-03-14T25:00:00Z', false],
    ['AWSDate', '2025-03-14', true],
    ['AWSDate', '2025-3-14', false],
    ['AWSTime', '09:26:53.589', true],
    ['AWSTime', '24:00', false],
    ['AWSEmail', 'ops@example.com', true],
    ['AWSEmail', 'ops@', false],
    ['AWSURL', 'https://example.com/a', true],
    ['AWSURL', 'example.com', false],
    ['AWSPhone', '+49 30 1234567', true],
    ['AWSPhone', 'call me', false],
    ['AWSIPAddress', '10.0.0.1', true],
    ['AWSIPAddress', '10.0.0.0/8', true],
    ['AWSIPAddress', '::1', true],
    ['AWSIPAddress', '10.0.0.300', false],
  ])('%s %s valid: %s', (name, value, valid) => {
    if (valid) expect(scalar(name).parseValue(value)).toBe(value);
    else expect(() => scalar(name).parseValue(value)).toThrow(`${name} must be`);
  });

  it('AWSJSON: arguments arrive parsed, results leave as JSON text', () => {
    const json = scalar('AWSJSON');
    expect(json.parseValue('{"VehicleSpeed":72.4}')).toEqual({ VehicleSpeed: 72.4 });
    expect(json.parseValue({ VehicleSpeed: 72.4 })).toEqual({ VehicleSpeed: 72.4 });
    expect(json.parseLiteral({ kind: Kind.STRING, value: '[1,2]' })).toEqual([1, 2]);
    expect(() => json.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow(
      /written as a string holding JSON/,
    );
    expect(() => json.parseValue('{oops')).toThrow(/valid JSON text/);
    expect(json.serialize({ a: 1 })).toBe('{"a":1}');
    expect(json.serialize('{"a":1}')).toBe('{"a":1}');
    expect(json.serialize('plain')).toBe('"plain"');
  });

  it('AWSTimestamp: whole seconds beyond 32 bits', () => {
    expect(scalar('AWSTimestamp').parseValue(4_102_444_800)).toBe(4_102_444_800);
    expect(() => scalar('AWSTimestamp').parseValue(1.5)).toThrow(/whole number of seconds/);
  });
});
