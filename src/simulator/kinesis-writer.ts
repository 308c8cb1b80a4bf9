/**
 * Puts simulated records on Kinesis the way a careful producer does: `PutRecords` in calls of at most
 * 500 records and 5 MiB, one stream per topic (`<namespace>_V`, `_alerts`, `_errors`, `_connectivity`),
 * the VIN as partition key exactly as Tesla's server uses it, and the entries a call reports as failed
 * (`FailedRecordCount`, throttling) put again with exponential backoff. It creates nothing: the streams
 * belong to the stack, and a missing one is a {@link StreamMissingError}.
 */

import {
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { teslaStreamNames, TESLA_TOPICS } from '../domain/tesla/index.ts';
import type { TeslaStreamNames, TeslaTopic } from '../domain/tesla/index.ts';
import type { SimulatedRecord } from './delivery.ts';
import { KinesisPutError, StreamMissingError } from './errors.ts';

/** Kinesis's limits of one `PutRecords` call. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/** 5 MiB: data and partition keys of all entries together. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/** The namespace Fleetwire's stack names its streams with. */
export const DEFAULT_NAMESPACE = 'fleetwire';

/** What one {@link RecordSink.put} achieved. */
export interface PutOutcome {
  /** Records Kinesis accepted. */
  readonly put: number;
  /** Records still refused after every retry. */
  readonly failed: number;
  /** Entries put again after Kinesis refused them (each retry counts). */
  readonly retried: number;
  /** `PutRecords` calls made. */
  readonly calls: number;
}

/** Where the simulator's records go: Kinesis, or a test's memory. */
export interface RecordSink {
  /** Checks that the destination exists; throws {@link StreamMissingError} if not. */
  verify?(): Promise<void>;
  put(records: readonly SimulatedRecord[]): Promise<PutOutcome>;
}

/** How to build a {@link KinesisWriter}. */
export interface KinesisWriterOptions {
  /** A client built with `awsClientConfig` (HTTP/1.1 against the local edge). */
  readonly client: KinesisClient;
  /** Default `fleetwire`. */
  readonly namespace?: string;
  /** Streams named explicitly, as Tesla's server allows. */
  readonly streamNames?: TeslaStreamNames;
  /** Tries per batch of refused entries, the first included. Default 5. */
  readonly attempts?: number;
  /** First backoff, ms; doubled per retry, with full jitter. Default 100. */
  readonly baseDelayMs?: number;
  /** Longest backoff, ms. Default 2000. */
  readonly maxDelayMs?: number;
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof ResourceNotFoundException ||
    (error instanceof Error && error.name === 'ResourceNotFoundException')
  );
}

function entrySize(entry: PutRecordsRequestEntry): number {
  return (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '', 'utf8');
}

/** Splits entries, in order, into `PutRecords`-sized chunks. */
export function chunkEntries(entries: readonly PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const chunks: PutRecordsRequestEntry[][] = [];
  let chunk: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (
      chunk.length > 0 &&
      (chunk.length === PUT_RECORDS_MAX_ENTRIES || bytes + size > PUT_RECORDS_MAX_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Puts records on the four Tesla streams of a namespace. */
export class KinesisWriter implements RecordSink {
  /** The stream of each topic. */
  readonly streams: Readonly<Record<TeslaTopic, string>>;
  private readonly client: KinesisClient;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: KinesisWriterOptions) {
    this.client = options.client;
    this.streams = teslaStreamNames(options.namespace ?? DEFAULT_NAMESPACE, options.streamNames);
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
  }

  /** @throws {StreamMissingError} naming every stream that does not exist. */
  async verify(): Promise<void> {
    const missing: string[] = [];
    await Promise.all(
      TESLA_TOPICS.map(async (topic) => {
        const name = this.streams[topic];
        try {
          await this.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        } catch (error) {
          if (isNotFound(error)) missing.push(name);
          else throw error;
        }
      }),
    );
    if (missing.length > 0)
      throw new StreamMissingError(
        TESLA_TOPICS.map((t) => this.streams[t]).filter((n) => missing.includes(n)),
      );
  }

  /**
   * Puts `records`, each on its topic's stream, keeping their order within a stream (except for
   * retried entries, which land after the call's others, as with any Kinesis producer).
   *
   * @throws {StreamMissingError} when a stream does not exist.
   * @throws {KinesisPutError} when a call fails as a whole (after the SDK's own retries).
   */
  async put(records: readonly SimulatedRecord[]): Promise<PutOutcome> {
    const byTopic = new Map<TeslaTopic, PutRecordsRequestEntry[]>();
    for (const record of records) {
      let entries = byTopic.get(record.topic);
      if (entries === undefined) byTopic.set(record.topic, (entries = []));
      entries.push({ PartitionKey: record.partitionKey, Data: record.data });
    }
    // Streams are independent: put them in parallel, each stream's chunks in order.
    const outcomes = await Promise.all(
      [...byTopic].map(async ([topic, entries]) => {
        const total = { put: 0, failed: 0, retried: 0, calls: 0 };
        for (const chunk of chunkEntries(entries)) {
          const outcome = await this.putChunk(this.streams[topic], chunk);
          total.put += outcome.put;
          total.failed += outcome.failed;
          total.retried += outcome.retried;
          total.calls += outcome.calls;
        }
        return total;
      }),
    );
    return outcomes.reduce(
      (sum, o) => ({
        put: sum.put + o.put,
        failed: sum.failed + o.failed,
        retried: sum.retried + o.retried,
        calls: sum.calls + o.calls,
      }),
      { put: 0, failed: 0, retried: 0, calls: 0 },
    );
  }

  private async putChunk(streamName: string, entries: PutRecordsRequestEntry[]): Promise<PutOutcome> {
    let pending = entries;
    let put = 0;
    let retried = 0;
    let calls = 0;
    for (let attempt = 1; ; attempt += 1) {
      let response;
      try {
        calls += 1;
        response = await this.client.send(
          new PutRecordsCommand({ StreamName: streamName, Records: pending }),
        );
      } catch (error) {
        if (isNotFound(error)) throw new StreamMissingError([streamName], { cause: error });
        throw new KinesisPutError(streamName, pending.length, { cause: error });
      }
      const results = response.Records ?? [];
      const refused =
        (response.FailedRecordCount ?? 0) === 0
          ? []
          : pending.filter((_, i) => results[i]?.ErrorCode !== undefined);
      put += pending.length - refused.length;
      if (refused.length === 0) return { put, failed: 0, retried, calls };
      if (attempt >= this.attempts) return { put, failed: refused.length, retried, calls };
      retried += refused.length;
      pending = refused;
      const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      // Full jitter, as AWS recommends: throttled producers must not retry in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
