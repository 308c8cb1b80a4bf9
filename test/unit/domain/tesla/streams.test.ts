import { describe, expect, it } from 'vitest';
import {
  teslaStreamNames,
  TeslaError,
  TeslaUnknownStreamError,
  topicOfStream,
} from '../../../../src/domain/tesla/index.ts';

describe('topicOfStream', () => {
  it.each([
    ['tesla_V', 'tesla', 'V'],
    ['tesla_alerts', 'tesla', 'alerts'],
    ['tesla_errors', 'tesla', 'errors'],
    ['tesla_connectivity', 'tesla', 'connectivity'],
    ['fleet_prod_V', 'fleet_prod', 'V'],
    ['_V', '', 'V'],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/tesla_alerts', 'tesla', 'alerts'],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/tesla_V/consumer/fleetwire:1700000000', 'tesla', 'V'],
  ] as const)('%s under namespace %j carries %s', (stream, namespace, topic) => {
    expect(topicOfStream(stream, namespace)).toBe(topic);
  });

  it('prefers streams named explicitly (the server config or KINESIS_STREAM_*)', () => {
    // prepare
    const explicit = { V: 'telemetry-main', alerts: 'telemetry-alerts' };
    // act and assess
    expect(topicOfStream('telemetry-main', 'tesla', explicit)).toBe('V');
    expect(topicOfStream('telemetry-alerts', 'tesla', explicit)).toBe('alerts');
    expect(topicOfStream('tesla_errors', 'tesla', explicit)).toBe('errors');
    expect(() => topicOfStream('tesla_V', 'tesla', explicit)).toThrow(TeslaUnknownStreamError);
  });

  it.each([
    ['tesla_v', 'tesla'],
    ['other_V', 'tesla'],
    ['tesla_metrics', 'tesla'],
    ['tesla_V', ''],
    ['', 'tesla'],
  ])('refuses %j under namespace %j', (stream, namespace) => {
    // act
    const attempt = () => topicOfStream(stream, namespace);
    // assess
    expect(attempt).toThrow(TeslaUnknownStreamError);
    expect(attempt).toThrow(TeslaError);
    expect(attempt).toThrow(/is not a Tesla telemetry stream/);
  });

  it('lists the stream name of every topic', () => {
    expect(teslaStreamNames('tesla', { errors: 'errs' })).toEqual({
      V: 'tesla_V',
      alerts: 'tesla_alerts',
      errors: 'errs',
      connectivity: 'tesla_connectivity',
    });
  });
});
