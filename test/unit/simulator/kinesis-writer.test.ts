import { describe, expect, it } from 'vitest';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import type { PutRecordsCommandOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import {
  chunkEntries,
  KinesisPutError,
  KinesisWriter,
  PUT_RECORDS_MAX_BYTES,
  StreamMissingError,
} from '../../../src/simulator/index.ts';
import type { SimulatedRecord } from '../../../src/simulator/index.ts';

type Call = { readonly stream: string; readonly keys: string[] };

/** A KinesisClient whose `send` answers from a script, recording every call. */
function fakeClient(answer: (command: unknown, calls: Call[]) => unknown): {
  client: KinesisClient;
  calls: Call[];
} {
  const calls: Call[] = [];
  const client = new KinesisClient({ region: 'us-east-1' });
  client.send = (async (command: unknown) => {
    if (command instanceof PutRecordsCommand) {
      calls.push({
        stream: command.input.StreamName ?? '',
        keys: (command.input.Records ?? []).map((r) => r.PartitionKey ?? ''),
      });
    }
    const result = answer(command, calls);
    if (result instanceof Error) throw result;
    return result;
  }) as KinesisClient['send'];
  return { client, calls };
}

function record(topic: SimulatedRecord['topic'], key: string, bytes = 10): SimulatedRecord {
  return {
    topic,
    partitionKey: key,
    data: new Uint8Array(bytes),
    format: 'protobuf',
    kind: 'original',
    resend: false,
    delayed: false,
  };
}

function accepted(count: number): PutRecordsCommandOutput {
  return {
    FailedRecordCount: 0,
    Records: Array.from({ length: count }, () => ({ SequenceNumber: '1', ShardId: 's' })),
    $metadata: {},
  };
}

describe('KinesisWriter', () => {
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

  it('puts each topic on its stream with the VIN as partition key', async () => {
    const { client, calls } = fakeClient((command) =>
      accepted((command as PutRecordsCommand).input.Records?.length ?? 0),
    );
    const writer = new KinesisWriter({ client, namespace: 'demo' });
    const outcome = await writer.put([
      record('V', 'VIN1'),
      record('alerts', 'VIN2'),
      record('V', 'VIN3'),
      record('connectivity', 'VIN1'),
    ]);
    expect(outcome).toEqual({ put: 4, failed: 0, retried: 0, calls: 3 });
    expect(calls.sort((a, b) => (a.stream < b.stream ? -1 : 1))).toEqual([
      { stream: 'demo_V', keys: ['VIN1', 'VIN3'] },
      { stream: 'demo_alerts', keys: ['VIN2'] },
      { stream: 'demo_connectivity', keys: ['VIN1'] },
    ]);
  });

  it('puts the entries Kinesis refused again, and only those', async () => {
    const { client, calls } = fakeClient((command, made) => {
      const count = (command as PutRecordsCommand).input.Records?.length ?? 0;
      if (made.length > 1) return accepted(count);
      return {
        FailedRecordCount: 2,
        Records: [
          { SequenceNumber: '1', ShardId: 's' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
          { SequenceNumber: '2', ShardId: 's' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
        $metadata: {},
      };
    });
    const writer = new KinesisWriter({ client, baseDelayMs: 1 });
    const outcome = await writer.put(['A', 'B', 'C', 'D'].map((k) => record('V', k)));
    expect(calls.map((c) => c.keys)).toEqual([
      ['A', 'B', 'C', 'D'],
      ['B', 'D'],
    ]);
    expect(outcome).toEqual({ put: 4, failed: 0, retried: 2, calls: 2 });
  });

  it('gives up on entries still refused after every attempt, and counts them', async () => {
    const { client, calls } = fakeClient(() => ({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }],
      $metadata: {},
    }));
    const writer = new KinesisWriter({ client, attempts: 3, baseDelayMs: 1 });
    expect(await writer.put([record('errors', 'A')])).toEqual({ put: 0, failed: 1, retried: 2, calls: 3 });
    expect(calls).toHaveLength(3);
  });

  it('fails clearly when a stream is missing, and creates nothing', async () => {
    const notFound = () =>
      new ResourceNotFoundException({ message: 'Stream fleetwire_alerts not found', $metadata: {} });
    const { client } = fakeClient((command) => {
      if (command instanceof DescribeStreamSummaryCommand) {
        return ['fleetwire_alerts', 'fleetwire_errors'].includes(command.input.StreamName ?? '')
          ? notFound()
          : {};
      }
      if (command instanceof PutRecordsCommand) return notFound();
      throw new Error(`unexpected ${String(command)}`);
    });
    const writer = new KinesisWriter({ client });
    const verify = writer.verify();
    await expect(verify).rejects.toBeInstanceOf(StreamMissingError);
    await expect(verify).rejects.toMatchObject({ streams: ['fleetwire_alerts', 'fleetwire_errors'] });
    await expect(writer.put([record('alerts', 'A')])).rejects.toBeInstanceOf(StreamMissingError);
  });

  it('reports a call that fails as a whole with the number of records it carried', async () => {
    const { client } = fakeClient(() => new Error('connect ECONNREFUSED 127.0.0.1:4566'));
    const writer = new KinesisWriter({ client });
    await expect(writer.put([record('V', 'A'), record('V', 'B')])).rejects.toMatchObject({
      constructor: KinesisPutError,
      records: 2,
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
