import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMMAND_AUDIT_TABLE,
  COMMANDS_TABLE,
  createTableInput,
  TABLES,
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
  type TableDefinition,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { FLEETWIRE_BUS_NAME } from '../../../src/domain/events/rules.ts';
import {
  AUDIT_TABLE_DENIED_ACTIONS,
  FleetwireCommands,
  TESLA_FLEET_API_NA_URL,
  type FleetwireCommandsProps,
} from '../../../src/infra/commands/commands-construct.ts';
import { FleetwireStack } from '../../../src/infra/fleetwire-stack.ts';
import { FleetwireKeys } from '../../../src/infra/keys/keys-construct.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import {
  VEHICLE_COMMAND_ASL_PATH,
  VEHICLE_COMMAND_STATE_MACHINE_NAME,
  VEHICLE_COMMAND_SUBSTITUTION_KEYS,
} from '../../../src/workflows/vehicle-command.ts';
import { constructTestApp } from './cdk-test-support.ts';

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
}

interface PolicyResource {
  readonly Properties: {
    readonly Roles?: unknown[];
    readonly PolicyDocument: { readonly Statement: Statement[] };
  };
}

const actionsOf = (statement: Statement): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : statement.Action;

/** The CloudFormation shape of a table built from `definition`, as the storage test derives it. */
function expectedShape(definition: TableDefinition): Record<string, unknown> {
  const input = createTableInput(definition, 'ignored');
  return {
    KeySchema: input.KeySchema,
    AttributeDefinitions: Match.arrayEquals(
      (input.AttributeDefinitions ?? []).map((attribute) => Match.objectEquals({ ...attribute })),
    ),
    GlobalSecondaryIndexes: (input.GlobalSecondaryIndexes ?? []).map((index) =>
      Match.objectEquals({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      }),
    ),
  };
}

/** A stack with what the commands context needs (the storage tables, the keys, the bus) and the context. */
function build(props: Partial<FleetwireCommandsProps> = {}) {
  const stack = new Stack(constructTestApp(), 'CommandsTest');
  const storage = new FleetwireStorage(stack, 'Storage', {
    tables: TABLES.filter((table) => table !== COMMANDS_TABLE && table !== COMMAND_AUDIT_TABLE),
  });
  const keys = new FleetwireKeys(stack, 'Keys');
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: FLEETWIRE_BUS_NAME });
  const commands = new FleetwireCommands(stack, 'Commands', { storage, keys, bus, ...props });
  return { stack, storage, keys, bus, commands, template: Template.fromStack(stack) };
}

/** Helpers over one synthesized template. */
function inspect(stack: Stack, template: Template) {
  const cfn = (value: string): unknown => stack.resolve(value);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as PolicyResource[];
  /** Every statement of the policies attached to the role of `grantee`. */
  const statementsOf = (grantee: { role?: { roleName: string } | undefined }): Statement[] => {
    const roleRef = JSON.stringify(cfn(grantee.role!.roleName));
    return policies
      .filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(roleRef))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  };
  const onResource = (statements: Statement[], arn: string): Statement[] => {
    const resolved = JSON.stringify(cfn(arn));
    return statements.filter((statement) => JSON.stringify(statement.Resource ?? null).includes(resolved));
  };
  /** The roles of every policy that allows one of `actions` on `arn`. */
  const rolesAllowing = (arn: string, actions: (action: string) => boolean): unknown[] =>
    policies
      .filter((policy) =>
        onResource(policy.Properties.PolicyDocument.Statement, arn).some(
          (statement) => statement.Effect === 'Allow' && actionsOf(statement).some(actions),
        ),
      )
      .flatMap((policy) => policy.Properties.Roles ?? []);
  return { cfn, policies, statementsOf, onResource, rolesAllowing };
}

/** A resolved CloudFormation value as readable text: `Ref:<id>`, `GetAtt:<id>.<attribute>`, or the string. */
function tokenText(value: unknown): string {
  if (typeof value === 'string') return value;
  const token = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (token.Ref !== undefined) return `Ref:${token.Ref}`;
  if (token['Fn::GetAtt'] !== undefined) return `GetAtt:${token['Fn::GetAtt'].join('.')}`;
  return JSON.stringify(value);
}

