import { readBoundedBody } from '../../http-body.ts';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import { LocalJwtIssuer } from '../../auth/issuer.ts';
import type { AppSyncEngine, AppSyncFormattedError, AppSyncIdentity } from '../engine.ts';
import { AppSyncServerError, RequestRefusal, badRequest, type AppSyncError } from './errors.ts';
import { EVENTBRIDGE_TARGET_ROLE_ARN, authenticate, iamIdentityOf } from './identity.ts';
import {
  DEFAULT_LIMITS,
  isRejected,
  prepareOperation,
  type OperationLimits,
  type OperationRequest,
} from './operation.ts';
import {
  DEFAULT_REALTIME_OPTIONS,
  REALTIME_PATH,
  RealtimeEndpoint,
  type RealtimeOptions,
  type RealtimeStats,
} from './realtime.ts';
import { loadOrCreateCertificate, type TlsMaterial } from './tls.ts';

/** The path of the GraphQL endpoint, as AppSync's. */
export const GRAPHQL_PATH = '/graphql';
/** The default plain-HTTP port. */
export const DEFAULT_APPSYNC_PORT = 4000;
/** The default TLS port (AWS's clients connect to `wss://` only, so they need this one). */
export const DEFAULT_APPSYNC_TLS_PORT = 4001;

/** How to build a {@link LocalAppSyncServer}. */
export interface LocalAppSyncServerOptions {
  /** The resolver engine: same schema and APPSYNC_JS resolvers as AWS. */
  readonly engine: AppSyncEngine;
  /** The token issuer to verify against; by default the data dir's, issuing for this server's URL. */
  readonly issuer?: LocalJwtIssuer;
  readonly limits?: Partial<OperationLimits>;
  readonly realtime?: Partial<RealtimeOptions>;
  /** Largest HTTP request body. Default 1 MiB. */
  readonly maxRequestBytes?: number;
  /** Told of every failure that is the server's fault; clients only see "An internal failure occurred". Default: stderr. */
  readonly onInternalError?: (error: unknown) => void;
}

/** Where {@link LocalAppSyncServer.start} listens and keeps its files. */
export interface LocalAppSyncStartOptions {
  /** Plain HTTP and `ws://`; default 4000; 0 picks a free port. */
  readonly port?: number;
  /** HTTPS and `wss://` with the local certificate; default 4001; 0 picks a free port; `false` for none. */
  readonly tlsPort?: number | false;
  readonly host?: string;
  /** The issuer key (`auth/`) and the certificate (`appsync/tls/`) live here; in memory when absent. */
  readonly dataDir?: string | undefined;
}

/** An AppSync response body: `data` always, `errors` when there are any. */
export interface AppSyncResponse {
  readonly data: Record<string, unknown> | null;
  readonly errors?: readonly (AppSyncError | AppSyncFormattedError)[];
}

interface Listening {
  readonly http: Server;
  readonly httpUrl: string;
  readonly tls: Server | undefined;
  readonly tlsUrl: string | undefined;
  readonly certificate: TlsMaterial | undefined;
  readonly issuer: LocalJwtIssuer;
  readonly realtime: RealtimeEndpoint;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, x-amz-date, x-amz-security-token, x-amz-user-agent, x-amz-content-sha256, x-api-key',
  'access-control-expose-headers': 'x-amzn-requestid, x-amzn-errortype',
  'access-control-max-age': '86400',
} as const;

/**
 * The local AppSync: AppSync's HTTP protocol on `POST /graphql` and its real-time WebSocket protocol on
 * `/graphql/realtime`, on plain HTTP and on TLS with a self-signed certificate (AWS's clients only speak
 * `wss://`), in front of the resolver engine. Auth as in AWS: Cognito JWTs (from the local issuer) by
 * default, SigV4 (IAM) for the `publish*` mutations EventBridge calls.
 */
