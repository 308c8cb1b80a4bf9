import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsServiceError, unknownOperation, type AwsJsonService, type RequestContext } from './aws-json.ts';

/** How to build an {@link SqsService}. */
export interface SqsServiceOptions {
  /** Queues and their messages persist in `<dataDir>/sqs/queues.json`; in memory when absent. */
  readonly dataDir?: string;
}

/** A message attribute as the SQS JSON protocol carries it: `BinaryValue` is base64. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly traceHeader?: string;
  readonly senderId: string;
  /** Milliseconds since the epoch of the first send; kept across a redrive, as AWS does. */
  readonly sentTimestamp: number;
  /** Milliseconds since the epoch from which the message can be received (delay or visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** The nonce of the latest receipt handle: only the newest handle deletes or changes visibility. */
  receipt?: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  readonly deadLetterSourceArn?: string;
}

interface StoredQueue {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly fifo: boolean;
  /** The settable attributes, defaults included, in the normalised form GetQueueAttributes returns. */
  attributes: Record<string, string>;
  readonly tags: Record<string, string>;
  /** Seconds since the epoch. */
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  messages: StoredMessage[];
  /** FIFO deduplication ids seen in the last five minutes, with the answer the first send got. */
  deduplication: Record<string, { messageId: string; sequenceNumber: string; expiresAt: number }>;
  nextSequenceNumber: string;
}

interface SqsState {
  readonly version: 1;
  readonly queues: StoredQueue[];
}

/** The outcome of accepting one message, as SendMessage and each SendMessageBatch entry report it. */
interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** Largest message, body and attributes together, since SQS raised the quota to 1 MiB in 2025. */
const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_BATCH_ENTRIES = 10;
const MAX_MESSAGE_ATTRIBUTES = 10;
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const PERSIST_DELAY_MS = 100;
const QUEUE_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,80}$/;
const BATCH_ID_PATTERN = /^[a-zA-Z0-9_-]{1,80}$/;
const FIFO_ID_PATTERN = /^[0-9a-zA-Z!"#$%&'()*+,./:;<=>?@[\\\]^_`{|}~-]{1,128}$/;
const MESSAGE_CONTENT_PATTERN = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ATTRIBUTE_NAME_PATTERN = /^[\u00C0-\u017Fa-zA-Z0-9_.-]+$/;
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const SETTABLE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;
const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;
const INTEGER_ATTRIBUTES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};
const BOOLEAN_ATTRIBUTES = ['SqsManagedSseEnabled', 'FifoQueue', 'ContentBasedDeduplication'];
const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};
const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  ...STANDARD_DEFAULTS,
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/**
 * Amazon SQS on the local edge over the AWS JSON protocol (awsJson1_0) that SDK v3 clients speak: standard and
 * FIFO queues, visibility timeouts, delays, long polling, dead-letter redrive and AWS's MD5 digests. Errors carry
 * both the JSON `__type` and the `x-amzn-query-error` header, because SQS is awsQuery-compatible and the SDK picks
 * the exception class from that header.
 */
