import type { IncomingHttpHeaders } from 'node:http';

/** The account id every resource on the local edge belongs to. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** The region assumed when a request carries no SigV4 credential scope. */
export const DEFAULT_REGION = 'us-east-1';

/** Who and where a request is for, as far as the edge can tell from its headers. */
export interface RequestContext {
  readonly region: string;
  readonly accountId: string;
  /** `http://host:port` as the client addressed the edge; used to build queue URLs and the like. */
  readonly origin: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * A service spoken over AWS's JSON protocols (awsJson1_0 / awsJson1_1): one POST per call, the operation
 * named by `X-Amz-Target: <prefix>.<Operation>`, a JSON body in and out.
 */
export interface AwsJsonService {
  /** Short name for logs and the health endpoint, e.g. `kms`. */
  readonly name: string;
  /** The `X-Amz-Target` prefix, e.g. `TrentService` for KMS. */
  readonly targetPrefix: string;
  /** `1.0` or `1.1`: the `Content-Type` of responses, `application/x-amz-json-<version>`. */
  readonly jsonVersion: '1.0' | '1.1';
  /** Runs one operation; throws {@link AwsServiceError} for an AWS-shaped error. */
  handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown>;
  /** Releases timers, files and the like. */
  close?(): Promise<void>;
}

/**
 * An error the edge returns in AWS's shape: `{"__type": code, "message": ...}` with an HTTP status, so that
 * SDK clients raise the modelled exception class named by `code`.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';

  constructor(
    /** The modelled exception name, e.g. `NotFoundException`, or `com.amazonaws.sqs#QueueDoesNotExist`. */
    readonly code: string,
    message: string,
    /** 400 for the caller's fault, 500 for the edge's. */
    readonly statusCode = 400,
    /** Extra response headers, e.g. `x-amzn-query-error` for services with awsQuery compatibility. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The operation is not one this service implements (AWS answers the same for a misspelt target). */
export function unknownOperation(service: string, operation: string): AwsServiceError {
  return new AwsServiceError(
    'UnknownOperationException',
    `${service} does not support the operation ${operation}`,
  );
}

/** A request whose input does not fit the operation's model. */
export function validationError(message: string, code = 'ValidationException'): AwsServiceError {
  return new AwsServiceError(code, message);
}

/** The region of a SigV4-signed request, from the credential scope of its `Authorization` header. */
export function regionOf(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization ?? '';
  const scope = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization);
  return scope?.[1] ?? DEFAULT_REGION;
}
