/** The base of every error the local Kinesis poller raises. */
export class KinesisPollerError extends Error {
  override readonly name: string = 'KinesisPollerError';
}

/** An option is out of the range the event source mapping accepts, or options contradict each other. */
export class InvalidKinesisPollerOptionsError extends KinesisPollerError {
  override readonly name: string = 'InvalidKinesisPollerOptionsError';
}

/** `start()` was called twice, or after `stop()`. */
export class KinesisPollerStateError extends KinesisPollerError {
  override readonly name: string = 'KinesisPollerStateError';
}

/** The stream did not exist or did not become ACTIVE within the start timeout. */
export class KinesisStreamUnavailableError extends KinesisPollerError {
  override readonly name: string = 'KinesisStreamUnavailableError';
}
