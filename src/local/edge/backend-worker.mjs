/**
 * A worker thread running kinesalite or dynalite on a private loopback port. Plain JavaScript, so the
 * thread needs no TypeScript loader whatever started the edge (tsx, vitest, the CLI).
 *
 * workerData: `{ backend: 'kinesalite' | 'dynalite', options }`. Posts `{ port }` when listening, or
 * `{ error }`; on the message `'close'` closes the server (which closes and flushes the backend's LevelDB)
 * and posts `'closed'`.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const BACKENDS = new Set(['kinesalite', 'dynalite']);

const { backend, options } = workerData;
if (!BACKENDS.has(backend)) throw new Error(`unknown backend ${String(backend)}`);
const server = require(backend)(options);

server.once('error', (error) => parentPort.postMessage({ error: error.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));

parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.closeAllConnections();
  server.close((error) => {
    if (error && error.code !== 'ERR_SERVER_NOT_RUNNING') parentPort.postMessage({ error: error.message });
    else parentPort.postMessage('closed');
  });
});
