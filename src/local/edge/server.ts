import { readBoundedBody } from '../http-body.ts';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BackendThread, type BackendModule } from './backend-thread.ts';
import {
  AwsServiceError,
  LOCAL_ACCOUNT_ID,
  regionOf,
  type AwsJsonService,
  type RequestContext,
} from './aws-json.ts';
import {
  FaultInjector,
  forwardToBackend,
  injectedError,
  parseJsonObject,
  planPartial,
  relayReply,
  sendBatchAnswer,
  type FaultDecision,
  type PartialEffect,
} from './faults.ts';

/** Largest request body the edge reads for a JSON service (PutEvents and SQS limits are far below it). */
const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;
/** Largest batch the edge reads to inject a partial failure into it (dynalite's own request limit). */
const MAX_BACKEND_BODY_BYTES = 16 * 1024 * 1024;
/** The JSON protocol version of the embedded backends, for the errors the edge answers in their name. */
const BACKEND_JSON_VERSION: Readonly<Record<string, '1.0' | '1.1'>> = {
  Kinesis_20131202: '1.1',
  DynamoDB_20120810: '1.0',
};

/** A non-AWS route of the edge itself, under `/_edge/`, e.g. the event tail stream. */
export interface EdgeRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}

/** How to start an {@link AwsEdge}. */
export interface AwsEdgeOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 4566. */
  readonly port?: number;
  readonly host?: string;
  /** Where Kinesis, DynamoDB and the other services keep their data; in memory when absent. */
  readonly dataDir?: string;
  /** Milliseconds a new stream or table stays CREATING (AWS takes seconds; tests want little). */
  readonly provisioningDelayMs?: number;
  /** The JSON-protocol services served besides Kinesis and DynamoDB (KMS, SQS, EventBridge, …). */
  readonly services?: readonly AwsJsonService[];
  readonly routes?: readonly EdgeRoute[];
  /** Told of every error that is the edge's fault (a 500); defaults to `console.error`. */
  readonly onInternalError?: (error: unknown) => void;
  /** Seed of the fault rules' PRNG when a rule names none. Default 1. */
  readonly faultSeed?: number;
}

/**
 * One HTTP endpoint on loopback that the real AWS SDK v3 clients talk to with `AWS_ENDPOINT_URL`:
 * requests are routed by `X-Amz-Target` to kinesalite, dynalite or one of the edge's own services.
 */
export class AwsEdge {
  /** Faults to inject into AWS requests (`/_edge/faults` over HTTP); none unless a rule is added. */
  readonly faults: FaultInjector;
  private readonly server: Server;
  /** kinesalite and dynalite, each in its own thread, by `X-Amz-Target` prefix. */
  private readonly backends = new Map<string, BackendThread>();
  private readonly backendAgent = new Agent({ keepAlive: true });
  private readonly services = new Map<string, AwsJsonService>();
  private readonly routes = new Map<string, EdgeRoute>();
  private boundUrl: string | undefined;

  constructor(private readonly options: AwsEdgeOptions = {}) {
    const delay = options.provisioningDelayMs ?? 50;
    const pathFor = (name: string): string | undefined => {
      if (!options.dataDir) return undefined;
      const dir = join(options.dataDir, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    this.faults = new FaultInjector(options.faultSeed === undefined ? {} : { seed: options.faultSeed });
    const embed = (prefix: string, name: string, module: BackendModule, backendOptions: object): void => {
      this.backends.set(prefix, new BackendThread(name, module, { ...backendOptions }));
    };
    embed('Kinesis_20131202', 'kinesis', 'kinesalite', {
      path: pathFor('kinesis'),
      createStreamMs: delay,
      deleteStreamMs: delay,
      updateStreamMs: delay,
      shardLimit: 500,
    });
    embed('DynamoDB_20120810', 'dynamodb', 'dynalite', {
      path: pathFor('dynamodb'),
      createTableMs: delay,
      deleteTableMs: delay,
      updateTableMs: delay,
    });
    for (const route of this.faults.routes()) this.addRoute(route);
    for (const service of options.services ?? []) this.addService(service);
    for (const route of options.routes ?? []) this.addRoute(route);
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => this.sendInternalError(res, error));
    });
    // A malformed request line must cost the client its socket, never the edge its process.
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Serves one more JSON-protocol service, e.g. Step Functions when a later part of the stack starts. */
  addService(service: AwsJsonService): void {
    if (this.services.has(service.targetPrefix) || this.backends.has(service.targetPrefix)) {
      throw new Error(`a service with target prefix ${service.targetPrefix} is already served`);
    }
    this.services.set(service.targetPrefix, service);
  }

