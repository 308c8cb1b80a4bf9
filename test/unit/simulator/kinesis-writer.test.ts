import { describe, expect, it } from 'vitest';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { chunkEntries, PUT_RECORDS_MAX_BYTES } from '../../../src/simulator/index.ts';

// The writer's calls, retries and failures are tested against a real edge with injected faults:
// test/integration/simulator-kinesis-writer.test.ts.

describe('chunkEntries', () => {
  it('splits entries into calls of at most 500 records and 5 MiB', () => {
    const small = Array.from({ length: 1_201 }, (_, i): PutRecordsRequestEntry => ({
      PartitionKey: `k${i}`,
      Data: new Uint8Array(10),
    }));
    expect(chunkEntries(small).map((c) => c.length)).toEqual([500, 500, 201]);
    const big = Array.from({ length: 12 }, (): PutRecordsRequestEntry => ({
      PartitionKey: 'k',
      Data: new Uint8Array(1024 * 1024 - 1),
    }));
    const chunks = chunkEntries(big);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, e) => sum + (e.Data?.byteLength ?? 0) + 1, 0)).toBeLessThanOrEqual(
        PUT_RECORDS_MAX_BYTES,
      );
    }
    expect(chunks.map((c) => c.length)).toEqual([5, 5, 2]);
  });

  it('keeps the entries in order and makes no chunk of nothing', () => {
    const entries = Array.from({ length: 7 }, (_, i): PutRecordsRequestEntry => ({
      PartitionKey: `k${i}`,
      // k3 fills a call on its own: its data and its 2-byte key make exactly 5 MiB.
      Data: new Uint8Array(i === 3 ? PUT_RECORDS_MAX_BYTES - 2 : 1),
    }));
    const chunks = chunkEntries(entries);
    expect(chunks.map((c) => c.map((e) => e.PartitionKey))).toEqual([
      ['k0', 'k1', 'k2'],
      ['k3'],
      ['k4', 'k5', 'k6'],
    ]);
    expect(chunkEntries([])).toEqual([]);
  });
});