export class SqsService implements AwsJsonService {
  readonly name = 'sqs';
  readonly targetPrefix = 'AmazonSQS';
  readonly jsonVersion = '1.0' as const;
  private readonly file: string | undefined;
  private readonly queues = new Map<string, StoredQueue>();
  /** Long polls waiting on each queue (by key), woken whenever that queue may have become receivable. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private persistTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;

  constructor(options: SqsServiceOptions = {}) {
    this.file = options.dataDir ? join(options.dataDir, 'sqs', 'queues.json') : undefined;
    if (this.file) for (const queue of loadState(this.file).queues) this.queues.set(queueKey(queue), queue);
  }

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    switch (operation) {
      case 'CreateQueue':
        return this.createQueue(input, context);
      case 'GetQueueUrl':
        return this.getQueueUrl(input, context);
      case 'ListQueues':
        return this.listQueues(input, context);
      case 'DeleteQueue':
        return this.deleteQueue(input, context);
      case 'GetQueueAttributes':
        return this.getQueueAttributes(input, context);
      case 'SetQueueAttributes':
        return this.setQueueAttributes(input, context);
      case 'PurgeQueue':
        return this.purgeQueue(input, context);
      case 'SendMessage':
        return this.sendMessage(input, context);
      case 'SendMessageBatch':
        return this.sendMessageBatch(input, context);
      case 'ReceiveMessage':
        return this.receiveMessage(input, context);
      case 'DeleteMessage':
        return this.deleteMessage(input, context);
      case 'DeleteMessageBatch':
        return this.deleteMessageBatch(input, context);
      case 'ChangeMessageVisibility':
        return this.changeMessageVisibility(input, context);
      default:
        throw unknownOperation('SQS', operation);
    }
  }

  /** Wakes every long poll with an empty answer, stops the write timer and writes what is pending. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiters of this.waiters.values()) for (const wake of [...waiters]) wake();
    this.waiters.clear();
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.flush();
  }

  private createQueue(input: Record<string, unknown>, context: RequestContext): unknown {
    const name = requiredString(input, 'QueueName');
    const raw = stringMap(input.Attributes, 'Attributes');
    const fifo = raw.FifoQueue?.toLowerCase() === 'true';
    validateQueueName(name, fifo);
    const requested = this.normaliseAttributes(raw, fifo, context, 'create');
    const existing = this.queues.get(keyOf(context, name));
    if (existing) {
      for (const [attribute, value] of Object.entries(requested)) {
        if (existing.attributes[attribute] !== value) throw errors.queueNameExists(attribute);
      }
      return { QueueUrl: queueUrl(existing, context) };
    }
    const now = Math.floor(Date.now() / 1000);
    const queue: StoredQueue = {
      name,
      region: context.region,
      accountId: context.accountId,
      fifo,
      attributes: { ...(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS), ...requested },
      tags: stringMap(input.tags, 'tags'),
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      messages: [],
      deduplication: {},
      nextSequenceNumber: '18000000000000000000',
    };
    this.queues.set(queueKey(queue), queue);
    this.changed();
    return { QueueUrl: queueUrl(queue, context) };
  }

  private getQueueUrl(input: Record<string, unknown>, context: RequestContext): unknown {
    const name = requiredString(input, 'QueueName');
    const owner = optionalString(input, 'QueueOwnerAWSAccountId');
    const queue = this.queues.get(keyOf(context, name));
    if (!queue || (owner !== undefined && owner !== queue.accountId)) throw errors.queueDoesNotExist();
    return { QueueUrl: queueUrl(queue, context) };
  }

  private listQueues(input: Record<string, unknown>, context: RequestContext): unknown {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults');
    const nextToken = optionalString(input, 'NextToken');
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
      throw errors.invalidParameterValue(
        `Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`,
      );
    }
    const after = nextToken === undefined ? undefined : Buffer.from(nextToken, 'base64').toString('utf8');
    const names = [...this.queues.values()]
      .filter((queue) => queue.region === context.region && queue.accountId === context.accountId)
      .filter((queue) => queue.name.startsWith(prefix) && (after === undefined || queue.name > after))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Without MaxResults SQS answers at most 1000 queues and no token, as AWS does.
    const page = names.slice(0, maxResults ?? 1000);
    const last = page.at(-1);
    return {
      ...(page.length > 0 ? { QueueUrls: page.map((queue) => queueUrl(queue, context)) } : {}),
      ...(maxResults !== undefined && names.length > page.length && last
        ? { NextToken: Buffer.from(last.name).toString('base64') }
        : {}),
    };
  }

  private deleteQueue(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    this.queues.delete(queueKey(queue));
    this.notify(queue);
    this.changed();
    return {};
  }

  private getQueueAttributes(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const names = stringList(input.AttributeNames, 'AttributeNames');
    for (const name of names) {
      const known =
        name === 'All' || isOneOf(name, SETTABLE_ATTRIBUTES) || isOneOf(name, COMPUTED_ATTRIBUTES);
      if (!known) throw errors.invalidAttributeName(`Unknown Attribute ${name}.`);
    }
    if (names.length === 0) return {};
    const all = this.describeQueue(queue, Date.now());
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const attributes: Record<string, string> = {};
    for (const name of wanted) {
      const value = all[name];
      if (value !== undefined) attributes[name] = value;
    }
    return { Attributes: attributes };
  }

  private setQueueAttributes(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const raw = stringMap(input.Attributes, 'Attributes');
    const updates = this.normaliseAttributes(raw, queue.fifo, context, 'set');
    for (const [attribute, value] of Object.entries(updates)) {
      // An empty RedrivePolicy is how SQS removes the dead-letter queue from a source queue.
      if (attribute === 'RedrivePolicy' && value === '') delete queue.attributes[attribute];
      else queue.attributes[attribute] = value;
    }
    queue.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
    this.notify(queue);
    this.changed();
    return {};
  }

  private purgeQueue(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    queue.messages = [];
    this.changed();
    return {};
  }

  private sendMessage(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const result = this.enqueue(queue, input, context, Date.now());
    this.changed();
    return result;
  }

  private sendMessageBatch(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const entries = batchEntries(input.Entries, 'SendMessageBatchRequestEntry');
    let totalBytes = 0;
    for (const entry of entries) {
      const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
      const attributes =
        typeof entry.MessageAttributes === 'object' && entry.MessageAttributes !== null
          ? (entry.MessageAttributes as Record<string, unknown>)
          : {};
      totalBytes += Buffer.byteLength(body) + attributesByteSize(attributes);
    }
    if (totalBytes > MAX_MESSAGE_BYTES) throw errors.batchRequestTooLong(totalBytes);
    const now = Date.now();
    const successful: (SendResult & { Id: string })[] = [];
    const failed: BatchFailure[] = [];
    for (const entry of entries) {
      const id = entry.Id as string;
      try {
        successful.push({ Id: id, ...this.enqueue(queue, entry, context, now) });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        failed.push(batchFailure(id, error));
      }
    }
    this.changed();
    return { Successful: successful, Failed: failed };
  }

  private async receiveMessage(input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    const queue = this.requireQueue(input, context);
    const maxMessages = optionalInteger(input, 'MaxNumberOfMessages') ?? 1;
    if (maxMessages < 1 || maxMessages > 10) {
      throw errors.invalidParameterValue(
        `Value ${maxMessages} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const visibilityTimeout =
      optionalInteger(input, 'VisibilityTimeout') ?? Number(queue.attributes.VisibilityTimeout);
    if (visibilityTimeout < 0 || visibilityTimeout > 43_200) {
      throw errors.invalidParameterValue(
        `Value ${visibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const waitSeconds =
      optionalInteger(input, 'WaitTimeSeconds') ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    if (waitSeconds < 0 || waitSeconds > 20) {
      throw errors.invalidParameterValue(
        `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const systemNames = [
      ...stringList(input.AttributeNames, 'AttributeNames'),
      ...stringList(input.MessageSystemAttributeNames, 'MessageSystemAttributeNames'),
    ];
    const attributeNames = stringList(input.MessageAttributeNames, 'MessageAttributeNames');
    optionalString(input, 'ReceiveRequestAttemptId');

    const key = queueKey(queue);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      // The queue may have been deleted while this poll waited: AWS then ends the poll empty-handed.
      const current = this.queues.get(key);
      if (!current) return {};
      const now = Date.now();
      const claimed = this.claim(current, maxMessages, visibilityTimeout, now);
      if (claimed.length > 0) {
        this.changed();
        return {
          Messages: claimed.map((message) => renderMessage(current, message, systemNames, attributeNames)),
        };
      }
      if (this.closed || now >= deadline) return {};
      await this.waitForChange(current, deadline);
    }
  }

  private deleteMessage(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const handle = requiredString(input, 'ReceiptHandle');
    this.removeByReceipt(queue, handle, Date.now());
    this.changed();
    return {};
  }

  private deleteMessageBatch(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const entries = batchEntries(input.Entries, 'DeleteMessageBatchRequestEntry');
    const now = Date.now();
    const successful: { Id: string }[] = [];
    const failed: BatchFailure[] = [];
    for (const entry of entries) {
      const id = entry.Id as string;
      try {
        const handle = requiredString(entry, 'ReceiptHandle');
        this.removeByReceipt(queue, handle, now);
        successful.push({ Id: id });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        failed.push(batchFailure(id, error));
      }
    }
    this.changed();
    return { Successful: successful, Failed: failed };
  }

  private changeMessageVisibility(input: Record<string, unknown>, context: RequestContext): unknown {
    const queue = this.requireQueue(input, context);
    const handle = requiredString(input, 'ReceiptHandle');
    const timeout = optionalInteger(input, 'VisibilityTimeout');
    if (timeout === undefined) throw errors.missingParameter('VisibilityTimeout');
    if (timeout < 0 || timeout > 43_200) {
      throw errors.invalidParameterValue(
        `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const { messageId, receipt } = parseReceiptHandle(queue, handle);
    const now = Date.now();
    const message = queue.messages.find((candidate) => candidate.messageId === messageId);
    if (!message || message.receipt !== receipt || message.visibleAt <= now) {
      throw errors.invalidParameterValue(
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    message.visibleAt = now + timeout * 1000;
    this.notify(queue);
    this.changed();
    return {};
  }

  /** Validates one message (SendMessage input or batch entry) and stores it, or throws the error AWS gives. */
  private enqueue(
    queue: StoredQueue,
    entry: Record<string, unknown>,
    context: RequestContext,
    now: number,
  ): SendResult {
    const body = entry.MessageBody;
    if (body === undefined || body === null || body === '') throw errors.missingParameter('MessageBody');
    if (typeof body !== 'string') throw errors.invalidParameterValue('MessageBody must be a string.');
    if (!MESSAGE_CONTENT_PATTERN.test(body)) throw errors.invalidMessageContents();
    const attributes = validateMessageAttributes(entry.MessageAttributes);
    const traceHeader = validateSystemAttributes(entry.MessageSystemAttributes);
    const maxBytes = Number(queue.attributes.MaximumMessageSize);
    if (Buffer.byteLength(body) + attributesByteSize(attributes) > maxBytes) {
      throw errors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${maxBytes} bytes.`,
      );
    }
    const delay = optionalInteger(entry, 'DelaySeconds');
    if (delay !== undefined && (delay < 0 || delay > 900)) {
      throw errors.invalidParameterValue(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
      );
    }
    const groupId = optionalString(entry, 'MessageGroupId');
    const deduplicationId = optionalString(entry, 'MessageDeduplicationId');
    for (const [parameter, value] of [
      ['MessageGroupId', groupId],
      ['MessageDeduplicationId', deduplicationId],
    ] as const) {
      if (value !== undefined && !FIFO_ID_PATTERN.test(value)) {
        throw errors.invalidParameterValue(
          `Value ${value} for parameter ${parameter} is invalid. Reason: ${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
        );
      }
    }