export class LocalAppSyncServer {
  private readonly engine: AppSyncEngine;
  private readonly limits: OperationLimits;
  private readonly realtimeOptions: RealtimeOptions;
  private readonly maxRequestBytes: number;
  private readonly onInternalError: (error: unknown) => void;
  private listening: Listening | undefined;

  constructor(private readonly options: LocalAppSyncServerOptions) {
    this.engine = options.engine;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.realtimeOptions = { ...DEFAULT_REALTIME_OPTIONS, ...options.realtime };
    if (this.realtimeOptions.keepAliveIntervalMs >= this.realtimeOptions.connectionTimeoutMs) {
      throw new AppSyncServerError(
        'keepAliveIntervalMs must be shorter than connectionTimeoutMs, or clients drop the connection',
      );
    }
    this.maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
    this.onInternalError =
      options.onInternalError ??
      ((error) =>
        process.stderr.write(
          `appsync: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        ));
  }

  /** Starts listening; resolves once both listeners accept connections. */
  async start(options: LocalAppSyncStartOptions = {}): Promise<void> {
    if (this.listening) throw new AppSyncServerError('the AppSync server is already started');
    const host = options.host ?? '127.0.0.1';
    let issuer = this.options.issuer;
    const realtime = new RealtimeEndpoint({
      engine: this.engine,
      issuer: () => {
        if (!issuer) throw new AppSyncServerError('the server is still starting');
        return issuer;
      },
      limits: this.limits,
      options: this.realtimeOptions,
      onInternalError: this.onInternalError,
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((error: unknown) => this.sendInternalError(res, error));
    };
    const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      realtime.handleUpgrade(req, socket, head);
    };
    const http = createServer(handler);
    http.on('upgrade', upgrade);
    guardClientErrors(http);
    let tls: Server | undefined;
    try {
      const httpPort = await listen(http, options.port ?? DEFAULT_APPSYNC_PORT, host);
      const httpUrl = `http://${urlHost(host)}:${httpPort}`;
      issuer ??= LocalJwtIssuer.open({ dataDir: options.dataDir, baseUrl: httpUrl });
      let certificate: TlsMaterial | undefined;
      let tlsUrl: string | undefined;
      const tlsPort = options.tlsPort ?? DEFAULT_APPSYNC_TLS_PORT;
      if (tlsPort !== false) {
        certificate = loadOrCreateCertificate({ dataDir: options.dataDir });
        tls = createTlsServer({ cert: certificate.cert, key: certificate.key }, handler);
        tls.on('upgrade', upgrade);
        guardClientErrors(tls);
        tlsUrl = `https://${urlHost(host)}:${await listen(tls, tlsPort, host)}`;
      }
      this.listening = {
        http,
        httpUrl,
        tls,
        tlsUrl,
        certificate,
        issuer,
        realtime,
      };
    } catch (error) {
      await realtime.close();
      await closeServer(http);
      if (tls) await closeServer(tls);
      throw error;
    }
  }

  /** `http://127.0.0.1:4000/graphql`. */
  get url(): string {
    return `${this.running.httpUrl}${GRAPHQL_PATH}`;
  }

  /** `ws://127.0.0.1:4000/graphql/realtime`. */
  get realtimeUrl(): string {
    return `${this.running.httpUrl.replace(/^http/, 'ws')}${REALTIME_PATH}`;
  }

  /** `https://127.0.0.1:4001/graphql`: what to configure an AWS client (Amplify, the AppSync links) with. */
  get tlsUrl(): string | undefined {
    const base = this.running.tlsUrl;
    return base && `${base}${GRAPHQL_PATH}`;
  }

  /** `wss://127.0.0.1:4001/graphql/realtime`. */
  get tlsRealtimeUrl(): string | undefined {
    const base = this.running.tlsUrl;
    return base && `${base.replace(/^https/, 'wss')}${REALTIME_PATH}`;
  }

  /** The TLS listener's self-signed certificate (`certPath` is what `NODE_EXTRA_CA_CERTS` should name). */
  get certificate(): TlsMaterial | undefined {
    return this.running.certificate;
  }

  /** The issuer whose tokens this server accepts: `issuer.issueToken(...)` makes a ready-to-use token. */
  get issuer(): LocalJwtIssuer {
    return this.running.issuer;
  }

  /** Connections, subscriptions and `data` messages sent. */
  realtimeStats(): RealtimeStats {
    return this.running.realtime.stats();
  }

  /**
   * Runs an operation as EventBridge's AppSync target does: with an IAM identity (the target's role), in
   * process. For the local EventBridge's AppSync targets. Answers what the HTTP endpoint would: the
   * AppSync response body, errors included (an IAM-only mutation is allowed, a user-pool-only one refused).
   */
  async publishAsIam(
    document: string | DocumentNode,
    variables?: Record<string, unknown>,
    principalArn: string = EVENTBRIDGE_TARGET_ROLE_ARN,
  ): Promise<AppSyncResponse> {
    if (!this.listening) throw new AppSyncServerError('the AppSync server is not started');
    const identity = iamIdentityOf(
      principalArn,
      principalArn.split('/').slice(-1)[0] ?? principalArn,
      '127.0.0.1',
    );
    const query = typeof document === 'string' ? document : print(document);
    return this.run({ query, variables }, identity, {});
  }

  /** A few lines for `npm start`: where the API is, and how to trust its certificate. */
  describe(): string {
    const { certificate } = this.running;
    const lines = [`  GraphQL      ${this.url}  (real-time ${this.realtimeUrl})`];
    if (this.tlsUrl) {
      lines.push(`  GraphQL TLS  ${this.tlsUrl}  (real-time ${this.tlsRealtimeUrl})`);
      lines.push(
        certificate?.certPath
          ? `  certificate  ${certificate.certPath}  (trust it: NODE_EXTRA_CA_CERTS=${certificate.certPath})`
          : `  certificate  in memory, SHA-256 ${certificate?.fingerprint256 ?? '?'}`,
      );
    }
    lines.push(
      `  JWKS         ${this.running.httpUrl}/.well-known/jwks.json  (issuer ${this.issuer.issuer})`,
    );
    return `${lines.join('\n')}\n`;
  }

  async stop(): Promise<void> {
    const listening = this.listening;
    if (!listening) return;
    this.listening = undefined;
    await listening.realtime.close();
    await closeServer(listening.http);
    if (listening.tls) await closeServer(listening.tls);
  }

  private get running(): Listening {
    if (!this.listening) throw new AppSyncServerError('the AppSync server is not started');
    return this.listening;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const listening = this.listening;
    if (!listening)
      return sendJson(res, 503, { errors: [{ errorType: 'ServiceUnavailable', message: 'starting' }] });
    const issuer = listening.issuer;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS).end();
      return;
    }
    if (pathname === GRAPHQL_PATH) {
      if (req.method === 'POST') return this.graphql(req, res);
      req.resume();
      res.setHeader('allow', 'POST, OPTIONS');
      return sendJson(res, 405, {
        errors: [
          {
            errorType: 'MethodNotAllowed',
            message: 'GraphQL requests are POSTed as JSON: {"query": "…", "variables": {…}}.',
          },
        ],
      });
    }
    if (req.method !== 'GET') {
      req.resume();
      return sendJson(res, 404, {
        errors: [{ errorType: 'NotFound', message: `Nothing at ${req.method} ${pathname}.` }],
      });
    }
    if (pathname === '/.well-known/jwks.json' || pathname === issuer.jwksPath)
      return sendJson(res, 200, issuer.jwks());
    if (pathname === issuer.discoveryPath) return sendJson(res, 200, issuer.openIdConfiguration());
    if (pathname === '/health')
      return sendJson(res, 200, { status: 'ok', realtime: listening.realtime.stats() });
    if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...CORS_HEADERS });
      res.end(
        `Fleetwire local AppSync\n\nPOST ${this.url} with Authorization: <JWT> (fleetwire token --tenant T --role R)\n` +
          `subscriptions: ${this.realtimeUrl}${this.tlsRealtimeUrl ? ` or ${this.tlsRealtimeUrl}` : ''} (subprotocol graphql-ws)\n`,
      );
      return;
    }
    if (pathname === REALTIME_PATH) {
      return sendJson(res, 400, {
        errors: [
          {
            errorType: 'BadRequestException',
            message: 'The real-time endpoint speaks WebSocket (subprotocol graphql-ws).',
          },
        ],
      });
    }
    return sendJson(res, 404, { errors: [{ errorType: 'NotFound', message: `Nothing at ${pathname}.` }] });
  }

  private async graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let identity: AppSyncIdentity;
    let request: OperationRequest;
    try {
      identity = await authenticate(
        {
          authorization: headerValue(req.headers.authorization),
          amzDate: headerValue(req.headers['x-amz-date']),
          apiKey: headerValue(req.headers['x-api-key']),
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        },
        this.running.issuer,
      );
      request = parseRequestBody(await readBody(req, this.maxRequestBytes));
    } catch (error) {
      if (!(error instanceof RequestRefusal)) throw error;
      req.resume();
      res.setHeader('x-amzn-errortype', error.errorType);
      return sendJson(res, error.status, { errors: [error.toAppSyncError()] });
    }
    sendJson(res, 200, await this.run(request, identity, requestHeaders(req)));
  }

  /** The HTTP pipeline: limits and validation, then the engine (which enforces the auth directives per field). */
  private async run(
    request: OperationRequest,
    identity: AppSyncIdentity,
    headers: Record<string, string>,
  ): Promise<AppSyncResponse> {
    const prepared = prepareOperation(this.engine.schema, request, this.limits);
    if (isRejected(prepared)) return { data: null, errors: prepared.errors };
    if (prepared.operation.operation === 'subscription') {
      return {
        data: null,
        errors: [
          {
            errorType: 'UnsupportedOperation',
            message: `Subscriptions are served by the real-time endpoint (${this.tlsRealtimeUrl ?? this.realtimeUrl}).`,
          },
        ],
      };
    }
    let result: ExecutionResult;
    try {
      result = await this.engine.execute({
        document: prepared.document,
        ...(prepared.variables ? { variables: prepared.variables } : {}),
        ...(prepared.operationName ? { operationName: prepared.operationName } : {}),
        identity,
        requestHeaders: headers,
      });
    } catch (error) {
      this.onInternalError(error);
      return {
        data: null,
        errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }],
      };
    }
    // The engine's errors serialize AppSync-shaped, with internal failures already scrubbed.
    const errors = (result.errors ?? []).map((error) => error.toJSON() as AppSyncFormattedError);
    return {
      data: (result.data ?? null) as Record<string, unknown> | null,
      ...(errors.length > 0 ? { errors } : {}),
    };
  }

  private sendInternalError(res: ServerResponse, error: unknown): void {
    this.onInternalError(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, 500, {
      errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }],
    });
  }
}

function parseRequestBody(body: Buffer): OperationRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequestOfType('MalformedHttpRequestException', 'Invalid JSON payload in POST request.');
  }
  if (Array.isArray(parsed))
    throw badRequestOfType('MalformedHttpRequestException', 'Batched requests are not supported.');
  if (typeof parsed !== 'object' || parsed === null) {
    throw badRequestOfType(
      'MalformedHttpRequestException',
      'The body is a JSON object: {"query": "…", "variables": {…}}.',
    );
  }
  return parsed as OperationRequest;
}

function badRequestOfType(errorType: string, message: string): RequestRefusal {
  return new RequestRefusal(400, errorType, message);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return readBoundedBody(
    req,
    limit,
    () => new RequestRefusal(413, 'PayloadTooLargeException', `The request body is over ${limit} bytes.`),
    () => badRequest('The request body could not be read.'),
  );
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...CORS_HEADERS,
  });
  res.end(text);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A malformed request line or a failed TLS handshake costs the client its socket, never the server. */
function guardClientErrors(server: Server): void {
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
