import { readFileSync } from 'node:fs';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildASTSchema, parse, validate, type GraphQLEnumType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { VEHICLES_TABLE, VIN_VAULT_TABLE } from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { FLEETWIRE_BUS_NAME, type RuleDefinition } from '../../../src/domain/events/rules.ts';
import { bundleResolver } from '../../../src/graphql/resolvers/bundle.ts';
import {
  DATA_SOURCES,
  RESOLVERS,
  resolverPath,
  SCHEMA_PATH,
} from '../../../src/graphql/resolvers/manifest.ts';
import {
  API_USER_GROUPS,
  FleetwireApi,
  TENANT_ID_CLAIM,
  type FleetwireApiProps,
} from '../../../src/infra/api/api-construct.ts';
import { buildAppSyncSchema, publishMutationOperations } from '../../../src/graphql/publish-operations.ts';
import { FleetwireEvents } from '../../../src/infra/events/events-construct.ts';
import { RuleTargetRegistry } from '../../../src/infra/events/rule-targets.ts';
import {
  FleetwireKeys,
  PSEUDONYM_KEY_ENV,
  VIN_VAULT_KEY_ENV,
} from '../../../src/infra/keys/keys-construct.ts';
import {
  FleetwireStateCache,
  STATE_CACHE_PORT,
} from '../../../src/infra/state-cache/state-cache-construct.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import { constructTestApp } from './cdk-test-support.ts';

interface Statement {
  readonly Action: string | string[];
  readonly Effect: string;
  readonly Resource: unknown;
}

interface PolicyProperties {
  readonly Roles?: unknown[];
  readonly PolicyDocument: { readonly Statement: Statement[] };
}

/** A rule on the API's publish mutation, shaped the way rules hand AppSync its variables. */
const ALERT_TRANSFORMER = { inputPathsMap: { detail: '$.detail' }, inputTemplate: '{"input": <detail>}' };
const SAMPLE_RULE: RuleDefinition = {
  name: 'alert-raised-to-api',
  description: 'Alerts to dashboard subscribers',
  eventBus: FLEETWIRE_BUS_NAME,
  pattern: { source: ['fleetwire.ingest'], 'detail-type': ['Vehicle.Alert.Raised'] },
  targets: [
    {
      id: 'publish-alert',
      target: { kind: 'graphqlMutation', field: 'publishAlert' },
      inputTransformer: ALERT_TRANSFORMER,
    },
  ],
};

interface ApiStack {
  readonly stack: Stack;
  readonly commandApi: lambda.Function;
  readonly storage: FleetwireStorage;
  readonly keys: FleetwireKeys;
  readonly stateCache: FleetwireStateCache;
  readonly api: FleetwireApi;
  readonly events: FleetwireEvents;
}

/**
 * The API with the contexts it depends on, and an events context whose one rule targets a publish mutation
 * through the API's registry entry, built without bundling.
 */
function buildApiStack(apiProps: Partial<FleetwireApiProps> = {}): ApiStack {
  const stack = new Stack(constructTestApp(), 'ApiTest');
  const storage = new FleetwireStorage(stack, 'Storage');
  const keys = new FleetwireKeys(stack, 'Keys');
  const stateCache = new FleetwireStateCache(stack, 'StateCache');
  // The commands context builds and grants the CommandApi function; the API only puts it behind its fields.
  const commandApi = new lambda.Function(stack, 'CommandApi', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => undefined;'),
  });
  // Likewise the webhooks context builds and grants the Webhooks function.
  const webhooksApi = new lambda.Function(stack, 'WebhooksApi', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => undefined;'),
  });
  const api = new FleetwireApi(stack, 'Api', {
    storage,
    keys,
    stateCache,
    commandApi,
    webhooksApi,
    ...apiProps,
  });
  const events = new FleetwireEvents(stack, 'Events', {
    targets: new RuleTargetRegistry({ graphql: api.mutationTargets }),
    rules: [SAMPLE_RULE],
  });
  return { stack, commandApi, storage, keys, stateCache, api, events };
}

