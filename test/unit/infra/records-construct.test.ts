import { Stack, type CfnElement } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALERTS_TABLE,
  CHARGING_SESSIONS_TABLE,
  TENANT_SETTINGS_TABLE,
  TRIPS_TABLE,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { RECORDS_PROJECTOR_TARGET, RECORDS_RULE } from '../../../src/domain/events/rules.ts';
import { RESOLVERS } from '../../../src/graphql/resolvers/manifest.ts';
import { FleetwireApi } from '../../../src/infra/api/api-construct.ts';
import { FleetwireEvents } from '../../../src/infra/events/events-construct.ts';
import { RuleTargetRegistry } from '../../../src/infra/events/rule-targets.ts';
import { FleetwireKeys } from '../../../src/infra/keys/keys-construct.ts';
import { FleetwireRecords } from '../../../src/infra/records/records-construct.ts';
import { FleetwireStateCache } from '../../../src/infra/state-cache/state-cache-construct.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import { constructTestApp } from './cdk-test-support.ts';

interface Statement {
  readonly Action: string | string[];
  readonly Effect: string;
  readonly Resource: unknown;
}

const RECORD_DATA_SOURCES = ['TripsTable', 'ChargingSessionsTable', 'AlertsTable'];

/** Storage, the records construct, the records rule and the API with only the records' resolvers. */
function buildStack() {
  const stack = new Stack(constructTestApp(), 'RecordsTest');
  const storage = new FleetwireStorage(stack, 'Storage');
  const records = new FleetwireRecords(stack, 'Records', { storage });
  const events = new FleetwireEvents(stack, 'Events', {
    targets: new RuleTargetRegistry({ functions: { [RECORDS_PROJECTOR_TARGET]: records.projector } }),
    rules: [RECORDS_RULE],
  });
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
    resolvers: RESOLVERS.filter((r) => RECORD_DATA_SOURCES.includes(r.dataSource)),
  });
  return { stack, storage, records, events, api };
}

/** Every statement of the policies attached to `roleLogicalId`. */
function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role).includes(roleLogicalId)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actions = (statements: readonly Statement[]) =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

describe('records in AWS', () => {
  let built: ReturnType<typeof buildStack>;
  let template: Template;

  beforeAll(() => {
    built = buildStack();
    template = Template.fromStack(built.stack);
  });

  it('builds the trips, charging-sessions and alerts tables with their keys, indexes and TTL', () => {
    for (const [definition, sortKey, indexes] of [
      [TRIPS_TABLE, 'tripKey', ['byVehicle']],
      [CHARGING_SESSIONS_TABLE, 'sessionKey', ['byVehicle']],
      [ALERTS_TABLE, 'alertId', ['byTenant', 'byVehicle']],
    ] as const) {
      const logicalId = built.stack.getLogicalId(
        built.storage.table(definition).node.defaultChild as unknown as CfnElement,
      );
      const table = template.toJSON().Resources[logicalId].Properties;
      expect(table.KeySchema).toEqual([
        { AttributeName: 'tenantId', KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ]);
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
      expect(table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName)).toEqual(
        indexes,
      );
    }
  });

  it('grants the projector GetItem and UpdateItem on the record tables and reads of the settings only', () => {
    const role = built.stack.getLogicalId(built.records.projector.role!.node.defaultChild as never);
    const statements = statementsOfRole(template, role);
    const tableArn = (definition: typeof TRIPS_TABLE) =>
      JSON.stringify(built.stack.resolve(built.storage.table(definition).tableArn));

    const recordStatements = statements.filter((s) =>
      [TRIPS_TABLE, CHARGING_SESSIONS_TABLE, ALERTS_TABLE].some((d) =>
        JSON.stringify(s.Resource).includes(tableArn(d)),
      ),
    );
    // CDK may merge the three statements into one with three resources.
    for (const definition of [TRIPS_TABLE, CHARGING_SESSIONS_TABLE, ALERTS_TABLE]) {
      expect(JSON.stringify(recordStatements.map((s) => s.Resource))).toContain(tableArn(definition));
    }
    expect(actions(recordStatements)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const settings = statements.filter((s) =>
      JSON.stringify(s.Resource).includes(tableArn(TENANT_SETTINGS_TABLE)),
    );
    expect(actions(settings).every((action) => !/Put|Update|Delete|Write/.test(action))).toBe(true);
    expect(actions(statements).filter((a) => /Put|Delete|BatchWrite/.test(a))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TRIPS_TABLE: Match.anyValue(),
          CHARGING_SESSIONS_TABLE: Match.anyValue(),
          ALERTS_TABLE: Match.anyValue(),
          TENANT_SETTINGS_TABLE: Match.anyValue(),
          POWERTOOLS_SERVICE_NAME: 'fleetwire-records-projector',
        }),
      },
    });
  });

  it('routes the trip, charging, alert and error events to the projector, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'records',
      EventPattern: {
        source: ['fleetwire.trips', 'fleetwire.charging', 'fleetwire.vehicles'],
        'detail-type': [
          'Trip.Started',
          'Trip.Ended',
          'Charging.Started',
          'Charging.Ended',
          'Vehicle.Alert.Raised',
          'Vehicle.Alert.Cleared',
          'Vehicle.Error.Reported',
        ],
      },
      Targets: [
        Match.objectLike({
          Id: RECORDS_PROJECTOR_TARGET,
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: Match.anyValue(),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
  });

  it('gives the API read-only record data sources, and the alerts one UpdateItem but no put or delete', () => {
    for (const name of RECORD_DATA_SOURCES) {
      template.hasResourceProperties('AWS::AppSync::DataSource', { Name: name, Type: 'AMAZON_DYNAMODB' });
    }
    const roleOf = (name: string) =>
      built.stack.getLogicalId(
        (
          built.api.dataSources.get(name as never) as unknown as {
            serviceRole: { node: { defaultChild: never } };
          }
        ).serviceRole.node.defaultChild,
      );
    expect(
      actions(statementsOfRole(template, roleOf('TripsTable'))).filter(
        (a) => !/Get|Query|Scan|Describe|ConditionCheck/.test(a),
      ),
    ).toEqual([]);
    const alerts = actions(statementsOfRole(template, roleOf('AlertsTable')));
    expect(alerts).toContain('dynamodb:UpdateItem');
    expect(alerts.filter((a) => /Put|Delete|BatchWrite/.test(a))).toEqual([]);
  });
});
