import type { SignalValue } from '../domain/tesla/types.ts';

/** One downsampled history item: a vehicle's signals reported in one window (docs/data-model.md). */
export interface TelemetryHistoryItem {
  readonly tenantId: string;
  readonly vehicleId: string;
  /** The window's start, epoch ms. */
  readonly at: number;
  /** The newest value of each signal reported in the window. */
  readonly signals: Readonly<Record<string, SignalValue>>;
  /** When the item expires (DynamoDB TTL), epoch seconds, from the tenant's retention. */
  readonly expiresAt: number;
}

/** Writes history items (DynamoDB BatchWriteItem in AWS and on the edge). */
export interface TelemetryHistoryWriter {
  /**
   * Writes the items, retrying what the backend leaves unprocessed; answers the indexes of the items still
   * not written after every retry, so the caller can have their records redelivered.
   */
  write(items: readonly TelemetryHistoryItem[]): Promise<number[]>;
}
