import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `fleetwire` executable as users run it (`npx fleetwire`). */
export const FLEETWIRE_BIN = fileURLToPath(new URL('../../bin/fleetwire.mjs', import.meta.url));

/** Output and exit code of a finished CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `fleetwire <args>` to completion. */
export function runCli(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLEETWIRE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts a long-running `fleetwire <args>` and resolves once its stdout matches `ready`, or at once when
 * `ready` is `null` (for commands that print nothing until something happens).
 */
export function startCli(
  args: readonly string[],
  ready: RegExp | null,
  timeoutMs = 15_000,
): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLEETWIRE_BIN, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleetwire ${args.join(' ')} not ready in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (ready === null) {
      clearTimeout(timer);
      resolve({ child, match: [''] as RegExpMatchArray, output: () => stdout });
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready === null) return;
      const match = stdout.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => stdout });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (ready !== null)
        reject(new Error(`fleetwire ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

/** Sends SIGTERM and resolves with the exit code. */
export function stopCli(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
