import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListReplaysCommand,
  PutEventsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import {
  FLEETWIRE_ARCHIVES,
  FLEETWIRE_BUS_NAME,
  type RuleDefinition,
} from '../../src/domain/events/rules.ts';
import type { EventBridgeEvent } from '../../src/local/eventbridge/bus.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { runCli } from '../support/cli.ts';

const ARCHIVE = FLEETWIRE_ARCHIVES[0]!.name;

/** Two probe rules: one for trips only, one for every Fleetwire event. */
const RULES: RuleDefinition[] = [
  {
    name: 'replay-trips',
    description: 'trip ends, to a probe',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: { 'detail-type': ['Trip.Ended'] },
    targets: [{ id: 'probe', target: { kind: 'function', name: 'replay-trips' } }],
  },
  {
    name: 'replay-all',
    description: 'everything, to a probe',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: { source: [{ prefix: 'fleetwire.' }] },
    targets: [{ id: 'probe', target: { kind: 'function', name: 'replay-all' } }],
  },
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('events replay: StartReplay on the local edge, through the SDK and the CLI', () => {
  let edge: LocalEdge;
  let client: EventBridgeClient;
  const received: Record<'trips' | 'all', EventBridgeEvent[]> = { trips: [], all: [] };
  const published: Record<'before' | 'inside' | 'after', { id: string; detailType: string }[]> = {
    before: [],
    inside: [],
    after: [],
  };
  let from: Date;
  let to: Date;

  const publish = async (phase: keyof typeof published, detailType: string) => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: FLEETWIRE_BUS_NAME,
            Source: 'fleetwire.trips',
            DetailType: detailType,
            Detail: JSON.stringify({ version: 1, tenantId: 'acme', phase }),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    published[phase].push({ id: result.Entries?.[0]?.EventId as string, detailType });
  };

  const waitForReplay = async (name: string) => {
    for (let i = 0; i < 200; i++) {
      const replay = await client.send(new DescribeReplayCommand({ ReplayName: name }));
      if (replay.State === 'COMPLETED') return replay;
      await pause(10);
    }
    throw new Error(`replay ${name} did not complete`);
  };

  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0, eventBridge: { rules: RULES, logger: { warn() {} } } });
    client = new EventBridgeClient(awsClientConfig({ endpoint: edge.url }));
    edge.eventBridge.registerTarget({ kind: 'function', name: 'replay-trips' }, (event) => {
      received.trips.push(event as EventBridgeEvent);
    });
    edge.eventBridge.registerTarget({ kind: 'function', name: 'replay-all' }, (event) => {
      received.all.push(event as EventBridgeEvent);
    });
    await publish('before', 'Trip.Ended');
    await pause(30);
    from = new Date();
    await publish('inside', 'Trip.Ended');
    await publish('inside', 'Charging.Ended');
    await publish('inside', 'Trip.Started');
    await publish('inside', 'Trip.Ended');
    await pause(30);
    to = new Date();
    await pause(30);
    await publish('after', 'Trip.Ended');
    await edge.eventBridge.idle();
  });

  beforeEach(() => {
    received.trips.length = 0;
    received.all.length = 0;
  });

  afterAll(async () => {
    client?.destroy();
    await edge?.stop();
  });

  it('replays the time range to the rules of FilterArns only, with replay-name, and does not archive again', async () => {
    // prepare
    const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: ARCHIVE }));
    const trips = edge.eventBridge.rule('replay-trips', FLEETWIRE_BUS_NAME);

    // act
    const started = await client.send(
      new StartReplayCommand({
        ReplayName: 'sdk-replay',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: from,
        EventEndTime: to,
        Destination: { Arn: edge.eventBridge.eventBus(FLEETWIRE_BUS_NAME)?.arn, FilterArns: [trips.arn] },
      }),
    );
    const done = await waitForReplay('sdk-replay');
    await edge.eventBridge.idle();

    // assess
    expect(started.State).toBe('STARTING');
    expect(started.ReplayArn).toMatch(/:replay\/sdk-replay$/);
    expect(done).toMatchObject({
      ReplayName: 'sdk-replay',
      EventSourceArn: archive.ArchiveArn,
      Destination: { FilterArns: [trips.arn] },
    });
    expect(done.ReplayEndTime).toBeInstanceOf(Date);
    const expected = published.inside.filter((event) => event.detailType === 'Trip.Ended').map((e) => e.id);
    expect(received.trips.map((event) => event.id)).toEqual(expected);
    expect(received.trips.every((event) => event['replay-name'] === 'sdk-replay')).toBe(true);
    expect(received.all).toEqual([]);
    const after = await client.send(new DescribeArchiveCommand({ ArchiveName: ARCHIVE }));
    expect(after.EventCount).toBe(archive.EventCount);
    const listed = await client.send(new ListReplaysCommand({ NamePrefix: 'sdk-' }));
    expect(listed.Replays).toEqual([
      expect.objectContaining({ ReplayName: 'sdk-replay', State: 'COMPLETED' }),
    ]);
  });

  it('refuses a replay name twice, and an end before the start', async () => {
    const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: ARCHIVE }));
    const destination = { Arn: edge.eventBridge.eventBus(FLEETWIRE_BUS_NAME)?.arn };
    const start = (name: string, start: Date, end: Date) =>
      client.send(
        new StartReplayCommand({
          ReplayName: name,
          EventSourceArn: archive.ArchiveArn,
          EventStartTime: start,
          EventEndTime: end,
          Destination: destination,
        }),
      );

    await start('twice', from, to);
    await expect(start('twice', from, to)).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(start('backwards', to, from)).rejects.toMatchObject({ name: 'ValidationException' });
    await waitForReplay('twice');
    await edge.eventBridge.idle();
  });

  it('fleetwire events replay --pattern redelivers exactly the matching events of the range and reports progress', async () => {
    // act
    const result = await runCli(
      [
        'events',
        'replay',
        '--from',
        from.toISOString(),
        '--to',
        to.toISOString(),
        '--pattern',
        '{"detail-type": ["Trip.Started", "Trip.Ended"]}',
        '--name',
        'cli-replay',
        '--endpoint',
        edge.url,
      ],
      { timeoutMs: 30_000 },
    );
    await edge.eventBridge.idle();

    // assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^replay cli-replay STARTING/);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^replay cli-replay COMPLETED/);
    const trips = published.inside.filter((event) => event.detailType.startsWith('Trip.')).map((e) => e.id);
    expect(received.all.map((event) => event.id)).toEqual(trips);
    expect(received.all.every((event) => event['replay-name'] === 'cli-replay')).toBe(true);
    expect(received.trips.map((event) => event.id)).toEqual(
      published.inside.filter((event) => event.detailType === 'Trip.Ended').map((e) => e.id),
    );
  });

  it('refuses a pattern in AWS, where StartReplay cannot filter by pattern (exit 2)', async () => {
    const result = await runCli([
      'events',
      'replay',
      '--aws',
      '--from',
      from.toISOString(),
      '--to',
      to.toISOString(),
      '--pattern',
      '{"source": ["x"]}',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--rule/);
  });
});