    const digests = {
      MD5OfMessageBody: md5Hex(Buffer.from(body, 'utf8')),
      ...(Object.keys(attributes).length > 0
        ? { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }
        : {}),
      ...(traceHeader !== undefined
        ? {
            MD5OfMessageSystemAttributes: md5OfMessageAttributes({
              AWSTraceHeader: { DataType: 'String', StringValue: traceHeader },
            }),
          }
        : {}),
    };
    const base = {
      body,
      attributes,
      ...(traceHeader !== undefined ? { traceHeader } : {}),
      senderId: senderIdOf(context),
      sentTimestamp: now,
      receiveCount: 0,
    };

    if (!queue.fifo) {
      if (deduplicationId !== undefined) {
        throw errors.invalidParameterValue(
          `Value ${deduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`,
        );
      }
      const messageId = randomUUID();
      queue.messages.push({
        ...base,
        messageId,
        visibleAt: now + (delay ?? Number(queue.attributes.DelaySeconds)) * 1000,
        ...(groupId !== undefined ? { groupId } : {}),
      });
      this.notify(queue);
      return { MessageId: messageId, ...digests };
    }

    if (delay !== undefined && delay !== 0) {
      throw errors.invalidParameterValue(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    if (groupId === undefined) throw errors.missingParameter('MessageGroupId');
    const contentBased = queue.attributes.ContentBasedDeduplication === 'true';
    if (deduplicationId === undefined && !contentBased) {
      throw errors.invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    const dedupId = deduplicationId ?? createHash('sha256').update(body, 'utf8').digest('hex');
    const dedupKey =
      queue.attributes.DeduplicationScope === 'messageGroup' ? `${groupId}\u0000${dedupId}` : dedupId;
    pruneDeduplication(queue, now);
    const seen = queue.deduplication[dedupKey];
    // Within five minutes a repeated deduplication id is accepted and answered alike, but not enqueued again.
    if (seen) return { MessageId: seen.messageId, ...digests, SequenceNumber: seen.sequenceNumber };
    const messageId = randomUUID();
    const sequenceNumber = takeSequenceNumber(queue);
    queue.deduplication[dedupKey] = { messageId, sequenceNumber, expiresAt: now + DEDUPLICATION_WINDOW_MS };
    queue.messages.push({
      ...base,
      messageId,
      visibleAt: now + Number(queue.attributes.DelaySeconds) * 1000,
      groupId,
      deduplicationId: dedupId,
      sequenceNumber,
    });
    this.notify(queue);
    return { MessageId: messageId, ...digests, SequenceNumber: sequenceNumber };
  }

  /**
   * Takes up to `max` receivable messages, oldest first, making them invisible for the visibility timeout. A
   * message already received `maxReceiveCount` times moves to the dead-letter queue instead. In a FIFO queue a
   * message group with a message in flight is skipped entirely, which is what keeps each group in order.
   */
  private claim(queue: StoredQueue, max: number, visibilityTimeout: number, now: number): StoredMessage[] {
    sweepExpired(queue, now);
    const redrive = parseRedrivePolicy(queue.attributes.RedrivePolicy);
    const deadLetterQueue = redrive ? this.queueByArn(redrive.deadLetterTargetArn) : undefined;
    const blockedGroups = new Set<string>();
    const claimed: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (claimed.length >= max) break;
      if (message.visibleAt > now) {
        if (queue.fifo && message.groupId !== undefined) blockedGroups.add(message.groupId);
        continue;
      }
      if (queue.fifo && message.groupId !== undefined && blockedGroups.has(message.groupId)) continue;
      if (redrive && deadLetterQueue && message.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, message, deadLetterQueue, now);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilityTimeout * 1000;
      message.receipt = randomUUID();
      claimed.push(message);
    }
    return claimed;
  }

  private moveToDeadLetterQueue(
    source: StoredQueue,
    message: StoredMessage,
    target: StoredQueue,
    now: number,
  ): void {
    source.messages = source.messages.filter((candidate) => candidate !== message);
    const { receipt: _receipt, firstReceiveTimestamp: _first, sequenceNumber: _sequence, ...kept } = message;
    target.messages.push({
      ...kept,
      visibleAt: now,
      receiveCount: 0,
      deadLetterSourceArn: queueArn(source),
      ...(target.fifo ? { sequenceNumber: takeSequenceNumber(target) } : {}),
    });
    this.notify(target);
    this.changed();
  }

  /** Deletes the message a receipt handle names, if the handle is still its newest one. */
  private removeByReceipt(queue: StoredQueue, handle: string, now: number): void {
    const { messageId, receipt } = parseReceiptHandle(queue, handle);
    const message = queue.messages.find((candidate) => candidate.messageId === messageId);
    // Deleting an already deleted message succeeds, as AWS does.
    if (!message) return;
    const current = message.receipt === receipt;
    if (queue.fifo && (!current || message.visibleAt <= now)) {
      throw errors.invalidParameterValue(
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      );
    }
    // A standard queue accepts a stale handle but keeps the message: only the newest receipt deletes it.
    if (!current) return;
    queue.messages = queue.messages.filter((candidate) => candidate !== message);
    if (queue.fifo) this.notify(queue);
  }

  private describeQueue(queue: StoredQueue, now: number): Record<string, string> {
    sweepExpired(queue, now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return {
      QueueArn: queueArn(queue),
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(queue.createdTimestamp),
      LastModifiedTimestamp: String(queue.lastModifiedTimestamp),
      ...queue.attributes,
    };
  }

  /**
   * Checks and normalises queue attributes for CreateQueue or SetQueueAttributes: integers in range, booleans in
   * lower case, the redrive policy re-serialised with a numeric `maxReceiveCount`, as GetQueueAttributes shows them.
   */
  private normaliseAttributes(
    raw: Readonly<Record<string, string>>,
    fifo: boolean,
    context: RequestContext,
    mode: 'create' | 'set',
  ): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [attribute, value] of Object.entries(raw)) {
      if (!isOneOf(attribute, SETTABLE_ATTRIBUTES))
        throw errors.invalidAttributeName(`Unknown Attribute ${attribute}.`);
      if (!fifo && (attribute === 'DeduplicationScope' || attribute === 'FifoThroughputLimit')) {
        throw errors.invalidAttributeName(
          `You can specify the ${attribute} only when FifoQueue is set to true.`,
        );
      }
      if (!fifo && attribute === 'ContentBasedDeduplication') {
        throw errors.invalidAttributeName(`Unknown Attribute ${attribute}.`);
      }
      if (attribute === 'FifoQueue') {
        const lower = value.toLowerCase();
        if (mode === 'create' && lower !== 'true' && lower !== 'false') {
          throw errors.invalidAttributeValue(`Invalid value for the parameter ${attribute}.`);
        }
        if (mode === 'set' && !fifo) throw errors.invalidAttributeName('Unknown Attribute FifoQueue.');
        if (mode === 'set' && lower !== 'true') {
          throw errors.invalidAttributeValue(
            'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
          );
        }
        if (fifo) result.FifoQueue = 'true';
        continue;
      }
      const range = INTEGER_ATTRIBUTES[attribute];
      if (range) {
        const number = Number(value);
        if (!/^\d+$/.test(value.trim()) || number < range[0] || number > range[1]) {
          throw errors.invalidAttributeValue(`Invalid value for the parameter ${attribute}.`);
        }
        result[attribute] = String(number);
      } else if (BOOLEAN_ATTRIBUTES.includes(attribute)) {
        const lower = value.toLowerCase();
        if (lower !== 'true' && lower !== 'false') {
          throw errors.invalidAttributeValue(`Invalid value for the parameter ${attribute}.`);
        }
        result[attribute] = lower;
      } else if (attribute === 'DeduplicationScope' && value !== 'queue' && value !== 'messageGroup') {
        throw errors.invalidAttributeValue(`Invalid value for the parameter ${attribute}.`);
      } else if (
        attribute === 'FifoThroughputLimit' &&
        value !== 'perQueue' &&
        value !== 'perMessageGroupId'
      ) {
        throw errors.invalidAttributeValue(`Invalid value for the parameter ${attribute}.`);
      } else if (attribute === 'RedrivePolicy') {
        result[attribute] =
          value === '' && mode === 'set' ? '' : this.normaliseRedrivePolicy(value, fifo, context);
      } else {
        result[attribute] = value;
      }
    }
    return result;
  }

