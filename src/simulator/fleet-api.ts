/**
 * A simulated Tesla Fleet API for the simulated vehicles, on loopback: the vehicle-command endpoints
 * Fleetwire's dispatch step calls, with Tesla's response shapes and status codes, so the command
 * workflow runs offline against the same HTTP contract as in production (`POST
 * /api/1/vehicles/{VIN}/command/{name}`, `POST /api/1/vehicles/{VIN}/wake_up`, `GET
 * /api/1/vehicles/{VIN}`).
 *
 * Answers, in Tesla's envelope:
 * - carried out: 200 `{"response":{"result":true,"reason":""}}`; refused by the vehicle: 200 with
 *   `result: false` and the vehicle's reason (`is_charging`, `vehicle_in_motion`, …);
 * - asleep or offline: 408 `vehicle unavailable: vehicle is offline or asleep`, until a `wake_up` has
 *   had the seconds a real car takes to come online ({@link FleetApiOptions.wakeDelayMs});
 * - no or wrong bearer token: 401 `invalid bearer token`; unknown VIN: 404 `not_found`; unknown command:
 *   400 `invalid_command`; a body that is not JSON, or parameters the command catalog refuses: 400 with
 *   the precise message in `error`.
 *
 * The vehicles live in a running {@link Simulator} (or a {@link SimulatedFleet} a test steps): their
 * time moves only when it steps them, so a wake-up completes on its next tick after the delay.
 * {@link handleFleetApiRequest} is the whole API without sockets; {@link startSimulatedFleetApi} serves
 * it over `node:http`.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateCommand } from '../domain/commands/index.ts';
import {
  FleetApiListenError,
  InvalidCommandParametersError,
  SimulatorConfigError,
  SimulatorError,
  UnknownCommandError,
  VehicleUnavailableError,
} from './errors.ts';
import type { SimulatedVehicle } from './vehicle.ts';

/** Where the API finds vehicles: a {@link Simulator} or a {@link SimulatedFleet}. */
export interface FleetApiVehicles {
  vehicle(vin: string): SimulatedVehicle | undefined;
  /** Every VIN, to find a vehicle by its numeric Fleet API id. */
  vins(): readonly string[];
}

/** How the simulated Fleet API behaves. */
export interface FleetApiOptions {
  /** The vehicles it commands. */
  readonly simulator: FleetApiVehicles;
  /** The one bearer token it accepts. */
  readonly token: string;
  /** How long a sleeping vehicle takes to come online after `wake_up`, ms. Default {@link DEFAULT_WAKE_DELAY_MS}. */
  readonly wakeDelayMs?: number;
}

/** How to start the server: the API's options plus where to listen. */
export interface StartFleetApiOptions extends FleetApiOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`: the simulated API is for this machine only. */
  readonly host?: string;
  /** Told of every request that failed with a bug (answered 500); default `console.error`. */
  readonly onError?: (error: Error) => void;
}

/** A running simulated Fleet API. */
export interface SimulatedFleetApi {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:49152`; paths start with `/api/1/`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/** One request, as far as the API reads it. */
export interface FleetApiRequest {
  readonly method: string;
  /** The path with its query string, as in the request line. */
  readonly path: string;
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined;
  /** The raw body, `''` when none. */
  readonly body: string;
}

/** One answer: a status and the JSON body. */
export interface FleetApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Tesla's vehicle object, as much of it as the simulated API tells. */
export interface FleetApiVehicle {
  /** The Fleet API's numeric vehicle id (stable for a VIN). */
  readonly id: number;
  readonly id_s: string;
  readonly vin: string;
  readonly display_name: string;
  readonly state: 'online' | 'asleep' | 'offline';
  readonly in_service: false;
}

/** The default wake-up time: about what a real Tesla takes. */
export const DEFAULT_WAKE_DELAY_MS = 5_000;

/** Bodies above this are refused: parameters are a few bytes. */
const MAX_BODY_BYTES = 64 * 1024;

const UNAVAILABLE = 'vehicle unavailable: vehicle is offline or asleep';

const ROUTE = /^\/api\/1\/vehicles\/([^/]+)(?:\/(wake_up)|\/command\/([^/]+))?\/?$/;

function failure(status: number, error: string, description = ''): FleetApiResponse {
  return { status, body: { response: null, error, error_description: description } };
}

function ok(response: unknown): FleetApiResponse {
  return { status: 200, body: { response } };
}

/** The numeric id Tesla would give the vehicle: derived from the VIN, so it is the same every run. */
export function fleetApiVehicleId(vin: string): number {
  // 6 bytes keep it a safe integer; the offset gives it the 16 digits of Tesla's ids.
  return 1_000_000_000_000_000 + createHash('sha256').update(vin).digest().readUIntBE(0, 6);
}

/** A path segment decoded, or `undefined` for a malformed escape (`%E0`) rather than a URIError. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The API without sockets: builds a handler from the options. The handler throws nothing on
 * purpose; whatever it throws is a bug, which {@link startSimulatedFleetApi} answers with a 500.
 *
 * @throws {SimulatorConfigError} (when called) for an empty token or a negative wake delay.
 */
