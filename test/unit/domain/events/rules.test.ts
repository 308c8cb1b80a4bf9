import { describe, expect, it } from 'vitest';
import { RECORDS_RULE, WEBHOOKS_RULE } from '../../../../src/domain/events/rules.ts';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../../../src/domain/events/catalog/common.ts';
import { matchesEventPattern } from '../../../../src/local/eventbridge/pattern.ts';

const event = (source: string, detailType: string) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  source,
  account: '000000000000',
  time: '2026-11-26T12:00:00Z',
  region: 'us-east-1',
  resources: [],
  'detail-type': detailType,
  detail: { version: 1, tenantId: 'acme', occurredAt: '2026-11-26T12:00:00.000Z' },
});

describe('the rules of the fleetwire bus', () => {
  it('sends every tenant event but the telemetry firehose to the webhook deliverer', () => {
    expect(
      matchesEventPattern(WEBHOOKS_RULE.pattern, event(EVENT_SOURCES.trips, DETAIL_TYPES.TripEnded)),
    ).toBe(true);
    expect(
      matchesEventPattern(
        WEBHOOKS_RULE.pattern,
        event(EVENT_SOURCES.commands, DETAIL_TYPES.CommandSucceeded),
      ),
    ).toBe(true);
    expect(
      matchesEventPattern(WEBHOOKS_RULE.pattern, event(EVENT_SOURCES.ingest, DETAIL_TYPES.TelemetryUpdated)),
    ).toBe(false);
  });

  it('sends trips, charging, alerts and errors, and nothing else, to the records projector', () => {
    expect(
      matchesEventPattern(RECORDS_RULE.pattern, event(EVENT_SOURCES.trips, DETAIL_TYPES.TripStarted)),
    ).toBe(true);
    expect(
      matchesEventPattern(RECORDS_RULE.pattern, event(EVENT_SOURCES.ingest, DETAIL_TYPES.TelemetryUpdated)),
    ).toBe(false);
  });
});