  private normaliseRedrivePolicy(value: string, fifo: boolean, context: RequestContext): string {
    const invalid = (reason: string): AwsServiceError =>
      errors.invalidParameterValue(
        `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
    if (typeof deadLetterTargetArn !== 'string') throw invalid('Dead letter target is required.');
    const count = typeof maxReceiveCount === 'string' ? Number(maxReceiveCount) : maxReceiveCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw invalid(
        `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
      );
    }
    const target = this.queueByArn(deadLetterTargetArn);
    if (!target || target.region !== context.region) throw invalid('Dead letter target does not exist.');
    if (target.fifo !== fifo) throw invalid('Dead-letter queue must be same type of queue as the source..');
    return JSON.stringify({ deadLetterTargetArn, maxReceiveCount: count });
  }

  private requireQueue(input: Record<string, unknown>, context: RequestContext): StoredQueue {
    const url = requiredString(input, 'QueueUrl');
    const queue = this.queues.get(keyOf(context, queueNameFromUrl(url)));
    if (!queue) throw errors.queueDoesNotExist();
    return queue;
  }

  private queueByArn(arn: string): StoredQueue | undefined {
    const match = /^arn:[^:]+:sqs:([^:]+):([^:]+):([^:]+)$/.exec(arn);
    if (!match) return undefined;
    const [, region = '', accountId = '', name = ''] = match;
    const queue = this.queues.get(`${region}/${name}`);
    return queue && queue.accountId === accountId ? queue : undefined;
  }

  /** Resolves when the queue may have something to receive: a send, a visibility change, or the next expiry. */
  private waitForChange(queue: StoredQueue, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const key = queueKey(queue);
      const now = Date.now();
      const nextVisible = queue.messages.reduce(
        (soonest, message) => (message.visibleAt > now ? Math.min(soonest, message.visibleAt) : soonest),
        Number.POSITIVE_INFINITY,
      );
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, Math.min(deadline, nextVisible) - now));
      waiters.add(wake);
    });
  }

  private notify(queue: StoredQueue): void {
    const waiters = this.waiters.get(queueKey(queue));
    if (waiters) for (const wake of [...waiters]) wake();
  }

  /** Marks the state changed and schedules one write for the burst of changes that follows. */
  private changed(): void {
    if (!this.file) return;
    this.dirty = true;
    if (this.persistTimer || this.closed) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      try {
        this.flush();
      } catch (error) {
        console.error('edge: could not write the SQS queues', error);
      }
    }, PERSIST_DELAY_MS);
    this.persistTimer.unref();
  }

  /** Writes every queue atomically (temporary file, then rename), so a crash never leaves half a file. */
  private flush(): void {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    const state: SqsState = { version: 1, queues: [...this.queues.values()] };
    writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

/**
 * The MD5 digest SQS returns as `MD5OfMessageAttributes`: attributes sorted by name, each encoded as
 * length-prefixed (4-byte big-endian) name, length-prefixed data type, one transport byte (1 for String and
 * Number, 2 for Binary) and the length-prefixed value (UTF-8 for strings, raw bytes for binaries).
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue ?? '', 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** The queue name a queue URL points at: its last path segment, whatever the host. */
export function queueNameFromUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not an absolute URL: take it as a path, so that `000000000000/name` works too.
  }
  return (
    path
      .split('/')
      .filter((segment) => segment.length > 0)
      .at(-1) ?? ''
  );
}

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** Constructors for SQS's errors: the JSON `__type`, plus the awsQuery code the SDK maps to a class. */
const errors = {
  queueDoesNotExist: () =>
    sqsError(
      'QueueDoesNotExist',
      'AWS.SimpleQueueService.NonExistentQueue',
      'The specified queue does not exist.',
    ),
  queueNameExists: (attribute: string) =>
    sqsError(
      'QueueNameExists',
      'QueueAlreadyExists',
      `A queue already exists with the same name and a different value for attribute ${attribute}`,
    ),
  invalidParameterValue: (message: string) =>
    sqsError('InvalidParameterValueException', 'InvalidParameterValue', message),
  missingParameter: (parameter: string) =>
    sqsError(
      'MissingRequiredParameterException',
      'MissingParameter',
      `The request must contain the parameter ${parameter}.`,
    ),
  invalidAttributeName: (message: string) =>
    sqsError('InvalidAttributeName', 'InvalidAttributeName', message),
  invalidAttributeValue: (message: string) =>
    sqsError('InvalidAttributeValue', 'InvalidAttributeValue', message),
  invalidMessageContents: () =>
    sqsError(
      'InvalidMessageContents',
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    ),
  receiptHandleIsInvalid: (handle: string) =>
    sqsError(
      'ReceiptHandleIsInvalid',
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      404,
    ),
  emptyBatchRequest: (entryName: string) =>
    sqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      `There should be at least one ${entryName} in the request.`,
    ),
  tooManyEntriesInBatchRequest: (count: number) =>
    sqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${count}.`,
    ),
  invalidBatchEntryId: () =>
    sqsError(
      'InvalidBatchEntryId',
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    ),
  batchEntryIdsNotDistinct: (id: string) =>
    sqsError(
      'BatchEntryIdsNotDistinct',
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      `Id ${id} repeated.`,
    ),
  batchRequestTooLong: (bytes: number) =>
    sqsError(
      'BatchRequestTooLong',
      'AWS.SimpleQueueService.BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${bytes} bytes.`,
    ),
};

