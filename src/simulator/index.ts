/**
 * Simulated Tesla vehicles writing real Tesla Fleet Telemetry records to Kinesis: a seeded vehicle
 * model, the telemetry and wire behaviour of Tesla's vehicles and server (intervals, deltas, resends,
 * duplicates, reordering, both wire formats), a `PutRecords` writer and the running {@link Simulator}.
 */

export { Simulator } from './simulator.ts';
export type { SimulatorOptions, SimulatorStats } from './simulator.ts';
export { SimulatedFleet } from './fleet.ts';
export type { FleetCounts, FleetOptions, StatusCounts } from './fleet.ts';
export { DEFAULT_BEHAVIOUR, DEFAULT_CITY, SIMULATED_COMMANDS, SimulatedVehicle } from './vehicle.ts';
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
