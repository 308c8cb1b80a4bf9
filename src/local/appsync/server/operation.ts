import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AppSyncError, AppSyncLocation } from './errors.ts';

/** The hygiene limits every operation is held to before it reaches a resolver. */
export interface OperationLimits {
  /** Longest query text, in UTF-8 bytes. */
  readonly maxDocumentBytes: number;
  /** Deepest field nesting (introspection fields are exempt: the standard introspection query is deep). */
  readonly maxDepth: number;
  /** Most lexical tokens (bounds parse time whatever the byte count). */
  readonly maxTokens: number;
}

/** Defaults of {@link OperationLimits}: 64 KiB, depth 10, 10,000 tokens. */
export const DEFAULT_LIMITS: OperationLimits = {
  maxDocumentBytes: 64 * 1024,
  maxDepth: 10,
  maxTokens: 10_000,
};

/** A request that passed parsing, validation and the limits. */
export interface PreparedOperation {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

/** A request that did not: the errors to answer with (no resolver has run). */
export interface RejectedOperation {
  readonly errors: readonly AppSyncError[];
}

/** The GraphQL part of a request, as it arrived. */
export interface OperationRequest {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

/**
 * Checks a request in AppSync's order of refusal: its shape, the size limit, the syntax (with a token
 * limit), validation against the schema, the depth limit. Errors are AppSync-shaped and carry no stack.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  limits: OperationLimits,
): PreparedOperation | RejectedOperation {
  const { query, variables, operationName } = request;
  // Dashboards and EventBridge send the same few documents over and over: parsing and validating one
  // costs more than executing it, so a valid document is prepared once per schema, name and limits.
  const cacheKey =
    typeof query === 'string' &&
    (operationName === undefined || operationName === null || typeof operationName === 'string')
      ? `${limits.maxDepth}|${limits.maxTokens}|${limits.maxDocumentBytes}|${operationName ?? ''}|${query}`
      : undefined;
  const cache = preparedDocuments(schema);
  const hit = cacheKey === undefined ? undefined : cache.get(cacheKey);
  if (
    hit &&
    (variables === undefined ||
      variables === null ||
      (typeof variables === 'object' && !Array.isArray(variables)))
  ) {
    return { ...hit, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
  }
  if (typeof query !== 'string' || query.trim() === '') {
    return rejected(
      'MalformedHttpRequestException',
      'The request has no query: send {"query": "…", "variables": {…}}.',
    );
  }
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  ) {
    return rejected('MalformedHttpRequestException', 'variables must be a JSON object.');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return rejected('MalformedHttpRequestException', 'operationName must be a string.');
  }
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes > limits.maxDocumentBytes) {
    return rejected(
      'ValidationError',
      `The query is ${bytes} bytes; the limit is ${limits.maxDocumentBytes}.`,
    );
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: false });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    // graphql-js words this one oddly ("more that N tokens"); say it like the other limits.
    if (/contains more th\w+ \d+ tokens/.test(error.message)) {
      return rejected(
        'ValidationError',
        `The query has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens}.`,
      );
    }
    return { errors: [validationError(error, 'InvalidSyntax')] };
  }
  const validationErrors = validate(schema, document, undefined, { maxErrors: 20 });
  if (validationErrors.length > 0) {
    return { errors: validationErrors.map((error) => validationError(error, 'ValidationError')) };
  }
  const name = typeof operationName === 'string' ? operationName : undefined;
  const operation = getOperationAST(document, name);
  if (!operation) {
    return rejected(
      'ValidationError',
      name
        ? `No operation named "${name}" in the document.`
        : 'The document has several operations: name one with operationName.',
    );
  }
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    return rejected('ValidationError', `The query is ${depth} levels deep; the limit is ${limits.maxDepth}.`);
  }
  const prepared = { document, operation, operationName: name };
  if (cacheKey !== undefined) {
    if (cache.size >= PREPARED_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, prepared);
  }
  return { ...prepared, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
}

/** Distinct valid documents remembered per schema; a dashboard and the publish rules use a few dozen. */
const PREPARED_CACHE_SIZE = 500;
const preparedCaches = new WeakMap<GraphQLSchema, Map<string, Omit<PreparedOperation, 'variables'>>>();

function preparedDocuments(schema: GraphQLSchema): Map<string, Omit<PreparedOperation, 'variables'>> {
  let cache = preparedCaches.get(schema);
  if (!cache) preparedCaches.set(schema, (cache = new Map()));
  return cache;
}

/** Whether {@link prepareOperation} refused the request. */
export function isRejected(result: PreparedOperation | RejectedOperation): result is RejectedOperation {
  return 'errors' in result;
}

function rejected(errorType: string, message: string): RejectedOperation {
  return { errors: [{ path: null, data: null, errorType, errorInfo: null, locations: null, message }] };
}

function validationError(error: GraphQLError, errorType: string): AppSyncError {
  return {
    path: null,
    data: null,
    errorType,
    errorInfo: null,
    locations: locationsOf(error),
    message: error.message,
  };
}

/** AppSync's `locations`: graphql-js's, with the `sourceName` AppSync adds. */
function locationsOf(error: {
  readonly locations?: readonly { line: number; column: number }[] | undefined;
}): AppSyncLocation[] | null {
  return error.locations?.map(({ line, column }) => ({ line, column, sourceName: null })) ?? null;
}

/** The field nesting depth of an operation, fragments expanded (validation has already ruled out cycles). */
function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (selectionSet: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name))
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}
