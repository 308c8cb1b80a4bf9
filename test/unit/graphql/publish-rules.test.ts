import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_DETAIL_TYPES, type DetailType } from '../../../src/domain/events/catalog/index.ts';
import { FLEETWIRE_BUS_NAME } from '../../../src/domain/events/rules.ts';
import { publishRules } from '../../../src/graphql/publish-rules.ts';

const PUBLISH_RULES = publishRules(FLEETWIRE_BUS_NAME);
import { compileTargetInput } from '../../../src/local/eventbridge/input-transformer.ts';
import { matchesEventPattern } from '../../../src/local/eventbridge/pattern.ts';
import {
  createAppSyncEngine,
  type AppSyncEngine,
  type SubscriptionRegistration,
} from '../../../src/local/appsync/engine.ts';
import { makeEvent } from '../../support/event-factories.ts';

/** The operations EventBridge sends: every field selected, since subscribers only get what is selected. */
const OPERATIONS: Readonly<Record<string, string>> = {
  publishFleetUpdate: `mutation PublishFleetUpdate($input: FleetUpdateInput!) {
    publishFleetUpdate(input: $input) { tenantId occurredAt vehicles { vehicleId at signals } } }`,
  publishAlert: `mutation PublishAlert($input: AlertInput!) {
    publishAlert(input: $input) { id tenantId vehicleId status severity trigger { kind alertName audiences ruleId ruleName }
      message startedAt endedAt durationSeconds signals occurredAt acknowledgedBy acknowledgedAt } }`,
  publishCommandUpdate: `mutation PublishCommandUpdate($input: CommandUpdateInput!) {
    publishCommandUpdate(input: $input) { tenantId commandId vehicleId command status occurredAt requestedBy
      approvedBy deniedBy reason message expiresAt attempts errorCode } }`,
};

/** The subscription each publish mutation feeds. */
const SUBSCRIPTION_OF: Readonly<Record<string, string>> = {
  publishFleetUpdate: 'onFleetUpdate',
  publishAlert: 'onAlert',
  publishCommandUpdate: 'onCommandUpdate',
};

const EVENTBRIDGE = {
  kind: 'iam',
  accountId: '123456789012',
  userArn: 'arn:aws:sts::123456789012:assumed-role/fleetwire-events-appsync/events',
  sourceIp: [],
} as const;

const DELIVERED: readonly DetailType[] = [
  'Telemetry.Updated',
  'Vehicle.Alert.Raised',
  'Vehicle.Alert.Cleared',
  'Command.Requested',
  'Command.ApprovalRequested',
  'Command.Authorized',
  'Command.Denied',
  'Command.Succeeded',
  'Command.Failed',
];

describe('the rules that feed the subscriptions', () => {
  let engine: AppSyncEngine;
  beforeAll(async () => {
    const unused = async () => {
      throw new Error('not used by publish mutations');
    };
    engine = await createAppSyncEngine({
      dataSources: {
        dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
        tables: {
          vehicles: 'fleetwire-vehicles',
          ...{ geofences: 'fleetwire-geofences', 'alert-rules': 'fleetwire-alert-rules' },
          ...{ 'telemetry-history': 'fleetwire-telemetry-history' },
          ...{
            trips: 'fleetwire-trips',
            'charging-sessions': 'fleetwire-charging-sessions',
            alerts: 'fleetwire-alerts',
          },
        },
        lambdas: {
          StateReader: unused,
          VehicleRegistrar: unused,
          CommandApi: unused,
          FleetConfig: unused,
          Webhooks: unused,
        },
      },
    });
  });

  it('route exactly the events dashboards follow live, each to one publish mutation', () => {
    for (const detailType of ALL_DETAIL_TYPES) {
      const matching = PUBLISH_RULES.filter((rule) =>
        matchesEventPattern(rule.pattern, makeEvent(detailType)),
      );
      expect({ detailType, rules: matching.length }).toEqual({
        detailType,
        rules: DELIVERED.includes(detailType) ? 1 : 0,
      });
    }
  });

  it.each(DELIVERED)(
    'shape %s into a publish every subscriber of its tenant receives',
    async (detailType) => {
      // prepare
      const event = makeEvent(detailType);
      const rule = PUBLISH_RULES.find((candidate) => matchesEventPattern(candidate.pattern, event))!;
      const [target] = rule.targets;
      const field = target!.target.kind === 'graphqlMutation' ? target!.target.field : '';
      const variables = compileTargetInput(target!).apply(event as never, {
        ruleName: rule.name,
        ruleArn: `arn:aws:events:us-east-1:123456789012:rule/fleetwire/${rule.name}`,
        ingestionTime: event.time,
      }).value as Record<string, unknown>;
      const published: Record<string, unknown>[] = [];
      const stop = engine.onPublish((_field, payload) => published.push(payload));
      // act
      const result = await engine.execute({
        document: parse(OPERATIONS[field]!),
        variables,
        identity: EVENTBRIDGE,
      });
      stop();
      // assess
      expect(result.errors).toBeUndefined();
      const tenantId = event.detail.tenantId;
      expect(published).toHaveLength(1);
      const subscription = SUBSCRIPTION_OF[field];
      const subscriber = (tenant: string) =>
        engine.subscribe({
          document: parse(`subscription { ${subscription} { tenantId } }`),
          identity: {
            kind: 'cognito',
            sub: 'u1',
            username: 'u1',
            claims: { 'custom:tenantId': tenant },
            groups: ['viewer'],
            issuer: 'local',
            sourceIp: [],
            defaultAuthStrategy: 'ALLOW',
          },
        });
      const own = (await subscriber(tenantId)) as SubscriptionRegistration;
      const other = (await subscriber(`${tenantId}-other`)) as SubscriptionRegistration;
      expect(engine.matches(own.filter, published[0]!)).toBe(true);
      expect(engine.matches(other.filter, published[0]!)).toBe(false);
    },
  );

  it('set the status the event type implies', async () => {
    const statusOf = (detailType: DetailType) => {
      const event = makeEvent(detailType);
      const rule = PUBLISH_RULES.find((candidate) => matchesEventPattern(candidate.pattern, event))!;
      const input = compileTargetInput(rule.targets[0]!).apply(event as never, {
        ruleName: rule.name,
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/x',
        ingestionTime: event.time,
      }).value as { input: { status?: string } };
      return input.input.status;
    };
    expect(DELIVERED.slice(1).map(statusOf)).toEqual([
      'raised',
      'cleared',
      'requested',
      'approval_requested',
      'authorized',
      'denied',
      'succeeded',
      'failed',
    ]);
  });
});
