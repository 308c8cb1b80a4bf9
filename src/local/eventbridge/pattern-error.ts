/** The prefix EventBridge puts before every reason it rejects an event pattern for. */
const AWS_PREFIX = 'Event pattern is not valid. Reason: ';

/**
 * Thrown for a pattern EventBridge would reject (`InvalidEventPatternException` in AWS). The message has
 * AWS's own shape, `Event pattern is not valid. Reason: <reason>`, so logs read the same locally and in AWS.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** The reason alone, without AWS's `Event pattern is not valid. Reason: ` prefix. */
  readonly reason: string;

  /** @param reason Why the pattern is invalid, worded like EventBridge's reason. */
  constructor(reason: string) {
    super(AWS_PREFIX + reason);
    this.reason = reason;
  }
}

/** Shorthand used by the compilers: they stop at the first problem, as EventBridge does. */
export function invalid(reason: string): never {
  throw new InvalidEventPatternError(reason);
}
