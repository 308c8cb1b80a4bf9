import { describe, expect, it } from 'vitest';
import { onFailureRecord, toEvent } from '../../../src/local/kinesis-poller/records.ts';

const source = {
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/tesla_V',
  region: 'us-east-1',
  invokeIdentityArn: 'arn:aws:iam::000000000000:role/ingest-role',
};
const record = (sequenceNumber: string, arrivalMs: number, text: string) => ({
  sequenceNumber,
  partitionKey: 'VIN1',
  data: new TextEncoder().encode(text),
  arrivalMs,
});

describe('kinesis poller: records as Lambda shapes them', () => {
  it('builds the event records of the documented example', () => {
    const event = toEvent(
      [
        record(
          '49590338271490256608559692538361571095921575989136588898',
          1_545_084_650_987,
          'Hello, this is a test.',
        ),
      ],
      'shardId-000000000006',
      source,
    );
    expect(event).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'VIN1',
            sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
            data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
            approximateArrivalTimestamp: 1545084650.987,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: source.invokeIdentityArn,
          awsRegion: 'us-east-1',
          eventSourceARN: source.streamArn,
        },
      ],
    });
  });

  it('encodes only the bytes of a record that shares a larger buffer', () => {
    const shared = new TextEncoder().encode('xxHelloxx');
    const view = shared.subarray(2, 7);
    const event = toEvent(
      [{ sequenceNumber: '1', partitionKey: 'k', data: view, arrivalMs: 0 }],
      'shardId-000000000000',
      source,
    );
    expect(Buffer.from(event.Records[0]!.kinesis.data, 'base64').toString()).toBe('Hello');
  });

  it('builds the on-failure invocation record of a function that threw', () => {
    const built = onFailureRecord({
      records: [
        record('100', Date.parse('2019-11-14T00:38:04.835Z'), 'a'),
        record('200', Date.parse('2019-11-14T00:38:05.580Z'), 'b'),
      ],
      shardId: 'shardId-000000000001',
      streamArn: source.streamArn,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
      lastInvocation: { functionError: true },
      requestId: 'c9b8fa9f-5a7f-4a5c-af9c-0c604cde93a5',
      discardedAt: new Date('2019-11-14T00:38:06.021Z'),
    });
    expect(built).toEqual({
      requestContext: {
        requestId: 'c9b8fa9f-5a7f-4a5c-af9c-0c604cde93a5',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2019-11-14T00:38:06.021Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000001',
        startSequenceNumber: '100',
        endSequenceNumber: '200',
        approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
        approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
        batchSize: 2,
        streamArn: source.streamArn,
      },
    });
  });

  it('leaves out functionError after a partial batch response and responseContext for records never invoked', () => {
    const base = {
      records: [record('1', 0, 'a')],
      shardId: 'shardId-000000000000',
      streamArn: source.streamArn,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest',
      requestId: 'r',
      discardedAt: new Date(0),
    };
    const partial = onFailureRecord({
      ...base,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
      lastInvocation: { functionError: false },
    });
    expect(partial.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    const aged = onFailureRecord({ ...base, condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(aged).not.toHaveProperty('responseContext');
    expect(aged.requestContext.condition).toBe('RecordAgeExceeded');
  });
});
