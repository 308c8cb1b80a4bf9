import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import WebSocket from 'ws';

/** An AppSync response body as the tests read it. */
export interface GraphQLBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly Record<string, unknown>[];
}

/** POSTs a GraphQL request; answers the status and the parsed body. */
export async function postGraphQL(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLBody; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody, headers: response.headers };
}

/** Node's hashes in the shape the Smithy signer wants (the SDK clients plug in the same). */
class NodeSha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not needed');
  }
}

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The headers of a SigV4-signed AppSync POST, as EventBridge's AppSync target sends it. */
export async function sigV4Headers(url: string, body: string): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: 'us-east-1',
    sha256: NodeSha256,
    credentials: {
      accessKeyId: 'ASIALOCALEVENTBRIDGE',
      secretAccessKey: 'local',
      sessionToken: 'local-session',
    },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    headers: { host: target.host, 'content-type': 'application/json' },
    body,
  });
  return signed.headers;
}

/** A raw AppSync real-time message. */
export type RealtimeMessage = Record<string, unknown> & { readonly type: string; readonly id?: string };

/** A `ws` client on the AppSync real-time protocol that records what it receives, for assertions. */
export class RealtimeProbe {
  readonly messages: RealtimeMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as RealtimeMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Opens a connection; `header` goes into a `header-<base64url>` subprotocol or the `header=` query parameter. */
  static async open(
    url: string,
    header: Record<string, unknown> | undefined,
    options: { via?: 'subprotocol' | 'query'; ca?: string; protocols?: string[] } = {},
  ): Promise<RealtimeProbe> {
    const via = options.via ?? 'subprotocol';
    const protocols = [...(options.protocols ?? ['graphql-ws'])];
    let target = url;
    if (header && via === 'subprotocol') {
      protocols.push(`header-${Buffer.from(JSON.stringify(header)).toString('base64url')}`);
    } else if (header) {
      const query = new URLSearchParams({
        header: Buffer.from(JSON.stringify(header)).toString('base64'),
        payload: Buffer.from('{}').toString('base64'),
      });
      target = `${url}?${query}`;
    }
    const socket = new WebSocket(target, protocols, options.ca ? { ca: options.ca } : {});
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
    });
    return new RealtimeProbe(socket);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** `connection_init`, then the `connection_ack`. */
  async init(): Promise<RealtimeMessage> {
    this.send({ type: 'connection_init' });
    return this.next((message) => message.type === 'connection_ack' || message.type === 'connection_error');
  }

  /** Sends `start` for a subscription, authorized by `authorization`; answers `start_ack` or `error`. */
  async start(
    id: string,
    query: string,
    authorization: Record<string, unknown> | undefined,
    variables: Record<string, unknown> = {},
  ): Promise<RealtimeMessage> {
    this.send({
      id,
      type: 'start',
      payload: {
        data: JSON.stringify({ query, variables }),
        ...(authorization ? { extensions: { authorization } } : {}),
      },
    });
    return this.next(
      (message) => message.id === id && (message.type === 'start_ack' || message.type === 'error'),
    );
  }

  /** The first message (from now on or already received, not yet taken) that matches. */
  async next(matches: (message: RealtimeMessage) => boolean, timeoutMs = 5000): Promise<RealtimeMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex(matches);
      if (index >= 0) return this.messages.splice(index, 1)[0]!;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('the connection closed');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The `data` messages received so far for a subscription id (taken). */
  takeData(id: string): RealtimeMessage[] {
    const taken = this.messages.filter((message) => message.type === 'data' && message.id === id);
    for (const message of taken) this.messages.splice(this.messages.indexOf(message), 1);
    return taken;
  }

  close(): void {
    this.socket.close();
  }
}
