import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  isRejected,
  prepareOperation,
} from '../../../../../src/local/appsync/server/operation.ts';

const schema = buildSchema(`
  type Query { node(id: ID): Node, name: String }
  type Node { id: ID!, child: Node, name: String }
`);
const limits = { ...DEFAULT_LIMITS, maxDepth: 3, maxDocumentBytes: 200, maxTokens: 60 };

function errorsOf(request: Record<string, unknown>) {
  const prepared = prepareOperation(schema, request, limits);
  return isRejected(prepared) ? prepared.errors : [];
}

describe('prepareOperation', () => {
  it('accepts a valid operation and picks it by name', () => {
    const prepared = prepareOperation(
      schema,
      { query: 'query A { name } query B { node { id } }', operationName: 'B', variables: { x: 1 } },
      limits,
    );
    expect(isRejected(prepared)).toBe(false);
    if (!isRejected(prepared)) {
      expect(prepared.operation.name?.value).toBe('B');
      expect(prepared.variables).toEqual({ x: 1 });
    }
  });

  it('prepares a document once and reuses it, with the variables of each request', () => {
    const query = 'query Again($id: ID) { node(id: $id) { id } }';
    const first = prepareOperation(schema, { query, variables: { id: '1' } }, limits);
    const second = prepareOperation(schema, { query, variables: { id: '2' } }, limits);
    const badVariables = prepareOperation(schema, { query, variables: [1] }, limits);
    if (isRejected(first) || isRejected(second)) throw new Error('a valid document was refused');
    expect(second.document).toBe(first.document);
    expect([first.variables, second.variables]).toEqual([{ id: '1' }, { id: '2' }]);
    expect(isRejected(badVariables)).toBe(true);
  });

  it('refuses a request without a query, with bad variables or a bad operationName', () => {
    expect(errorsOf({})[0]).toMatchObject({ errorType: 'MalformedHttpRequestException' });
    expect(errorsOf({ query: '  ' })[0]).toMatchObject({ errorType: 'MalformedHttpRequestException' });
    expect(errorsOf({ query: '{ name }', variables: [1] })[0]).toMatchObject({
      message: 'variables must be a JSON object.',
    });
    expect(errorsOf({ query: '{ name }', operationName: 3 })[0]).toMatchObject({
      message: 'operationName must be a string.',
    });
  });

  it('counts depth through fragments and inline fragments, not __typename or introspection', () => {
    expect(errorsOf({ query: '{ node { child { id } } }' })).toEqual([]);
    expect(errorsOf({ query: '{ node { child { child { id } } } }' })[0]).toMatchObject({
      message: 'The query is 4 levels deep; the limit is 3.',
    });
    expect(
      errorsOf({
        query: '{ node { ...F } } fragment F on Node { child { ... on Node { child { id } } } }',
      })[0],
    ).toMatchObject({
      message: 'The query is 4 levels deep; the limit is 3.',
    });
    expect(errorsOf({ query: '{ node { child { __typename id } } }' })).toEqual([]);
    expect(errorsOf({ query: '{ __schema { types { fields { type { name } } } } }' })).toEqual([]);
  });

  it('refuses documents over the byte and token limits, syntax errors and several unnamed operations', () => {
    expect(errorsOf({ query: `{ name } #${'é'.repeat(100)}` })[0]).toMatchObject({
      errorType: 'ValidationError',
      message: 'The query is 210 bytes; the limit is 200.',
    });
    expect(errorsOf({ query: `{ ${'a '.repeat(70)}}` })[0]).toMatchObject({
      errorType: 'ValidationError',
      message: 'The query has more than 60 tokens; the limit is 60.',
    });
    expect(errorsOf({ query: '{ name' })[0]).toMatchObject({
      errorType: 'InvalidSyntax',
      locations: [{ line: 1, column: 7, sourceName: null }],
    });
    expect(errorsOf({ query: 'query A { name } query B { name }' })[0]).toMatchObject({
      message: 'The document has several operations: name one with operationName.',
    });
    expect(errorsOf({ query: 'query A { name }', operationName: 'C' })[0]).toMatchObject({
      message: 'No operation named "C" in the document.',
    });
  });

  it('refuses fragment cycles at validation, before depth is measured', () => {
    const errors = errorsOf({
      query: '{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { ...A }',
    });
    expect(errors[0]).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringMatching(/Cannot spread fragment "A" within itself/),
    });
  });
});
