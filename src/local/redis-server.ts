import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Where the local stack or a test run gets its Redis from. */
export type RedisSource =
  | { readonly kind: 'env'; readonly url: string }
  | { readonly kind: 'spawned'; readonly url: string; readonly pid: number }
  | { readonly kind: 'memory'; readonly reason: string };

/** A Redis the caller may use, and how to let go of it. */
export interface ResolvedRedis {
  readonly source: RedisSource;
  /** Stops a `redis-server` this module started; does nothing for one it was given. */
  stop(): Promise<void>;
}

/** Raised when no Redis can be had and the caller does not accept the in-memory stand-in. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** How {@link resolveRedis} looks for a Redis. */
export interface ResolveRedisOptions {
  /** Defaults to `process.env.REDIS_URL`. */
  readonly url?: string;
  /** The `redis-server` binary; defaults to the one on the PATH. */
  readonly binary?: string;
  /** Accept an in-memory stand-in when neither works (the local stack does; tests never do). */
  readonly allowMemory?: boolean;
  /** Called once with a warning when the in-memory stand-in is chosen. */
  readonly warn?: (message: string) => void;
}

/**
 * Finds Redis as DESIGN.md §7 orders it: `REDIS_URL` when set, else a `redis-server` from the PATH on a
 * free port (stopped by {@link ResolvedRedis.stop}), else, for the local stack only, an in-memory store.
 */
export async function resolveRedis(options: ResolveRedisOptions = {}): Promise<ResolvedRedis> {
  const url = options.url ?? process.env.REDIS_URL;
  if (url) return { source: { kind: 'env', url }, stop: async () => {} };
  try {
    return await spawnRedisServer(options.binary ?? 'redis-server');
  } catch (error) {
    const reason = `no REDIS_URL and redis-server could not start: ${(error as Error).message}`;
    if (!options.allowMemory) throw new RedisUnavailableError(reason, { cause: error });
    (options.warn ?? console.warn)(`${reason}; using an in-memory store (state is lost on exit)`);
    return { source: { kind: 'memory', reason }, stop: async () => {} };
  }
}

/** Starts a throwaway `redis-server` on a free loopback port, keeping nothing on disk. */
export async function spawnRedisServer(
  binary = 'redis-server',
  extraArgs: readonly string[] = [],
): Promise<ResolvedRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-redis-'));
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--protected-mode',
      'yes',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = `redis://127.0.0.1:${port}`;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitUntilReady(child, url);
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }
  return {
    source: { kind: 'spawned', url, pid: child.pid ?? -1 },
    stop: () => stopChild(child).finally(cleanup),
  };
}

async function waitUntilReady(child: ChildProcess, url: string): Promise<void> {
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  const deadline = Date.now() + 10_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      const client = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
    throw new Error('redis-server did not answer PING within 10 s');
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => {});
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
