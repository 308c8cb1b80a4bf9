import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DocumentNode } from 'graphql';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { LocalJwtIssuer } from '../../auth/issuer.ts';
import type { AppSyncEngine, AppSyncFormattedError, AppSyncIdentity, SubscriptionFilter } from '../engine.ts';
import { MISSING_AUTHORIZATION, RequestRefusal, type AppSyncError } from './errors.ts';
import { authenticate, type Credentials } from './identity.ts';
import { isRejected, prepareOperation, type OperationLimits } from './operation.ts';

/** The WebSocket subprotocol of AppSync's GraphQL real-time endpoint. */
export const GRAPHQL_WS_PROTOCOL = 'graphql-ws';
/** The path of the real-time endpoint under the API's host (AppSync custom-domain style). */
export const REALTIME_PATH = '/graphql/realtime';

/** How the real-time endpoint behaves; every field has an AppSync-like default. */
export interface RealtimeOptions {
  /** Told to clients in `connection_ack`: how long they may go without a `ka`. AppSync: 300000. */
  readonly connectionTimeoutMs: number;
  /** How often the server sends `ka`. AppSync sends one about every minute. */
  readonly keepAliveIntervalMs: number;
  /** AppSync allows 100 subscriptions per connection. */
  readonly maxSubscriptionsPerConnection: number;
  /** A client message larger than this closes the connection (code 1009). */
  readonly maxMessageBytes: number;
  /** A subscriber whose unsent data grows past this is disconnected rather than buffered without end. */
  readonly maxBufferedBytes: number;
  /** An unauthorized connection that sends nothing is closed after this long. */
  readonly unauthorizedCloseMs: number;
}

/** Defaults of {@link RealtimeOptions}. */
export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  connectionTimeoutMs: 300_000,
  keepAliveIntervalMs: 60_000,
  maxSubscriptionsPerConnection: 100,
  maxMessageBytes: 256 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  unauthorizedCloseMs: 10_000,
};

/** Counters of the real-time endpoint, for the stack's summary and tests. */
export interface RealtimeStats {
  readonly connections: number;
  readonly subscriptions: number;
  /** `data` messages sent since start. */
  readonly delivered: number;
}

/** What every connection of an endpoint shares. */
interface RealtimeContext {
  readonly engine: AppSyncEngine;
  readonly issuer: () => LocalJwtIssuer;
  readonly limits: OperationLimits;
  readonly options: RealtimeOptions;
  readonly onInternalError: (error: unknown) => void;
  readonly countDelivery: () => void;
}

interface ActiveSubscription {
  readonly id: string;
  readonly mutations: ReadonlySet<string>;
  readonly filter: SubscriptionFilter | null;
  /** What the engine renders each payload with: the subscriber's own document and identity. */
  readonly document: DocumentNode;
  readonly variables: Record<string, unknown> | undefined;
  readonly identity: AppSyncIdentity;
  /** Deliveries are rendered asynchronously; chaining them keeps a subscriber's messages in publish order. */
  delivery: Promise<void>;
}

type WireError = AppSyncError | AppSyncFormattedError;

/** What a server message looks like on the wire. */
type ServerMessage =
  | { type: 'connection_ack'; payload: { connectionTimeoutMs: number } }
  | { type: 'connection_error'; payload: { errors: WireError[] } }
  | { type: 'ka' }
  | { type: 'start_ack'; id: string }
  | { type: 'data'; id: string; payload: { data: unknown; errors?: readonly WireError[] } }
  | { type: 'complete'; id: string }
  | { type: 'error'; id?: string; payload: { errors: readonly WireError[] } };

/**
 * AppSync's GraphQL real-time protocol over WebSocket (subprotocol `graphql-ws`): the connection is
 * authorized by the `header` (a `header-<base64url>` subprotocol, as current Amplify clients send it, or
 * the `header` query parameter with `payload`), then `connection_init`/`connection_ack`, `ka` every
 * interval, `start`/`start_ack` (each start authorized by its own `extensions.authorization`), `data` when
 * a mutation it listens to publishes a payload its filter matches, `stop`/`complete`, and `error`.
 */
export class RealtimeEndpoint {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<RealtimeConnection>();
  private readonly unsubscribe: () => void;
  private readonly context: RealtimeContext;
  private delivered = 0;

