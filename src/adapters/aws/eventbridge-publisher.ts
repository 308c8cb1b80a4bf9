import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { EventEntry, EventPublisher, FailedEventEntry } from '../../ports/event-publisher.ts';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX_ENTRIES = 10;

/** Entry error codes worth another try; others (malformed detail, access denied) will fail again. */
const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
]);

/** How {@link EventBridgePublisher} retries failed entries. */
export interface PublisherRetryOptions {
  readonly attempts?: number;
  readonly baseDelayMs?: number;
}

/**
 * {@link EventPublisher} on EventBridge `PutEvents`: up to 10 entries per call, calls in parallel, and the
 * entries that come back with an `ErrorCode` (counted by `FailedEntryCount`) retried with backoff.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly retry: PublisherRetryOptions = {},
  ) {}

  async publish(entries: readonly EventEntry[]): Promise<FailedEventEntry[]> {
    const attempts = this.retry.attempts ?? 4;
    const base = this.retry.baseDelayMs ?? 50;
    let pending = entries.map((entry, index) => ({ entry, index }));
    const final: FailedEventEntry[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * base * 2 ** attempt));
      const chunks: (typeof pending)[] = [];
      for (let i = 0; i < pending.length; i += PUT_EVENTS_MAX_ENTRIES) {
        chunks.push(pending.slice(i, i + PUT_EVENTS_MAX_ENTRIES));
      }
      const failures = (await Promise.all(chunks.map((chunk) => this.put(chunk)))).flat();
      const lastAttempt = attempt + 1 >= attempts;
      const retryable = new Set<number>();
      for (const failure of failures) {
        if (!lastAttempt && RETRYABLE_CODES.has(failure.errorCode)) retryable.add(failure.index);
        else final.push(failure);
      }
      pending = pending.filter(({ index }) => retryable.has(index));
    }
    return final.sort((a, b) => a.index - b.index);
  }

  /** One PutEvents call; a call that fails as a whole fails each of its entries with the call's error. */
  private async put(chunk: { entry: EventEntry; index: number }[]): Promise<FailedEventEntry[]> {
    try {
      const response = await this.client.send(
        new PutEventsCommand({ Entries: chunk.map(({ entry }) => entry as PutEventsRequestEntry) }),
      );
      if (!response.FailedEntryCount) return [];
      const results = response.Entries ?? [];
      return chunk.flatMap(({ index }, i) => {
        const result = results[i];
        if (result?.EventId && !result.ErrorCode) return [];
        return [
          {
            index,
            errorCode: result?.ErrorCode ?? 'MissingResult',
            errorMessage: result?.ErrorMessage ?? 'PutEvents returned no result for this entry',
          },
        ];
      });
    } catch (error) {
      const name = (error as Error).name;
      const code =
        (error as { $retryable?: unknown }).$retryable || name === 'ThrottlingException'
          ? 'ThrottlingException'
          : name;
      return chunk.map(({ index }) => ({ index, errorCode: code, errorMessage: (error as Error).message }));
    }
  }
}
