/**
 * Tesla's Fleet API vehicle commands, as the dispatch step needs them. Implementations throw the
 * `FleetApiError` subclasses of `src/adapters/http/fleet-api-client.ts` for the answers the workflow
 * retries (asleep, rate limited, unavailable).
 */

/** The vehicle's answer to a command that reached it (HTTP 200). */
export interface FleetApiCommandResult {
  /** false: the vehicle refused, with `reason` (`is_charging`, `not_charging`, …). */
  readonly result: boolean;
  /** Tesla's reason text; empty when it gave none. */
  readonly reason: string;
  readonly httpStatus: number;
}

/** Tesla's vehicle states. */
export type FleetApiVehicleState = 'online' | 'asleep' | 'offline' | string;

/** The Fleet API for vehicle commands. */
export interface FleetApi {
  /** Sends a command; resolves with the vehicle's answer, throws for every non-200 answer. */
  sendCommand(
    vin: string,
    command: string,
    parameters: Readonly<Record<string, unknown>>,
  ): Promise<FleetApiCommandResult>;
  /** Asks a sleeping vehicle to wake up; resolves with its state at the time of the answer. */
  wakeUp(vin: string): Promise<FleetApiVehicleState>;
  /** The vehicle's current state. */
  vehicleState(vin: string): Promise<FleetApiVehicleState>;
}