  constructor(context: Omit<RealtimeContext, 'countDelivery'>) {
    this.context = {
      ...context,
      countDelivery: () => {
        this.delivered += 1;
      },
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: context.options.maxMessageBytes,
      clientTracking: false,
      perMessageDeflate: false,
      // AppSync answers with graphql-ws whatever else the client offers (the header-… entry is not a protocol).
      handleProtocols: (protocols) => (protocols.has(GRAPHQL_WS_PROTOCOL) ? GRAPHQL_WS_PROTOCOL : false),
    });
    this.unsubscribe = context.engine.onPublish((mutationField, payload) =>
      this.publish(mutationField, payload),
    );
  }

  /** Takes over an HTTP upgrade request for the real-time path; refuses anything else on the socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_PATH) {
      return refuseUpgrade(socket, 404, `WebSocket connections go to ${REALTIME_PATH}`);
    }
    const offered = parseProtocols(req.headers['sec-websocket-protocol']);
    if (!offered.includes(GRAPHQL_WS_PROTOCOL)) {
      return refuseUpgrade(
        socket,
        400,
        `offer the ${GRAPHQL_WS_PROTOCOL} subprotocol (AppSync Events' aws-appsync-event-ws is not served here)`,
      );
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new RealtimeConnection(this.context, ws, req, offered);
      this.connections.add(connection);
      ws.once('close', () => {
        connection.dispose();
        this.connections.delete(connection);
      });
    });
  }

  stats(): RealtimeStats {
    let subscriptions = 0;
    for (const connection of this.connections) subscriptions += connection.subscriptionCount;
    return { connections: this.connections.size, subscriptions, delivered: this.delivered };
  }

  /** Closes every connection (1001, going away) and stops listening to the engine. */
  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.connections].map((connection) => connection.close(1001, 'server stopping')));
    this.wss.close();
  }

  private publish(mutationField: string, payload: Record<string, unknown>): void {
    for (const connection of this.connections) {
      try {
        connection.deliver(mutationField, payload);
      } catch (error) {
        this.context.onInternalError(error);
      }
    }
  }
}

class RealtimeConnection {
  private readonly subscriptions = new Map<string, ActiveSubscription>();
  private readonly authorized: Promise<AppSyncIdentity | RequestRefusal>;
  private readonly sourceIp: string;
  private keepAlive: NodeJS.Timeout | undefined;
  private unauthorizedTimer: NodeJS.Timeout | undefined;
  private acknowledged = false;
  private refused = false;
  /** Messages are handled one after another, so a `stop` never overtakes the `start` it stops. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: RealtimeContext,
    private readonly ws: WebSocket,
    req: IncomingMessage,
    offeredProtocols: readonly string[],
  ) {
    this.sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    this.authorized = this.authorizeConnection(req, offeredProtocols);
    void this.authorized.then((outcome) => {
      if (outcome instanceof RequestRefusal && !this.refused) {
        // Answered on the client's first message (clients listen for it only after sending connection_init).
        this.unauthorizedTimer = setTimeout(() => this.refuse(outcome), context.options.unauthorizedCloseMs);
      }
    });
    ws.on('message', (data, isBinary) => {
      this.queue = this.queue
        .then(() => this.handle(data, isBinary))
        .catch((error: unknown) => {
          context.onInternalError(error);
          this.send({ type: 'error', payload: { errors: [internalError()] } });
        });
    });
    ws.on('error', () => {
      // A broken socket closes; 'close' cleans up. Nothing to tell the client.
    });
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Sends `data` to every subscription of this connection that listens to the mutation and whose filter matches. */
  deliver(mutationField: string, payload: Record<string, unknown>): void {
    for (const subscription of this.subscriptions.values()) {
      if (!subscription.mutations.has(mutationField) || !this.matches(subscription, payload)) continue;
      if (this.ws.bufferedAmount > this.context.options.maxBufferedBytes) {
        void this.close(1008, 'subscriber too slow: unsent data over the limit');
        return;
      }
      subscription.delivery = subscription.delivery
        .then(() => this.render(subscription, payload))
        .catch((error: unknown) => this.context.onInternalError(error));
    }
  }

  /** Whether the subscription's filter lets the payload through; a filter that cannot be evaluated lets nothing through. */
  private matches(subscription: ActiveSubscription, payload: Record<string, unknown>): boolean {
    try {
      return this.context.engine.matches(subscription.filter, payload);
    } catch (error) {
      this.context.onInternalError(error);
      return false;
    }
  }

