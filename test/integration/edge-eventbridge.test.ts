import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  TestEventPatternCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { ArchiveDefinition, RuleDefinition } from '../../src/domain/events/rules.ts';
import { EventBridgeService } from '../../src/local/edge/eventbridge.ts';
import {
  LocalEventBridge,
  type EventBridgeEvent,
  type TargetDeliveryMeta,
} from '../../src/local/eventbridge/bus.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

const BUS = 'fleetwire';
const BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/fleetwire';

const RULES: RuleDefinition[] = [
  {
    name: 'critical-alerts',
    description: 'Critical vehicle alerts go to the notifier',
    eventBus: BUS,
    pattern: {
      source: ['fleetwire.telemetry'],
      'detail-type': ['VehicleAlert'],
      detail: { severity: ['critical'] },
    },
    targets: [
      {
        id: 'notifier',
        target: { kind: 'function', name: 'alert-notifier' },
        inputTransformer: {
          inputPathsMap: { vin: '$.detail.vin', severity: '$.detail.severity', tenant: '$.detail.tenantId' },
          inputTemplate:
            '{"vin": <vin>, "text": "Vehicle <vin> raised a <severity> alert", "tenant": <tenant>, "rule": <aws.events.rule-arn>}',
        },
      },
    ],
  },
];

const ARCHIVES: ArchiveDefinition[] = [
  { name: 'fleetwire-all', eventBus: BUS, description: 'every event on the bus', retentionDays: 7 },
];

const critical = (vin: string): PutEventsRequestEntry => ({
  EventBusName: BUS,
  Source: 'fleetwire.telemetry',
  DetailType: 'VehicleAlert',
  Detail: JSON.stringify({ vin, severity: 'critical', tenantId: 'tenant-1' }),
});
const low = (vin: string): PutEventsRequestEntry => ({
  ...critical(vin),
  Detail: JSON.stringify({ vin, severity: 'low', tenantId: 'tenant-1' }),
});