function sqsError(shape: string, queryCode: string, message: string, statusCode = 400): AwsServiceError {
  return new AwsServiceError(`com.amazonaws.sqs#${shape}`, message, statusCode, {
    'x-amzn-query-error': `${queryCode};${statusCode >= 500 ? 'Receiver' : 'Sender'}`,
  });
}

/** A batch entry's failure, with the awsQuery code SQS reports per entry (e.g. `InvalidParameterValue`). */
function batchFailure(id: string, error: AwsServiceError): BatchFailure {
  const queryError = error.headers['x-amzn-query-error'];
  const code = queryError ? (queryError.split(';')[0] ?? error.code) : error.code;
  return { Id: id, SenderFault: error.statusCode < 500, Code: code, Message: error.message };
}

function loadState(file: string): SqsState {
  if (!existsSync(file)) return { version: 1, queues: [] };
  // Refuse to start on a damaged file rather than silently drop every queue in it.
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SqsState>;
  if (!Array.isArray(parsed.queues)) throw new Error(`${file} is not an SQS store written by the edge`);
  return { version: 1, queues: parsed.queues };
}

function keyOf(context: RequestContext, name: string): string {
  return `${context.region}/${name}`;
}

function queueKey(queue: StoredQueue): string {
  return `${queue.region}/${queue.name}`;
}

