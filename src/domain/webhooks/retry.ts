/**
 * When a webhook delivery is tried again: 5xx, 429 and network failures (including the 5 s timeout) are
 * retried with exponential backoff and full jitter, a bounded number of times; any other answer is final.
 */

/** How one attempt ended. */
export type DeliveryAttemptOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'network'; readonly message: string };

/** The retry policy. */
export interface WebhookRetryPolicy {
  /** Attempts per event and webhook, the first included. */
  readonly maxAttempts: number;
  /** Delay bound before the second attempt; doubles for each further one. */
  readonly baseDelayMs: number;
  /** Upper bound of any delay, `Retry-After` included. */
  readonly maxDelayMs: number;
  /** Per attempt: a receiver slower than this counts as a network failure. */
  readonly timeoutMs: number;
}

/**
 * The default: 4 attempts over at most about 15 s of waiting, so that one event's retries (4 × 5 s
 * timeouts + delays) fit well within the deliverer's 60 s Lambda timeout.
 */
export const DEFAULT_WEBHOOK_RETRY_POLICY: WebhookRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  timeoutMs: 5000,
};

/** Whether the receiver accepted the event (any 2xx). */
export function isDelivered(outcome: DeliveryAttemptOutcome): boolean {
  return outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
}

/** Whether trying again may help: network failures, 429 and 5xx. */
export function isRetryable(outcome: DeliveryAttemptOutcome): boolean {
  if (outcome.kind === 'network') return true;
  return outcome.status === 429 || outcome.status >= 500;
}

/**
 * The wait before attempt `attempt + 1` after `outcome`, or `undefined` when there is none (delivered, a
 * final answer, or no attempts left). `random` in [0, 1) spreads retries (full jitter); a `Retry-After`
 * within the bound is honoured as a minimum.
 */
export function nextRetryDelayMs(
  policy: WebhookRetryPolicy,
  attempt: number,
  outcome: DeliveryAttemptOutcome,
  random: () => number = Math.random,
): number | undefined {
  if (isDelivered(outcome) || !isRetryable(outcome) || attempt >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const jittered = Math.floor(random() * ceiling);
  const retryAfter =
    outcome.kind === 'response' && outcome.retryAfterSeconds !== undefined
      ? Math.min(outcome.retryAfterSeconds * 1000, policy.maxDelayMs)
      : 0;
  return Math.max(jittered, retryAfter);
}

/** A person-readable reason for an outcome, for the dead-letter queue. */
export function describeOutcome(outcome: DeliveryAttemptOutcome): string {
  return outcome.kind === 'response' ? `HTTP ${outcome.status}` : `network: ${outcome.message}`;
}
