import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { Command } from 'commander';
import { decodeRecord, TESLA_TOPICS, teslaStreamNames } from '../../src/domain/tesla/index.ts';
import type { DecodedRecord, TeslaTopic } from '../../src/domain/tesla/index.ts';
import { isValidVin, Simulator, StreamMissingError } from '../../src/simulator/index.ts';
import { registerSimulateCommand } from '../../src/cli/commands/simulate.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';

interface ReadRecord {
  readonly topic: TeslaTopic;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Every record of a stream, read back shard by shard from the start. */
async function readStream(
  kinesis: KinesisClient,
  streamName: string,
  topic: TeslaTopic,
): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const batch = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of batch.Records ?? [])
        out.push({ topic, partitionKey: r.PartitionKey ?? '', data: r.Data ?? new Uint8Array() });
      if ((batch.Records ?? []).length === 0 || batch.MillisBehindLatest === 0) break;
      iterator = batch.NextShardIterator;
    }
  }
  return out;
}

async function readAll(kinesis: KinesisClient, namespace: string): Promise<ReadRecord[]> {
  const names = teslaStreamNames(namespace);
  const perTopic = await Promise.all(TESLA_TOPICS.map((topic) => readStream(kinesis, names[topic], topic)));
  return perTopic.flat();
}

describe('simulator against a real edge', () => {
  let edge: TestEdge;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    edge = await startTestEdge();
    kinesis = new KinesisClient(edge.clientConfig);
    for (const namespace of ['simtest', 'clitest']) {
      await Promise.all(
        Object.values(teslaStreamNames(namespace)).map(async (StreamName) => {
          await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
          await waitUntilStreamExists({ client: kinesis, maxWaitTime: 10, minDelay: 1 }, { StreamName });
        }),
      );
    }
  });
  afterAll(async () => {
    kinesis?.destroy();
    await edge?.stop();
  });

  it('puts Tesla records on all four streams that decode, keyed by VIN', async () => {
    // prepare: frequent alerts and errors, so two seconds show every topic
    const simulator = new Simulator({
      kinesis,
      namespace: 'simtest',
      vehicles: 5,
      seed: 8,
      rate: 4,
      tickMs: 50,
      format: 'mixed',
      initial: 'driving',
      behaviour: { alertsPerHour: 3_600, errorsPerHour: 3_600 },
    });

    // act
    await simulator.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await simulator.stop();
    const read = await readAll(kinesis, 'simtest');

    // assess
    const stats = simulator.stats();
    const vins = new Set(simulator.vins());
    expect(stats.putFailures).toBe(0);
    expect(read).toHaveLength(stats.put);
    const decoded: DecodedRecord[] = read.map((r) => decodeRecord(r.topic, r.data));
    for (const [i, record] of decoded.entries()) {
      const raw = read[i] as ReadRecord;
      expect(record.vin).toBe(raw.partitionKey);
      expect(vins.has(raw.partitionKey)).toBe(true);
      expect(isValidVin(raw.partitionKey)).toBe(true);
    }
    const topics = new Set(decoded.map((r) => r.topic));
    expect([...topics].sort()).toEqual([...TESLA_TOPICS].sort());
    const originals = Object.values(stats.records).reduce((a, b) => a + b, 0);
    expect(read.length).toBe(originals + stats.duplicates);
    // At least each vehicle's full state on connect.
    expect(stats.records.V).toBeGreaterThanOrEqual(5);
  });

  it('refuses to start when the streams do not exist, creating none', async () => {
    const simulator = new Simulator({ kinesis, namespace: 'missing', vehicles: 1 });
    await expect(simulator.start()).rejects.toBeInstanceOf(StreamMissingError);
    await expect(simulator.start()).rejects.toThrow(
      /missing_V, missing_alerts, missing_errors, missing_connectivity/,
    );
  });

  it('runs as `fleetwire simulate` for --duration seconds', async () => {
    // prepare
    let out = '';
    const program = new Command('fleetwire').exitOverride();
    registerSimulateCommand(program, {
      out: (text) => (out += text),
      err: (text) => (out += text),
      interrupted: () => new Promise(() => {}),
    });
    const args = [
      'simulate',
      '--endpoint',
      edge.url,
      '--namespace',
      'clitest',
      '--vehicles',
      '2',
      '--seed',
      '4',
      '--duration',
      '1',
    ];

    // act
    await program.parseAsync(args, { from: 'user' });
    const read = await readAll(kinesis, 'clitest');

    // assess
    expect(out).toMatch(/^simulating 2 vehicles into clitest_V/);
    expect(out).toContain('fleetwire vehicles register');
    expect(out).toMatch(/2 vehicles: .* records\/s\nstopped\.\n$/);
    expect(read.length).toBeGreaterThan(2);
    expect(new Set(read.map((r) => r.partitionKey)).size).toBe(2);
  });

  it('`fleetwire simulate` exits 1 with the streams it misses', async () => {
    const program = new Command('fleetwire').exitOverride();
    registerSimulateCommand(program, {
      out: () => {},
      err: () => {},
      interrupted: () => new Promise(() => {}),
    });
    const run = program.parseAsync(
      ['simulate', '--endpoint', edge.url, '--namespace', 'nothing', '--duration', '1'],
      {
        from: 'user',
      },
    );
    await expect(run).rejects.toBeInstanceOf(CliError);
    await expect(run).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining('nothing_V') });
  });
});