describe('FleetwireApi', () => {
  let built: ApiStack;
  let template: Template;
  let policies: PolicyProperties[];

  beforeAll(() => {
    built = buildApiStack();
    template = Template.fromStack(built.stack);
    policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (policy) => (policy as { Properties: PolicyProperties }).Properties,
    );
  });

  const cfn = (value: string): unknown => built.stack.resolve(value);
  const actionsOf = (statement: Statement): string[] =>
    typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
  /** The statements of every policy attached to `roleName`. */
  const statementsOf = (roleName: string | undefined): Statement[] => {
    if (roleName === undefined) {
      throw new Error('the function has no role');
    }
    const roleRef = JSON.stringify(cfn(roleName));
    return policies
      .filter((properties) => JSON.stringify(properties.Roles ?? []).includes(roleRef))
      .flatMap((properties) => properties.PolicyDocument.Statement);
  };
  const onResource = (statements: Statement[], arn: string): Statement[] => {
    const resolved = JSON.stringify(cfn(arn));
    return statements.filter((statement) => JSON.stringify(statement.Resource).includes(resolved));
  };
  const writes = (actions: string[]): string[] =>
    actions.filter((action) => /^dynamodb:.*(Put|Update|Delete|Write)/.test(action));

  describe('user pool', () => {
    it('holds an immutable custom tenantId attribute, read by the dashboard but written by no client', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
        ]),
      });
      expect(TENANT_ID_CLAIM).toBe('custom:tenantId');
      const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map(
        (resource) =>
          (resource as { Properties: { ReadAttributes: string[]; WriteAttributes: string[] } }).Properties,
      );
      expect(client?.ReadAttributes).toContain(TENANT_ID_CLAIM);
      expect(client?.WriteAttributes.filter((attribute) => attribute.startsWith('custom:'))).toEqual([]);
    });

    it('has exactly the groups admin, dispatcher, viewer and auditor: the schema’s roles', () => {
      template.resourceCountIs('AWS::Cognito::UserPoolGroup', 4);
      for (const group of ['admin', 'dispatcher', 'viewer', 'auditor']) {
        template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
          GroupName: group,
          UserPoolId: cfn(built.api.userPool.userPoolId),
        });
      }
      const role = buildAppSyncSchema(readFileSync(SCHEMA_PATH, 'utf8')).getType('Role') as GraphQLEnumType;
      expect(API_USER_GROUPS.map((group) => group.name).sort()).toEqual(
        role
          .getValues()
          .map((value) => value.name)
          .sort(),
      );
    });

    it('signs in by username or email with a strong password, optional TOTP MFA, no self sign-up', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AliasAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 14,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
        DeletionProtection: 'ACTIVE',
      });
      template.hasResource('AWS::Cognito::UserPool', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('gives the dashboard an SRP client without a secret or OAuth flows', () => {
      template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: cfn(built.api.userPool.userPoolId),
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlows: Match.absent(),
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      });
    });
  });

  describe('GraphQL API', () => {
    it('authorizes with the user pool by default and IAM additionally', () => {
      template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
        UserPoolConfig: {
          UserPoolId: cfn(built.api.userPool.userPoolId),
          AwsRegion: Match.anyValue(),
          AppIdClientRegex: cfn(built.api.dashboardClient.userPoolClientId),
          DefaultAction: 'ALLOW',
        },
        AdditionalAuthenticationProviders: [{ AuthenticationType: 'AWS_IAM' }],
      });
    });

    it('serves schema.graphql as it is on disk', () => {
      template.hasResourceProperties('AWS::AppSync::GraphQLSchema', {
        ApiId: cfn(built.api.api.apiId),
        Definition: readFileSync(SCHEMA_PATH, 'utf8'),
      });
    });

    it('traces with X-Ray, logs field errors without verbose content, hides introspection', () => {
      template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        XrayEnabled: true,
        LogConfig: {
          FieldLogLevel: 'ERROR',
          ExcludeVerboseContent: true,
          CloudWatchLogsRoleArn: Match.objectLike({
            'Fn::GetAtt': [Match.stringLikeRegexp('^ApiLogsRole'), 'Arn'],
          }),
        },
        IntrospectionConfig: 'DISABLED',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': ['', ['/aws/appsync/apis/', cfn(built.api.api.apiId)]],
        },
        RetentionInDays: 30,
      });
      // The log group is ours, so CDK's log-retention Lambda is not deployed.
      template.resourceCountIs('Custom::LogRetention', 0);
    });

    it('exposes the GraphQL and real-time URLs', () => {
      const apiLogicalId = built.stack.getLogicalId(built.api.api.node.defaultChild as CfnElement);
      expect(cfn(built.api.graphqlUrl)).toEqual({ 'Fn::GetAtt': [apiLogicalId, 'GraphQLUrl'] });
      expect(cfn(built.api.realtimeUrl)).toEqual({ 'Fn::GetAtt': [apiLogicalId, 'RealtimeUrl'] });
    });
  });

  describe('data sources', () => {
    it('are the manifest’s, by name and type', () => {
      const types = { AMAZON_DYNAMODB: 'AMAZON_DYNAMODB', AWS_LAMBDA: 'AWS_LAMBDA', NONE: 'NONE' } as const;
      template.resourceCountIs('AWS::AppSync::DataSource', Object.keys(DATA_SOURCES).length);
      for (const definition of Object.values(DATA_SOURCES)) {
        template.hasResourceProperties('AWS::AppSync::DataSource', {
          ApiId: cfn(built.api.api.apiId),
          Name: definition.name,
          Type: types[definition.kind],
        });
      }
      expect([...built.api.dataSources.keys()].sort()).toEqual(Object.keys(DATA_SOURCES).sort());
    });

    it('point at the vehicles table and the three functions', () => {
      template.hasResourceProperties('AWS::AppSync::DataSource', {
        Name: 'VehiclesTable',
        DynamoDBConfig: Match.objectLike({
          TableName: cfn(built.storage.table(VEHICLES_TABLE).tableName),
        }),
      });
      template.hasResourceProperties('AWS::AppSync::DataSource', {
        Name: 'StateReader',
        LambdaConfig: { LambdaFunctionArn: cfn(built.api.stateReader.functionArn) },
      });
      template.hasResourceProperties('AWS::AppSync::DataSource', {
        Name: 'VehicleRegistrar',
        LambdaConfig: { LambdaFunctionArn: cfn(built.api.vehicleRegistrar.functionArn) },
      });
      template.hasResourceProperties('AWS::AppSync::DataSource', {
        Name: 'CommandApi',
        LambdaConfig: { LambdaFunctionArn: cfn(built.commandApi.functionArn) },
      });
    });

    it('lets AppSync read the vehicles table, never write it, and not touch the VIN vault', () => {
      const dataSource = built.api.dataSources.get('VehiclesTable') as appsync.DynamoDbDataSource;
      const statements = statementsOf((dataSource.grantPrincipal as iam.IRole).roleName);
      const actions = onResource(statements, built.storage.table(VEHICLES_TABLE).tableArn).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(writes(actions)).toEqual([]);
      expect(onResource(statements, built.storage.table(VIN_VAULT_TABLE).tableArn)).toEqual([]);
    });
  });

  describe('resolvers', () => {
    it('attaches one APPSYNC_JS unit resolver per manifest entry, with its data source', () => {
      template.resourceCountIs('AWS::AppSync::Resolver', RESOLVERS.length);
      for (const definition of RESOLVERS) {
        const dataSource = built.api.dataSources.get(definition.dataSource);
        template.hasResourceProperties('AWS::AppSync::Resolver', {
          ApiId: cfn(built.api.api.apiId),
          TypeName: definition.typeName,
          FieldName: definition.fieldName,
          Kind: 'UNIT',
          Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
          DataSourceName: cfn(dataSource?.name ?? ''),
        });
      }
    });

    it('deploys the code of each resolver file, bundled as the local engine runs it', () => {
      const codeByField = new Map(
        Object.values(template.findResources('AWS::AppSync::Resolver')).map((resource) => {
          const properties = (resource as { Properties: Record<string, string> }).Properties;
          return [`${properties.TypeName}.${properties.FieldName}`, properties.Code];
        }),
      );
      for (const definition of RESOLVERS) {
        const code = codeByField.get(`${definition.typeName}.${definition.fieldName}`);
        expect(code).toBe(bundleResolver(resolverPath(definition)));
        // One module: the helpers are inlined, only the runtime's own module is imported.
        const imports = [...(code ?? '').matchAll(/^import .* from ["']([^"']+)["']/gm)].map((m) => m[1]);
        expect(imports.every((source) => source?.startsWith('@aws-appsync/utils'))).toBe(true);
        expect(code).toMatch(/export\s*\{[^}]*\brequest\b[^}]*\}|export function request/);
      }
    });

    it('resolves every field of Query, Mutation and Subscription', () => {
      const schema = buildAppSyncSchema(readFileSync(SCHEMA_PATH, 'utf8'));
      const rootFields = [
        schema.getQueryType(),
        schema.getMutationType(),
        schema.getSubscriptionType(),
      ].flatMap((type) =>
        type === null || type === undefined
          ? []
          : Object.values(type.getFields()).map((f) => `${type.name}.${f.name}`),
      );
      const resolved = new Set(built.api.resolvers.keys());
      expect(rootFields.filter((field) => !resolved.has(field))).toEqual([]);
    });
  });

  describe('functions', () => {
    it('run on arm64 in the state cache VPC', () => {
      for (const fn of [built.api.stateReader, built.api.vehicleRegistrar]) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: Match.absent(),
          Architectures: ['arm64'],
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          Role: cfn(fn.role?.roleArn ?? ''),
          VpcConfig: {
            SubnetIds: built.stateCache.vpc.isolatedSubnets.map((subnet) => cfn(subnet.subnetId)),
            SecurityGroupIds: fn.connections.securityGroups.map((group) => cfn(group.securityGroupId)),
          },
        });
      }
    });

    it('StateReader reaches Redis and nothing else: no table, no key', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: cfn(built.api.stateReader.role?.roleArn ?? ''),
        Environment: { Variables: Match.objectLike({ REDIS_URL: cfn(built.stateCache.redisUrl) }) },
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: STATE_CACHE_PORT,
        GroupId: cfn(built.stateCache.securityGroup.securityGroupId),
        SourceSecurityGroupId: cfn(
          built.api.stateReader.connections.securityGroups[0]?.securityGroupId ?? '',
        ),
      });
      const actions = statementsOf(built.api.stateReader.role?.roleName).flatMap(actionsOf);
      expect(writes(actions)).toEqual([]);
      expect(actions.filter((action) => action.startsWith('dynamodb:') || action.startsWith('kms:'))).toEqual(
        [],
      );
    });

    it('VehicleRegistrar may GenerateMac and Encrypt, never Decrypt', () => {
      const statements = statementsOf(built.api.vehicleRegistrar.role?.roleName);
      expect(onResource(statements, built.keys.pseudonymKey.keyArn)).toEqual([
        { Action: 'kms:GenerateMac', Effect: 'Allow', Resource: cfn(built.keys.pseudonymKey.keyArn) },
      ]);
      expect(onResource(statements, built.keys.vinVaultKey.keyArn)).toEqual([
        { Action: 'kms:Encrypt', Effect: 'Allow', Resource: cfn(built.keys.vinVaultKey.keyArn) },
      ]);
      const kmsActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'));
      expect(kmsActions.sort()).toEqual(['kms:Encrypt', 'kms:GenerateMac']);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: cfn(built.api.vehicleRegistrar.role?.roleArn ?? ''),
        Environment: {
          Variables: Match.objectLike({
            [PSEUDONYM_KEY_ENV]: cfn(built.keys.pseudonymKey.keyArn),
            [VIN_VAULT_KEY_ENV]: cfn(built.keys.vinVaultKey.keyArn),
            [VEHICLES_TABLE.envVar]: cfn(built.storage.table(VEHICLES_TABLE).tableName),
            [VIN_VAULT_TABLE.envVar]: cfn(built.storage.table(VIN_VAULT_TABLE).tableName),
          }),
        },
      });
    });

    it('VehicleRegistrar reads and writes the directory, and only writes the VIN vault', () => {
      const statements = statementsOf(built.api.vehicleRegistrar.role?.roleName);
      const directory = onResource(statements, built.storage.table(VEHICLES_TABLE).tableArn).flatMap(
        actionsOf,
      );
      expect(directory).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem']),
      );
      const vault = onResource(statements, built.storage.table(VIN_VAULT_TABLE).tableArn).flatMap(actionsOf);
      expect(vault).toContain('dynamodb:PutItem');
      expect(vault.filter((action) => /Get|Query|Scan/.test(action))).toEqual([]);
    });
  });

  describe('EventBridge', () => {
    it('derives a valid operation for every publish* mutation of the schema', () => {
      const sdl = readFileSync(SCHEMA_PATH, 'utf8');
      const schema = buildAppSyncSchema(sdl);
      const publishFields = Object.keys(schema.getMutationType()?.getFields() ?? {}).filter((name) =>
        name.startsWith('publish'),
      );
      expect(Object.keys(built.api.mutationTargets.operations).sort()).toEqual(publishFields.sort());
      for (const operation of Object.values(built.api.mutationTargets.operations)) {
        expect(validate(schema, parse(operation))).toEqual([]);
      }
    });

    it('gives EventBridge a role that may call the publish* mutations and no other field', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }),
          ],
        },
      });
      const statements = statementsOf(built.api.publishRole.roleName);
      expect(statements.flatMap(actionsOf)).toEqual(['appsync:GraphQL']);
      const resources = JSON.stringify(statements.map((statement) => statement.Resource));
      for (const field of Object.keys(built.api.mutationTargets.operations)) {
        expect(resources).toContain(`/types/Mutation/fields/${field}`);
      }
      expect(resources).not.toContain('/types/Mutation/*');
      expect(resources.match(/\/types\//g)).toHaveLength(
        Object.keys(built.api.mutationTargets.operations).length,
      );
    });

    it('targets a publish mutation from a rule with the role, the operation and the shaped variables', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: SAMPLE_RULE.name,
        Targets: [
          Match.objectLike({
            Id: 'publish-alert',
            Arn: cfn(built.api.api.graphQLEndpointArn),
            RoleArn: cfn(built.api.publishRole.roleArn),
            AppSyncParameters: { GraphQLOperation: built.api.mutationTargets.operations.publishAlert },
            InputTransformer: {
              InputPathsMap: ALERT_TRANSFORMER.inputPathsMap,
              InputTemplate: ALERT_TRANSFORMER.inputTemplate,
            },
          }),
        ],
      });
      // CDK's default target role, granted every mutation, is not created.
      expect(JSON.stringify(template.toJSON())).not.toContain('/types/Mutation/*');
    });
  });

  it('writes no IAM statement with a wildcard action', () => {
    const actions = policies.flatMap((properties) => properties.PolicyDocument.Statement.flatMap(actionsOf));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const inlineRoleActions = Object.values(template.findResources('AWS::IAM::Role')).flatMap((resource) =>
      ((resource as { Properties: { Policies?: PolicyProperties[] } }).Properties.Policies ?? []).flatMap(
        (policy) => policy.PolicyDocument.Statement.flatMap(actionsOf),
      ),
    );
    expect(inlineRoleActions.filter((action) => action.includes('*'))).toEqual([]);
  });
});

