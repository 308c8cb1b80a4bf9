/**
 * Errors of the simulator. Everything it throws on purpose is a {@link SimulatorError}, so a caller (the
 * CLI, the simulated Fleet API) can tell "the simulation was asked something wrong" from a bug.
 */

/** Base class of every error the simulator throws on purpose. */
export class SimulatorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Options given to the simulator that cannot work (a negative rate, a ratio above 1, …). */
export class SimulatorConfigError extends SimulatorError {}

/**
 * One or more of the Kinesis streams the simulator writes to do not exist. The simulator creates
 * nothing: the streams belong to the stack (`npm start`, `cdk deploy`).
 */
export class StreamMissingError extends SimulatorError {
  readonly streams: readonly string[];

  constructor(streams: readonly string[], options?: ErrorOptions) {
    super(
      `Kinesis stream${streams.length === 1 ? '' : 's'} ${streams.join(', ')} ` +
        `${streams.length === 1 ? 'does' : 'do'} not exist; the stack provisions them ` +
        '(run `npm start`, or check --namespace and --endpoint)',
      options,
    );
    this.streams = streams;
  }
}

/** A command name the simulated vehicle does not know (the Fleet API answers 400 `invalid_command`). */
export class UnknownCommandError extends SimulatorError {
  readonly command: string;

  constructor(command: string) {
    super(`unknown vehicle command "${command}"`);
    this.command = command;
  }
}

/** A known command with parameters it cannot take (`set_charge_limit` without a `percent`, …). */
export class InvalidCommandParametersError extends SimulatorError {
  readonly command: string;

  /** `detail` may already start with `<command>: ` (the catalog's messages do); it is not repeated. */
  constructor(command: string, detail: string) {
    super(detail.startsWith(`${command}: `) ? detail : `${command}: ${detail}`);
    this.command = command;
  }
}

/**
 * The vehicle is asleep or offline and cannot take the command (the Fleet API answers 408 until a
 * `wake_up`).
 */
export class VehicleUnavailableError extends SimulatorError {
  readonly vin: string;

  constructor(vin: string, state: 'asleep' | 'offline') {
    super(`vehicle is ${state}`);
    this.vin = vin;
  }
}

/** The simulated Fleet API could not listen on its port (in use, no permission, …). */
export class FleetApiListenError extends SimulatorError {}

/** `PutRecords` failed as a whole (the endpoint is unreachable, the credentials are refused, …). */
export class KinesisPutError extends SimulatorError {
  /** Records of the failed call that were not put. */
  readonly records: number;

  constructor(streamName: string, records: number, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      `PutRecords to ${streamName} failed for ${records} record${records === 1 ? '' : 's'}${cause}`,
      options,
    );
    this.records = records;
  }
}