describe('EventBridge on the edge, through the real EventBridgeClient', () => {
  let edge: TestEdge;
  let bridge: LocalEventBridge;
  let client: EventBridgeClient;
  const delivered: { input: unknown; meta: TargetDeliveryMeta }[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    bridge = new LocalEventBridge({
      buses: [{ name: BUS, description: 'Telemetry, domain and command events' }],
      rules: RULES,
      archives: ARCHIVES,
      delivery: { maxAttempts: 2, baseDelayMs: 1 },
      logger: { warn: (message: string) => warnings.push(message) },
    });
    bridge.registerTarget({ kind: 'function', name: 'alert-notifier' }, async (input, meta) => {
      delivered.push({ input, meta });
    });
    const service = new EventBridgeService(bridge);
    edge = await startTestEdge({ services: [service], routes: [service.tailRoute()] });
    client = new EventBridgeClient(edge.clientConfig);
  });

  afterAll(async () => {
    client?.destroy();
    await edge?.stop();
  });

  beforeEach(async () => {
    await bridge.idle();
    delivered.length = 0;
    warnings.length = 0;
  });

  describe('PutEvents', () => {
    it('matches events against the rules and delivers them to the function target, transformed', async () => {
      // act
      const response = await client.send(
        new PutEventsCommand({ Entries: [critical('VIN-1'), low('VIN-2')] }),
      );
      await bridge.idle();

      // assess
      expect(response.FailedEntryCount).toBe(0);
      expect(response.Entries).toHaveLength(2);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.input).toEqual({
        vin: 'VIN-1',
        text: 'Vehicle VIN-1 raised a critical alert',
        tenant: 'tenant-1',
        rule: 'arn:aws:events:us-east-1:000000000000:rule/fleetwire/critical-alerts',
      });
      expect(delivered[0]?.meta.event).toMatchObject({
        id: response.Entries?.[0]?.EventId,
        version: '0',
        source: 'fleetwire.telemetry',
        'detail-type': 'VehicleAlert',
        account: '000000000000',
        region: 'us-east-1',
        resources: [],
      });
      expect(delivered[0]?.meta.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('answers per-entry errors with FailedEntryCount and still publishes the valid entries', async () => {
      const response = await client.send(
        new PutEventsCommand({
          Entries: [
            { ...critical('VIN-X'), Source: undefined },
            { ...critical('VIN-Y'), Detail: '{"not": json}' },
            { ...critical('VIN-Z'), Detail: '["an", "array"]' },
            critical('VIN-3'),
          ],
        }),
      );
      await bridge.idle();

      expect(response.FailedEntryCount).toBe(3);
      expect(response.Entries?.slice(0, 3)).toEqual([
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
        },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      ]);
      expect(response.Entries?.[3]?.EventId).toBeDefined();
      expect(delivered.map((delivery) => (delivery.input as { vin: string }).vin)).toEqual(['VIN-3']);
    });

    it('takes 1 to 10 entries and refuses 0 or 11 with ValidationException', async () => {
      const ten = Array.from({ length: 10 }, (_, i) => low(`VIN-${i}`));

      const accepted = await client.send(new PutEventsCommand({ Entries: ten }));

      expect(accepted.FailedEntryCount).toBe(0);
      expect(accepted.Entries?.filter((entry) => entry.EventId)).toHaveLength(10);
      await expect(
        client.send(new PutEventsCommand({ Entries: [...ten, low('VIN-10')] })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(
          /^1 validation error detected: Value '\[PutEventsRequestEntry\(.*at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/s,
        ),
      });
      await expect(client.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Member must have length greater than or equal to 1'),
      });
    });

    it('refuses a request whose entries total more than 256 KB, counted as AWS documents', async () => {
      // prepare: two entries of exactly 128 KB each by AWS's count (UTF-8 bytes of Source, DetailType, Detail)
      const half = 128 * 1024;
      const entry = (marker: string): PutEventsRequestEntry => {
        const source = 'fleetwire.size';
        const detailType = 'Big';
        const fixed =
          Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength('{"pad":""}');
        // "é" is two bytes in UTF-8: the count is of bytes, not of characters.
        const pad = marker + 'é'.repeat((half - fixed - marker.length) / 2);
        return { EventBusName: BUS, Source: source, DetailType: detailType, Detail: JSON.stringify({ pad }) };
      };
      const atLimit = [entry('a'), entry('b')];

      // act
      const accepted = await client.send(new PutEventsCommand({ Entries: atLimit }));
      const withTime = client.send(
        new PutEventsCommand({
          Entries: [{ ...atLimit[0], Time: new Date() }, atLimit[1] as PutEventsRequestEntry],
        }),
      );
      const withResource = client.send(
        new PutEventsCommand({
          Entries: [{ ...atLimit[0], Resources: ['r'] }, atLimit[1] as PutEventsRequestEntry],
        }),
      );

      // assess
      expect(accepted.FailedEntryCount).toBe(0);
      await expect(withTime).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Total size of the entries in the request is over the limit.',
      });
      await expect(withResource).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('accepts and drops events for a bus that does not exist, as AWS does, and takes a bus ARN', async () => {
      const unknown = await client.send(
        new PutEventsCommand({ Entries: [{ ...critical('VIN-LOST'), EventBusName: 'fleetwyre' }] }),
      );
      const byArn = await client.send(
        new PutEventsCommand({ Entries: [{ ...critical('VIN-ARN'), EventBusName: BUS_ARN }] }),
      );
      await bridge.idle();

      expect(unknown.FailedEntryCount).toBe(0);
      expect(unknown.Entries?.[0]?.EventId).toBeDefined();
      expect(byArn.FailedEntryCount).toBe(0);
      expect(delivered.map((delivery) => (delivery.input as { vin: string }).vin)).toEqual(['VIN-ARN']);
      expect(warnings.some((warning) => warning.includes('fleetwyre'))).toBe(true);
    });

    it('archives what it publishes', async () => {
      const before = await client.send(new DescribeArchiveCommand({ ArchiveName: 'fleetwire-all' }));

      await client.send(new PutEventsCommand({ Entries: [low('VIN-ARCHIVED')] }));
      const after = await client.send(new DescribeArchiveCommand({ ArchiveName: 'fleetwire-all' }));

      expect((after.EventCount ?? 0) - (before.EventCount ?? 0)).toBe(1);
      expect(after).toMatchObject({
        ArchiveName: 'fleetwire-all',
        EventSourceArn: BUS_ARN,
        State: 'ENABLED',
        RetentionDays: 7,
      });
      expect(bridge.archivedEvents({ archive: 'fleetwire-all' }).at(-1)?.event.detail).toMatchObject({
        vin: 'VIN-ARCHIVED',
      });
    });
  });

  describe('TestEventPattern', () => {
    const event = JSON.stringify({
      id: 'e1',
      account: '000000000000',
      source: 'fleetwire.telemetry',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'VehicleAlert',
      detail: { severity: 'critical' },
    });

    it('answers true and false', async () => {
      const yes = await client.send(
        new TestEventPatternCommand({ Event: event, EventPattern: '{"detail": {"severity": ["critical"]}}' }),
      );
      const no = await client.send(
        new TestEventPatternCommand({ Event: event, EventPattern: '{"detail": {"severity": ["low"]}}' }),
      );

      expect(yes.Result).toBe(true);
      expect(no.Result).toBe(false);
    });

    it('refuses an invalid pattern with InvalidEventPatternException', async () => {
      await expect(
        client.send(new TestEventPatternCommand({ Event: event, EventPattern: '{"source": "not-a-list"}' })),
      ).rejects.toMatchObject({
        name: 'InvalidEventPatternException',
        message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
      });
    });

    it('refuses an event without the required fields with AWS error', async () => {
      const withoutId = JSON.stringify({ ...(JSON.parse(event) as object), id: undefined });

      await expect(
        client.send(new TestEventPatternCommand({ Event: withoutId, EventPattern: '{"source": ["x"]}' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Parameter Event is not valid.',
      });
    });
  });

  describe('the rules-as-code, read through the API', () => {
    it('lists and describes buses, rules, targets and archives', async () => {
      const buses = await client.send(new ListEventBusesCommand({}));
      const bus = await client.send(new DescribeEventBusCommand({ Name: BUS }));
      const rules = await client.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: 'crit' }));
      const none = await client.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: 'zzz' }));
      const rule = await client.send(new DescribeRuleCommand({ Name: 'critical-alerts', EventBusName: BUS }));
      const targets = await client.send(
        new ListTargetsByRuleCommand({ Rule: 'critical-alerts', EventBusName: BUS }),
      );
      const archives = await client.send(new ListArchivesCommand({ EventSourceArn: BUS_ARN }));

      expect(buses.EventBuses?.map((b) => b.Name)).toEqual(['default', BUS]);
      expect(bus).toMatchObject({
        Name: BUS,
        Arn: BUS_ARN,
        Description: 'Telemetry, domain and command events',
      });
      expect(bus.CreationTime).toBeInstanceOf(Date);
      expect(rules.Rules?.map((r) => r.Name)).toEqual(['critical-alerts']);
      expect(none.Rules).toEqual([]);
      expect(JSON.parse(rule.EventPattern ?? '')).toEqual(RULES[0]?.pattern);
      expect(rule).toMatchObject({
        Arn: 'arn:aws:events:us-east-1:000000000000:rule/fleetwire/critical-alerts',
        State: 'ENABLED',
        EventBusName: BUS,
      });
      expect(targets.Targets).toEqual([
        {
          Id: 'notifier',
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:alert-notifier',
          InputTransformer: {
            InputPathsMap: RULES[0]?.targets[0]?.inputTransformer?.inputPathsMap,
            InputTemplate: RULES[0]?.targets[0]?.inputTransformer?.inputTemplate,
          },
        },
      ]);
      expect(archives.Archives?.map((a) => a.ArchiveName)).toEqual(['fleetwire-all']);
    });

    it('pages with Limit and NextToken', async () => {
      const first = await client.send(new ListEventBusesCommand({ Limit: 1 }));
      const second = await client.send(new ListEventBusesCommand({ Limit: 1, NextToken: first.NextToken }));

      expect(first.EventBuses?.map((b) => b.Name)).toEqual(['default']);
      expect(second.EventBuses?.map((b) => b.Name)).toEqual([BUS]);
      expect(second.NextToken).toBeUndefined();
    });

    it('answers ResourceNotFoundException for what is not defined', async () => {
      await expect(client.send(new DescribeEventBusCommand({ Name: 'nope' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Event bus nope does not exist.',
      });
      await expect(client.send(new ListRulesCommand({ EventBusName: 'nope' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      await expect(
        client.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: BUS })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Rule nope does not exist on EventBus fleetwire.',
      });
      await expect(client.send(new DescribeArchiveCommand({ ArchiveName: 'nope' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Archive nope does not exist.',
      });
    });

    it('refuses to change rules or buses, pointing at the rules-as-code', async () => {
      await expect(
        client.send(new PutRuleCommand({ Name: 'r', EventBusName: BUS, EventPattern: '{"source": ["x"]}' })),
      ).rejects.toMatchObject({
        name: 'ManagedRuleException',
        message: expect.stringContaining('src/domain/events/rules.ts'),
      });
      await expect(client.send(new CreateEventBusCommand({ Name: 'another' }))).rejects.toMatchObject({
        name: 'OperationDisabledException',
        message: expect.stringContaining('src/domain/events/rules.ts'),
      });
    });
  });

  describe('GET /_edge/events/tail', () => {
    const tailUrl = (query: Record<string, string>): string =>
      `${edge.url}/_edge/events/tail?${new URLSearchParams(query).toString()}`;

    it('streams the published events matching the pattern as NDJSON, and unsubscribes on disconnect', async () => {
      // prepare
      const subscribersBefore = bridge.subscriberCount;
      const abort = new AbortController();
      const response = await fetch(
        tailUrl({ bus: BUS, pattern: JSON.stringify({ detail: { severity: ['critical'] } }) }),
        {
          signal: abort.signal,
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(bridge.subscriberCount).toBe(subscribersBefore + 1);
      const reader = response.body?.getReader();
      if (!reader) throw new Error('no body');

      // act
      const published = await client.send(
        new PutEventsCommand({ Entries: [low('VIN-QUIET'), critical('VIN-LOUD')] }),
      );
      const lines = await readLines(reader, 1);
      abort.abort();
      await waitFor(() => bridge.subscriberCount === subscribersBefore);

      // assess
      const event = JSON.parse(lines[0] ?? '') as EventBridgeEvent;
      expect(event).toMatchObject({
        id: published.Entries?.[1]?.EventId,
        version: '0',
        source: 'fleetwire.telemetry',
        'detail-type': 'VehicleAlert',
        detail: { vin: 'VIN-LOUD', severity: 'critical' },
      });
      expect(bridge.subscriberCount).toBe(subscribersBefore);
    });

    it('answers 400 InvalidEventPatternException for an invalid pattern', async () => {
      const response = await fetch(tailUrl({ bus: BUS, pattern: '{"source": "not-a-list"}' }));

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        __type: 'InvalidEventPatternException',
        message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
      });
    });

    it('answers 404 for a bus that does not exist', async () => {
      const response = await fetch(tailUrl({ bus: 'nope' }));

      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ __type: 'ResourceNotFoundException' });
    });
  });
});

/** Reads `count` complete lines from an NDJSON stream, failing after 5 s. */
async function readLines(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<string[]> {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let buffered = '';
  const deadline = Date.now() + 5_000;
  while (lines.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${lines.length} of ${count} lines arrived`);
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  }
  return lines;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
