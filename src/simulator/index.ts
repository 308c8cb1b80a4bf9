/**
 * Simulated Tesla vehicles writing real Tesla Fleet Telemetry records to Kinesis: a seeded vehicle
 * model, the telemetry and wire behaviour of Tesla's vehicles and server (intervals, deltas, resends,
 * duplicates, reordering, both wire formats), a `PutRecords` writer, the running {@link Simulator} and a
 * simulated Fleet API that sends the vehicles commands over HTTP.
 */

export { Simulator } from './simulator.ts';
export type { SimulatorOptions, SimulatorStats } from './simulator.ts';
export { SimulatedFleet } from './fleet.ts';
export type { FleetCounts, FleetOptions, StatusCounts } from './fleet.ts';
export { DEFAULT_BEHAVIOUR, DEFAULT_CITY, SIMULATED_COMMANDS, SimulatedVehicle } from './vehicle.ts';
export {
  DEFAULT_WAKE_DELAY_MS,
  fleetApiVehicleId,
  handleFleetApiRequest,
  startSimulatedFleetApi,
} from './fleet-api.ts';
export type {
  FleetApiOptions,
  FleetApiRequest,
  FleetApiResponse,
  FleetApiVehicle,
  FleetApiVehicles,
  SimulatedFleetApi,
  StartFleetApiOptions,
} from './fleet-api.ts';
export type {
  ChargeState,
  City,
  CommandResult,
  Gear,
  InitialState,
  SentryState,
  SimulatedAlert,
  SimulatedError,
  SimulatedField,
  SimulatedVehicleOptions,
  VehicleBehaviour,
  VehicleEvent,
  VehicleSignals,
  VehicleStateView,
  VehicleStatus,
  WindowName,
  WindowPosition,
} from './vehicle.ts';
export { SIMULATED_FIELDS, TelemetryEmitter } from './telemetry.ts';
export type { TeslaMessage, TelemetryOptions } from './telemetry.ts';
export { Delivery } from './delivery.ts';
export type { DeliveryOptions, SimulatedFormat, SimulatedRecord } from './delivery.ts';
export {
  chunkEntries,
  DEFAULT_NAMESPACE,
  KinesisWriter,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
} from './kinesis-writer.ts';
export type { KinesisWriterOptions, PutOutcome, RecordSink } from './kinesis-writer.ts';
export {
  FleetApiListenError,
  InvalidCommandParametersError,
  KinesisPutError,
  SimulatorConfigError,
  SimulatorError,
  StreamMissingError,
  UnknownCommandError,
  VehicleUnavailableError,
} from './errors.ts';
export { isValidVin, simulatedVin, vinCheckDigit } from './vin.ts';
export { Rng } from './random.ts';
export type { StreetGrid, Waypoint } from './route.ts';