function queueUrl(queue: StoredQueue, context: RequestContext): string {
  return `${context.origin}/${queue.accountId}/${queue.name}`;
}

function queueArn(queue: StoredQueue): string {
  return `arn:aws:sqs:${queue.region}:${queue.accountId}:${queue.name}`;
}

function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    const base = name.endsWith('.fifo') ? `${name.slice(0, -5)}_fifo` : '';
    if (!QUEUE_NAME_PATTERN.test(base)) {
      throw errors.invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    return;
  }
  if (!QUEUE_NAME_PATTERN.test(name)) {
    throw errors.invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

function parseRedrivePolicy(
  value: string | undefined,
): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  if (!value) return undefined;
  const parsed = JSON.parse(value) as { deadLetterTargetArn: string; maxReceiveCount: number };
  return parsed;
}

/** Drops messages past the queue's retention period, counted from their first send. */
function sweepExpired(queue: StoredQueue, now: number): void {
  const retentionMs = Number(queue.attributes.MessageRetentionPeriod) * 1000;
  if (queue.messages.some((message) => message.sentTimestamp + retentionMs <= now)) {
    queue.messages = queue.messages.filter((message) => message.sentTimestamp + retentionMs > now);
  }
}

function pruneDeduplication(queue: StoredQueue, now: number): void {
  for (const [key, entry] of Object.entries(queue.deduplication)) {
    if (entry.expiresAt <= now) delete queue.deduplication[key];
  }
}

