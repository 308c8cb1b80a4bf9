/**
 * Reading selection sets: the fields an operation selects (fragments and `@skip`/`@include` applied), the
 * `selectionSetList` AppSync gives resolvers, and a mutation result re-keyed by field names, which is what
 * subscription filters and subscribers' selections are matched against.
 */
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  print,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The fragments and variables selections are read with. */
export interface SelectionScope {
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  readonly variables: Readonly<Record<string, unknown>>;
}

function included(node: FieldNode | SelectionSetNode['selections'][number], scope: SelectionScope): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, scope.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, scope.variables);
  return include?.if !== false;
}

/** The field nodes a selection set selects, fragments flattened, in order. */
export function collectFieldNodes(
  selectionSet: SelectionSetNode | undefined,
  scope: SelectionScope,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seenFragments: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      if (!included(selection, scope)) continue;
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, seenFragments);
      else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        visit(scope.fragments[selection.name.value]?.selectionSet, seenFragments);
      }
    }
  };
  visit(selectionSet, new Set());
  return fields;
}

/** AppSync's `ctx.info.selectionSetList`: the selected fields as paths (`items`, `items/id`), aliases winning. */
export function selectionSetList(fieldNodes: readonly FieldNode[], scope: SelectionScope): string[] {
  const list: string[] = [];
  const walk = (nodes: readonly FieldNode[], prefix: string) => {
    for (const node of nodes) {
      for (const child of collectFieldNodes(node.selectionSet, scope)) {
        const path = `${prefix}${(child.alias ?? child.name).value}`;
        if (child.name.value !== '__typename' && !list.includes(path)) list.push(path);
        walk([child], `${path}/`);
      }
    }
  };
  walk(fieldNodes, '');
  return list;
}

/** AppSync's `ctx.info.selectionSetGraphQL`: the field's selection set as GraphQL text. */
export function selectionSetGraphQL(fieldNodes: readonly FieldNode[]): string {
  return fieldNodes
    .map((node) => (node.selectionSet ? print(node.selectionSet) : ''))
    .filter((text) => text !== '')
    .join('\n');
}

/**
 * A result value re-keyed from response keys (aliases) to field names, only the selected fields. AppSync
 * matches subscription filters and subscribers' selections against field names, whatever aliases the
 * publishing mutation used.
 */
export function byFieldNames(
  value: unknown,
  fieldNodes: readonly FieldNode[],
  scope: SelectionScope,
): unknown {
  if (Array.isArray(value)) return value.map((item) => byFieldNames(item, fieldNodes, scope));
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const node of fieldNodes.flatMap((field) => collectFieldNodes(field.selectionSet, scope))) {
    const key = (node.alias ?? node.name).value;
    if (!Object.hasOwn(source, key)) continue;
    result[node.name.value] = node.selectionSet ? byFieldNames(source[key], [node], scope) : source[key];
  }
  return result;
}
