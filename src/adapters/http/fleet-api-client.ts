/**
 * {@link FleetApi} over HTTP: Tesla's Fleet API (or the vehicle-command proxy in front of it, which
 * takes the same requests), with `fetch`. Tesla's envelope is `{"response": ..., "error": "..."}`; the
 * status codes the workflow reacts to become errors it retries by name (the ASL `Retry` matches
 * `VehicleAsleepError`, `FleetApiRateLimitedError`, `FleetApiUnavailableError`).
 *
 * The VIN is in the URL path, as Tesla wants it; it never goes into an error message.
 */
import type { FleetApi, FleetApiCommandResult, FleetApiVehicleState } from '../../ports/fleet-api.ts';

/** Base class of the Fleet API client's errors; `httpStatus` is null when no answer came. */
export class FleetApiError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 408: the vehicle is asleep or offline; `wake_up` it and try again. */
export class VehicleAsleepError extends FleetApiError {}

/** 429: Tesla's rate limit; try again later. */
export class FleetApiRateLimitedError extends FleetApiError {}

/** 5xx, a network failure or a timeout: the API is not answering properly; try again later. */
export class FleetApiUnavailableError extends FleetApiError {}

/** Any other answer (401, 403, 404, 400 …): retrying the same request cannot help. */
export class FleetApiRequestError extends FleetApiError {}

/** How to reach the API. */
export interface FleetApiClientOptions {
  /** Without a trailing slash, e.g. `https://fleet-api.prd.na.vn.cloud.tesla.com`. */
  readonly baseUrl: string;
  /** The bearer token, read when a request is made (it may come from a secret, and rotate). */
  readonly token: () => Promise<string>;
  /** Per request. Default 20 s: Tesla answers a command once the vehicle has. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

interface Envelope {
  readonly response?: unknown;
  readonly error?: unknown;
  readonly error_description?: unknown;
}

/** The Fleet API over `fetch`. */
export class FleetApiClient implements FleetApi {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: FleetApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  async sendCommand(
    vin: string,
    command: string,
    parameters: Readonly<Record<string, unknown>>,
  ): Promise<FleetApiCommandResult> {
    const { status, body } = await this.request(
      'POST',
      `/api/1/vehicles/${encodeURIComponent(vin)}/command/${encodeURIComponent(command)}`,
      command,
      parameters,
    );
    const response = body.response as { result?: unknown; reason?: unknown } | null | undefined;
    if (typeof response?.result !== 'boolean') {
      throw new FleetApiUnavailableError(`${command}: the Fleet API answered 200 without a result`, status);
    }
    return {
      result: response.result,
      reason: typeof response.reason === 'string' ? response.reason : '',
      httpStatus: status,
    };
  }

  async wakeUp(vin: string): Promise<FleetApiVehicleState> {
    const { body } = await this.request(
      'POST',
      `/api/1/vehicles/${encodeURIComponent(vin)}/wake_up`,
      'wake_up',
    );
    return stateOf(body);
  }

  async vehicleState(vin: string): Promise<FleetApiVehicleState> {
    const { body } = await this.request('GET', `/api/1/vehicles/${encodeURIComponent(vin)}`, 'vehicle');
    return stateOf(body);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    what: string,
    json?: unknown,
  ): Promise<{ status: number; body: Envelope }> {
    const token = await this.options.token();
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new FleetApiUnavailableError(`${what}: no answer from the Fleet API (${reason})`, null, {
        cause: error,
      });
    }
    const text = await response.text();
    let body: Envelope = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Envelope);
    } catch {
      // A proxy or load balancer's HTML error page: the status says enough.
      body = {};
    }
    const status = response.status;
    if (status === 200) return { status, body };
    const detail = [body.error, body.error_description]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(': ')
      .replace(VIN_ANYWHERE, '<vin>');
    const message = `${what}: the Fleet API answered ${status}${detail ? ` (${detail})` : ''}`;
    if (status === 408) throw new VehicleAsleepError(message, status);
    if (status === 429) throw new FleetApiRateLimitedError(message, status);
    if (status >= 500) throw new FleetApiUnavailableError(message, status);
    throw new FleetApiRequestError(message, status);
  }
}

/** A VIN-shaped word anywhere in a text (Tesla's descriptions can repeat the path: `no vehicle <VIN>`). */
const VIN_ANYWHERE = /\b[A-HJ-NPR-Za-hj-npr-z0-9]{17}\b/g;

function stateOf(body: Envelope): FleetApiVehicleState {
  const response = body.response as { state?: unknown } | null | undefined;
  return typeof response?.state === 'string' ? response.state : 'unknown';
}