function takeSequenceNumber(queue: StoredQueue): string {
  const current = queue.nextSequenceNumber;
  queue.nextSequenceNumber = (BigInt(current) + 1n).toString();
  return current;
}

/** A receipt handle names the queue, the message and the receive that issued it. */
function receiptHandle(queue: StoredQueue, message: StoredMessage): string {
  return Buffer.from(`${queueArn(queue)} ${message.messageId} ${message.receipt ?? ''}`, 'utf8').toString(
    'base64',
  );
}

function parseReceiptHandle(queue: StoredQueue, handle: string): { messageId: string; receipt: string } {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
  const [arn, messageId, receipt] = parts;
  if (parts.length !== 3 || arn !== queueArn(queue) || !messageId || !receipt) {
    throw errors.receiptHandleIsInvalid(handle);
  }
  return { messageId, receipt };
}

function renderMessage(
  queue: StoredQueue,
  message: StoredMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[],
): Record<string, unknown> {
  const system: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp:
      message.firstReceiveTimestamp === undefined ? undefined : String(message.firstReceiveTimestamp),
    SequenceNumber: message.sequenceNumber,
    MessageDeduplicationId: message.deduplicationId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.traceHeader,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const wantAllSystem = systemNames.includes('All');
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTE_NAMES) {
    const value = system[name];
    if (value !== undefined && (wantAllSystem || systemNames.includes(name))) attributes[name] = value;
  }
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    if (attributeNames.some((pattern) => attributeNameMatches(pattern, name))) selected[name] = value;
  }
  const hasSelected = Object.keys(selected).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle(queue, message),
    MD5OfBody: md5Hex(Buffer.from(message.body, 'utf8')),
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasSelected
      ? { MD5OfMessageAttributes: md5OfMessageAttributes(selected), MessageAttributes: selected }
      : {}),
  };
}

