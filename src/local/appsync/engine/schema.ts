/**
 * The schema as AppSync sees it: `schema.graphql` plus what AppSync defines without it being declared (the
 * AWS scalars and the `@aws_*` directives), with the scalars' behaviour installed, and the two things the
 * engine reads from directives: who may access each field, and which mutations feed which subscription.
 */
import {
  assertValidSchema,
  buildASTSchema,
  isObjectType,
  isScalarType,
  parse,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { AWS_SCALARS } from './scalars.ts';

/** AppSync's directives, declared so that graphql-js validates their use. */
const APPSYNC_DIRECTIVES = `
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String!]) on OBJECT | FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
`;

/** The auth modes of AppSync's directives. Fleetwire's API uses Cognito (default) and IAM. */
export type AuthMode = 'cognito' | 'iam' | 'apiKey' | 'oidc' | 'lambda';

const MODE_OF_DIRECTIVE: Readonly<Record<string, AuthMode>> = {
  aws_cognito_user_pools: 'cognito',
  aws_iam: 'iam',
  aws_api_key: 'apiKey',
  aws_oidc: 'oidc',
  aws_lambda: 'lambda',
};

/** Who may access a field: the modes, and for Cognito optionally the groups (`cognito_groups`). */
export interface FieldAccess {
  readonly modes: ReadonlySet<AuthMode>;
  /** Cognito users must be in one of these groups; undefined means any user of the pool. */
  readonly cognitoGroups: readonly string[] | undefined;
}

/** The executable-to-be schema and what its directives say. */
export interface LocalSchema {
  readonly schema: GraphQLSchema;
  /** `Type.field` → who may access it. */
  readonly access: ReadonlyMap<string, FieldAccess>;
  /** Subscription field → the mutation fields that trigger it (`@aws_subscribe`). */
  readonly subscriptionMutations: ReadonlyMap<string, readonly string[]>;
}

function directiveArgument(directive: ConstDirectiveNode, name: string): unknown {
  const argument = directive.arguments?.find((arg) => arg.name.value === name);
  return argument ? valueFromASTUntyped(argument.value) : undefined;
}

/**
 * AppSync's rule: a field's own auth directives apply if it has any, else its type's, else the API's
 * default mode (Cognito user pools here).
 */
function accessOf(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldAccess {
  const fieldDirectives = (field.astNode?.directives ?? []).filter((d) => d.name.value in MODE_OF_DIRECTIVE);
  const typeDirectives = (type.astNode?.directives ?? []).filter((d) => d.name.value in MODE_OF_DIRECTIVE);
  const directives = fieldDirectives.length > 0 ? fieldDirectives : typeDirectives;
  if (directives.length === 0) return { modes: new Set(['cognito']), cognitoGroups: undefined };
  const cognito = directives.find((d) => d.name.value === 'aws_cognito_user_pools');
  const groups = cognito ? directiveArgument(cognito, 'cognito_groups') : undefined;
  return {
    modes: new Set(directives.map((d) => MODE_OF_DIRECTIVE[d.name.value]!)),
    cognitoGroups: Array.isArray(groups) ? groups.map(String) : undefined,
  };
}

/**
 * Builds and validates the schema of `sdl` (AppSync SDL: no declarations of AWS scalars or directives,
 * which AppSync refuses) and installs the AWS scalars.
 *
 * @throws Error when the SDL declares what AppSync defines, or is not a valid schema.
 */
export function buildLocalSchema(sdl: string): LocalSchema {
  const document = parse(sdl);
  for (const definition of document.definitions) {
    const name = 'name' in definition ? definition.name?.value : undefined;
    if (name && (name in AWS_SCALARS || name.startsWith('aws_'))) {
      throw new Error(
        `The schema declares ${name}, which AppSync defines itself and refuses to see declared.`,
      );
    }
  }
  const prelude = `${Object.keys(AWS_SCALARS)
    .map((name) => `scalar ${name}`)
    .join('\n')}\n${APPSYNC_DIRECTIVES}`;
  const schema = buildASTSchema(parse(`${prelude}\n${sdl}`));
  assertValidSchema(schema);

  for (const [name, implementation] of Object.entries(AWS_SCALARS)) {
    const scalar = schema.getType(name);
    if (!isScalarType(scalar)) continue;
    scalar.description = implementation.description;
    scalar.serialize = implementation.serialize;
    scalar.parseValue = implementation.parseValue;
    scalar.parseLiteral = implementation.parseLiteral;
  }

  const access = new Map<string, FieldAccess>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()))
      access.set(`${type.name}.${field.name}`, accessOf(type, field));
  }

  const subscriptionMutations = new Map<string, readonly string[]>();
  const mutationType = schema.getMutationType();
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
    const mutations = subscribe ? directiveArgument(subscribe, 'mutations') : [];
    const names = Array.isArray(mutations) ? mutations.map(String) : [];
    for (const mutation of names) {
      const mutationField = mutationType?.getFields()[mutation];
      if (!mutationField) {
        throw new Error(
          `Subscription.${field.name} listens to ${mutation}, which is not a mutation of the schema.`,
        );
      }
      if (String(mutationField.type).replace(/!$/, '') !== String(field.type).replace(/!$/, '')) {
        throw new Error(
          `Subscription.${field.name} returns ${String(field.type)} but ${mutation} returns ${String(mutationField.type)}; AppSync needs the same type.`,
        );
      }
    }
    subscriptionMutations.set(field.name, names);
  }
  return { schema, access, subscriptionMutations };
}