  addRoute(route: EdgeRoute): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  /** Starts listening; resolves with the endpoint URL to give SDK clients. */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await Promise.all([...this.backends.values()].map((backend) => backend.start()));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 4566, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.boundUrl = `http://${host}:${port}`;
    return this.boundUrl;
  }

  /** The endpoint URL; only after {@link start}. */
  get url(): string {
    if (!this.boundUrl) throw new Error('the edge is not listening yet');
    return this.boundUrl;
  }

  /** The names of every service served, for the health endpoint and the startup banner. */
  serviceNames(): string[] {
    return [
      ...[...this.backends.values()].map((b) => b.name),
      ...[...this.services.values()].map((s) => s.name),
    ];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.backendAgent.destroy();
    await Promise.all([...this.backends.values()].map((backend) => backend.close()));
    await Promise.all([...this.services.values()].map((service) => service.close?.()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://edge.local');
    const route = this.routes.get(`${req.method} ${url.pathname}`);
    if (route) return route.handle(req, res, url);
    if (req.method === 'GET' && url.pathname === '/_edge/health') {
      return sendJson(res, 200, { status: 'ok', services: this.serviceNames() }, 'application/json');
    }

    const target = headerValue(req.headers['x-amz-target']);
    if (!target) {
      req.resume();
      const detail =
        req.method === 'POST' && /x-www-form-urlencoded/.test(headerValue(req.headers['content-type']) ?? '')
          ? 'the query protocol is not supported; use an SDK that speaks the JSON protocol (AWS SDK v3, AWS CLI v2)'
          : 'requests must name their operation in the X-Amz-Target header';
      return this.sendError(res, new AwsServiceError('UnknownOperationException', detail), '1.1');
    }
    const dot = target.indexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? '' : target.slice(dot + 1);

    const backend = this.backends.get(prefix);
    if (backend) return this.toBackend(req, res, backend, prefix, target);

    const service = this.services.get(prefix);
    if (!service) {
      req.resume();
      return this.sendError(
        res,
        new AwsServiceError(
          'UnknownOperationException',
          `no service on this edge answers X-Amz-Target ${target}`,
        ),
        '1.1',
      );
    }
    const fault = this.faults.decide(target, prefix);
    if (fault && !(await this.injectBeforeService(req, res, fault, service.jsonVersion))) return;
    let body: Buffer;
    try {
      body = await readBody(req, MAX_JSON_BODY_BYTES);
    } catch (error) {
      return this.sendError(res, error, service.jsonVersion);
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return this.sendError(
        res,
        new AwsServiceError('SerializationException', 'the request body is not valid JSON'),
        service.jsonVersion,
      );
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return this.sendError(
        res,
        new AwsServiceError('SerializationException', 'the request body must be a JSON object'),
        service.jsonVersion,
      );
    }
    const context: RequestContext = {
      region: regionOf(req.headers),
      accountId: LOCAL_ACCOUNT_ID,
      origin: `http://${req.headers.host ?? new URL(this.url).host}`,
      headers: req.headers,
    };
    try {
      const plan =
        fault?.effect?.kind === 'partial'
          ? planPartial(target, fault.effect, input as Record<string, unknown>, fault.random)
          : undefined;
      if (plan) {
        const output = plan.forward ? await service.handle(operation, plan.forward, context) : undefined;
        return sendJson(res, 200, plan.merge(output), `application/x-amz-json-${service.jsonVersion}`);
      }
      const output = await service.handle(operation, input as Record<string, unknown>, context);
      sendJson(res, 200, output ?? {}, `application/x-amz-json-${service.jsonVersion}`);
    } catch (error) {
      this.sendError(res, error, service.jsonVersion);
    }
  }

  /** Hands a request to kinesalite or dynalite, through whatever fault applies to it. */
  private async toBackend(
    req: IncomingMessage,
    res: ServerResponse,
    backend: BackendThread,
    prefix: string,
    target: string,
  ): Promise<void> {
    const fault = this.faults.decide(target, prefix);
    if (!fault) return backend.handle(req, res, (error) => this.sendInternalError(res, error));
    if (!(await this.injectBeforeService(req, res, fault, BACKEND_JSON_VERSION[prefix] ?? '1.1'))) return;
    if (fault.effect?.kind === 'partial') {
      return this.injectPartialOnBackend(req, res, prefix, target, fault.effect, fault.random);
    }
    backend.handle(req, res, (error) => this.sendInternalError(res, error));
  }

  /**
   * Applies the part of a fault that comes before the service sees the request: the delay, then an
   * `error` effect. Resolves false when the request has been answered (or its client is gone).
   */
  private async injectBeforeService(
    req: IncomingMessage,
    res: ServerResponse,
    fault: FaultDecision,
    jsonVersion: '1.0' | '1.1',
  ): Promise<boolean> {
    if (fault.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      // The client may have timed out, or the edge stopped, while the request waited.
      if (req.destroyed || res.destroyed) return false;
    }
    if (fault.effect?.kind !== 'error') return true;
    req.resume();
    this.sendError(res, injectedError(fault.effect), jsonVersion);
    return false;
  }

  /**
   * A partial fault on kinesalite or dynalite, which the edge cannot call in-process with a rewritten body:
   * the refused entries are answered here and the others forwarded to the backend's private port.
   */
  private async injectPartialOnBackend(
    req: IncomingMessage,
    res: ServerResponse,
    prefix: string,
    target: string,
    effect: PartialEffect,
    random: () => number,
  ): Promise<void> {
    const jsonVersion = BACKEND_JSON_VERSION[prefix] ?? '1.1';
    const port = this.backends.get(prefix)?.port;
    if (port === undefined) throw new Error(`no ${prefix} backend`);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BACKEND_BODY_BYTES);
    } catch (error) {
      return this.sendError(res, error, jsonVersion);
    }
    const input = parseJsonObject(body);
    const plan = input ? planPartial(target, effect, input, random) : undefined;
    // A batch the fault cannot apply to goes through as sent, so the client sees the backend's own answer.
    if (!plan) return relayReply(res, await forwardToBackend(this.backendAgent, port, req, body));
    const answer = {
      contentType: `application/x-amz-json-${jsonVersion}`,
      crc32: prefix === 'DynamoDB_20120810',
    };
    if (!plan.forward) return sendBatchAnswer(res, plan.merge(undefined), answer);
    const reply = await forwardToBackend(
      this.backendAgent,
      port,
      req,
      Buffer.from(JSON.stringify(plan.forward)),
    );
    const output = reply.status === 200 ? parseJsonObject(reply.body) : undefined;
    // A refusal of the whole call (missing stream, validation) stands: AWS would not have taken any entry.
    if (!output) return relayReply(res, reply);
    sendBatchAnswer(res, plan.merge(output), {
      ...answer,
      requestId: headerValue(reply.headers['x-amzn-requestid']),
    });
  }

  private sendError(res: ServerResponse, error: unknown, jsonVersion: '1.0' | '1.1'): void {
    if (!(error instanceof AwsServiceError)) return this.sendInternalError(res, error);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.setHeader('x-amzn-ErrorType', error.code);
    sendJson(
      res,
      error.statusCode,
      { __type: error.code, message: error.message },
      `application/x-amz-json-${jsonVersion}`,
    );
  }

  private sendInternalError(res: ServerResponse, error: unknown): void {
    (this.options.onInternalError ?? ((e: unknown) => console.error('edge: internal error', e)))(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(
      res,
      500,
      {
        __type: 'InternalFailure',
        message: `the edge failed: ${error instanceof Error ? error.message : String(error)}`,
      },
      'application/x-amz-json-1.1',
    );
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': crypto.randomUUID(),
  });
  res.end(text);
}

/** Reads a request body, refusing one larger than `limit` bytes with AWS's error for it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return readBoundedBody(
    req,
    limit,
    () => new AwsServiceError('RequestEntityTooLarge', `request body exceeds ${limit} bytes`, 413),
  );
}
