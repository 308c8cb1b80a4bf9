import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LIBRARY_CLIENT = fileURLToPath(new URL('./appsync-library-client.mjs', import.meta.url));

/**
 * Runs AWS's AppSync client library (aws-appsync-subscription-link on Apollo Client, see
 * `appsync-library-client.mjs`) in a child process; answers its JSON lines once it exits.
 */
export function runLibraryClient(
  env: Record<string, string>,
): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  // Node 20 has WebSocket behind a flag; the library, like a browser app, uses the global one.
  const flags =
    typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined'
      ? ['--experimental-websocket']
      : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, LIBRARY_CLIENT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        lines: stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      }),
    );
  });
}
