import {
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { TaskFailedError } from './errors.ts';
import type { LocalFunctions } from './functions.ts';

/** A Task state's `Resource`, as the engine runs it. */
export type TaskResource =
  | { readonly kind: 'lambda-function'; readonly arn: string }
  | {
      readonly kind: 'integration';
      /** As AWS names it in task events: `lambda`, `dynamodb`, `events`, `aws-sdk:dynamodb`. */
      readonly resourceType: string;
      /** The action and suffix as AWS names it in task events: `invoke`, `putItem.waitForTaskToken`. */
      readonly resource: string;
      readonly action: string;
      readonly waitForTaskToken: boolean;
    }
  | { readonly kind: 'unsupported'; readonly arn: string };

/** The actions the engine runs itself, per integration. */
const SUPPORTED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  lambda: ['invoke'],
  dynamodb: ['putItem', 'getItem', 'updateItem', 'deleteItem', 'query'],
  'aws-sdk:dynamodb': ['putItem', 'getItem', 'updateItem', 'deleteItem', 'query', 'scan'],
  events: ['putEvents'],
};

/** Reads a Task `Resource`: a Lambda function ARN, or `arn:aws:states:::SERVICE:ACTION[.waitForTaskToken]`. */
export function parseTaskResource(arn: string): TaskResource {
  if (/^arn:aws[a-z-]*:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/.test(arn)) {
    return { kind: 'lambda-function', arn };
  }
  const match =
    /^arn:aws[a-z-]*:states:[^:]*:[^:]*:(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.waitForTaskToken)?$/.exec(
      arn,
    );
  if (!match) return { kind: 'unsupported', arn };
  const [, sdk = '', service = '', action = '', suffix = ''] = match;
  const resourceType = `${sdk}${service}`;
  if (!SUPPORTED_ACTIONS[resourceType]?.includes(action)) return { kind: 'unsupported', arn };
  return {
    kind: 'integration',
    resourceType,
    resource: `${action}${suffix}`,
    action,
    waitForTaskToken: suffix !== '',
  };
}

/** Where the engine's integrations send their calls: the edge itself. */
export interface IntegrationEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

/**
 * Runs the service integrations of Task states: Lambda through the local runtime's functions, DynamoDB and
 * EventBridge through the real SDK clients pointed at the edge, so the calls take the same path (and the
 * same faults) as any other client's. Failures are {@link TaskFailedError}s named as Step Functions names
 * them (`DynamoDB.ConditionalCheckFailedException`, `Lambda.ResourceNotFoundException`, …).
 */
export class ServiceIntegrations {
  private readonly dynamoClients = new Map<string, DynamoDBClient>();
  private readonly eventClients = new Map<string, EventBridgeClient>();

  constructor(readonly functions: LocalFunctions) {}

  /** Calls one integration with the state's effective parameters; resolves with the task result. */
  async call(
    resource: Extract<TaskResource, { kind: 'integration' }>,
    parameters: unknown,
    where: IntegrationEndpoint,
  ): Promise<unknown> {
    switch (resource.resourceType) {
      case 'lambda':
        return this.lambdaInvoke(parameters, where.region);
      case 'dynamodb':
        return this.dynamodb(resource.action, parameters, where, 'DynamoDB', true);
      case 'aws-sdk:dynamodb':
        return this.dynamodb(resource.action, parameters, where, 'DynamoDb', false);
      case 'events':
        return this.putEvents(parameters, where);
      default:
        throw new TaskFailedError('States.Runtime', `unsupported integration ${resource.resourceType}`);
    }
  }

  /** Destroys the SDK clients. */
  close(): void {
    for (const client of this.dynamoClients.values()) client.destroy();
    for (const client of this.eventClients.values()) client.destroy();
    this.dynamoClients.clear();
    this.eventClients.clear();
  }

  private async lambdaInvoke(parameters: unknown, region: string): Promise<unknown> {
    const input = asObject(parameters);
    const functionName = input.FunctionName;
    if (typeof functionName !== 'string') {
      throw new TaskFailedError(
        'States.Runtime',
        'lambda:invoke needs the parameter FunctionName (a function name or ARN)',
      );
    }
    const event = input.Payload === undefined ? {} : input.Payload;
    if (input.InvocationType === 'Event') {
      // An asynchronous invocation answers 202 at once; the function's outcome is nobody's concern here.
      void this.functions.invoke(functionName, event, region).catch(() => undefined);
      return sdkHttpResult({ Payload: '', StatusCode: 202 }, randomUUID(), 202);
    }
    const { payload, requestId } = await this.functions.invoke(functionName, event, region);
    return sdkHttpResult({ ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 }, requestId, 200);
  }

