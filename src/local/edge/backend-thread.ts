import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';

/** Which embedded AWS stand-in a {@link BackendThread} runs. */
export type BackendModule = 'kinesalite' | 'dynalite';

/** The thread failed to start, stop or answer. */
export class BackendThreadError extends Error {
  override readonly name = 'BackendThreadError';
}

/** Headers that belong to one hop and are not relayed. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'expect', 'upgrade']);

const WORKER_URL = new URL('./backend-worker.mjs', import.meta.url);

/**
 * kinesalite or dynalite in a worker thread, on a private loopback port, behind the edge's one port.
 *
 * Why a thread: both are pure JavaScript that do a lot per request (kinesalite computes sequence numbers
 * with bignumber.js, both go through LevelDB's codecs), about a quarter of the CPU of `npm start` under
 * load. In the edge's own event loop that work queued ahead of the ingest, the bus and the GraphQL
 * server; in a thread it runs on the second core. The edge relays each request's bytes without parsing
 * the body.
 */
export class BackendThread {
  private worker: Worker | undefined;
  private boundPort: number | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    readonly name: string,
    private readonly backend: BackendModule,
    private readonly options: Readonly<Record<string, unknown>>,
  ) {}

  /** Starts the thread; resolves once its server listens. */
  async start(): Promise<void> {
    const worker = new Worker(WORKER_URL, { workerData: { backend: this.backend, options: this.options } });
    this.worker = worker;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new BackendThreadError(`the ${this.name} thread exited (${code}) before listening`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: { port?: number; error?: string }) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.port === undefined)
          reject(new BackendThreadError(`${this.name} could not listen: ${message.error ?? 'no port'}`));
        else resolve(message.port);
      });
    });
  }

  /** The backend's private port (for the fault injector's rewritten batches). */
  get port(): number {
    if (this.boundPort === undefined) throw new BackendThreadError(`${this.name} is not started`);
    return this.boundPort;
  }

  /** Relays one request to the backend and its answer back, streaming both bodies. */
  handle(req: IncomingMessage, res: ServerResponse, onError: (error: unknown) => void): void {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    }
    const outgoing = httpRequest(
      { host: '127.0.0.1', port: this.port, method: req.method, path: req.url, headers, agent: this.agent },
      (reply) => {
        const replyHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(reply.headers)) {
          if (value !== undefined && !HOP_HEADERS.has(name)) replyHeaders[name] = value;
        }
        res.writeHead(reply.statusCode ?? 502, replyHeaders);
        reply.pipe(res);
        reply.on('error', (error) => res.destroy(error));
      },
    );
    outgoing.on('error', (error) => {
      // The client gone first is not the backend's fault; anything else is the edge's (a 500).
      if (res.destroyed) return;
      onError(new BackendThreadError(`relaying to ${this.name} failed: ${error.message}`, { cause: error }));
    });
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  }

  /** Closes the backend's server and its store (flushing a `--data-dir` store), then the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.agent.destroy();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (message: unknown) => {
        if (message === 'closed') resolve();
        else reject(new BackendThreadError(`${this.name} did not close: ${JSON.stringify(message)}`));
      });
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    });
    await worker.terminate();
  }
}
