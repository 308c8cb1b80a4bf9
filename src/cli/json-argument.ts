import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.ts';

/**
 * Reads a `JSON|@FILE` option: inline JSON text, or `@path` for a file holding it. Returns the text, so
 * callers that validate JSON themselves (the pattern matcher) see the original.
 */
export function readJsonText(option: string, value: string): string {
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Reads and parses a `JSON|@FILE` option. */
export function readJsonArgument(option: string, value: string): unknown {
  const text = readJsonText(option, value);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${option}: not valid JSON: ${(error as Error).message}`);
  }
}