  private async dynamodb(
    action: string,
    parameters: unknown,
    where: IntegrationEndpoint,
    errorPrefix: string,
    withHttpMetadata: boolean,
  ): Promise<unknown> {
    const client = this.client(this.dynamoClients, where, (config) => new DynamoDBClient(config));
    const input = toSdkAttributes(asObject(parameters)) as never;
    const command =
      action === 'putItem'
        ? new PutItemCommand(input)
        : action === 'getItem'
          ? new GetItemCommand(input)
          : action === 'updateItem'
            ? new UpdateItemCommand(input)
            : action === 'deleteItem'
              ? new DeleteItemCommand(input)
              : action === 'query'
                ? new QueryCommand(input)
                : new ScanCommand(input);
    try {
      const { $metadata, ...output } = (await client.send(command as never)) as Record<string, unknown> & {
        $metadata: { requestId?: string };
      };
      const json = fromSdkValue(output) as Record<string, unknown>;
      return withHttpMetadata ? sdkHttpResult(json, $metadata.requestId ?? randomUUID(), 200) : json;
    } catch (error) {
      throw serviceTaskError(
        error,
        errorPrefix,
        'AmazonDynamoDBv2',
        DynamoDBServiceException,
        'AmazonDynamoDBException',
      );
    }
  }

  private async putEvents(parameters: unknown, where: IntegrationEndpoint): Promise<unknown> {
    const client = this.client(this.eventClients, where, (config) => new EventBridgeClient(config));
    const input = asObject(parameters);
    // Step Functions takes Detail as a JSON object and serializes it for EventBridge.
    const entries = Array.isArray(input.Entries)
      ? input.Entries.map((entry: unknown) => {
          const fields = asObject(entry);
          return typeof fields.Detail === 'string' || fields.Detail === undefined
            ? fields
            : { ...fields, Detail: JSON.stringify(fields.Detail) };
        })
      : input.Entries;
    try {
      const { $metadata: _metadata, ...output } = await client.send(
        new PutEventsCommand({ ...input, Entries: entries } as never),
      );
      // A failed entry is not a task failure in AWS either: the output carries FailedEntryCount.
      return fromSdkValue(output);
    } catch (error) {
      throw serviceTaskError(
        error,
        'EventBridge',
        'EventBridge',
        EventBridgeServiceException,
        'EventBridgeException',
      );
    }
  }

  private client<C>(
    cache: Map<string, C>,
    where: IntegrationEndpoint,
    create: (config: ReturnType<typeof awsClientConfig>) => C,
  ): C {
    const key = `${where.endpoint}|${where.region}`;
    let client = cache.get(key);
    if (!client) {
      // One attempt: retrying is the state's Retry field's business, as in AWS.
      client = create({
        ...awsClientConfig({ endpoint: where.endpoint, region: where.region }),
        maxAttempts: 1,
      } as ReturnType<typeof awsClientConfig>);
      cache.set(key, client);
    }
    return client;
  }
}

/** An SDK service error as Step Functions reports it: `Prefix.ExceptionName` with an AWS-style cause. */
function serviceTaskError(
  error: unknown,
  prefix: string,
  serviceName: string,
  serviceException: abstract new (...args: never[]) => Error,
  fallback: string,
): TaskFailedError {
  if (!(error instanceof serviceException)) {
    const message = error instanceof Error ? error.message : String(error);
    return new TaskFailedError(`${prefix}.SdkClientException`, message);
  }
  const metadata = (error as unknown as { $metadata?: { httpStatusCode?: number; requestId?: string } })
    .$metadata;
  const code =
    error.name === 'ValidationException' || error.name === 'SerializationException' ? fallback : error.name;
  return new TaskFailedError(
    `${prefix}.${code}`,
    `${error.message} (Service: ${serviceName}; Status Code: ${metadata?.httpStatusCode ?? 400}; ` +
      `Error Code: ${error.name}; Request ID: ${metadata?.requestId ?? 'unknown'}; Proxy: null)`,
  );
}

/** The optimized integrations' result: the API output plus the HTTP metadata AWS's Java SDK adds. */
function sdkHttpResult(output: Record<string, unknown>, requestId: string, status: number): unknown {
  const headers = { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId };
  return {
    ...output,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: status,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TaskFailedError('States.Runtime', 'the task parameters must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** JSON to SDK input: binary attribute values (`B`, `BS`) travel as base64 in ASL, as bytes in the SDK. */
function toSdkAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSdkAttributes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'B' && typeof entry === 'string') out[key] = Buffer.from(entry, 'base64');
    else if (key === 'BS' && Array.isArray(entry) && entry.every((item) => typeof item === 'string')) {
      out[key] = entry.map((item: string) => Buffer.from(item, 'base64'));
    } else out[key] = toSdkAttributes(entry);
  }
  return out;
}

/** SDK output to JSON: bytes become base64 and dates ISO strings, as the service's JSON carries them. */
function fromSdkValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromSdkValue);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .map(([key, entry]) => [key, fromSdkValue(entry)]),
  );
}
