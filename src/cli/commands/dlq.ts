import type { Command } from 'commander';
import { GetQueueUrlCommand, QueueDoesNotExist, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { CliError } from '../cli-error.ts';
import { endpointOf } from './vehicles.ts';
import { POISON_QUEUE_NAME } from '../../local/resources.ts';

/** `fleetwire dlq list`: what ingest could not decode, and why. */
export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description("ingest's dead-letter queue of poison records");
  dlq
    .command('list')
    .description('print the poison records as JSON lines (they stay in the queue)')
    .option('--queue <name>', 'the queue name', POISON_QUEUE_NAME)
    .option('--max <n>', 'at most this many', (v) => Number(v), 100)
    .option('--endpoint <url>', 'the local edge')
    .option('--aws', 'talk to AWS itself, not the local edge')
    .action(async (options: { queue: string; max: number; endpoint?: string; aws?: boolean }) => {
      const sqs = new SQSClient(awsClientConfig({ endpoint: endpointOf(options) }));
      try {
        let queueUrl: string | undefined;
        try {
          ({ QueueUrl: queueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: options.queue })));
        } catch (error) {
          if (error instanceof QueueDoesNotExist) throw new CliError(`no queue named ${options.queue}`, 1);
          throw error;
        }
        // Peek: a zero visibility timeout leaves every message where it is for the next reader.
        const seen = new Set<string>();
        while (seen.size < options.max) {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: Math.min(10, options.max - seen.size),
              VisibilityTimeout: 0,
              MessageSystemAttributeNames: ['SentTimestamp'],
            }),
          );
          const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
          if (fresh.length === 0) break;
          for (const message of fresh) {
            seen.add(message.MessageId!);
            const sentAt = Number(message.Attributes?.SentTimestamp ?? 0);
            const body = JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
            process.stdout.write(`${JSON.stringify({ sentAt: new Date(sentAt).toISOString(), ...body })}\n`);
          }
        }
      } finally {
        sqs.destroy();
      }
    });
}
