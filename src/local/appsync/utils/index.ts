/**
 * The local implementation of `@aws-appsync/utils`: the `util`, `extensions` and `runtime` that resolver
 * code imports. The published package holds only type definitions (its `util` is an empty object), so the
 * local AppSync engine hands resolvers this module instead, when it loads their bundles.
 *
 * Semantics follow AppSync's documentation: `util.error` and `util.unauthorized` stop the handler,
 * `util.appendError` records an error and carries on, `runtime.earlyReturn` stops the handler with a
 * result (and, from a request handler, skips the data source and the response handler),
 * `extensions.setSubscriptionFilter` records the filter a subscription is delivered by. What Fleetwire's
 * resolvers do not use either has a small faithful implementation or throws "not implemented offline",
 * never a silently different behaviour.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SubscriptionFilter } from '@aws-appsync/utils';
import { currentEvaluation, EarlyReturn, ResolverError } from './evaluation.ts';
import { dynamodb } from './dynamodb.ts';
import { time } from './time.ts';
import { toSubscriptionFilter } from './subscription-filter.ts';

export * from './evaluation.ts';
export { toSubscriptionFilter } from './subscription-filter.ts';

const INTROSPECTED = new Set([
  'toJSON',
  'then',
  'constructor',
  'asymmetricMatch',
  'nodeType',
  '$$typeof',
  'inspect',
]);

const notOffline = (namespace: string): Record<string, unknown> =>
  new Proxy(
    {},
    {
      get(_target, property) {
        // What printers and serializers probe for is simply absent, so logging `util` does not throw.
        if (typeof property === 'symbol' || INTROSPECTED.has(property)) return undefined;
        return () => {
          throw new Error(`util.${namespace}.${property} is not implemented by the local AppSync runtime`);
        };
      },
    },
  );

const compiledPatterns = new Map<string, RegExp>();

/** Java's `Pattern.matches`: the whole value must match (JavaScript's `test` finds a match anywhere). */
function matches(pattern: string, value: string): boolean {
  let regex = compiledPatterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`);
    compiledPatterns.set(pattern, regex);
  }
  return typeof value === 'string' && regex.test(value);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** KSUID timestamps count seconds from 2014-05-13T16:53:20Z. */
const KSUID_EPOCH_SECONDS = 1_400_000_000;

/** A ULID: 48 bits of milliseconds and 80 random bits, 26 Crockford base32 characters. */
function autoUlid(): string {
  let time = BigInt(Date.now());
  let random = BigInt(`0x${randomBytes(10).toString('hex')}`);
  let text = '';
  for (let i = 0; i < 16; i++) {
    text = CROCKFORD[Number(random % 32n)] + text;
    random /= 32n;
  }
  for (let i = 0; i < 10; i++) {
    text = CROCKFORD[Number(time % 32n)] + text;
    time /= 32n;
  }
  return text;
}

/** A KSUID: 32 bits of seconds since the KSUID epoch and 128 random bits, 27 base62 characters. */
function autoKsuid(): string {
  const bytes = Buffer.concat([Buffer.alloc(4), randomBytes(16)]);
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - KSUID_EPOCH_SECONDS, 0);
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  for (let i = 0; i < 27; i++) {
    text = BASE62[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text;
}

/** Java's `URLEncoder` (application/x-www-form-urlencoded): spaces as `+`, only `.-*_` left alone. */
function urlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The `util` object resolvers import. */
export const util = {
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw new ResolverError(String(message), errorType ?? null, data ?? null, errorInfo ?? null);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    currentEvaluation('util.appendError').appendedErrors.push({
      message: String(message),
      errorType: errorType ?? null,
      data: data ?? null,
      errorInfo: errorInfo ?? null,
    });
  },
  unauthorized(): never {
    const { typeName, fieldName } = currentEvaluation('util.unauthorized');
    throw new ResolverError(`Not Authorized to access ${fieldName} on type ${typeName}`, 'Unauthorized');
  },
  authType(): string {
    return currentEvaluation('util.authType').authType;
  },
  autoId: (): string => randomUUID(),
  autoUlid,
  autoKsuid,
  matches,
  escapeJavaScript: (value: string): string =>
    JSON.stringify(String(value)).slice(1, -1).replace(/'/g, "\\'").replace(/\//g, '\\/'),
  urlEncode,
  urlDecode: (value: string): string => decodeURIComponent(String(value).replace(/\+/g, ' ')),
  base64Encode: (value: string): string => Buffer.from(String(value), 'utf8').toString('base64'),
  base64Decode: (value: string): string => Buffer.from(String(value), 'base64').toString('utf8'),
  time,
  dynamodb,
  transform: {
    toSubscriptionFilter,
    toDynamoDBFilterExpression: notOffline('transform').toDynamoDBFilterExpression,
    toDynamoDBConditionExpression: notOffline('transform').toDynamoDBConditionExpression,
    toElasticsearchQueryDSL: notOffline('transform').toElasticsearchQueryDSL,
  },
  math: {
    roundNum: (value: number): number => Math.round(value),
    minVal: (a: number, b: number): number => Math.min(a, b),
    maxVal: (a: number, b: number): number => Math.max(a, b),
    randomDouble: (): number => Math.random(),
    randomWithinRange: (min: number, max: number): number =>
      min + Math.floor(Math.random() * (max - min + 1)),
  },
  str: {
    normalize: (value: string, form: string): string => value.normalize(form.toUpperCase()),
  },
  rds: notOffline('rds'),
  http: notOffline('http'),
  xml: notOffline('xml'),
};

/** The `extensions` object resolvers import. */
export const extensions = {
  setSubscriptionFilter(filter: SubscriptionFilter): void {
    currentEvaluation('extensions.setSubscriptionFilter').subscriptionFilter = filter;
  },
  setSubscriptionInvalidationFilter(filter: SubscriptionFilter): void {
    currentEvaluation('extensions.setSubscriptionInvalidationFilter').subscriptionInvalidationFilter = filter;
  },
  invalidateSubscriptions(invalidation: {
    subscriptionField: string;
    payload: Record<string, unknown>;
  }): void {
    currentEvaluation('extensions.invalidateSubscriptions').invalidations.push(invalidation);
  },
  /** There is no API cache offline: nothing to evict. */
  evictFromApiCache(): void {},
};

/** The `runtime` object resolvers import. */
export const runtime = {
  earlyReturn(value?: unknown, options?: { skipTo: 'END' | 'NEXT' }): never {
    throw new EarlyReturn(value ?? null, options?.skipTo);
  },
};

/** The module object a resolver bundle's `require('@aws-appsync/utils')` receives. */
export const appSyncUtilsModule = Object.freeze({ util, extensions, runtime });
