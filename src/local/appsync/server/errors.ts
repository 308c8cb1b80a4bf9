/** The one base error of the local AppSync server: a misuse of it or a failure to start. */
export class AppSyncServerError extends Error {
  override readonly name: string = 'AppSyncServerError';
}

/** A location in a GraphQL document, as AppSync writes it. */
export interface AppSyncLocation {
  readonly line: number;
  readonly column: number;
  readonly sourceName: null;
}

/**
 * One entry of an AppSync `errors` array. Resolver and authorization errors carry every field;
 * request-level errors (auth, malformed request) only `errorType` and `message`, as AppSync sends them.
 */
export interface AppSyncError {
  readonly message: string;
  readonly errorType?: string | null;
  readonly path?: readonly (string | number)[] | null;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
  readonly locations?: readonly AppSyncLocation[] | null;
  /** Only in real-time `connection_error` messages. */
  readonly errorCode?: number;
}

/** A request-level refusal: the HTTP status and the single error of the body. */
export class RequestRefusal extends AppSyncServerError {
  override readonly name: string = 'RequestRefusal';

  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    /** Local-only detail for developers (why a token was refused); AppSync sends none. */
    readonly errorInfo?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The entry of the `errors` array. */
  toAppSyncError(): AppSyncError {
    return {
      errorType: this.errorType,
      message: this.message,
      ...(this.errorInfo ? { errorInfo: this.errorInfo } : {}),
    };
  }
}

/** AppSync's answer to a request without a usable `Authorization` header. */
export const MISSING_AUTHORIZATION = 'Valid authorization header not provided.';
/** AppSync's answer to an expired Cognito token. */
export const TOKEN_EXPIRED = 'Token has expired.';
/** AppSync's answer to any other token it cannot accept. */
export const NOT_AUTHORIZED = 'You are not authorized to make this call.';

/** The refusal of a request whose credentials do not hold: 401 UnauthorizedException. */
export function unauthorized(message: string, errorInfo?: Record<string, unknown>): RequestRefusal {
  return new RequestRefusal(401, 'UnauthorizedException', message, errorInfo);
}

/** The refusal of a request that is not a GraphQL request at all: 400 BadRequestException. */
export function badRequest(message: string): RequestRefusal {
  return new RequestRefusal(400, 'BadRequestException', message);
}