/** The machine's Task states that call DynamoDB directly, as `[operation, table placeholder]`. */
function dynamoDbIntegrations(): [string, string][] {
  const definition = JSON.parse(readFileSync(VEHICLE_COMMAND_ASL_PATH, 'utf8')) as {
    States: Record<string, unknown>;
  };
  const found: [string, string][] = [];
  const walk = (states: Record<string, unknown>): void => {
    for (const state of Object.values(states) as Record<string, unknown>[]) {
      const resource = state.Resource;
      const match = typeof resource === 'string' ? /^arn:aws:states:::dynamodb:(\w+)$/.exec(resource) : null;
      if (match) {
        const table = (state.Parameters as { TableName: string }).TableName;
        found.push([match[1]!, table]);
      }
      for (const branch of (state.Branches ?? []) as { States: Record<string, unknown> }[])
        walk(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as
        { States: Record<string, unknown> } | undefined;
      if (processor) walk(processor.States);
    }
  };
  walk(definition.States);
  return found;
}

describe('FleetwireCommands', () => {
  let built: ReturnType<typeof build>;
  let template: Template;
  let helpers: ReturnType<typeof inspect>;

  beforeAll(() => {
    built = build();
    template = built.template;
    helpers = inspect(built.stack, template);
  });

  describe('tables', () => {
    it('builds the commands and audit tables with the keys and indexes of their definitions', () => {
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLES.length);
      for (const [definition, table] of [
        [COMMANDS_TABLE, built.commands.commandsTable],
        [COMMAND_AUDIT_TABLE, built.commands.auditTable],
      ] as const) {
        const matches = template.findResources('AWS::DynamoDB::GlobalTable', {
          Properties: expectedShape(definition),
        });
        expect(Object.keys(matches), definition.id).toEqual([
          (helpers.cfn(table.tableName) as { Ref: string }).Ref,
        ]);
      }
    });

    it('keeps point-in-time recovery on both, and retains and protects the audit table, which has no TTL', () => {
      const auditId = (helpers.cfn(built.commands.auditTable.tableName) as { Ref: string }).Ref;
      const audit = template.toJSON().Resources[auditId] as {
        DeletionPolicy: string;
        UpdateReplacePolicy: string;
        Properties: Record<string, unknown>;
      };
      expect(audit.DeletionPolicy).toBe('Retain');
      expect(audit.UpdateReplacePolicy).toBe('Retain');
      expect(audit.Properties.TimeToLiveSpecification).toBeUndefined();
      expect(audit.Properties.Replicas).toEqual([
        expect.objectContaining({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ]);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        ...expectedShape(COMMANDS_TABLE),
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      });
    });

    it('retains the audit table even when the commands table may go with the stack', () => {
      const throwaway = build({ deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY });
      const tables = throwaway.template.findResources('AWS::DynamoDB::GlobalTable');
      const auditId = (throwaway.stack.resolve(throwaway.commands.auditTable.tableName) as { Ref: string })
        .Ref;
      const commandsId = (
        throwaway.stack.resolve(throwaway.commands.commandsTable.tableName) as { Ref: string }
      ).Ref;
      expect(tables[auditId]).toMatchObject({ DeletionPolicy: 'Retain' });
      expect(tables[commandsId]).toMatchObject({ DeletionPolicy: 'Delete' });
    });

    it('denies every principal updates and deletes of the audit log in its resource policy', () => {
      const auditId = (helpers.cfn(built.commands.auditTable.tableName) as { Ref: string }).Ref;
      const replicas = (
        template.toJSON().Resources[auditId] as {
          Properties: { Replicas: { ResourcePolicy?: { PolicyDocument: { Statement: Statement[] } } }[] };
        }
      ).Properties.Replicas;
      const statements = replicas[0]?.ResourcePolicy?.PolicyDocument.Statement ?? [];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: expect.arrayContaining([...AUDIT_TABLE_DENIED_ACTIONS]),
        }),
      );
    });
  });

  describe('state machine', () => {
    it('is the Standard fleetwire-vehicle-command machine, traced with X-Ray, from the ASL file', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: VEHICLE_COMMAND_STATE_MACHINE_NAME,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        DefinitionS3Location: Match.objectLike({ Bucket: Match.anyValue(), Key: Match.anyValue() }),
      });
    });

    it('logs every event to its log group, without execution data', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: helpers.cfn(built.commands.logGroup.logGroupArn) } },
          ],
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'),
        RetentionInDays: 365,
      });
    });

    it('substitutes every placeholder with the tables, the bus and the functions of this stack', () => {
      const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
        Properties: { DefinitionSubstitutions: Record<string, unknown> };
      }[];
      const substitutions = machine!.Properties.DefinitionSubstitutions;
      expect(Object.keys(substitutions).sort()).toEqual([...VEHICLE_COMMAND_SUBSTITUTION_KEYS].sort());
      const { commands, storage, bus } = built;
      expect(substitutions).toEqual({
        CommandsTable: helpers.cfn(commands.commandsTable.tableName),
        AuditTable: helpers.cfn(commands.auditTable.tableName),
        VehiclesTable: helpers.cfn(storage.table(VEHICLES_TABLE).tableName),
        EventBusName: helpers.cfn(bus.eventBusName),
        AuthorizeFunctionArn: helpers.cfn(commands.authorizeFunction.functionArn),
        ApprovalFunctionArn: helpers.cfn(commands.approvalFunction.functionArn),
        DispatchFunctionArn: helpers.cfn(commands.dispatchFunction.functionArn),
        ApprovalTimeoutSeconds: '900',
      });

      // Rendered as CloudFormation will, with each token written as the resource it names: every placeholder
      // is filled, and each state uses the resource it should.
      const asl = readFileSync(VEHICLE_COMMAND_ASL_PATH, 'utf8');
      const placeholders = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
      expect([...placeholders].sort()).toEqual([...VEHICLE_COMMAND_SUBSTITUTION_KEYS].sort());
      const text = (key: string): string => tokenText(substitutions[key]);
      const definition = JSON.parse(asl.replace(/\$\{(\w+)\}/g, (_whole, key: string) => text(key))) as {
        States: Record<string, { Resource?: string; Parameters?: Record<string, unknown> }>;
      };
      const tasks = Object.values(definition.States).filter((state) => state.Resource !== undefined);
      const uses = (resource: RegExp | string, parameter: string, value: string): boolean =>
        tasks.some(
          (state) =>
            (typeof resource === 'string' ? state.Resource === resource : resource.test(state.Resource!)) &&
            (parameter === 'Resource' ? state.Resource === value : state.Parameters?.[parameter] === value),
        );
      expect(uses('arn:aws:states:::dynamodb:getItem', 'TableName', text('VehiclesTable'))).toBe(true);
      expect(uses('arn:aws:states:::dynamodb:putItem', 'TableName', text('AuditTable'))).toBe(true);
      expect(uses('arn:aws:states:::dynamodb:updateItem', 'TableName', text('CommandsTable'))).toBe(true);
      expect(uses(/waitForTaskToken$/, 'FunctionName', text('ApprovalFunctionArn'))).toBe(true);
      expect(uses(/./, 'Resource', text('AuthorizeFunctionArn'))).toBe(true);
      expect(uses(/./, 'Resource', text('DispatchFunctionArn'))).toBe(true);
      const entries = tasks.flatMap((state) =>
        state.Resource === 'arn:aws:states:::events:putEvents'
          ? (state.Parameters?.Entries as { EventBusName: string }[])
          : [],
      );
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((entry) => entry.EventBusName === text('EventBusName'))).toBe(true);
    });

    it('takes the approval timeout from its props', () => {
      const custom = build({ approvalTimeout: Duration.minutes(30) });
      custom.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        DefinitionSubstitutions: Match.objectLike({ ApprovalTimeoutSeconds: '1800' }),
      });
      expect(() => build({ approvalTimeout: Duration.seconds(0) })).toThrow(
        /approvalTimeout must be between/,
      );
      expect(() => build({ approvalTimeout: Duration.days(366) })).toThrow(/approvalTimeout must be between/);
    });
  });

  describe('least privilege', () => {
    it('gives the state machine role exactly its direct integrations, and no wildcard action', () => {
      const { commands, storage, bus } = built;
      const statements = helpers.statementsOf(commands.stateMachine);
      const actions = statements.flatMap(actionsOf);
      expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
      );

      // Each DynamoDB Task of the ASL is allowed on its table, and nothing else is allowed on that table.
      const tables: Record<string, string> = {
        '${CommandsTable}': commands.commandsTable.tableArn,
        '${AuditTable}': commands.auditTable.tableArn,
        '${VehiclesTable}': storage.table(VEHICLES_TABLE).tableArn,
      };
      const expected = new Map<string, Set<string>>();
      for (const [operation, placeholder] of dynamoDbIntegrations()) {
        const action = `dynamodb:${operation[0]!.toUpperCase()}${operation.slice(1)}`;
        expected.set(placeholder, (expected.get(placeholder) ?? new Set()).add(action));
      }
      expect([...expected.keys()].sort()).toEqual(Object.keys(tables).sort());
      for (const [placeholder, arn] of Object.entries(tables)) {
        const granted = helpers.onResource(statements, arn).flatMap(actionsOf);
        expect(new Set(granted), placeholder).toEqual(expected.get(placeholder));
      }

      expect(helpers.onResource(statements, bus.eventBusArn).flatMap(actionsOf)).toEqual([
        'events:PutEvents',
      ]);
      for (const fn of [commands.authorizeFunction, commands.approvalFunction, commands.dispatchFunction]) {
        expect(helpers.onResource(statements, fn.functionArn).flatMap(actionsOf)).toEqual([
          'lambda:InvokeFunction',
        ]);
      }
      expect(helpers.onResource(statements, storage.table(VIN_VAULT_TABLE).tableArn)).toEqual([]);
      // What is left is what Step Functions needs for logs and X-Ray, which take no resource ARN.
      const rest = actions.filter((action) => !/^(dynamodb|events|lambda):/.test(action));
      expect(rest.every((action) => action.startsWith('logs:') || action.startsWith('xray:'))).toBe(true);
    });

    it('lets only the dispatch function decrypt with the vault key, read the vault and read the token', () => {
      const { commands, keys, storage } = built;
      const dispatchRole = helpers.cfn(commands.dispatchFunction.role!.roleName);
      const decrypt = (action: string) => action === 'kms:Decrypt' || action === 'kms:*' || action === '*';
      expect(helpers.rolesAllowing(keys.vinVaultKey.keyArn, decrypt)).toEqual([dispatchRole]);
      expect(
        helpers.rolesAllowing(commands.fleetApiTokenSecret.secretArn, (action) =>
          action.startsWith('secretsmanager:'),
        ),
      ).toEqual([dispatchRole]);
      const vault = helpers.onResource(
        helpers.statementsOf(commands.dispatchFunction),
        storage.table(VIN_VAULT_TABLE).tableArn,
      );
      expect(vault.flatMap(actionsOf)).toEqual(['dynamodb:GetItem']);
      expect(
        helpers
          .onResource(helpers.statementsOf(commands.dispatchFunction), keys.vinVaultKey.keyArn)
          .flatMap(actionsOf),
      ).toEqual(['kms:Decrypt']);
    });

    it('tells dispatch where the Fleet API, its token, the vault and the vault key are', () => {
      const { commands, keys, storage } = built;
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: helpers.cfn(commands.dispatchFunction.role!.roleArn),
        Environment: {
          Variables: Match.objectLike({
            FLEET_API_BASE_URL: TESLA_FLEET_API_NA_URL,
            FLEET_API_TOKEN_SECRET_ARN: helpers.cfn(commands.fleetApiTokenSecret.secretArn),
            VIN_VAULT_TABLE: helpers.cfn(storage.table(VIN_VAULT_TABLE).tableName),
            VIN_VAULT_KEY_ID: helpers.cfn(keys.vinVaultKey.keyArn),
          }),
        },
      });
      // No VPC by default: dispatch must reach the Fleet API (or the operator's proxy) on the internet.
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: helpers.cfn(commands.dispatchFunction.role!.roleArn),
        VpcConfig: Match.absent(),
      });
    });

    it('lets the CommandApi function start and answer executions, read their history, and only append to the audit log', () => {
      const { commands } = built;
      const statements = helpers.statementsOf(commands.commandApi);
      const audit = helpers.onResource(statements, commands.auditTable.tableArn).flatMap(actionsOf);
      expect(audit).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      // Appends (the refused approval attempts it audits itself) and nothing else: no update, no delete.
      expect(audit.filter((action) => /Put|Update|Delete|Write|PartiQL/.test(action))).toEqual([
        'dynamodb:PutItem',
      ]);
      expect(helpers.onResource(statements, commands.commandsTable.tableArn).flatMap(actionsOf)).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:GetItem',
          'dynamodb:Query',
        ]),
      );
      const actions = statements.flatMap(actionsOf);
      for (const action of [
        'states:StartExecution',
        'states:SendTaskSuccess',
        'states:SendTaskFailure',
        'states:GetExecutionHistory',
        'states:DescribeExecution',
      ]) {
        expect(actions).toContain(action);
      }
      expect(
        actions.filter((action) => action.startsWith('kms:') || action.startsWith('secretsmanager:')),
      ).toEqual([]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: helpers.cfn(commands.commandApi.role!.roleArn),
        Environment: {
          Variables: Match.objectLike({
            COMMANDS_TABLE: helpers.cfn(commands.commandsTable.tableName),
            COMMAND_AUDIT_TABLE: helpers.cfn(commands.auditTable.tableName),
            STATE_MACHINE_ARN: helpers.cfn(commands.stateMachine.stateMachineArn),
          }),
        },
      });
    });

    it('lets the approval function update the commands table only, and the authorize function nothing', () => {
      const { commands } = built;
      const approval = helpers.statementsOf(commands.approvalFunction);
      expect(approval.flatMap(actionsOf)).toEqual(['dynamodb:UpdateItem']);
      expect(helpers.onResource(approval, commands.commandsTable.tableArn)).toHaveLength(1);
      expect(helpers.statementsOf(commands.authorizeFunction)).toEqual([]);
    });
  });

  describe('the Fleet API connection', () => {
    it('creates a placeholder secret by default', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('placeholder'),
        GenerateSecretString: Match.anyValue(),
      });
    });

    it('uses an existing secret and a proxy URL when given, and grants only that secret to dispatch', () => {
      const stack = new Stack(constructTestApp(), 'ExistingSecret');
      const storage = new FleetwireStorage(stack, 'Storage', { tables: [VEHICLES_TABLE, VIN_VAULT_TABLE] });
      const keys = new FleetwireKeys(stack, 'Keys');
      const secret = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'Token',
        'arn:aws:secretsmanager:us-east-1:111111111111:secret:tesla/fleet-api-token-AbCdEf',
      );
      const commands = new FleetwireCommands(stack, 'Commands', {
        storage,
        keys,
        bus: events.EventBus.fromEventBusName(stack, 'Bus', FLEETWIRE_BUS_NAME),
        fleetApiTokenSecret: secret,
        fleetApiBaseUrl: 'https://tesla-proxy.internal:4443',
      });
      const custom = Template.fromStack(stack);
      custom.resourceCountIs('AWS::SecretsManager::Secret', 0);
      const { rolesAllowing, cfn } = inspect(stack, custom);
      expect(rolesAllowing(secret.secretArn, (action) => action === 'secretsmanager:GetSecretValue')).toEqual(
        [cfn((commands.dispatchFunction as lambda.Function).role!.roleName)],
      );
      custom.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ FLEET_API_BASE_URL: 'https://tesla-proxy.internal:4443' }),
        },
      });
    });
  });
});

