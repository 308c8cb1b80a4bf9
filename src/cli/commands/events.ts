import type { Command } from 'commander';
import { compileEventPattern, InvalidEventPatternError } from '../../local/eventbridge/pattern.ts';
import { CliError } from '../cli-error.ts';
import { readJsonArgument, readJsonText } from '../json-argument.ts';
import { FLEETWIRE_BUS_NAME } from '../../domain/events/rules.ts';

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