export function handleFleetApiRequest(
  options: FleetApiOptions,
): (request: FleetApiRequest) => FleetApiResponse {
  if (typeof options.token !== 'string' || options.token === '')
    throw new SimulatorConfigError('the simulated Fleet API needs a non-empty bearer token');
  const wakeDelayMs = options.wakeDelayMs ?? DEFAULT_WAKE_DELAY_MS;
  if (!Number.isFinite(wakeDelayMs) || wakeDelayMs < 0)
    throw new SimulatorConfigError(`wakeDelayMs must be a non-negative number, got ${wakeDelayMs}`);
  const expected = digest(options.token);
  const vehicles = options.simulator;
  let byId: Map<string, string> | undefined;

  const authorized = (header: string | undefined): boolean => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Hashes have equal lengths, so the comparison takes the same time whatever the token's length.
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };

  const find = (key: string): SimulatedVehicle | undefined => {
    const direct = vehicles.vehicle(key);
    if (direct !== undefined || !/^\d+$/.test(key)) return direct;
    byId ??= new Map(vehicles.vins().map((vin) => [String(fleetApiVehicleId(vin)), vin]));
    const vin = byId.get(key);
    return vin === undefined ? undefined : vehicles.vehicle(vin);
  };

  const vehicleObject = (vehicle: SimulatedVehicle): FleetApiVehicle => {
    const id = fleetApiVehicleId(vehicle.vin);
    const state = vehicle.isOnline() ? 'online' : vehicle.status() === 'asleep' ? 'asleep' : 'offline';
    return { id, id_s: String(id), vin: vehicle.vin, display_name: vehicle.name, state, in_service: false };
  };

  const command = (vehicle: SimulatedVehicle, name: string, body: string): FleetApiResponse => {
    let parameters: unknown = {};
    if (body.trim() !== '') {
      try {
        parameters = JSON.parse(body);
      } catch (error) {
        return failure(400, `${name}: the body is not JSON: ${(error as Error).message}`);
      }
    }
    if (name === 'wake_up') {
      // The vehicle's applyCommand would wake it at once; here it takes the delay, as a real car does.
      const check = validateCommand(name, parameters);
      if (!check.ok) return failure(400, check.message);
      vehicle.requestWake(wakeDelayMs);
      return ok({ result: true, reason: '' });
    }
    try {
      // applyCommand validates with the catalog, whatever the body's shape (null, an array, …).
      return ok(vehicle.applyCommand(name, parameters as Readonly<Record<string, unknown>>));
    } catch (error) {
      if (error instanceof UnknownCommandError) return failure(400, 'invalid_command', error.message);
      if (error instanceof InvalidCommandParametersError) return failure(400, error.message);
      if (error instanceof VehicleUnavailableError) return failure(408, UNAVAILABLE);
      throw error;
    }
  };

  return (request) => {
    const path = request.path.split('?')[0] ?? '';
    if (!authorized(request.authorization)) return failure(401, 'invalid bearer token');
    const route = ROUTE.exec(path);
    if (route === null) return failure(404, 'not_found', `no endpoint ${path}`);
    const [, key = '', wake, name] = route;
    const wanted = name === undefined && wake === undefined ? 'GET' : 'POST';
    if (request.method !== wanted) {
      return { ...failure(405, 'method_not_allowed', `use ${wanted} ${path}`), headers: { allow: wanted } };
    }
    const id = decodeSegment(key);
    const vehicle = id === undefined ? undefined : find(id);
    if (vehicle === undefined) return failure(404, 'not_found', `no vehicle ${key}`);
    if (wake !== undefined) {
      vehicle.requestWake(wakeDelayMs);
      return ok(vehicleObject(vehicle));
    }
    if (name === undefined) return ok(vehicleObject(vehicle));
    const commandName = decodeSegment(name);
    if (commandName === undefined) return failure(400, 'invalid_command', `malformed command name ${name}`);
    return command(vehicle, commandName, request.body);
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading so the answer reaches the client, but keep nothing past the limit.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: FleetApiResponse): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}

/**
 * Starts the simulated Fleet API on loopback; resolves once it listens.
 *
 * ```ts
 * const api = await startSimulatedFleetApi({ simulator, token, port: 0, wakeDelayMs: 5_000 });
 * // POST `${api.url}/api/1/vehicles/${vin}/command/door_lock` with `Authorization: Bearer ${token}`
 * await api.stop();
 * ```
 *
 * @throws {SimulatorConfigError} for an empty token, a negative wake delay or a bad port.
 * @throws {FleetApiListenError} when the port cannot be listened on.
 */
export async function startSimulatedFleetApi(options: StartFleetApiOptions): Promise<SimulatedFleetApi> {
  const handle = handleFleetApiRequest(options);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new SimulatorConfigError(`port must be an integer from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  const onError = options.onError ?? ((error: Error) => console.error('simulated Fleet API:', error));

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if (body === undefined) return send(res, failure(413, `the body is over ${MAX_BODY_BYTES} bytes`));
        send(
          res,
          handle({
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            authorization: req.headers.authorization,
            body,
          }),
        );
      })
      .catch((error: unknown) => {
        const failed = error instanceof Error ? error : new SimulatorError(String(error));
        onError(failed);
        if (!res.headersSent) send(res, failure(500, 'internal error', failed.message));
        else res.destroy(failed);
      });
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new FleetApiListenError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  // After listening, a server error (rare: EMFILE) must not crash the process unseen.
  server.on('error', (error) => onError(error));
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