// Constructs only, no synthesis: the L1 properties say what the options changed.
describe('FleetwireApi options', () => {
  const userPoolOf = (api: FleetwireApi): cognito.CfnUserPool =>
    api.userPool.node.defaultChild as cognito.CfnUserPool;
  const riskConfigurationOf = (api: FleetwireApi) =>
    api.node.children.filter((child) => child instanceof cognito.CfnUserPoolRiskConfigurationAttachment);

  it('enforces threat protection with an explicit risk configuration, and serves introspection on request', () => {
    const { api } = buildApiStack({ threatProtection: 'enforced', introspection: true });
    expect(userPoolOf(api).userPoolTier).toBe('PLUS');
    expect(userPoolOf(api).userPoolAddOns).toEqual({ advancedSecurityMode: 'ENFORCED' });
    const [risk] = riskConfigurationOf(api) as cognito.CfnUserPoolRiskConfigurationAttachment[];
    expect(risk?.clientId).toBe('ALL');
    expect(risk?.compromisedCredentialsRiskConfiguration).toMatchObject({
      actions: { eventAction: 'BLOCK' },
    });
    expect((api.api.node.defaultChild as appsync.CfnGraphQLApi).introspectionConfig).toBe('ENABLED');
  });

  it('stays on the Essentials plan without threat protection when it is off', () => {
    const { api } = buildApiStack({ threatProtection: 'off' });
    expect(userPoolOf(api).userPoolTier).toBe('ESSENTIALS');
    expect(userPoolOf(api).userPoolAddOns).toBeUndefined();
    expect(riskConfigurationOf(api)).toEqual([]);
  });
});

