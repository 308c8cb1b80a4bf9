/**
 * The GraphQL operation documents EventBridge sends to AppSync for the IAM-only `publish*` mutations,
 * derived from `schema.graphql` so that they cannot drift from it.
 *
 * An EventBridge AppSync target needs a whole operation (`mutation Publish($input: …) { publish(…) { … } }`),
 * and what its selection set names is all that subscribers can ever receive: AppSync hands a subscription
 * only the fields the triggering mutation selected. So every field of the result is selected, recursively.
 */
import {
  buildASTSchema,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/** Mutations whose name starts with this are the ones EventBridge calls (DESIGN.md §6). */
export const PUBLISH_MUTATION_PREFIX = 'publish';

/**
 * Scalars AppSync defines without the schema declaring them. graphql-js needs them declared to build the
 * schema; the document sent to AppSync is unaffected.
 */
const APPSYNC_SCALARS = [
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
] as const;

/**
 * How deep the selection set goes. Subscription payloads are flat records in practice; the limit only
 * guards against a schema whose types nest without end through distinct types.
 */
const MAX_SELECTION_DEPTH = 8;

/**
 * Builds an executable schema from AppSync SDL. AppSync's directives (`@aws_iam`, `@aws_subscribe`, …) need
 * no declarations because SDL validation is skipped: AppSync validates the schema when it is deployed, and
 * the local server validates it on start.
 */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const document = parse(sdl);
  const defined = new Set(
    document.definitions.flatMap((definition) =>
      'name' in definition && definition.name !== undefined && definition.kind !== Kind.DIRECTIVE_DEFINITION
        ? [definition.name.value]
        : [],
    ),
  );
  const preamble = APPSYNC_SCALARS.filter((scalar) => !defined.has(scalar))
    .map((scalar) => `scalar ${scalar}`)
    .join('\n');
  return buildASTSchema(parse(`${preamble}\n${sdl}`), { assumeValidSDL: true });
}

/**
 * The operation document of every `publish*` mutation of `sdl`, by field name. Each argument becomes a
 * variable of the same name and type (`publishAlert(input: AlertInput!)` → `$input: AlertInput!`), so a
 * rule's input transformer shapes the event into `{"input": …}`.
 *
 * @throws Error when the schema has no `publish*` mutation on its mutation type.
 */
export function publishMutationOperations(sdl: string): Readonly<Record<string, string>> {
  const schema = buildAppSyncSchema(sdl);
  const mutationType = schema.getMutationType();
  const fields = Object.values(mutationType?.getFields() ?? {}).filter((field) =>
    field.name.startsWith(PUBLISH_MUTATION_PREFIX),
  );
  if (fields.length === 0) {
    throw new Error(
      `The schema has no '${PUBLISH_MUTATION_PREFIX}*' mutation for EventBridge to call (DESIGN.md §6).`,
    );
  }
  return Object.fromEntries(fields.map((field) => [field.name, mutationOperation(field)]));
}

/** `mutation PublishAlert($input: AlertInput!) { publishAlert(input: $input) { … } }` */
function mutationOperation(field: GraphQLField<unknown, unknown>): string {
  const operationName = field.name.charAt(0).toUpperCase() + field.name.slice(1);
  const variables = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const argumentList = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = selectionOf(field.type, 1, new Set());
  return (
    `mutation ${operationName}${variables === '' ? '' : `(${variables})`} { ` +
    `${field.name}${argumentList === '' ? '' : `(${argumentList})`}${selection === '' ? '' : ` ${selection}`} }`
  );
}

/**
 * The selection set of `type`: every field that takes no required argument, objects recursively. A type
 * already on the path is not entered again (a cycle would never end, and a payload does not need it).
 */
function selectionOf(type: GraphQLOutputType, depth: number, path: ReadonlySet<string>): string {
  const named = getNamedType(type);
  if (isLeafType(named)) {
    return '';
  }
  const inner = new Set(path).add(named.name);
  if (isUnionType(named)) {
    const fragments = named
      .getTypes()
      .map((member) => [member.name, selectionOf(member, depth, path)] as const)
      .filter(([, selection]) => selection !== '')
      .map(([name, selection]) => `... on ${name} ${selection}`);
    return `{ ${['__typename', ...fragments].join(' ')} }`;
  }
  const selected: string[] = [];
  if (isObjectType(named) || isInterfaceType(named)) {
    for (const child of Object.values(named.getFields())) {
      if (child.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) {
        continue;
      }
      const childType = getNamedType(child.type);
      if (isLeafType(childType)) {
        selected.push(child.name);
      } else if (depth < MAX_SELECTION_DEPTH && !inner.has(childType.name)) {
        const nested = selectionOf(child.type, depth + 1, inner);
        if (nested !== '') {
          selected.push(`${child.name} ${nested}`);
        }
      }
    }
  }
  if (isInterfaceType(named) || selected.length === 0) {
    // The concrete type of an interface result, and a valid selection for a type with nothing else to pick.
    selected.unshift('__typename');
  }
  return `{ ${selected.join(' ')} }`;
}
