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

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.listener(req, res);
  }

  /** Closes the backend's store; its server never listened, so "not running" is expected and ignored. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error?: Error & { code?: string }) => {
        if (error && error.code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
        else resolve();
      });
    });
  }
}
