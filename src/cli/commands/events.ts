import type { Command } from 'commander';
import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  StartReplayCommand,
  type ReplayState,
} from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { compileEventPattern, InvalidEventPatternError } from '../../local/eventbridge/pattern.ts';
import { CliError } from '../cli-error.ts';
import { readJsonArgument, readJsonText } from '../json-argument.ts';
import { FLEETWIRE_ARCHIVES, FLEETWIRE_BUS_NAME } from '../../domain/events/rules.ts';

/** Where the CLI finds the local edge unless told otherwise. */
export const DEFAULT_EDGE_URL = 'http://127.0.0.1:4566';

/** `fleetwire events …`: test patterns and watch the bus. */
export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('EventBridge events: test patterns, tail the bus');

  events
    .command('test-pattern')
    .description('print true if the event matches the pattern, false if not; an invalid pattern exits 2')
    .requiredOption('--pattern <json|@file>', 'the event pattern, inline or @file')
    .requiredOption('--event <json|@file>', 'the event, inline or @file')
    .action((options: { pattern: string; event: string }) => {
      const patternText = readJsonText('--pattern', options.pattern);
      const event = readJsonArgument('--event', options.event);
      let pattern;
      try {
        pattern = compileEventPattern(patternText);
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw new CliError(error.message);
        throw error;
      }
      process.stdout.write(`${pattern.matches(event)}\n`);
    });

  events
    .command('tail')
    .description("print the bus's events as JSON lines as they arrive (Ctrl-C to stop)")
    .option('--pattern <json|@file>', 'only events matching this pattern')
    .option('--bus <name>', 'the event bus', FLEETWIRE_BUS_NAME)
    .option('--endpoint <url>', 'the local edge', process.env.AWS_ENDPOINT_URL ?? DEFAULT_EDGE_URL)
    .action(async (options: { pattern?: string; bus: string; endpoint: string }) => {
      const url = new URL('/_edge/events/tail', options.endpoint);
      url.searchParams.set('bus', options.bus);
      if (options.pattern) {
        const text = readJsonText('--pattern', options.pattern);
        try {
          compileEventPattern(text);
        } catch (error) {
          if (error instanceof InvalidEventPatternError) throw new CliError(error.message);
          throw error;
        }
        url.searchParams.set('pattern', text);
      }
      await tailEvents(url, (line) => process.stdout.write(`${line}\n`));
    });

  events
    .command('replay')
    .description(
      "re-publishes the archive's events of a time range to the bus's rules (EventBridge StartReplay); " +
        'prints progress until the replay ends',
    )
    .requiredOption('--from <time>', 'start of the range, ISO-8601 (inclusive)')
    .requiredOption('--to <time>', 'end of the range, ISO-8601 (exclusive)')
    .option('--pattern <json|@file>', 'only events matching this pattern (local edge only)')
    .option('--rule <name...>', 'only to these rules of the bus (StartReplay FilterArns)')
    .option('--archive <name>', 'the archive', FLEETWIRE_ARCHIVES[0]?.name ?? 'fleetwire-all-events')
    .option('--bus <name>', 'the event bus the archive belongs to', FLEETWIRE_BUS_NAME)
    .option('--name <name>', 'the replay name (default: fleetwire-replay-<now>)')
    .option('--endpoint <url>', 'the local edge (default AWS_ENDPOINT_URL or http://127.0.0.1:4566)')
    .option('--aws', 'replay in AWS itself, not on the local edge')
    .action(async (options: ReplayOptions) => {
      await replayEvents(options, (line) => process.stdout.write(`${line}\n`));
    });
}

/** The options of `fleetwire events replay`. */
export interface ReplayOptions {
  readonly from: string;
  readonly to: string;
  readonly pattern?: string;
  readonly rule?: readonly string[];
  readonly archive: string;
  readonly bus: string;
  readonly name?: string;
  readonly endpoint?: string;
  readonly aws?: boolean;
  /** Between two looks at the replay's state. Default 500 ms. */
  readonly pollMs?: number;
}

