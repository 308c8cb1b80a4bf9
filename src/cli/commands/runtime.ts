import type { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { startLocalEdge } from '../../local/edge/local-edge.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { formatSummary, summaryFigures, type StackReading } from '../../local/summary.ts';

/** `fleetwire edge`, `fleetwire start` and its alias `fleetwire dev`: the offline runtime. */
export function registerRuntimeCommands(program: Command): void {
  program
    .command('edge')
    .description('run the local AWS edge: Kinesis, DynamoDB, EventBridge, KMS and SQS on one endpoint')
    .option('--port <port>', 'TCP port on 127.0.0.1', parsePort, 4566)
    .option('--data-dir <dir>', 'keep data on disk in this directory (in memory when absent)')
    .action(async (options: { port: number; dataDir?: string }) => {
      const edge = await startOrExplain(
        () => startLocalEdge({ port: options.port, dataDir: options.dataDir }),
        options.port,
      );
      process.stdout.write(
        `fleetwire edge listening on ${edge.url} (${options.dataDir ? `data in ${options.dataDir}` : 'in memory'})\n` +
          `services: ${edge.serviceNames().join(', ')}\n` +
          `use it with: export AWS_ENDPOINT_URL=${edge.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\n`,
      );
      await untilSignal();
      await edge.stop();
    });

  program
    .command('start')
    .alias('dev')
    .description('run the whole system offline with a simulated demo fleet (what `npm start` runs)')
    .option(
      '--port <port>',
      'TCP port of the AWS edge',
      parsePort,
      Number(process.env.FLEETWIRE_EDGE_PORT ?? 4566),
    )
    .option(
      '--data-dir <dir>',
      'where the local stack keeps its data',
      process.env.FLEETWIRE_DATA_DIR ?? '.fleetwire/data',
    )
    .option('--in-memory', 'keep nothing on disk')
    .option('--vehicles <n>', 'simulated vehicles in the demo tenant', parseCount, 50)
    .option('--rate <r>', 'records per second per driving simulated vehicle', Number, 1)
    .option(
      '--no-simulator',
      'no simulated fleet: a real fleet-telemetry server (or any producer) feeds the streams',
    )
    .option('--auto-register', 'register unknown VINs to the demo tenant instead of dropping them')
    .option('--namespace <ns>', "the Tesla server's stream namespace", 'fleetwire')
    .option(
      '--api-port <port>',
      'port of the GraphQL API (http, ws)',
      parsePort,
      Number(process.env.FLEETWIRE_API_PORT ?? 4000),
    )
    .option(
      '--api-tls-port <port>',
      'port of the GraphQL API over TLS (https, wss)',
      parsePort,
      Number(process.env.FLEETWIRE_API_TLS_PORT ?? 4001),
    )
    .option('--quiet', 'no live summary')
    .action(
      async (options: {
        port: number;
        dataDir: string;
        inMemory?: boolean;
        vehicles: number;
        rate: number;
        simulator: boolean;
        autoRegister?: boolean;
        namespace: string;
        apiPort: number;
        apiTlsPort: number;
        quiet?: boolean;
      }) => {
        const stack = await startOrExplain(
          () =>
            startLocalStack({
              edgePort: options.port,
              dataDir: options.inMemory ? undefined : options.dataDir,
              simulatedVehicles: options.simulator ? options.vehicles : 0,
              simulatorRate: options.rate,
              autoRegister: options.autoRegister ?? false,
              namespace: options.namespace,
              apiPort: options.apiPort,
              apiTlsPort: options.apiTlsPort,
            }),
          options.port,
        );
        process.stdout.write(stack.describe());
        const summary = options.quiet ? undefined : startSummary(stack);
        await untilSignal();
        summary?.stop();
        process.stdout.write('\nstopping…\n');
        await stack.stop();
      },
    );
}

/** Redraws the live summary every second on a terminal; prints a line every 10 s to a pipe or a file. */
function startSummary(stack: LocalStack): { stop(): void } {
  const tty = process.stdout.isTTY === true;
  const read = (): StackReading => ({
    at: Date.now(),
    ingest: { ...stack.ingest.observer.totals },
    pollers: stack.ingest.stats(),
    simulator: stack.simulator?.stats(),
    detectors: { ...stack.ingest.observer.detectorTotals },
  });
  let previous = read();
  let drawn = 0;
  const timer = setInterval(
    () => {
      const current = read();
      const lines = formatSummary(summaryFigures(previous, current), current.ingest.lastError);
      previous = current;
      if (tty) {
        const up = drawn > 0 ? `\x1b[${drawn}A` : '';
        process.stdout.write(`${up}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
        drawn = lines.length;
      } else {
        process.stdout.write(`${new Date().toISOString()} ${lines.join(' | ')}\n`);
      }
    },
    tty ? 1_000 : 10_000,
  );
  return { stop: () => clearInterval(timer) };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: not a TCP port: ${value}`);
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new CliError(`not a count: ${value}`);
  return count;
}

async function startOrExplain<T>(start: () => Promise<T>, port: number): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(
        `port ${port} is already in use (is another edge running?); choose another with --port`,
        1,
      );
    }
    throw error;
  }
}

/** Resolves on the first SIGINT or SIGTERM, so the caller can stop what it started. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
