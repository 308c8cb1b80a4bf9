/** Base error of the AWS adapters. */
export class AwsAdapterError extends Error {
  override readonly name: string = 'AwsAdapterError';
}

/** A partial failure (UnprocessedItems, FailedEntryCount, …) that persisted through every retry. */
export class PartialFailureError extends AwsAdapterError {
  override readonly name = 'PartialFailureError';
}

/** How {@link withRetries} backs off. */
export interface RetryOptions {
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` until it reports completion, backing off exponentially with full jitter between tries:
 * the way AWS asks callers to retry the partial failures its batch APIs return.
 */
export async function withRetries(
  what: string,
  attempt: () => Promise<boolean>,
  options: RetryOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 50;
  const max = options.maxDelayMs ?? 2_000;
  for (let i = 0; i < attempts; i++) {
    if (await attempt()) return;
    if (i < attempts - 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(max, base * 2 ** i)));
    }
  }
  throw new PartialFailureError(`${what}: still incomplete after ${attempts} attempts`);
}
