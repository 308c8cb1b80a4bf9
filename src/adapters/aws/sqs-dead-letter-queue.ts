import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue, PoisonRecord } from '../../ports/event-publisher.ts';
import { withRetries } from './retry.ts';

/** SendMessageBatch takes at most 10 messages. */
const SQS_BATCH = 10;

/**
 * {@link DeadLetterQueue} on SQS: one message per poison record, its body the record as JSON, with the
 * reason also as a message attribute so an operator can filter without parsing bodies.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(records: readonly PoisonRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += SQS_BATCH) {
      let batch = records.slice(i, i + SQS_BATCH).map((record, j) => ({ id: String(j), record }));
      await withRetries('SendMessageBatch to the dead-letter queue', async () => {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map(({ id, record }) => ({
              Id: id,
              MessageBody: JSON.stringify(record),
              MessageAttributes: {
                reason: { DataType: 'String', StringValue: record.reason.slice(0, 256) },
                stream: { DataType: 'String', StringValue: record.streamName },
              },
            })),
          }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        batch = batch.filter(({ id }) => failed.has(id));
        return batch.length === 0;
      });
    }
  }
}
