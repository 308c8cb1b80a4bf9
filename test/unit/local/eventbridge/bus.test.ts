import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveDefinition, RuleDefinition } from '../../../../src/domain/events/rules.ts';
import {
  InvalidEventBridgeDefinitionError,
  LocalEventBridge,
  UnknownArchiveError,
  type EventBridgeEvent,
  type LocalEventBridgeOptions,
  type TargetDeliveryMeta,
} from '../../../../src/local/eventbridge/bus.ts';
import { InvalidEventPatternError } from '../../../../src/local/eventbridge/pattern.ts';

const BUS = 'fleetwire';
const ALERT = { Source: 'fleetwire.ingest', DetailType: 'VehicleAlert', EventBusName: BUS };
const alert = (detail: Record<string, unknown>) => ({ ...ALERT, Detail: JSON.stringify(detail) });

const RULES: RuleDefinition[] = [
  {
    name: 'critical-alerts',
    description: 'critical alerts to the notifier, shaped',
    eventBus: BUS,
    pattern: {
      source: ['fleetwire.ingest'],
      'detail-type': ['VehicleAlert'],
      detail: { severity: ['critical'] },
    },
    targets: [
      {
        id: 'notify',
        target: { kind: 'function', name: 'notifier' },
        inputTransformer: {
          inputPathsMap: { vin: '$.detail.vin', tenant: '$.detail.tenantId' },
          inputTemplate: '{"vin": <vin>, "tenant": <tenant>, "rule": <aws.events.rule-name>}',
        },
      },
      { id: 'audit', target: { kind: 'stateMachine', name: 'audit-flow' }, inputPath: '$.detail' },
    ],
  },
  {
    name: 'every-alert',
    description: 'every alert, whole event',
    eventBus: BUS,
    pattern: { source: ['fleetwire.ingest'] },
    targets: [{ id: 'ui', target: { kind: 'graphqlMutation', field: 'publishAlert' } }],
  },
  {
    name: 'default-bus-rule',
    description: 'same source, other bus',
    eventBus: 'default',
    pattern: { source: ['fleetwire.ingest'] },
    targets: [{ id: 'other', target: { kind: 'function', name: 'other' } }],
  },
];

const ARCHIVES: ArchiveDefinition[] = [
  { name: 'all', eventBus: BUS, description: 'everything', retentionDays: 0 },
  {
    name: 'critical',
    eventBus: BUS,
    description: 'critical only, 2 days',
    pattern: { detail: { severity: ['critical'] } },
    retentionDays: 2,
  },
];

interface Harness {
  readonly bridge: LocalEventBridge;
  readonly warnings: string[];
  readonly calls: { target: string; input: unknown; meta: TargetDeliveryMeta }[];
  clock: Date;
}