const FINAL_REPLAY_STATES: readonly ReplayState[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

/**
 * Starts a replay and reports its progress until it ends: `StartReplay` on the archive, then
 * `DescribeReplay` until COMPLETED (resolves), FAILED or CANCELLED (a {@link CliError}). EventBridge's
 * `StartReplay` has no pattern: `--pattern` is sent to the local edge as its `EventPattern` extension and
 * refused with `--aws`, where `--rule` narrows a replay instead.
 */
export async function replayEvents(options: ReplayOptions, print: (line: string) => void): Promise<string> {
  const from = parseTime('--from', options.from);
  const to = parseTime('--to', options.to);
  if (from.getTime() >= to.getTime()) throw new CliError('--from must be before --to');
  let pattern: string | undefined;
  if (options.pattern !== undefined) {
    if (options.aws) {
      throw new CliError(
        'EventBridge replays cannot filter by pattern in AWS: use --rule to replay to some rules only',
      );
    }
    pattern = readJsonText('--pattern', options.pattern);
    try {
      compileEventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) throw new CliError(error.message);
      throw error;
    }
  }
  const endpoint = options.aws
    ? undefined
    : (options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? DEFAULT_EDGE_URL);
  const client = new EventBridgeClient(awsClientConfig(endpoint === undefined ? {} : { endpoint }));
  if (pattern !== undefined) {
    // The SDK sends only StartReplay's own members; the edge's pattern extension is added to the body.
    const eventPattern = pattern;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { body?: unknown };
        // The serializer's body is JSON text, as a string or as bytes depending on the SDK version.
        const body =
          typeof request.body === 'string'
            ? request.body
            : request.body instanceof Uint8Array
              ? new TextDecoder().decode(request.body)
              : undefined;
        if (context.commandName === 'StartReplayCommand' && body !== undefined) {
          request.body = JSON.stringify({ ...(JSON.parse(body) as object), EventPattern: eventPattern });
        }
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'fleetwireReplayPattern' },
    );
  }
  try {
    const [archive, bus] = await Promise.all([
      client.send(new DescribeArchiveCommand({ ArchiveName: options.archive })),
      client.send(new DescribeEventBusCommand({ Name: options.bus })),
    ]);
    const name = options.name ?? `fleetwire-replay-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const filterArns = options.rule?.map((rule) =>
      rule.startsWith('arn:')
        ? rule
        : `${(bus.Arn ?? '').replace(':event-bus/', ':rule/')}/${rule}`.replace(/:rule\/default\//, ':rule/'),
    );
    const started = await client.send(
      new StartReplayCommand({
        ReplayName: name,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: from,
        EventEndTime: to,
        Destination: { Arn: bus.Arn, ...(filterArns ? { FilterArns: filterArns } : {}) },
      }),
    );
    print(
      `replay ${name} ${started.State ?? 'STARTING'}: ${options.archive} ${from.toISOString()} .. ${to.toISOString()}`,
    );
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
      const replay = await client.send(new DescribeReplayCommand({ ReplayName: name }));
      const last = replay.EventLastReplayedTime
        ? ` (replayed up to ${replay.EventLastReplayedTime.toISOString()})`
        : '';
      print(`replay ${name} ${replay.State ?? 'UNKNOWN'}${last}`);
      if (replay.State && FINAL_REPLAY_STATES.includes(replay.State)) {
        if (replay.State !== 'COMPLETED') {
          throw new CliError(`replay ${name} ${replay.State}: ${replay.StateReason ?? 'no reason given'}`, 1);
        }
        return name;
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const described = error as { name?: string; message?: string };
    const invalid = ['ValidationException', 'InvalidEventPatternException', 'ResourceNotFoundException'];
    throw new CliError(
      `the replay failed: ${described.name ?? 'Error'}: ${described.message ?? String(error)}`,
      invalid.includes(described.name ?? '') ? 2 : 1,
    );
  } finally {
    client.destroy();
  }
}

function parseTime(option: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${option} must be a time, e.g. 2026-01-31T12:00:00Z`);
  return date;
}

/** Streams the edge's tail endpoint, calling `onLine` with each event's JSON, until the edge closes it. */
export async function tailEvents(
  url: URL,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (error) {
    throw new CliError(
      `cannot reach the edge at ${url.origin}: ${(error as Error).message} (is \`fleetwire edge\` or \`npm start\` running?)`,
      1,
    );
  }
  if (!response.ok || !response.body) {
    const body = (await response.text().catch(() => '')) || response.statusText;
    throw new CliError(
      `the edge refused the tail: ${response.status} ${body}`,
      response.status === 400 ? 2 : 1,
    );
  }
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) onLine(line);
    }
  }
}
