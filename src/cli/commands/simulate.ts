import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Command } from 'commander';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { DEFAULT_NAMESPACE, Simulator, SimulatorError, StreamMissingError } from '../../simulator/index.ts';
import type { SimulatedFormat, SimulatorStats } from '../../simulator/index.ts';
import { CliError } from '../cli-error.ts';
import { DEFAULT_EDGE_URL } from './events.ts';

/** Where `fleetwire simulate` writes its output; tests capture it. */
export interface SimulateIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C); by default SIGINT or SIGTERM. Stops listening on `abort`. */
  readonly interrupted?: (abort: AbortSignal) => Promise<void>;
}

const STATUS_EVERY_MS = 5_000;

interface SimulateOptions {
  vehicles: number;
  rate: number;
  namespace: string;
  endpoint: string;
  seed: number;
  format: SimulatedFormat;
  duration?: number;
  parkedInterval: number;
  duplicateRatio: number;
  printVins?: boolean;
}

function numberParser(
  flag: string,
  check: (n: number) => boolean,
  expected: string,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n))
      throw new CliError(`${flag}: ${expected}, got "${value}"`);
    return n;
  };
}

const parseCount = numberParser(
  '--vehicles',
  (n) => Number.isInteger(n) && n >= 1 && n <= 100_000,
  'an integer from 1 to 100000',
);
const parseRate = numberParser(
  '--rate',
  (n) => n > 0 && n <= 100,
  'records per second per driving vehicle, above 0 and at most 100',
);
const parseSeed = numberParser(
  '--seed',
  (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff,
  'an integer from 0 to 4294967295',
);
const parseDuration = numberParser('--duration', (n) => n > 0, 'a positive number of seconds');
const parseInterval = numberParser('--parked-interval', (n) => n > 0, 'a positive number of seconds');
const parseRatio = numberParser(
  '--duplicate-ratio',
  (n) => n >= 0 && n <= 10,
  'duplicates per record, from 0 to 10',
);

function parseFormat(value: string): SimulatedFormat {
  if (value === 'protobuf' || value === 'protojson' || value === 'mixed') return value;
  throw new CliError(`--format: protobuf, protojson or mixed, got "${value}"`);
}

function untilSignal(abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      abort.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    abort.addEventListener('abort', stop);
  });
}

const DEFAULT_IO: SimulateIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/** One status line: what the vehicles do, what was put, how fast. */
export function statusLine(stats: SimulatorStats, now: number): string {
  const { status: st, records: r } = stats;
  return (
    `[${elapsed(now - (stats.startedAt ?? now))}] ${stats.vehicles} vehicles: ${st.driving} driving, ${st.charging} charging, ` +
    `${st.parked} parked, ${st.asleep} asleep, ${st.offline} offline | V ${r.V}, alerts ${r.alerts}, errors ${r.errors}, ` +
    `connectivity ${r.connectivity} | duplicates ${stats.duplicates}, resends ${stats.resends}, late ${stats.delayed} | ` +
    `put ${stats.put}, failed ${stats.putFailures} | ${stats.recordsPerSecond.toFixed(1)} records/s`
  );
}

/**
 * `fleetwire simulate`: simulated Tesla vehicles writing Tesla-format records to the Kinesis streams of
 * a namespace, until Ctrl-C or `--duration`.
 */
