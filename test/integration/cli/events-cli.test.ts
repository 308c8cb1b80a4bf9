import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { runCli, startCli, stopCli } from '../../support/cli.ts';

describe('fleetwire events test-pattern', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-cli-'));

  it.each([
    ['a match', '{"source":["fleetwire.ingest"]}', '{"source":"fleetwire.ingest"}', 'true'],
    ['no match', '{"source":["fleetwire.ingest"]}', '{"source":"fleetwire.commands"}', 'false'],
    ['a numeric range', '{"detail":{"soc":[{"numeric":["<",20]}]}}', '{"detail":{"soc":12.5}}', 'true'],
  ])('prints %s', async (_case, pattern, event, expected) => {
    const result = await runCli(['events', 'test-pattern', '--pattern', pattern, '--event', event]);
    expect(result).toMatchObject({ code: 0, stdout: `${expected}\n` });
  });

  it('reads the pattern and the event from @files', async () => {
    writeFileSync(join(dir, 'pattern.json'), '{"detail-type":[{"prefix":"Trip."}]}');
    writeFileSync(join(dir, 'event.json'), '{"detail-type":"Trip.Ended"}');
    const result = await runCli([
      'events',
      'test-pattern',
      '--pattern',
      `@${join(dir, 'pattern.json')}`,
      '--event',
      `@${join(dir, 'event.json')}`,
    ]);
    expect(result).toMatchObject({ code: 0, stdout: 'true\n' });
  });

  it.each([
    ['an invalid pattern', ['--pattern', '{"source":"x"}', '--event', '{}'], /Event pattern is not valid/],
    [
      'pattern JSON that does not parse',
      ['--pattern', '{oops', '--event', '{}'],
      /Event pattern is not valid/,
    ],
    [
      'an event that does not parse',
      ['--pattern', '{"a":[1]}', '--event', '{oops'],
      /--event: not valid JSON/,
    ],
    [
      'a missing file',
      ['--pattern', '@/nonexistent.json', '--event', '{}'],
      /cannot read \/nonexistent.json/,
    ],
    ['a missing option', ['--pattern', '{"a":[1]}'], /required option '--event/],
  ])('exits 2 with the reason for %s', async (_case, args, reason) => {
    const result = await runCli(['events', 'test-pattern', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
  });
});

describe('fleetwire edge and fleetwire events tail', () => {
  let edge: Awaited<ReturnType<typeof startCli>>;
  let url: string;
  beforeAll(async () => {
    edge = await startCli(['edge', '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    url = edge.match[1]!;
  });
  afterAll(async () => {
    if (edge) expect(await stopCli(edge.child)).toBe(0);
  });

  it('prints matching events of the bus as JSON lines as they are put', async () => {
    // prepare
    const tail = await startCli(
      ['events', 'tail', '--endpoint', url, '--pattern', '{"detail-type":["Trip.Ended"]}'],
      null,
    );
    const events = new EventBridgeClient(awsClientConfig({ endpoint: url }));
    const put = () =>
      events.send(
        new PutEventsCommand({
          Entries: ['Trip.Started', 'Trip.Ended'].map((type) => ({
            EventBusName: 'fleetwire',
            Source: 'fleetwire.ingest',
            DetailType: type,
            Detail: JSON.stringify({ type }),
          })),
        }),
      );
    // act: the tail subscribes once its process is up; keep putting until it has printed something
    await expect
      .poll(async () => (await put(), tail.output()), { timeout: 10_000, interval: 300 })
      .toMatch(/\n/);
    await stopCli(tail.child);
    events.destroy();
    // assess
    const lines = tail
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({
        'detail-type': 'Trip.Ended',
        source: 'fleetwire.ingest',
        detail: { type: 'Trip.Ended' },
      });
  });

  it('tells the user when no edge is running', async () => {
    const result = await runCli(['events', 'tail', '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the edge/);
  });
});
