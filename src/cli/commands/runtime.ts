import type { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { startLocalEdge, type LocalEdge } from '../../local/edge/local-edge.ts';
import { startLocalStack } from '../../local/stack.ts';

/** `fleetwire edge` and `fleetwire start`: the offline runtime. */
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
    .description('run the whole system offline (what `npm start` runs)')
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
    .action(async (options: { port: number; dataDir: string; inMemory?: boolean }) => {
      const stack = await startOrExplain(
        () =>
          startLocalStack({
            edgePort: options.port,
            dataDir: options.inMemory ? undefined : options.dataDir,
          }),
        options.port,
      );
      process.stdout.write(stack.describe());
      await untilSignal();
      process.stdout.write('\nstopping…\n');
      await stack.stop();
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: not a TCP port: ${value}`);
  return port;
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

export type { LocalEdge };