export function registerSimulateCommand(program: Command, io: SimulateIo = DEFAULT_IO): void {
  program
    .command('simulate')
    .description('simulated Tesla vehicles writing Fleet Telemetry records to Kinesis (Ctrl-C to stop)')
    .option('--vehicles <n>', 'how many vehicles', parseCount, 10)
    .option('--rate <r>', 'V records per second per driving vehicle', parseRate, 1)
    .option(
      '--namespace <ns>',
      'streams <ns>_V, <ns>_alerts, <ns>_errors, <ns>_connectivity',
      DEFAULT_NAMESPACE,
    )
    .option(
      '--endpoint <url>',
      'the AWS endpoint (the local edge)',
      process.env.AWS_ENDPOINT_URL ?? DEFAULT_EDGE_URL,
    )
    .option('--seed <s>', 'same seed, same vehicles, same VINs', parseSeed, 1)
    .option('--format <format>', 'protobuf, protojson or mixed', parseFormat, 'protobuf' as SimulatedFormat)
    .option('--duration <seconds>', 'stop after this long', parseDuration)
    .option('--parked-interval <seconds>', 'V record interval of a parked vehicle', parseInterval, 30)
    .option('--duplicate-ratio <ratio>', 'duplicate records per record (Tesla: about 0.2)', parseRatio, 0.2)
    .option('--print-vins', 'print the VINs, one per line, and exit (to register them)')
    .action(async (options: SimulateOptions) => {
      const kinesis = new KinesisClient(awsClientConfig({ endpoint: options.endpoint }));
      let lastErrorAt = Number.NEGATIVE_INFINITY;
      const simulator = new Simulator({
        kinesis,
        vehicles: options.vehicles,
        rate: options.rate,
        namespace: options.namespace,
        seed: options.seed,
        format: options.format,
        parkedIntervalMs: options.parkedInterval * 1000,
        duplicateRatio: options.duplicateRatio,
        onError: (error) => {
          if (error instanceof StreamMissingError) return;
          // The edge going away fails every tick: say so at most every few seconds (the status line
          // counts every failure).
          const now = Date.now();
          if (now - lastErrorAt >= STATUS_EVERY_MS) {
            io.err(`fleetwire simulate: ${error.message}\n`);
            lastErrorAt = now;
          }
        },
      });
      if (options.printVins) {
        io.out(`${simulator.vins().join('\n')}\n`);
        kinesis.destroy();
        return;
      }
      try {
        await simulator.start();
      } catch (error) {
        kinesis.destroy();
        if (error instanceof StreamMissingError)
          throw new CliError(`${error.message} at ${options.endpoint}`, 1);
        if (error instanceof SimulatorError) throw new CliError(error.message, 1);
        throw new CliError(
          `cannot reach Kinesis at ${options.endpoint}: ${(error as Error).message} (is \`npm start\` or \`fleetwire edge\` running?)`,
          1,
        );
      }

      const vins = simulator.vins();
      const shown = vins.slice(0, 5).join(', ');
      io.out(
        `simulating ${vins.length} vehicle${vins.length === 1 ? '' : 's'} into ${options.namespace}_V, _alerts, _errors, ` +
          `_connectivity at ${options.endpoint} (${options.format}, seed ${options.seed})\n` +
          `VINs: ${shown}${vins.length > 5 ? `, … (${vins.length - 5} more; --print-vins lists them)` : ''}\n` +
          'Ingest drops records of unregistered vehicles: register them with `fleetwire vehicles register --vin <VIN>` ' +
          '(`npm start` registers its demo vehicles automatically).\n',
      );

      const status = setInterval(
        () => io.out(`${statusLine(simulator.stats(), Date.now())}\n`),
        STATUS_EVERY_MS,
      );
      let timer: NodeJS.Timeout | undefined;
      const done = new AbortController();
      const stopRequested = Promise.race([
        (io.interrupted ?? untilSignal)(done.signal),
        new Promise<void>((resolve) => {
          if (options.duration !== undefined) timer = setTimeout(resolve, options.duration * 1000);
        }),
      ]);
      let failure: unknown;
      try {
        await Promise.race([stopRequested, simulator.finished()]);
      } catch (error) {
        failure = error;
      } finally {
        clearInterval(status);
        clearTimeout(timer);
        done.abort();
        await simulator.stop();
        kinesis.destroy();
      }
      io.out(`${statusLine(simulator.stats(), Date.now())}\nstopped.\n`);
      if (failure instanceof StreamMissingError)
        throw new CliError(`${failure.message} at ${options.endpoint}`, 1);
      if (failure !== undefined) throw failure;
    });
}
