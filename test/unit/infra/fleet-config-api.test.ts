import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_RULES_TABLE,
  GEOFENCES_TABLE,
  TENANT_SETTINGS_TABLE,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { RESOLVERS } from '../../../src/graphql/resolvers/manifest.ts';
import { FleetwireApi } from '../../../src/infra/api/api-construct.ts';
import { FleetwireKeys } from '../../../src/infra/keys/keys-construct.ts';
import { FleetwireStateCache } from '../../../src/infra/state-cache/state-cache-construct.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import { constructTestApp } from './cdk-test-support.ts';

interface Statement {
  readonly Action: string | string[];
  readonly Effect: string;
  readonly Resource: unknown;
}

const CONFIG_DATA_SOURCES = ['FleetConfig', 'GeofencesTable', 'AlertRulesTable'];

/** The API with only the configuration fields' resolvers, so the test does not depend on other slices. */
function buildStack() {
  const stack = new Stack(constructTestApp(), 'FleetConfigApiTest');
  const storage = new FleetwireStorage(stack, 'Storage');
  const stub = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => undefined;'),
    });
  const api = new FleetwireApi(stack, 'Api', {
    storage,
    keys: new FleetwireKeys(stack, 'Keys'),
    stateCache: new FleetwireStateCache(stack, 'StateCache'),
    commandApi: stub('CommandApi'),
    webhooksApi: stub('WebhooksApi'),
    resolvers: RESOLVERS.filter((r) => CONFIG_DATA_SOURCES.includes(r.dataSource)),
  });
  return { stack, storage, api };
}

describe('tenant configuration in AWS', () => {
  let built: ReturnType<typeof buildStack>;
  let template: Template;

  beforeAll(() => {
    built = buildStack();
    template = Template.fromStack(built.stack);
  });

  it('builds the geofences, alert-rules and tenant-settings tables with their keys', () => {
    for (const [definition, keys] of [
      [
        GEOFENCES_TABLE,
        [
          { AttributeName: 'tenantId', KeyType: 'HASH' },
          { AttributeName: 'geofenceId', KeyType: 'RANGE' },
        ],
      ],
      [
        ALERT_RULES_TABLE,
        [
          { AttributeName: 'tenantId', KeyType: 'HASH' },
          { AttributeName: 'ruleId', KeyType: 'RANGE' },
        ],
      ],
      [TENANT_SETTINGS_TABLE, [{ AttributeName: 'tenantId', KeyType: 'HASH' }]],
    ] as const) {
      const logicalId = built.stack.getLogicalId(built.storage.table(definition).node.defaultChild as never);
      expect(template.toJSON().Resources[logicalId].Properties.KeySchema).toEqual(keys);
    }
  });

  it('puts the configuration fields on the FleetConfig function and the two read-only table data sources', () => {
    template.hasResourceProperties('AWS::AppSync::DataSource', { Name: 'FleetConfig', Type: 'AWS_LAMBDA' });
    template.hasResourceProperties('AWS::AppSync::DataSource', {
      Name: 'GeofencesTable',
      Type: 'AMAZON_DYNAMODB',
    });
    template.hasResourceProperties('AWS::AppSync::DataSource', {
      Name: 'AlertRulesTable',
      Type: 'AMAZON_DYNAMODB',
    });
    for (const field of [
      'createGeofence',
      'updateGeofence',
      'deleteGeofence',
      'createAlertRule',
      'updateAlertRule',
      'deleteAlertRule',
      'updateTenantSettings',
    ]) {
      template.hasResourceProperties('AWS::AppSync::Resolver', {
        TypeName: 'Mutation',
        FieldName: field,
        DataSourceName: 'FleetConfig',
      });
    }
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      TypeName: 'Query',
      FieldName: 'geofences',
      DataSourceName: 'GeofencesTable',
    });
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      TypeName: 'Query',
      FieldName: 'alertRules',
      DataSourceName: 'AlertRulesTable',
    });
  });

  it('tells the function its three tables, outside any VPC', () => {
    const fn = built.stack.getLogicalId(built.api.fleetConfig.node.defaultChild as never);
    const properties = template.toJSON().Resources[fn].Properties;
    expect(Object.keys(properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['GEOFENCES_TABLE', 'ALERT_RULES_TABLE', 'TENANT_SETTINGS_TABLE']),
    );
    expect(properties.VpcConfig).toBeUndefined();
  });

  it('grants the function DynamoDB on those three tables only, and nothing of KMS', () => {
    const role = built.stack.getLogicalId(built.api.fleetConfig.role!.node.defaultChild as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r).includes(role)),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const allowed = new Set(
      [GEOFENCES_TABLE, ALERT_RULES_TABLE, TENANT_SETTINGS_TABLE].map((d) =>
        built.stack.getLogicalId(built.storage.table(d).node.defaultChild as never),
      ),
    );
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      const tables = JSON.stringify(statement.Resource).match(/Storage[A-Za-z0-9]+/g) ?? [];
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) expect(allowed.has(table)).toBe(true);
    }
    expect(dynamo.flatMap((s) => [s.Action].flat())).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:GetItem',
      ]),
    );
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('kms:'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('geofences, alert rules and tenant settings'),
    });
  });
});
