/**
 * The local AppSync engine: Fleetwire's schema and APPSYNC_JS resolvers (the files CDK deploys, see
 * `src/graphql/resolvers/manifest.ts`) executed as AppSync executes them, on local data sources. The local
 * AppSync-compatible server speaks AppSync's HTTP and real-time protocols on top of it: it authenticates
 * the caller, then hands the engine an identity and a document.
 *
 * What the engine does as AppSync does:
 * - auth directives per field (`@aws_cognito_user_pools` is the default mode, `@aws_iam`, field directives
 *   override type directives), refused with `Unauthorized` "Not Authorized to access X on type Y";
 * - unit resolvers: request handler → data source → response handler, `util.error` failing the field,
 *   `util.appendError` adding errors to a value, `runtime.earlyReturn` skipping the data source;
 * - AWS scalars, errors in AppSync's shape without stack traces or internal messages;
 * - subscriptions: the subscription field's resolver runs at subscribe time and sets the enhanced filter;
 *   mutations named in `@aws_subscribe` publish their result to the server's hub.
 */
import { readFile } from 'node:fs/promises';
import {
  defaultFieldResolver,
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  isObjectType,
  Kind,
  OperationTypeNode,
  responsePathAsArray,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { SubscriptionFilter } from '@aws-appsync/utils';
import { RESOLVERS, SCHEMA_PATH, type DataSourceName } from '../../graphql/resolvers/manifest.ts';
import { newEvaluation, type AuthTypeName, type ResolverEvaluation } from './utils/index.ts';
import {
  createDataSourceHandlers,
  type DataSourceHandler,
  type LocalDataSources,
} from './engine/data-sources.ts';
import {
  AppSyncFieldError,
  AppSyncGraphQLError,
  INTERNAL_FAILURE_MESSAGE,
  toAppSyncError,
  type AppSyncFormattedError,
} from './engine/errors.ts';
import { filterProblem, matchesFilter } from './engine/filters.ts';
import { loadResolver, type LoadedResolver, type ResolverConsole } from './engine/resolver-loader.ts';
import { buildLocalSchema, type FieldAccess } from './engine/schema.ts';
import {
  byFieldNames,
  collectFieldNodes,
  selectionSetGraphQL,
  selectionSetList,
  type SelectionScope,
} from './engine/selection.ts';
import { runUnitResolver, type ResolverContext } from './engine/unit-resolver.ts';

export type { LocalDataSources } from './engine/data-sources.ts';
export type { AppSyncFormattedError } from './engine/errors.ts';
export type { SubscriptionFilter } from '@aws-appsync/utils';
export { AppSyncGraphQLError } from './engine/errors.ts';

/** A Cognito user pool caller, as the server verified their token. */
export interface AppSyncCognitoIdentity {
  readonly kind: 'cognito';
  readonly sub: string;
  readonly username: string;
  readonly claims: Record<string, unknown>;
  /** `cognito:groups`; null (as in AppSync's `ctx.identity`) or empty when the user is in none. */
  readonly groups: readonly string[] | null;
  readonly issuer: string;
  readonly sourceIp: readonly string[];
  readonly defaultAuthStrategy: 'ALLOW';
}

/** An IAM caller (EventBridge's rule role, a signed request). */
export interface AppSyncIamIdentity {
  readonly kind: 'iam';
  readonly accountId: string;
  readonly userArn: string;
  readonly sourceIp: readonly string[];
  /** The principal, e.g. `AROA…:session`; defaults to the ARN's last part. */
  readonly username?: string;
  readonly cognitoIdentityPoolId?: string | null;
  readonly cognitoIdentityId?: string | null;
  readonly cognitoIdentityAuthType?: string | null;
  readonly cognitoIdentityAuthProvider?: string | null;
}

/** Who is calling. */
export type AppSyncIdentity = AppSyncCognitoIdentity | AppSyncIamIdentity;

/** What `subscribe` answers when the subscription may start. */
export interface SubscriptionRegistration {
  /** The subscription field, e.g. `onFleetUpdate`. */
  readonly fieldName: string;
  /** The enhanced filter the resolver set (or the argument filter AppSync derives); null lets all through. */
  readonly filter: SubscriptionFilter | null;
  /** The mutation fields whose results feed this subscription (`@aws_subscribe`). */
  readonly mutations: readonly string[];
}

/** The engine the local server calls. */
export interface AppSyncEngine {
  /** Executable: resolvers wired, AWS scalars defined, auth directives enforced per field. */
  readonly schema: GraphQLSchema;
  /** Runs a query or mutation; errors in AppSync's shape (they serialize so with `JSON.stringify`). */
  execute(args: {
    document: DocumentNode;
    variables?: Record<string, unknown>;
    operationName?: string;
    identity: AppSyncIdentity;
    requestHeaders?: Record<string, string>;
  }): Promise<ExecutionResult>;
  /** Runs a subscription field's resolver; answers its filter and the mutations it listens to, or errors. */
  subscribe(args: {
    document: DocumentNode;
    variables?: Record<string, unknown>;
    identity: AppSyncIdentity;
  }): Promise<SubscriptionRegistration | { errors: AppSyncFormattedError[] }>;
  /** AppSync's enhanced-filter semantics: OR across filter groups, AND within one. */
  matches(filter: SubscriptionFilter | null, payload: Record<string, unknown>): boolean;
  /**
   * Called after a mutation that a subscription listens to returns data, with the mutation field and its
   * result keyed by field names (aliases undone). Returns the function that removes the listener.
   */
  onPublish(listener: (mutationField: string, payload: Record<string, unknown>) => void): () => void;
  /**
   * The message a subscriber receives for a published payload: the subscription document's selection
   * applied to `payload`, with field auth and AWS scalar serialization, as `{ data: { <field>: … } }`.
   */
  renderSubscriptionPayload(args: {
    document: DocumentNode;
    variables?: Record<string, unknown>;
    identity: AppSyncIdentity;
    payload: Record<string, unknown>;
  }): Promise<ExecutionResult>;
}

/** Options of {@link createAppSyncEngine}. */
export interface AppSyncEngineOptions {
  readonly dataSources: LocalDataSources;
  /**
   * Where unexpected failures go (resolver bugs, failing functions): clients only see `InternalFailure`.
   * Defaults to stderr.
   */
  readonly onInternalError?: (error: unknown) => void;
  /** Where resolver code's `console.*` goes (CloudWatch in AWS). Defaults to the process console. */
  readonly resolverConsole?: ResolverConsole;
}

/** What every field resolver of one execution shares. */
interface ExecutionState {
  readonly identity: AppSyncIdentity | undefined;
  readonly resolverIdentity: Record<string, unknown> | null;
  readonly headers: Record<string, string>;
  readonly appendedErrors: AppSyncGraphQLError[];
  /** Rendering a published payload for a subscriber: subscription fields answer the payload. */
  readonly delivering: boolean;
}

/** The identity as resolvers see it in `ctx.identity` (AppSync's field names, no `kind`). */
function resolverIdentityOf(identity: AppSyncIdentity): Record<string, unknown> {
  if (identity.kind === 'cognito') {
    return {
      sub: identity.sub,
      issuer: identity.issuer,
      username: identity.username,
      claims: identity.claims,
      sourceIp: [...identity.sourceIp],
      defaultAuthStrategy: identity.defaultAuthStrategy,
      groups: identity.groups && identity.groups.length > 0 ? [...identity.groups] : null,
    };
  }
  return {
    accountId: identity.accountId,
    cognitoIdentityPoolId: identity.cognitoIdentityPoolId ?? null,
    cognitoIdentityId: identity.cognitoIdentityId ?? null,
    sourceIp: [...identity.sourceIp],
    username: identity.username ?? identity.userArn.slice(identity.userArn.lastIndexOf('/') + 1),
    userArn: identity.userArn,
    cognitoIdentityAuthType: identity.cognitoIdentityAuthType ?? null,
    cognitoIdentityAuthProvider: identity.cognitoIdentityAuthProvider ?? null,
  };
}

const authTypeOf = (identity: AppSyncIdentity | undefined): AuthTypeName =>
  identity?.kind === 'iam' ? 'IAM Authorization' : 'User Pool Authorization';

/** Whether `identity` may access a field with `access`. */
function allowed(access: FieldAccess, identity: AppSyncIdentity | undefined): boolean {
  if (!identity) return false;
  if (identity.kind === 'iam') return access.modes.has('iam');
  if (!access.modes.has('cognito')) return false;
  return (
    access.cognitoGroups === undefined ||
    (identity.groups ?? []).some((group) => access.cognitoGroups!.includes(group))
  );
}

const unauthorized = (fieldName: string, typeName: string) =>
  new AppSyncFieldError(`Not Authorized to access ${fieldName} on type ${typeName}`, 'Unauthorized');

function defaultReport(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`appsync: ${text}\n`);
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  return Object.fromEntries(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
}

const requestError = (message: string) => new AppSyncGraphQLError(message, {});

/**
 * Builds the engine: reads `schema.graphql`, bundles and loads every resolver of the manifest, and wires
 * them to `dataSources`.
 *
 * @throws Error when the schema is invalid, a resolver does not load, the manifest names a field the schema
 *   lacks, or a Lambda data source has no local function.
 */
export async function createAppSyncEngine(options: AppSyncEngineOptions): Promise<AppSyncEngine> {
  const report = options.onInternalError ?? defaultReport;
  const { schema, access, subscriptionMutations } = buildLocalSchema(await readFile(SCHEMA_PATH, 'utf8'));
  const dataSources = createDataSourceHandlers(options.dataSources, report);
  const resolverConsole = options.resolverConsole ?? console;

  const resolvers = new Map<string, { resolver: LoadedResolver; dataSource: DataSourceHandler }>();
  for (const definition of RESOLVERS) {
    const type = schema.getType(definition.typeName);
    if (!isObjectType(type) || !type.getFields()[definition.fieldName]) {
      throw new Error(
        `The manifest has a resolver for ${definition.typeName}.${definition.fieldName}, not in the schema.`,
      );
    }
    resolvers.set(`${definition.typeName}.${definition.fieldName}`, {
      resolver: loadResolver(definition, resolverConsole),
      dataSource: dataSources.get(definition.dataSource as DataSourceName)!,
    });
  }

  const subscriptionTypeName = schema.getSubscriptionType()?.name;

  /** The resolver context AppSync builds for one field. */
  const contextFor = (
    source: unknown,
    args: Record<string, unknown>,
    state: ExecutionState,
    info: {
      fieldName: string;
      parentTypeName: string;
      fieldNodes: readonly FieldNode[];
      scope: SelectionScope;
    },
  ): ResolverContext => {
    const copiedArgs = JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
    return {
      arguments: copiedArgs,
      args: copiedArgs,
      // Each resolver gets its own copy, as each AppSync invocation gets its own context.
      identity: state.resolverIdentity === null ? null : structuredClone(state.resolverIdentity),
      source: source ?? null,
      stash: {},
      prev: { result: null },
      request: { headers: { ...state.headers }, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentTypeName,
        variables: { ...info.scope.variables },
        selectionSetList: selectionSetList(info.fieldNodes, info.scope),
        selectionSetGraphQL: selectionSetGraphQL(info.fieldNodes),
      },
      env: {},
    };
  };

  /** Moves `util.appendError` calls of a field into the response's errors, located at the field. */
  const collectAppended = (
    evaluation: ResolverEvaluation,
    state: ExecutionState,
    nodes: readonly FieldNode[],
    path: readonly (string | number)[],
  ) => {
    for (const appended of evaluation.appendedErrors) {
      state.appendedErrors.push(
        new AppSyncGraphQLError(appended.message, {
          nodes,
          path,
          fromResolver: true,
          errorType: appended.errorType,
          data: appended.data,
          errorInfo: appended.errorInfo,
        }),
      );
    }
  };

  const wire = (typeName: string, field: GraphQLField<unknown, unknown>) => {
    const key = `${typeName}.${field.name}`;
    const fieldAccess = access.get(key)!;
    const wired = resolvers.get(key);
    const subscriptionField = typeName === subscriptionTypeName;
    const resolve: GraphQLFieldResolver<unknown, ExecutionState> = (source, args, state, info) => {
      if (!allowed(fieldAccess, state?.identity)) throw unauthorized(field.name, typeName);
      if (subscriptionField) {
        if (state.delivering) return (source as Record<string, unknown>)[info.fieldName];
        throw new AppSyncFieldError('Subscriptions start with subscribe(), not execute().', 'BadRequest');
      }
      if (!wired) return defaultFieldResolver(source, args, state, info);
      const evaluation = newEvaluation(typeName, field.name, authTypeOf(state.identity));
      const ctx = contextFor(source, args, state, {
        fieldName: field.name,
        parentTypeName: typeName,
        fieldNodes: info.fieldNodes,
        scope: { fragments: info.fragments, variables: info.variableValues },
      });
      return runUnitResolver(wired.resolver, wired.dataSource, ctx, evaluation).finally(() =>
        collectAppended(evaluation, state, info.fieldNodes, responsePathAsArray(info.path)),
      );
    };
    field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) wire(type.name, field);
  }

  const mutationListeners = new Set<(mutationField: string, payload: Record<string, unknown>) => void>();
  const publishedMutations = new Set([...subscriptionMutations.values()].flat());

  const stateFor = (
    identity: AppSyncIdentity,
    headers: Record<string, string>,
    delivering: boolean,
  ): ExecutionState => ({
    identity,
    resolverIdentity: resolverIdentityOf(identity),
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    appendedErrors: [],
    delivering,
  });

  const finish = (result: ExecutionResult, state: ExecutionState): ExecutionResult => {
    const errors = [
      ...(result.errors ?? []).map((error) => toAppSyncError(error, report)),
      ...state.appendedErrors,
    ];
    return { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) };
  };

  /** Hands every published mutation field's result to the listeners (their failures are theirs). */
  const publish = (
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown>,
    data: Record<string, unknown>,
  ) => {
    const operation = getOperationAST(document, operationName);
    if (!operation || mutationListeners.size === 0) return;
    const scope: SelectionScope = { fragments: fragmentsOf(document), variables };
    for (const node of collectFieldNodes(operation.selectionSet, scope)) {
      if (!publishedMutations.has(node.name.value)) continue;
      const value = data[(node.alias ?? node.name).value];
      if (value === null || value === undefined) continue;
      const payload = byFieldNames(value, [node], scope) as Record<string, unknown>;
      for (const listener of mutationListeners) {
        try {
          listener(node.name.value, payload);
        } catch (error) {
          report(error);
        }
      }
    }
  };

  // The HTTP server and the publish rules hand in the same prepared document objects again and again;
  // validating one costs more than executing it, and a document cannot change once parsed.
  const validations = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const validated = (document: DocumentNode): readonly GraphQLError[] => {
    let errors = validations.get(document);
    if (!errors) validations.set(document, (errors = validate(schema, document)));
    return errors;
  };

  const engine: AppSyncEngine = {
    schema,

    async execute({ document, variables = {}, operationName, identity, requestHeaders = {} }) {
      const validationErrors = validated(document);
      if (validationErrors.length > 0) {
        return { data: null, errors: validationErrors.map((error) => toAppSyncError(error, report)) };
      }
      const operation = getOperationAST(document, operationName);
      if (!operation) {
        const message = operationName
          ? `The document has no operation named ${operationName}.`
          : 'The document has several operations: name the one to run (operationName).';
        return { data: null, errors: [requestError(message)] };
      }
      if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
        return {
          data: null,
          errors: [
            requestError('Subscriptions are served over the real-time WebSocket endpoint, not this one.'),
          ],
        };
      }
      const state = stateFor(identity, requestHeaders, false);
      const result = finish(
        await execute({
          schema,
          document,
          variableValues: variables,
          ...(operationName === undefined ? {} : { operationName }),
          contextValue: state,
        }),
        state,
      );
      if (operation.operation === OperationTypeNode.MUTATION && result.data) {
        publish(document, operationName, variables, result.data as Record<string, unknown>);
      }
      return result;
    },

    async subscribe({ document, variables = {}, identity }) {
      const format = (errors: readonly AppSyncGraphQLError[]) => ({
        errors: errors.map((error) => error.toJSON()),
      });
      const validationErrors = validated(document);
      if (validationErrors.length > 0)
        return format(validationErrors.map((error) => toAppSyncError(error, report)));
      const operation = getOperationAST(document);
      if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION) {
        return format([
          requestError('A subscription request needs a document with exactly one subscription operation.'),
        ]);
      }
      const subscriptionType = schema.getSubscriptionType()!;
      const scope: SelectionScope = { fragments: fragmentsOf(document), variables };
      const [node] = collectFieldNodes(operation.selectionSet, scope);
      const field = node ? subscriptionType.getFields()[node.name.value] : undefined;
      if (!node || !field) return format([requestError('The subscription selects no subscription field.')]);

      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
      if (coerced.errors) return format(coerced.errors.map((error) => toAppSyncError(error, report)));
      const located = { nodes: [node], path: [(node.alias ?? node.name).value] };
      if (!allowed(access.get(`${subscriptionType.name}.${field.name}`)!, identity)) {
        return format([
          new AppSyncGraphQLError(unauthorized(field.name, subscriptionType.name).message, {
            ...located,
            fromResolver: true,
            errorType: 'Unauthorized',
          }),
        ]);
      }
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, node, coerced.coerced);
      } catch (error) {
        return format([toAppSyncError(error as GraphQLError, report)]);
      }

      const mutations = subscriptionMutations.get(field.name) ?? [];
      const wired = resolvers.get(`${subscriptionType.name}.${field.name}`);
      if (!wired) return { fieldName: field.name, filter: argumentFilter(args), mutations };
      const state = stateFor(identity, {}, false);
      const evaluation = newEvaluation(subscriptionType.name, field.name, authTypeOf(identity));
      const ctx = contextFor(null, args, state, {
        fieldName: field.name,
        parentTypeName: subscriptionType.name,
        fieldNodes: [node],
        scope: { fragments: scope.fragments, variables: coerced.coerced },
      });
      try {
        await runUnitResolver(wired.resolver, wired.dataSource, ctx, evaluation);
      } catch (error) {
        if (error instanceof AppSyncFieldError) {
          return format([
            new AppSyncGraphQLError(error.message, {
              ...located,
              fromResolver: true,
              errorType: error.errorType,
              data: error.errorData,
              errorInfo: error.errorInfo,
            }),
          ]);
        }
        report(error);
        return format([
          new AppSyncGraphQLError(INTERNAL_FAILURE_MESSAGE, {
            ...located,
            fromResolver: true,
            errorType: 'InternalFailure',
          }),
        ]);
      }
      const filter = evaluation.subscriptionFilter ?? argumentFilter(args);
      const problem = filter === null ? undefined : filterProblem(filter);
      if (problem) {
        report(new Error(`Subscription.${field.name} set an invalid filter: ${problem}`));
        return format([
          new AppSyncGraphQLError(`The subscription filter is invalid: ${problem}.`, {
            ...located,
            fromResolver: true,
            errorType: 'BadRequest',
          }),
        ]);
      }
      return { fieldName: field.name, filter, mutations };
    },

    matches: matchesFilter,

    onPublish(listener) {
      mutationListeners.add(listener);
      return () => {
        mutationListeners.delete(listener);
      };
    },

    async renderSubscriptionPayload({ document, variables = {}, identity, payload }) {
      const operation = getOperationAST(document);
      const scope: SelectionScope = { fragments: fragmentsOf(document), variables };
      const [node] = operation ? collectFieldNodes(operation.selectionSet, scope) : [];
      const state = stateFor(identity, {}, true);
      return finish(
        await execute({
          schema,
          document,
          variableValues: variables,
          rootValue: node ? { [node.name.value]: payload } : {},
          contextValue: state,
        }),
        state,
      );
    },
  };
  return engine;
}

/**
 * AppSync's filter for a subscription whose resolver set none: each given scalar argument must equal the
 * payload's field of the same name. Null when no argument is given (everything is delivered).
 */
function argumentFilter(args: Record<string, unknown>): SubscriptionFilter | null {
  const filters = Object.entries(args)
    .filter(
      ([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
    )
    .map(([fieldName, value]) => ({
      fieldName,
      operator: 'eq' as const,
      value: value as string | number | boolean,
    }));
  return filters.length === 0 ? null : { filterGroup: [{ filters }] };
}
