import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { tailEvents } from '../../../src/cli/commands/events.ts';
import { runCli, startCli, stopCli } from '../../support/cli.ts';
import { runLibraryClient } from '../../support/appsync-library.ts';

/** What `npm start` printed: where everything is, and the demo token. */
interface StackOutput {
  readonly edgeUrl: string;
  readonly graphqlTlsUrl: string;
  readonly certificatePath: string;
  readonly token: string;
}

function parseStackOutput(text: string): StackOutput {
  const find = (pattern: RegExp, what: string) => {
    const match = pattern.exec(text);
    if (!match?.[1]) throw new Error(`npm start did not print ${what}:\n${text}`);
    return match[1];
  };
  return {
    edgeUrl: find(/AWS edge\s+(http:\/\/127\.0\.0\.1:\d+)/, 'the edge URL'),
    graphqlTlsUrl: find(/GraphQL TLS\s+(https:\/\/\S+\/graphql)/, 'the GraphQL TLS URL'),
    certificatePath: find(/certificate\s+(\S+\.pem)/, 'the certificate path'),
    token: find(/Token:[^\n]*\n\s+(eyJ[\w.-]+)/, 'a token'),
  };
}

describe('npm start: the whole system offline with a simulated fleet', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-start-'));
  let stack: Awaited<ReturnType<typeof startCli>>;
  let printed: StackOutput;

  beforeAll(async () => {
    stack = await startCli(
      [
        'start',
        '--port',
        '0',
        '--api-port',
        '0',
        '--api-tls-port',
        '0',
        '--data-dir',
        dataDir,
        '--vehicles',
        '5',
        '--quiet',
      ],
      /Token:[^\n]*\n\s+eyJ[\w.-]+\n/,
      40_000,
    );
    printed = parseStackOutput(stack.output());
  }, 50_000);
  afterAll(async () => {
    if (stack) expect(await stopCli(stack.child)).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('streams the simulated fleet as Telemetry.Updated events of the demo tenant within seconds', async () => {
    // act
    const abort = new AbortController();
    const lines: string[] = [];
    const pattern = encodeURIComponent('{"detail-type":["Telemetry.Updated"]}');
    const tail = tailEvents(
      new URL(`/_edge/events/tail?bus=fleetwire&pattern=${pattern}`, printed.edgeUrl),
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

  it("delivers the simulated fleet's live updates to AWS's AppSync client library, configured as for AWS", async () => {
    const { code, lines } = await runLibraryClient({
      APPSYNC_URL: printed.graphqlTlsUrl,
      TOKEN: printed.token,
      NODE_EXTRA_CA_CERTS: printed.certificatePath,
      QUERY: 'query { vehicles { items { id name } } }',
      SUBSCRIPTION: 'subscription { onFleetUpdate { tenantId vehicles { vehicleId signals } } }',
      COUNT: '2',
      TIMEOUT_MS: '30000',
    });
    expect(code).toBe(0);
    const query = lines[0] as { query: { vehicles: { items: { id: string }[] } } };
    expect(query.query.vehicles.items).toHaveLength(5);
    const updates = lines.slice(1) as {
      data: { onFleetUpdate: { tenantId: string; vehicles: unknown[] } };
    }[];
    expect(updates).toHaveLength(2);
    for (const update of updates) {
      expect(update.data.onFleetUpdate.tenantId).toBe('demo');
      expect(update.data.onFleetUpdate.vehicles.length).toBeGreaterThan(0);
    }
  });

  it('registers the simulated vehicles to the demo tenant, listed by fleetwire vehicles list', async () => {
    const result = await runCli(['vehicles', 'list', '--tenant', 'demo', '--endpoint', printed.edgeUrl]);
    expect(result.code).toBe(0);
    const vehicles = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { tenantId: string });
    expect(vehicles).toHaveLength(5);
    expect(vehicles.every((v) => v.tenantId === 'demo')).toBe(true);
    const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: printed.edgeUrl }));
    const directory = await dynamodb.send(new ScanCommand({ TableName: 'fleetwire-vehicles' }));
    dynamodb.destroy();
    expect(JSON.stringify(directory.Items)).not.toMatch(/"[A-HJ-NPR-Z0-9]{17}"/);
  });

  it('shows an empty dead-letter queue', async () => {
    const result = await runCli(['dlq', 'list', '--endpoint', printed.edgeUrl]);
    expect(result).toMatchObject({ code: 0, stdout: '' });
  });
});
