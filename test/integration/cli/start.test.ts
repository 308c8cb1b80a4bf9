import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { tailEvents } from '../../../src/cli/commands/events.ts';
import { runCli, startCli, stopCli } from '../../support/cli.ts';

describe('npm start: the whole system offline with a simulated fleet', () => {
  let stack: Awaited<ReturnType<typeof startCli>>;
  let url: string;

  beforeAll(async () => {
    stack = await startCli(
      ['start', '--port', '0', '--in-memory', '--vehicles', '5', '--quiet'],
      /AWS edge\s+(http:\/\/127\.0\.0\.1:\d+)/,
      30_000,
    );
    url = stack.match[1]!;
  }, 40_000);
  afterAll(async () => {
    if (stack) expect(await stopCli(stack.child)).toBe(0);
  });

  it('streams the simulated fleet as Telemetry.Updated events of the demo tenant within seconds', async () => {
    // act
    const abort = new AbortController();
    const lines: string[] = [];
    const tail = tailEvents(
      new URL(
        `/_edge/events/tail?bus=fleetwire&pattern=${encodeURIComponent('{"detail-type":["Telemetry.Updated"]}')}`,
        url,
      ),
      (line) => {
        lines.push(line);
        abort.abort();
      },
      abort.signal,
    ).catch(() => {});
    await expect.poll(() => lines.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await tail;
    // assess
    const event = JSON.parse(lines[0]!) as {
      detail: { tenantId: string; vehicles: { vehicleId: string }[] };
    };
    expect(event.detail.tenantId).toBe('demo');
    expect(event.detail.vehicles[0]!.vehicleId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('registers the simulated vehicles to the demo tenant, listed by fleetwire vehicles list', async () => {
    const result = await runCli(['vehicles', 'list', '--tenant', 'demo', '--endpoint', url]);
    expect(result.code).toBe(0);
    const vehicles = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { tenantId: string });
    expect(vehicles).toHaveLength(5);
    expect(vehicles.every((v) => v.tenantId === 'demo')).toBe(true);
    const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: url }));
    const directory = await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vehicles' }));
    dynamodb.destroy();
    expect(JSON.stringify(directory.Items)).not.toMatch(/"[A-HJ-NPR-Z0-9]{17}"/);
  });

  it('shows an empty dead-letter queue', async () => {
    const result = await runCli(['dlq', 'list', '--endpoint', url]);
    expect(result).toMatchObject({ code: 0, stdout: '' });
  });
});
