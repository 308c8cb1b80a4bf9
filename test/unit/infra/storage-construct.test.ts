import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTableInput,
  TABLES,
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
  type TableDefinition,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import { cdkJsonContext } from './cdk-test-support.ts';

/** A table resource of the synthesized template. */
type CfnTable = {
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

/** The CloudFormation shape the offline `CreateTable` input implies, derived from the same definition. */
function expectedShape(definition: TableDefinition): Record<string, unknown> {
  const input = createTableInput(definition, 'ignored');
  return {
    KeySchema: input.KeySchema,
    AttributeDefinitions: Match.arrayEquals(
      (input.AttributeDefinitions ?? []).map((attribute) => Match.objectEquals({ ...attribute })),
    ),
    BillingMode: input.BillingMode,
    GlobalSecondaryIndexes:
      input.GlobalSecondaryIndexes === undefined
        ? Match.absent()
        : input.GlobalSecondaryIndexes.map((index) =>
            Match.objectEquals({
              IndexName: index.IndexName,
              KeySchema: index.KeySchema,
              Projection: index.Projection,
            }),
          ),
  };
}

/** A stack with the storage construct. */
function build(props: ConstructorParameters<typeof FleetwireStorage>[2] = {}, region?: string) {
  const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'StorageTest', region === undefined ? {} : { env: { region } });
  const storage = new FleetwireStorage(stack, 'Storage', props);
  return { stack, storage };
}

describe('FleetwireStorage', () => {
  let stack: Stack;
  let storage: FleetwireStorage;
  let fn: lambda.Function;
  let template: Template;

  beforeAll(() => {
    ({ stack, storage } = build());
    fn = new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => undefined;'),
    });
    storage.grantReadData(fn, VEHICLES_TABLE);
    storage.grantReadWriteData(fn, VIN_VAULT_TABLE);
    template = Template.fromStack(stack);
  });

  const cfn = (value: string): unknown => stack.resolve(value);

  it('builds one table per definition, with exactly the keys and indexes of the definition', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLES.length);
    for (const definition of TABLES) {
      const table = storage.table(definition);
      const matches = template.findResources('AWS::DynamoDB::GlobalTable', {
        Properties: expectedShape(definition),
      });
      const logicalId = (stack.resolve(table.tableName) as { Ref: string }).Ref;
      expect(Object.keys(matches), definition.id).toEqual([logicalId]);
    }
    expect([...storage.tables.keys()]).toEqual(TABLES.map((definition) => definition.id));
  });

  it('bills on demand, keeps point-in-time recovery and deletion protection, and retains the tables', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as CfnTable[];
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        // AWS-owned encryption: no key to pay for; the tables hold no real VIN in clear.
        SSESpecification: { SSEEnabled: false },
        Replicas: [
          expect.objectContaining({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      });
      // No physical name: two stacks can share an account, and functions get the name from the environment.
      expect(table.Properties.TableName).toBeUndefined();
      // TTL only where a definition names its attribute (the records tables: their retention).
      const ttl = table.Properties.TimeToLiveSpecification;
      if (ttl !== undefined) expect(ttl).toEqual({ AttributeName: 'ttl', Enabled: true });
    }
  });

  it("gives a function each granted table's name under the definition's environment variable", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [VEHICLES_TABLE.envVar]: cfn(storage.table(VEHICLES_TABLE).tableName),
          [VIN_VAULT_TABLE.envVar]: cfn(storage.table(VIN_VAULT_TABLE).tableName),
        },
      },
    });
    expect(storage.environmentFor(VEHICLES_TABLE)).toEqual({
      VEHICLES_TABLE: storage.table('vehicles').tableName,
    });
  });

  it('grants reads of one table and reads and writes of the other, with grant* statements', () => {
    const vehiclesArn = cfn(storage.table(VEHICLES_TABLE).tableArn);
    const vaultArn = cfn(storage.table(VIN_VAULT_TABLE).tableArn);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (
          policy as {
            Properties: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const on = (arn: unknown) =>
      statements.filter((statement) => JSON.stringify(statement.Resource).includes(JSON.stringify(arn)));
    const vehicleActions = on(vehiclesArn).flatMap((statement) => statement.Action);
    expect(vehicleActions).toContain('dynamodb:BatchGetItem');
    expect(vehicleActions).toContain('dynamodb:Query');
    expect(vehicleActions).not.toContain('dynamodb:PutItem');
    expect(on(vaultArn).flatMap((statement) => statement.Action)).toContain('dynamodb:PutItem');
  });

  it('refuses a table it did not build and a definition given twice', () => {
    expect(() => storage.table('audit')).toThrow("FleetwireStorage has no table 'audit'");
    expect(() => build({ tables: [VEHICLES_TABLE, VEHICLES_TABLE] })).toThrow(
      "Table 'vehicles' is defined twice",
    );
  });
});

describe('FleetwireStorage options', () => {
  const withTtlAndSortKey: TableDefinition = {
    id: 'history',
    envVar: 'HISTORY_TABLE',
    partitionKey: 'vehicleId',
    sortKey: 'at',
    timeToLiveAttribute: 'expiresAt',
  };

  it('sets the TTL attribute and sort key a definition names, and a customer-managed key when given', () => {
    // A customer-managed key is rendered per replica region, so this stack has one.
    const { stack, storage } = build({ tables: [withTtlAndSortKey], deletionProtection: false }, 'eu-west-1');
    const key = new kms.Key(stack, 'TableKey');
    const keyed = new FleetwireStorage(stack, 'Keyed', { tables: [withTtlAndSortKey], encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      ...expectedShape(withTtlAndSortKey),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          SSESpecification: { KMSMasterKeyId: stack.resolve(key.keyArn) },
        }),
      ],
    });
    expect(storage.tables.size).toBe(1);
    expect(keyed.table(withTtlAndSortKey)).toBeDefined();
  });
});