  async close(code: number, reason: string): Promise<void> {
    this.dispose();
    if (this.ws.readyState === this.ws.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(code, reason);
    });
  }

  dispose(): void {
    clearInterval(this.keepAlive);
    clearTimeout(this.unauthorizedTimer);
    this.subscriptions.clear();
  }

  /** The payload through the subscriber's selection set and field auth, as the engine renders it. */
  private async render(subscription: ActiveSubscription, payload: Record<string, unknown>): Promise<void> {
    const result = await this.context.engine.renderSubscriptionPayload({
      document: subscription.document,
      ...(subscription.variables ? { variables: subscription.variables } : {}),
      identity: subscription.identity,
      payload,
    });
    // Stopped (or gone) while it rendered: AppSync sends nothing after `complete`.
    if (this.subscriptions.get(subscription.id) !== subscription) return;
    const errors = (result.errors ?? []).map((error) => error.toJSON() as AppSyncFormattedError);
    this.send({
      type: 'data',
      id: subscription.id,
      payload: { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) },
    });
    this.context.countDelivery();
  }

  private async authorizeConnection(
    req: IncomingMessage,
    offered: readonly string[],
  ): Promise<AppSyncIdentity | RequestRefusal> {
    try {
      const header = connectionHeader(req, offered);
      return await authenticate(credentialsOf(header, this.sourceIp), this.context.issuer());
    } catch (error) {
      if (error instanceof RequestRefusal) return error;
      throw error;
    }
  }

  private async handle(data: RawData, isBinary: boolean): Promise<void> {
    if (this.refused) return;
    const authorized = await this.authorized;
    if (authorized instanceof RequestRefusal) return this.refuse(authorized);
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(rawText(data));
    } catch {
      message = undefined;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.send({
        type: 'error',
        payload: {
          errors: [{ errorType: 'MalformedMessage', message: 'Messages are JSON objects with a type.' }],
        },
      });
    }
    const { type, id, payload } = message as { type?: unknown; id?: unknown; payload?: unknown };
    switch (type) {
      case 'connection_init':
        return this.acknowledge();
      case 'start':
        return this.start(id, payload);
      case 'stop':
        return this.stop(id);
      case 'ka':
        return;
      default:
        return this.send({
          type: 'error',
          ...(typeof id === 'string' ? { id } : {}),
          payload: {
            errors: [{ errorType: 'UnsupportedOperation', message: `${String(type)} not supported` }],
          },
        });
    }
  }

  private acknowledge(): void {
    if (this.acknowledged) return;
    this.acknowledged = true;
    this.send({
      type: 'connection_ack',
      payload: { connectionTimeoutMs: this.context.options.connectionTimeoutMs },
    });
    this.startKeepAlive();
  }

  /** `ka` now and every interval; from the ack, or from the first subscription when the client sent no init (it is optional). */
  private startKeepAlive(): void {
    if (this.keepAlive) return;
    this.send({ type: 'ka' });
    this.keepAlive = setInterval(() => this.send({ type: 'ka' }), this.context.options.keepAliveIntervalMs);
  }

  private async start(id: unknown, payload: unknown): Promise<void> {
    if (typeof id !== 'string' || id === '' || id.length > 256) {
      return this.send({
        type: 'error',
        payload: {
          errors: [{ errorType: 'BadRequestException', message: 'A start message needs an id (a string).' }],
        },
      });
    }
    const fail = (errors: readonly WireError[]) => this.send({ type: 'error', id, payload: { errors } });
    if (this.subscriptions.has(id)) {
      return fail([{ errorType: 'DuplicatedOperationError', message: `Duplicate subscription id ${id}.` }]);
    }
    const max = this.context.options.maxSubscriptionsPerConnection;
    if (this.subscriptions.size >= max) {
      return fail([
        { errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${max} subscriptions reached.` },
      ]);
    }
    const start = (payload ?? {}) as { data?: unknown; extensions?: { authorization?: unknown } };
    let identity: AppSyncIdentity;
    try {
      identity = await this.authorizeStart(start.extensions?.authorization);
    } catch (error) {
      if (error instanceof RequestRefusal) return fail([error.toAppSyncError()]);
      throw error;
    }
    let request: unknown;
    try {
      request = typeof start.data === 'string' ? JSON.parse(start.data) : undefined;
    } catch {
      request = undefined;
    }
    if (typeof request !== 'object' || request === null) {
      return fail([
        {
          errorType: 'MalformedMessage',
          message: 'payload.data is a JSON string of {"query": "…", "variables": {…}}.',
        },
      ]);
    }
    const { engine, limits } = this.context;
    const prepared = prepareOperation(engine.schema, request as Record<string, unknown>, limits);
    if (isRejected(prepared)) return fail(prepared.errors);
    if (prepared.operation.operation !== 'subscription') {
      return fail([
        {
          errorType: 'UnsupportedOperation',
          message: `${prepared.operation.operation} not supported through the realtime channel`,
        },
      ]);
    }
    const accepted = await engine.subscribe({
      document: prepared.document,
      ...(prepared.variables ? { variables: prepared.variables } : {}),
      identity,
    });
    if ('errors' in accepted) return fail(accepted.errors);
    // The client may have gone while the resolver ran.
    if (this.ws.readyState !== this.ws.OPEN || this.refused) return;
    this.subscriptions.set(id, {
      id,
      mutations: new Set(accepted.mutations),
      filter: accepted.filter,
      document: prepared.document,
      variables: prepared.variables,
      identity,
      delivery: Promise.resolve(),
    });
    this.send({ type: 'start_ack', id });
    this.startKeepAlive();
  }

  /** Each `start` carries its own authorization (AppSync allows a different mode per subscription). */
  private authorizeStart(authorization: unknown): Promise<AppSyncIdentity> {
    if (typeof authorization !== 'object' || authorization === null || Array.isArray(authorization)) {
      throw new RequestRefusal(401, 'UnauthorizedException', MISSING_AUTHORIZATION, {
        reason: 'missing',
        detail: 'a start message carries payload.extensions.authorization, like the connection header',
      });
    }
    return authenticate(
      credentialsOf(authorization as Record<string, unknown>, this.sourceIp),
      this.context.issuer(),
    );
  }

  private stop(id: unknown): void {
    if (typeof id !== 'string') {
      return this.send({
        type: 'error',
        payload: {
          errors: [{ errorType: 'BadRequestException', message: 'A stop message needs the id it stops.' }],
        },
      });
    }
    this.subscriptions.delete(id);
    this.send({ type: 'complete', id });
  }

  private refuse(refusal: RequestRefusal): void {
    if (this.refused) return;
    this.refused = true;
    clearTimeout(this.unauthorizedTimer);
    this.send({
      type: 'connection_error',
      payload: { errors: [{ ...refusal.toAppSyncError(), errorCode: refusal.status }] },
    });
    void this.close(1000, 'connection refused');
  }

  private send(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }
}

/** The connection's auth header: from a `header-<base64url>` subprotocol, else the `header` query parameter. */
function connectionHeader(req: IncomingMessage, offered: readonly string[]): Record<string, unknown> {
  const fromProtocol = offered.find((protocol) => protocol.startsWith('header-'));
  const url = new URL(req.url ?? '/', 'http://localhost');
  const encoded = fromProtocol?.slice('header-'.length) ?? url.searchParams.get('header');
  if (encoded === null || encoded === undefined || encoded === '') {
    throw new RequestRefusal(
      400,
      'UnauthorizedException',
      'Both, the "header", and the "payload" query string parameters are missing',
      {
        reason: 'missing',
        detail: 'send the auth header as a header-<base64url> subprotocol or a header= query parameter',
      },
    );
  }
  try {
    // Node's base64 decoder reads both alphabets: base64url (subprotocol) and base64 (query string).
    const decoded: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded))
      throw new Error('not an object');
    return decoded as Record<string, unknown>;
  } catch {
    throw new RequestRefusal(400, 'UnauthorizedException', 'The header is not base64-encoded JSON.', {
      reason: 'malformed',
      detail:
        'the header is base64 (or base64url) of a JSON object such as {"Authorization":"<JWT>","host":"…"}',
    });
  }
}

/** Credentials from an AppSync auth header object (keys compared case-insensitively, as HTTP headers are). */
function credentialsOf(header: Record<string, unknown>, sourceIp: string): Credentials {
  const lookup = (name: string): string | undefined => {
    for (const [key, value] of Object.entries(header)) {
      if (key.toLowerCase() === name && typeof value === 'string') return value;
    }
    return undefined;
  };
  return {
    authorization: lookup('authorization'),
    amzDate: lookup('x-amz-date'),
    apiKey: lookup('x-api-key'),
    sourceIp,
  };
}

function parseProtocols(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

function refuseUpgrade(socket: Duplex, status: 400 | 404, message: string): void {
  const body = JSON.stringify({ errors: [{ errorType: 'BadRequestException', message }] });
  const reason = status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function internalError(): AppSyncError {
  return { errorType: 'InternalFailure', message: 'An internal failure occurred.' };
}
