import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * kinesalite and dynalite each build their own `http.Server`; the edge takes their request listener and
 * feeds it the requests whose `X-Amz-Target` names their API, so both run in-process behind one port.
 */
export class EmbeddedHttpBackend {
  private readonly listener: RequestListener;

  constructor(
    readonly name: string,
    private readonly server: Server,
  ) {
    const [listener] = server.listeners('request') as RequestListener[];
    if (!listener) throw new Error(`${name} created a server without a request listener`);
    this.listener = listener;
  }

  /**
   * Binds the backend's own server to a loopback port nobody is told about. Only the edge's port is used;
   * the binding is there because dynalite closes its database only when its server was listening, and an
   * unclosed LevelDB keeps its lock, so a restarted edge could not open its `--data-dir` again.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.listener(req, res);
  }

  /** Closes the backend's server and its store, flushing a `--data-dir` store to disk. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => {
      this.server.close((error?: Error & { code?: string }) => {
        if (error && error.code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
        else resolve();
      });
    });
  }
}