const open: LocalEventBridge[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((bridge) => bridge.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function harness(options: LocalEventBridgeOptions = {}, register = true): Harness {
  const h = {
    warnings: [] as string[],
    calls: [] as Harness['calls'],
    clock: new Date('2026-03-01T10:00:00.250Z'),
  } as Harness;
  const bridge = new LocalEventBridge({
    buses: [{ name: BUS, description: 'test bus' }],
    rules: RULES,
    archives: ARCHIVES,
    delivery: { maxAttempts: 3, baseDelayMs: 1, attemptTimeoutMs: 1_000 },
    logger: { warn: (message: string) => h.warnings.push(message) },
    now: () => h.clock,
    ...options,
  });
  open.push(bridge);
  if (register) {
    for (const [key, target] of [
      ['notifier', { kind: 'function', name: 'notifier' }],
      ['audit-flow', { kind: 'stateMachine', name: 'audit-flow' }],
      ['publishAlert', { kind: 'graphqlMutation', field: 'publishAlert' }],
      ['other', { kind: 'function', name: 'other' }],
    ] as const) {
      bridge.registerTarget(target, (input, meta) => {
        h.calls.push({ target: key, input, meta });
      });
    }
  }
  return Object.assign(h, { bridge });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-eventbridge-'));
  dirs.push(dir);
  return dir;
}

describe('LocalEventBridge.publish: events as AWS builds them', () => {
  it('builds the full event, with the time to the second and the account of the edge', async () => {
    // prepare
    const h = harness();
    const seen: EventBridgeEvent[] = [];
    h.bridge.subscribe((event) => seen.push(event));

    // act
    const [result] = h.bridge.publish([{ ...alert({ severity: 'low', vin: 'V1' }), Resources: ['arn:x'] }], {
      region: 'eu-west-1',
    });

    // assess
    expect(result?.EventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seen).toEqual([
      {
        version: '0',
        id: result?.EventId,
        'detail-type': 'VehicleAlert',
        source: 'fleetwire.ingest',
        account: '000000000000',
        time: '2026-03-01T10:00:00Z',
        region: 'eu-west-1',
        resources: ['arn:x'],
        detail: { severity: 'low', vin: 'V1' },
      },
    ]);
  });

  it("uses the entry's Time, given as a Date or as epoch seconds like the JSON protocol sends it", () => {
    const h = harness();
    const seen: EventBridgeEvent[] = [];
    h.bridge.subscribe((event) => seen.push(event));

    h.bridge.publish([
      { ...alert({}), Time: new Date('2020-01-02T03:04:05.678Z') },
      { ...alert({}), Time: 1_600_000_000.5 },
    ]);

    expect(seen.map((event) => event.time)).toEqual(['2020-01-02T03:04:05Z', '2020-09-13T12:26:40Z']);
  });

  it('answers per entry with AWS codes and still publishes the valid entries', () => {
    const h = harness();
    const seen: EventBridgeEvent[] = [];
    h.bridge.subscribe((event) => seen.push(event));

    const results = h.bridge.publish([
      { DetailType: 'X', Detail: '{}' },
      { Source: 's', Detail: '{}' },
      { Source: 's', DetailType: 'X' },
      { Source: 's', DetailType: 'X', Detail: '"a string"' },
      { Source: 's', DetailType: 'X', Detail: '[1,2]' },
      { Source: 's', DetailType: 'X', Detail: '{"unclosed": ' },
      { Source: 'valid', DetailType: 'X', Detail: '{"ok": true}' },
    ]);

    expect(results.slice(0, 6)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    expect(results[6]?.EventId).toBeDefined();
    expect(seen.map((event) => event.source)).toEqual(['valid']);
  });

  it('accepts and drops an event for a bus that does not exist, warning once, as AWS does', async () => {
    const h = harness();
    const seen: EventBridgeEvent[] = [];
    h.bridge.subscribe((event) => seen.push(event));

    const results = h.bridge.publish([
      { ...alert({ severity: 'critical' }), EventBusName: 'fleetwyre' },
      { ...alert({ severity: 'critical' }), EventBusName: 'fleetwyre' },
    ]);
    await h.bridge.idle();

    expect(results.every((result) => result.EventId !== undefined && result.ErrorCode === undefined)).toBe(
      true,
    );
    expect(seen).toEqual([]);
    expect(h.calls).toEqual([]);
    expect(h.warnings.filter((warning) => warning.includes('fleetwyre'))).toHaveLength(1);
    expect(h.bridge.archivedEvents({ archive: 'all' })).toEqual([]);
  });

  it('rejects an event for an unknown bus when asked to', () => {
    const h = harness({ unknownEventBus: 'reject' });

    const [result] = h.bridge.publish([
      { ...alert({}), EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/nope' },
    ]);

    expect(result).toEqual({
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: 'Event bus nope does not exist.',
    });
  });

  it('takes a bus ARN as well as its name', async () => {
    const h = harness();

    h.bridge.publish([
      {
        ...alert({ severity: 'critical' }),
        EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/fleetwire',
      },
    ]);
    await h.bridge.idle();

    expect(h.calls.map((call) => call.target).sort()).toEqual(['audit-flow', 'notifier', 'publishAlert']);
  });
});

describe('LocalEventBridge: rules and delivery', () => {
  it('delivers after publish has returned, to the targets of matching rules on the same bus only', async () => {
    const h = harness();

    const [result] = h.bridge.publish([alert({ severity: 'critical', vin: 'VIN1', tenantId: 't-1' })]);
    const callsRightAfterPublish = h.calls.length;
    await h.bridge.idle();

    expect(callsRightAfterPublish).toBe(0);
    const byTarget = Object.fromEntries(h.calls.map((call) => [call.target, call]));
    expect(Object.keys(byTarget).sort()).toEqual(['audit-flow', 'notifier', 'publishAlert']);
    expect(byTarget.notifier?.input).toEqual({ vin: 'VIN1', tenant: 't-1', rule: 'critical-alerts' });
    expect(byTarget.notifier?.meta).toMatchObject({
      ruleName: 'critical-alerts',
      targetId: 'notify',
      eventBus: BUS,
      attempt: 1,
    });
    expect(byTarget.notifier?.meta.event.id).toBe(result?.EventId);
    expect(byTarget['audit-flow']?.input).toEqual({ severity: 'critical', vin: 'VIN1', tenantId: 't-1' });
    expect(byTarget.publishAlert?.input).toMatchObject({ id: result?.EventId, detail: { vin: 'VIN1' } });
  });

  it('does not deliver to the targets of rules that do not match', async () => {
    const h = harness();

    h.bridge.publish([
      alert({ severity: 'low' }),
      { Source: 'elsewhere', DetailType: 'VehicleAlert', Detail: '{}', EventBusName: BUS },
    ]);
    await h.bridge.idle();

    expect(h.calls.map((call) => call.target)).toEqual(['publishAlert']);
  });

  it('gives each target its own copy of the input', async () => {
    const h = harness({ rules: [RULES[1] as RuleDefinition] }, false);
    const inputs: unknown[] = [];
    h.bridge.registerTarget({ kind: 'graphqlMutation', field: 'publishAlert' }, (input) => {
      inputs.push(input);
      (input as { detail: Record<string, unknown> }).detail.mutated = true;
    });

    h.bridge.publish([alert({ n: 1 })]);
    await h.bridge.idle();

    expect(inputs).toHaveLength(1);
    expect(h.bridge.archivedEvents({ archive: 'all' })[0]?.event.detail).toEqual({ n: 1 });
  });

  it('retries a failing target with backoff and delivers when it recovers', async () => {
    const h = harness({ rules: [RULES[1] as RuleDefinition] }, false);
    const attempts: number[] = [];
    h.bridge.registerTarget({ kind: 'graphqlMutation', field: 'publishAlert' }, async (_input, meta) => {
      attempts.push(meta.attempt);
      if (meta.attempt < 3) throw new Error('AppSync is down');
    });

    h.bridge.publish([alert({})]);
    await h.bridge.idle();

    expect(attempts).toEqual([1, 2, 3]);
    expect(h.bridge.undelivered()).toEqual([]);
    expect(h.warnings).toEqual([]);
  });

  it('records an event as undelivered after the last attempt and warns once', async () => {
    const h = harness({ rules: [RULES[1] as RuleDefinition] }, false);
    let calls = 0;
    h.bridge.registerTarget({ kind: 'graphqlMutation', field: 'publishAlert' }, () => {
      calls++;
      throw new Error('AppSync is down');
    });

    const [result] = h.bridge.publish([alert({})]);
    await h.bridge.idle();

    expect(calls).toBe(3);
    expect(h.bridge.undelivered()).toEqual([
      expect.objectContaining({
        eventBus: BUS,
        ruleName: 'every-alert',
        targetId: 'ui',
        target: { kind: 'graphqlMutation', field: 'publishAlert' },
        reason: 'AppSync is down',
        attempts: 3,
        event: expect.objectContaining({ id: result?.EventId }),
      }),
    ]);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain('AppSync is down');
  });

  it('retries an unregistered target and delivers once it registers', async () => {
    const h = harness(
      { rules: [RULES[1] as RuleDefinition], delivery: { maxAttempts: 5, baseDelayMs: 20 } },
      false,
    );
    const attempts: number[] = [];

    h.bridge.publish([alert({})]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.bridge.registerTarget({ kind: 'graphqlMutation', field: 'publishAlert' }, (_input, meta) => {
      attempts.push(meta.attempt);
    });
    await h.bridge.idle();

    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toBeGreaterThan(1);
    expect(h.bridge.undelivered()).toEqual([]);
  });

  it('records an unregistered target as undelivered', async () => {
    const h = harness({ rules: [RULES[1] as RuleDefinition] }, false);

    h.bridge.publish([alert({})]);
    await h.bridge.idle();

    expect(h.bridge.undelivered()).toEqual([
      expect.objectContaining({
        attempts: 3,
        reason: 'no handler is registered for graphqlMutation:publishAlert',
      }),
    ]);
  });

  it('counts a handler that never settles as failed', async () => {
    const h = harness(
      {
        rules: [RULES[1] as RuleDefinition],
        delivery: { maxAttempts: 2, baseDelayMs: 1, attemptTimeoutMs: 10 },
      },
      false,
    );
    h.bridge.registerTarget(
      { kind: 'graphqlMutation', field: 'publishAlert' },
      () => new Promise<void>(() => {}),
    );

    h.bridge.publish([alert({})]);
    await h.bridge.idle();

    expect(h.bridge.undelivered()).toEqual([
      expect.objectContaining({ attempts: 2, reason: 'the handler did not finish within 10 ms' }),
    ]);
  });

  it('records without retrying when the input transformer yields invalid JSON, as AWS drops it', async () => {
    const rule: RuleDefinition = {
      name: 'broken-shape',
      description: 'an object placed inside a JSON string',
      eventBus: BUS,
      pattern: { source: ['fleetwire.ingest'] },
      targets: [
        {
          id: 'shaped',
          target: { kind: 'function', name: 'notifier' },
          inputTransformer: {
            inputPathsMap: { payload: '$.detail' },
            inputTemplate: '{"payload": "<payload>"}',
          },
        },
      ],
    };
    const h = harness({ rules: [rule] });

    h.bridge.publish([alert({ a: 1 })]);
    await h.bridge.idle();

    expect(h.calls).toEqual([]);
    expect(h.bridge.undelivered()).toEqual([
      expect.objectContaining({ attempts: 0, reason: expect.stringContaining('invalid JSON') }),
    ]);
    expect(h.warnings).toHaveLength(1);
  });

  it('stops retrying on close and lets idle resolve', async () => {
    const h = harness(
      { rules: [RULES[1] as RuleDefinition], delivery: { maxAttempts: 3, baseDelayMs: 60_000 } },
      false,
    );
    let calls = 0;
    h.bridge.registerTarget({ kind: 'graphqlMutation', field: 'publishAlert' }, () => {
      calls++;
      throw new Error('down');
    });
    h.bridge.publish([alert({})]);
    await new Promise((resolve) => setTimeout(resolve, 10));

    await h.bridge.close();
    await h.bridge.idle();

    expect(calls).toBe(1);
    expect(() => h.bridge.publish([alert({})])).toThrow(/closed/);
  });
});

describe('LocalEventBridge.subscribe', () => {
  it('filters by pattern and bus, and stops on unsubscribe', () => {
    const h = harness();
    const critical: string[] = [];
    const onDefault: string[] = [];
    const unsubscribe = h.bridge.subscribe((event) => critical.push(event.detail.n as string), {
      detail: { severity: ['critical'] },
    });
    h.bridge.subscribe((event, bus) => onDefault.push(`${bus}:${event.detail.n as string}`), undefined, {
      eventBus: 'default',
    });

    h.bridge.publish([alert({ n: 'a', severity: 'critical' }), alert({ n: 'b', severity: 'low' })]);
    h.bridge.publish([{ ...alert({ n: 'c', severity: 'critical' }), EventBusName: 'default' }]);
    unsubscribe();
    h.bridge.publish([alert({ n: 'd', severity: 'critical' })]);

    expect(critical).toEqual(['a', 'c']);
    expect(onDefault).toEqual(['default:c']);
  });

  it('refuses an invalid pattern and survives a throwing listener', () => {
    const h = harness();
    expect(() => h.bridge.subscribe(() => {}, '{"source": "not-an-array"}')).toThrow(
      InvalidEventPatternError,
    );
    h.bridge.subscribe(() => {
      throw new Error('listener bug');
    });

    const [result] = h.bridge.publish([alert({})]);

    expect(result?.EventId).toBeDefined();
    expect(h.warnings.some((warning) => warning.includes('listener bug'))).toBe(true);
  });
});

describe('LocalEventBridge archives', () => {
  it("archives what matches each archive's pattern, with its time, and answers queries", () => {
    const h = harness();
    h.bridge.publish([alert({ n: 1, severity: 'critical' })]);
    h.clock = new Date('2026-03-01T11:00:00.000Z');
    h.bridge.publish([alert({ n: 2, severity: 'low' }), alert({ n: 3, severity: 'critical' })]);

    const all = h.bridge.archivedEvents({ archive: 'all' });
    const critical = h.bridge.archivedEvents({ archive: 'critical' });
    const window = h.bridge.archivedEvents({
      archive: 'all',
      from: '2026-03-01T10:30:00Z',
      to: new Date('2026-03-01T12:00:00Z'),
    });
    const filtered = h.bridge.archivedEvents({ archive: 'all', pattern: '{"detail": {"n": [2]}}' });

    expect(all.map((record) => record.event.detail.n)).toEqual([1, 2, 3]);
    expect(all[0]).toMatchObject({ archivedAt: '2026-03-01T10:00:00.250Z', eventBus: BUS });
    expect(critical.map((record) => record.event.detail.n)).toEqual([1, 3]);
    expect(window.map((record) => record.event.detail.n)).toEqual([2, 3]);
    expect(filtered.map((record) => record.event.detail.n)).toEqual([2]);
    expect(h.bridge.archive('critical')).toMatchObject({ eventCount: 2, retentionDays: 2 });
    expect(() => h.bridge.archivedEvents({ archive: 'nope' })).toThrow(UnknownArchiveError);
  });

  it('forgets events older than the retention', () => {
    const h = harness();
    h.bridge.publish([alert({ n: 1, severity: 'critical' })]);
    h.clock = new Date('2026-03-02T12:00:00.000Z');
    h.bridge.publish([alert({ n: 2, severity: 'critical' })]);

    h.clock = new Date('2026-03-03T11:00:00.000Z');

    expect(h.bridge.archivedEvents({ archive: 'critical' }).map((record) => record.event.detail.n)).toEqual([
      2,
    ]);
    expect(h.bridge.archivedEvents({ archive: 'all' }).map((record) => record.event.detail.n)).toEqual([
      1, 2,
    ]);
  });

  it('appends to <dataDir>/eventbridge/archive-<name>.jsonl and reloads it, applying retention', async () => {
    // prepare
    const dataDir = tempDir();
    const first = harness({ dataDir });
    first.bridge.publish([alert({ n: 1, severity: 'critical' })]);
    first.clock = new Date('2026-03-02T12:00:00.000Z');
    first.bridge.publish([alert({ n: 2, severity: 'critical' })]);
    await first.bridge.close();
    const file = join(dataDir, 'eventbridge', 'archive-critical.jsonl');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    appendFileSync(file, 'not json\n');

    // act
    const warnings: string[] = [];
    const reloaded = new LocalEventBridge({
      buses: [{ name: BUS, description: 'test bus' }],
      rules: [],
      archives: ARCHIVES,
      dataDir,
      now: () => new Date('2026-03-03T11:00:00.000Z'),
      logger: { warn: (message: string) => warnings.push(message) },
    });
    open.push(reloaded);

    // assess
    expect(reloaded.archivedEvents({ archive: 'critical' }).map((record) => record.event.detail.n)).toEqual([
      2,
    ]);
    expect(reloaded.archivedEvents({ archive: 'all' }).map((record) => record.event.detail.n)).toEqual([
      1, 2,
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(warnings.some((warning) => warning.includes('unreadable'))).toBe(true);
  });

  it('starts empty on a data directory without archives', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'unrelated'), '');
    const h = harness({ dataDir });

    expect(h.bridge.archivedEvents({ archive: 'all' })).toEqual([]);
  });
});

describe('LocalEventBridge definitions', () => {
  const make = (options: LocalEventBridgeOptions) => () => {
    open.push(
      new LocalEventBridge({ buses: [{ name: BUS, description: '' }], rules: [], archives: [], ...options }),
    );
  };
  const rule = (overrides: Partial<RuleDefinition>): RuleDefinition => ({
    ...(RULES[1] as RuleDefinition),
    ...overrides,
  });

  it('refuses what AWS would refuse', () => {
    expect(make({ rules: [rule({ eventBus: 'missing' })] })).toThrow(/event bus missing is not defined/);
    expect(make({ rules: [rule({}), rule({})] })).toThrow(/defined twice/);
    expect(make({ rules: [rule({ name: 'has space' })] })).toThrow(/name must match/);
    expect(make({ rules: [rule({ pattern: { source: 'not-an-array' } })] })).toThrow(
      /Event pattern is not valid/,
    );
    const target = { id: 't', target: { kind: 'function', name: 'f' } } as const;
    expect(
      make({ rules: [rule({ targets: Array.from({ length: 6 }, (_, i) => ({ ...target, id: `t${i}` })) })] }),
    ).toThrow(/at most 5/);
    expect(make({ rules: [rule({ targets: [target, target] })] })).toThrow(/used twice/);
    expect(
      make({
        rules: [
          rule({
            targets: [{ ...target, inputPath: '$.detail', inputTransformer: { inputTemplate: '"x"' } }],
          }),
        ],
      }),
    ).toThrow(/Only one of Input, InputPath, or InputTransformer/);
    expect(make({ buses: [{ name: 'default', description: '' }] })).toThrow(/defined twice/);
    expect(
      make({ archives: [{ name: 'a', eventBus: 'missing', description: '', retentionDays: 1 }] }),
    ).toThrow(/not defined/);
    expect(make({ archives: [{ name: 'a', eventBus: BUS, description: '', retentionDays: -1 }] })).toThrow(
      /retentionDays/,
    );
    expect(make({ rules: [rule({ eventBus: 'missing' })] })).toThrow(InvalidEventBridgeDefinitionError);
  });

  it("defaults to the project's catalog, with AWS's default bus", () => {
    const bridge = new LocalEventBridge();
    open.push(bridge);

    expect(bridge.eventBuses().map((bus) => bus.name)).toEqual(['default', 'fleetwire']);
    expect(bridge.eventBus('fleetwire')?.arn).toBe(
      'arn:aws:events:us-east-1:000000000000:event-bus/fleetwire',
    );
    expect(bridge.archiveInfos().map((archive) => archive.name)).toEqual(['fleetwire-all-events']);
  });

  it('names rules with the ARNs AWS gives them', () => {
    const h = harness();

    expect(h.bridge.rule('critical-alerts', BUS).arn).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/fleetwire/critical-alerts',
    );
    expect(h.bridge.rule('default-bus-rule').arn).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/default-bus-rule',
    );
  });
});