/** `All` and `.*` select every attribute, `prefix.*` those under the prefix, anything else one name. */
function attributeNameMatches(pattern: string, name: string): boolean {
  if (pattern === 'All' || pattern === '.*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function validateMessageAttributes(value: unknown): Record<string, MessageAttributeValue> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalidParameterValue('MessageAttributes must be a map of attribute names to values.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw errors.invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of entries) {
    if (Buffer.byteLength(name) >= 256) {
      throw errors.invalidParameterValue('Message (user) attribute names must be shorter than 256 Bytes');
    }
    if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
      throw errors.invalidParameterValue(
        'Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores. ',
      );
    }
    const lower = name.toLowerCase();
    if (
      lower.startsWith('aws.') ||
      lower.startsWith('amazon.') ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw errors.invalidParameterValue(
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.",
      );
    }
    if (typeof raw !== 'object' || raw === null) {
      throw errors.invalidParameterValue(`Message (user) attribute '${name}' must be a structure.`);
    }
    const { DataType, StringValue, BinaryValue } = raw as Record<string, unknown>;
    if (typeof DataType !== 'string' || DataType === '') {
      throw errors.invalidParameterValue(
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    const kind = /^(String|Number|Binary)(\..+)?$/.exec(DataType)?.[1];
    if (!kind) {
      throw errors.invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (Buffer.byteLength(DataType) >= 256) {
      throw errors.invalidParameterValue('Message (user) attribute types must be shorter than 256 Bytes');
    }
    if (kind === 'Binary') {
      if (typeof BinaryValue !== 'string' || BinaryValue === '' || !isBase64(BinaryValue)) {
        throw errors.invalidParameterValue(
          `Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`,
        );
      }
      result[name] = { DataType, BinaryValue };
      continue;
    }
    if (typeof StringValue !== 'string' || StringValue === '') {
      throw errors.invalidParameterValue(
        `Message (user) attribute '${name}' must contain a non-empty value of type '${kind}'.`,
      );
    }
    if (kind === 'Number' && !NUMBER_PATTERN.test(StringValue)) {
      throw errors.invalidParameterValue(
        `Can't cast the value of message (user) attribute '${name}' to a number.`,
      );
    }
    if (!MESSAGE_CONTENT_PATTERN.test(StringValue)) throw errors.invalidMessageContents();
    result[name] = { DataType, StringValue };
  }
  return result;
}

/** Only `AWSTraceHeader` exists as a message system attribute; returns its value. */
function validateSystemAttributes(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalidParameterValue('MessageSystemAttributes must be a map of attribute names to values.');
  }
  let traceHeader: string | undefined;
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (name !== 'AWSTraceHeader') {
      throw errors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
    const { DataType, StringValue } = (raw ?? {}) as Record<string, unknown>;
    if (DataType !== 'String' || typeof StringValue !== 'string' || StringValue === '') {
      throw errors.invalidParameterValue(
        "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.",
      );
    }
    traceHeader = StringValue;
  }
  return traceHeader;
}

/** Bytes a message's attributes count against the size limit: names, data types and values. */
function attributesByteSize(attributes: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, raw] of Object.entries(attributes)) {
    size += Buffer.byteLength(name);
    if (typeof raw !== 'object' || raw === null) continue;
    const { DataType, StringValue, BinaryValue } = raw as Record<string, unknown>;
    if (typeof DataType === 'string') size += Buffer.byteLength(DataType);
    if (typeof StringValue === 'string') size += Buffer.byteLength(StringValue);
    if (typeof BinaryValue === 'string') size += Buffer.from(BinaryValue, 'base64').length;
  }
  return size;
}

/** The entries of a batch request, after the request-wide checks AWS applies before any entry runs. */
function batchEntries(value: unknown, entryName: string): Record<string, unknown>[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw errors.emptyBatchRequest(entryName);
  }
  if (!Array.isArray(value)) throw errors.invalidParameterValue('Entries must be a list.');
  if (value.length > MAX_BATCH_ENTRIES) throw errors.tooManyEntriesInBatchRequest(value.length);
  const seen = new Set<string>();
  const entries: Record<string, unknown>[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw errors.invalidParameterValue(`Each ${entryName} must be a structure.`);
    }
    const id = (entry as Record<string, unknown>).Id;
    if (typeof id !== 'string' || !BATCH_ID_PATTERN.test(id)) throw errors.invalidBatchEntryId();
    if (seen.has(id)) throw errors.batchEntryIdsNotDistinct(id);
    seen.add(id);
    entries.push(entry as Record<string, unknown>);
  }
  return entries;
}

/** The SigV4 access key id stands in for the IAM principal id AWS reports as `SenderId`. */
function senderIdOf(context: RequestContext): string {
  const authorization = context.headers.authorization ?? '';
  return /Credential=([^/,\s]+)\//.exec(authorization)?.[1] ?? context.accountId;
}

function md5Hex(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null || value === '') throw errors.missingParameter(field);
  if (typeof value !== 'string') {
    throw errors.invalidParameterValue(
      `Value ${String(value)} for parameter ${field} is invalid. Reason: must be a string.`,
    );
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw errors.invalidParameterValue(
      `Value ${String(value)} for parameter ${field} is invalid. Reason: must be a string.`,
    );
  }
  return value;
}

function optionalInteger(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw errors.invalidParameterValue(
      `Value ${String(value)} for parameter ${field} is invalid. Reason: must be an integer.`,
    );
  }
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw errors.invalidParameterValue(
      `Value for parameter ${field} is invalid. Reason: must be a list of strings.`,
    );
  }
  return value as string[];
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalidParameterValue(
      `Value for parameter ${field} is invalid. Reason: must be a map of strings.`,
    );
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'string') {
      throw errors.invalidParameterValue(
        `Value for parameter ${field}.${key} is invalid. Reason: must be a string.`,
      );
    }
    result[key] = entry;
  }
  return result;
}