describe('publishMutationOperations', () => {
  const SDL = `
    type Query { ping: String }
    interface Node { id: ID! }
    type Thing implements Node @aws_iam { id: ID! at: AWSDateTime parent: Thing children(first: Int!): [Thing] }
    type Other { n: Int }
    union Either = Thing | Other
    input ThingInput { id: ID! }
    type Mutation {
      publishThing(input: ThingInput!, note: String): Thing @aws_iam
      publishEither: Either @aws_iam
      publishNode: Node @aws_iam
      publishFlag: Boolean @aws_iam
      rename(id: ID!): Thing
    }
  `;

  it('selects every field of the result once, skipping cycles and fields with required arguments', () => {
    const operations = publishMutationOperations(SDL);
    expect(Object.keys(operations)).toEqual(['publishThing', 'publishEither', 'publishNode', 'publishFlag']);
    expect(operations.publishThing).toBe(
      'mutation PublishThing($input: ThingInput!, $note: String) { publishThing(input: $input, note: $note) { id at } }',
    );
    expect(operations.publishEither).toBe(
      'mutation PublishEither { publishEither { __typename ... on Thing { id at } ... on Other { n } } }',
    );
    expect(operations.publishNode).toBe('mutation PublishNode { publishNode { __typename id } }');
    expect(operations.publishFlag).toBe('mutation PublishFlag { publishFlag }');
    const schema = buildASTSchema(
      parse(`scalar AWSDateTime\ndirective @aws_iam on OBJECT | FIELD_DEFINITION\n${SDL}`),
    );
    for (const operation of Object.values(operations)) {
      expect(validate(schema, parse(operation))).toEqual([]);
    }
  });

  it('refuses a schema without publish mutations', () => {
    expect(() => publishMutationOperations('type Query { a: Int } type Mutation { b: Int }')).toThrow(
      /no 'publish\*' mutation/,
    );
  });
});
