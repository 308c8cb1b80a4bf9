/**
 * Runs single resolver handlers with the local `@aws-appsync/utils`, the way the engine does but without
 * GraphQL or data sources: a test builds `ctx`, calls `request` or `response`, and reads what came out
 * (a value, an early return, a `util.error`, a subscription filter).
 */
import type { SubscriptionFilter } from '@aws-appsync/utils';
import { RESOLVERS } from '../../../src/graphql/resolvers/manifest.ts';
import { loadResolver, type LoadedResolver } from '../../../src/local/appsync/engine/resolver-loader.ts';
import {
  EarlyReturn,
  newEvaluation,
  ResolverError,
  withEvaluation,
} from '../../../src/local/appsync/utils/index.ts';

export const VEHICLE_ID = 'q0Vx3nF8T2mYb7LkPz4RwA';
export const OTHER_VEHICLE_ID = 'Hc9-2dJk_Wq5Ue1Ns7Yt0g';
export const VIN = '5YJ3E1EA7KF317001';

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
const loaded = new Map<string, LoadedResolver>();

/** The resolver of `Type.field`, bundled and loaded once per test file. */
export function resolverOf(key: string): LoadedResolver {
  let resolver = loaded.get(key);
  if (!resolver) {
    const definition = RESOLVERS.find((r) => `${r.typeName}.${r.fieldName}` === key);
    if (!definition) throw new Error(`no resolver for ${key} in the manifest`);
    resolver = loadResolver(definition, silent);
    loaded.set(key, resolver);
  }
  return resolver;
}

/** `ctx.identity` of a Cognito user, as AppSync builds it from an ID token. */
export function user(
  tenantId: string | undefined,
  groups: readonly string[],
  claims: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    sub: '3f9c2a7e-5b1d-4e8a-9c6f-1d2e3f4a5b6c',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local',
    username: 'alice',
    claims: {
      sub: '3f9c2a7e-5b1d-4e8a-9c6f-1d2e3f4a5b6c',
      'cognito:groups': [...groups],
      ...(tenantId === undefined ? {} : { 'custom:tenantId': tenantId }),
      ...claims,
    },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups: groups.length > 0 ? [...groups] : null,
  };
}

/** `ctx.identity` of EventBridge's rule role (IAM). */
export const EVENTBRIDGE: Record<string, unknown> = {
  accountId: '123456789012',
  cognitoIdentityPoolId: null,
  cognitoIdentityId: null,
  sourceIp: ['10.0.0.1'],
  username: 'AROAEXAMPLE:events',
  userArn: 'arn:aws:sts::123456789012:assumed-role/fleetwire-events-appsync/events',
  cognitoIdentityAuthType: null,
  cognitoIdentityAuthProvider: null,
};

/** A `ctx` for `key` (`Type.field`). */
export function contextFor(
  key: string,
  options: {
    identity: Record<string, unknown> | null;
    args?: Record<string, unknown>;
    source?: unknown;
    result?: unknown;
    error?: { message: string; type: string };
    stash?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const [parentTypeName, fieldName] = key.split('.') as [string, string];
  const args = options.args ?? {};
  return {
    arguments: args,
    args,
    identity: options.identity,
    source: options.source ?? null,
    stash: options.stash ?? {},
    prev: { result: null },
    request: { headers: {}, domainName: null },
    info: { fieldName, parentTypeName, variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
    env: {},
    ...(options.result === undefined ? {} : { result: options.result }),
    ...(options.error === undefined ? {} : { error: options.error }),
  };
}

/** What one handler did. */
export type HandlerOutcome =
  | { readonly kind: 'value'; readonly value: unknown; readonly filter: SubscriptionFilter | undefined }
  | { readonly kind: 'early'; readonly value: unknown }
  | { readonly kind: 'error'; readonly message: string; readonly errorType: string | null };

/** Runs the `request` or `response` handler of `key` with `ctx`. */
export function run(
  key: string,
  handler: 'request' | 'response',
  ctx: Record<string, unknown>,
): HandlerOutcome {
  const [typeName, fieldName] = key.split('.') as [string, string];
  const identity = ctx.identity as Record<string, unknown> | null;
  const evaluation = newEvaluation(
    typeName,
    fieldName,
    identity?.accountId ? 'IAM Authorization' : 'User Pool Authorization',
  );
  try {
    const value = withEvaluation(evaluation, () => resolverOf(key)[handler](ctx));
    return { kind: 'value', value, filter: evaluation.subscriptionFilter };
  } catch (error) {
    if (error instanceof ResolverError)
      return { kind: 'error', message: error.message, errorType: error.errorType };
    if (error instanceof EarlyReturn) return { kind: 'early', value: error.value };
    throw error;
  }
}

/** Runs `request`, then (unless it failed) `response` with `result`, sharing `ctx` as AppSync does. */
export function runBoth(
  key: string,
  ctx: Record<string, unknown>,
  result: unknown,
): { request: HandlerOutcome; response?: HandlerOutcome } {
  const request = run(key, 'request', ctx);
  if (request.kind !== 'value') return { request };
  ctx.result = result;
  return { request, response: run(key, 'response', ctx) };
}
