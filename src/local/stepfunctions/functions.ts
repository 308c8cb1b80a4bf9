import { randomUUID } from 'node:crypto';
import { SFN_ACCOUNT_ID } from './arns.ts';
import { TaskFailedError } from './errors.ts';

/** The part of Lambda's context object the local runtime's handlers get. */
export interface LocalLambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A Lambda function of the local runtime, called in-process by Task states. */
export type LocalFunctionHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** What an invocation returned: the JSON payload, as Lambda serializes it. */
export interface LocalInvocation {
  readonly payload: unknown;
  readonly requestId: string;
}

/** How long a handler is told it has left (Lambda's maximum, 15 minutes); no deadline is enforced here. */
const REMAINING_TIME_MS = 15 * 60 * 1000;

/**
 * The Lambda functions Task states can call, registered by the local runtime under a name or ARN. A
 * handler's thrown error becomes the task error as in Lambda: its `name` is the ASL error and the cause is
 * `{"errorType", "errorMessage"}`, so `Retry` and `Catch` on the error name work.
 */
export class LocalFunctions {
  private readonly handlers = new Map<string, LocalFunctionHandler>();

  /** Registers (or replaces) a function; `nameOrArn` is `NAME` or `arn:aws:lambda:…:function:NAME`. */
  register(nameOrArn: string, handler: LocalFunctionHandler): void {
    this.handlers.set(functionNameOf(nameOrArn), handler);
  }

  unregister(nameOrArn: string): void {
    this.handlers.delete(functionNameOf(nameOrArn));
  }

  /**
   * Invokes a function with `payload`. Throws {@link TaskFailedError}: `Lambda.ResourceNotFoundException`
   * for an unregistered function, the error's name for a handler's failure.
   */
  async invoke(nameOrArn: string, payload: unknown, region: string): Promise<LocalInvocation> {
    const name = functionNameOf(nameOrArn);
    const arn = `arn:aws:lambda:${region}:${SFN_ACCOUNT_ID}:function:${name}`;
    const requestId = randomUUID();
    const handler = this.handlers.get(name);
    if (!handler) {
      throw new TaskFailedError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${arn} (Service: Lambda, Status Code: 404, Request ID: ${requestId})`,
      );
    }
    const deadline = Date.now() + REMAINING_TIME_MS;
    const context: LocalLambdaContext = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      awsRequestId: requestId,
      memoryLimitInMB: '128',
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let result: unknown;
    try {
      // Lambda hands the function a fresh copy of the JSON event, never the caller's object.
      result = await handler(JSON.parse(JSON.stringify(payload ?? null)), context);
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      throw new TaskFailedError(errorType, JSON.stringify({ errorType, errorMessage }));
    }
    // What Lambda returns is the JSON serialization of the result; undefined serializes to null.
    return { payload: result === undefined ? null : JSON.parse(JSON.stringify(result)), requestId };
  }
}

/** `NAME` of `NAME`, `NAME:QUALIFIER`, `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`. */
export function functionNameOf(nameOrArn: string): string {
  const arn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::.*)?$/.exec(nameOrArn);
  if (arn?.[1]) return arn[1];
  return nameOrArn.split(':')[0] ?? nameOrArn;
}