describe('the Fleetwire stack with the commands context', () => {
  let stack: FleetwireStack;
  let template: Template;

  beforeAll(() => {
    stack = new FleetwireStack(constructTestApp(), 'CommandsInStack');
    template = Template.fromStack(stack);
  });

  it('grants kms:Decrypt on the vault key to no role but dispatch, in any policy of the whole app', () => {
    const { rolesAllowing, cfn } = inspect(stack, template);
    const decrypt = (action: string) => /^(kms:Decrypt|kms:\*|kms:Decrypt\*|\*)$/.test(action);
    expect(rolesAllowing(stack.keys.vinVaultKey.keyArn, decrypt)).toEqual([
      cfn(stack.commands.dispatchFunction.role!.roleName),
    ]);
    // The key policy trusts the account (IAM decides, as above) and names no other principal for Decrypt.
    const keyId = (cfn(stack.keys.vinVaultKey.keyArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const keyPolicy = (
      template.toJSON().Resources[keyId] as { Properties: { KeyPolicy: { Statement: Statement[] } } }
    ).Properties.KeyPolicy.Statement;
    for (const statement of keyPolicy.filter((s) => actionsOf(s).some(decrypt))) {
      expect(JSON.stringify(statement.Principal)).toMatch(/:root"/);
    }
  });

  it('puts the CommandApi function behind the API as its CommandApi data source, and the tables in commands', () => {
    template.hasResourceProperties('AWS::AppSync::DataSource', {
      Name: 'CommandApi',
      Type: 'AWS_LAMBDA',
      LambdaConfig: { LambdaFunctionArn: stack.resolve(stack.commands.commandApi.functionArn) },
    });
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLES.length);
    // The commands construct owns its two tables; storage builds every other one.
    expect([...stack.storage.tables.keys()].sort()).toEqual(
      TABLES.filter((table) => table !== COMMANDS_TABLE && table !== COMMAND_AUDIT_TABLE)
        .map((table) => table.id)
        .sort(),
    );
    // The machine is deployed after the bus it publishes on, which it references by name.
    const machineId = stack.getLogicalId(stack.commands.stateMachine.node.defaultChild as never);
    const busId = stack.getLogicalId(stack.events.bus.node.defaultChild as never);
    expect(template.toJSON().Resources[machineId].DependsOn).toContain(busId);
  });
});
