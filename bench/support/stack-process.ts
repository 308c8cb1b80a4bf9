import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The offline stack running in a child process, and what it printed. */
export interface StackProcess {
  readonly child: ChildProcess;
  readonly edgeUrl: string;
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly demoToken: string;
  readonly dataDir: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `fleetwire start` (no simulator, free ports) as a child process, so a benchmark's producer and
 * clients do not share the stack's event loop. With a temp data dir unless `inMemory`; BENCH_STACK_NODE_ARGS
 * passes Node flags to the stack (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
 */
export async function startStackProcess(options: {
  readonly inMemory: boolean;
  readonly label: string;
}): Promise<StackProcess> {
  const cli = fileURLToPath(new URL('../../bin/fleetwire.mjs', import.meta.url));
  const dataDir = options.inMemory
    ? undefined
    : mkdtempSync(join(tmpdir(), `fleetwire-bench-${options.label}-`));
  const args = [
    cli,
    'start',
    '--port',
    '0',
    '--api-port',
    '0',
    '--api-tls-port',
    '0',
    '--no-simulator',
    '--quiet',
  ];
  args.push(...(dataDir ? ['--data-dir', dataDir] : ['--in-memory']));
  // Node flags of the stack process, e.g. --cpu-prof (which NODE_OPTIONS does not allow).
  const nodeArgs = (process.env.BENCH_STACK_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[stack] ${String(chunk)}`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // If this process dies before stop(), do not leave the stack (and its Redis) running.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  const lines = createInterface({ input: child.stdout! });
  const printed: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      printed.push(line);
      if (/^\s*Stop:/.test(line)) resolve();
    });
    void exited.then((code) => reject(new Error(`the stack exited (${code}):\n${printed.join('\n')}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGTERM'), 60_000);
  await ready;
  clearTimeout(timeout);
  const text = printed.join('\n');
  const edgeUrl = /AWS edge\s+(\S+)/.exec(text)?.[1];
  const urls = /GraphQL\s+(\S+)\s+\(real-time (\S+)\)/.exec(text);
  const tokenLine = printed.findIndex((line) => /^\s*Token:/.test(line));
  const demoToken = printed[tokenLine + 1]?.trim();
  if (!edgeUrl || !urls || !demoToken) throw new Error(`unexpected stack output:\n${text}`);
  return {
    child,
    edgeUrl,
    graphqlUrl: urls[1]!,
    realtimeUrl: urls[2]!,
    demoToken,
    dataDir,
    async stop() {
      lines.close();
      process.off('exit', orphanGuard);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The p-th percentile of ascending `sorted` values (nearest rank); NaN when there are none. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
