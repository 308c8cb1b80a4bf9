import { readFileSync } from 'node:fs';
import { publishMutationOperations } from '../../../src/graphql/publish-operations.ts';
import { SCHEMA_PATH } from '../../../src/graphql/resolvers/manifest.ts';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FLEETWIRE_ARCHIVES,
  FLEETWIRE_BUS_NAME,
  FLEETWIRE_RULES,
  RECORDS_PROJECTOR_TARGET,
  WEBHOOK_DELIVERER_TARGET,
  type RuleDefinition,
} from '../../../src/domain/events/rules.ts';
import { FleetwireEvents } from '../../../src/infra/events/events-construct.ts';
import { RuleTargetRegistry } from '../../../src/infra/events/rule-targets.ts';
import { cdkJsonContext } from './cdk-test-support.ts';

const NOTIFIER_TRANSFORMER = {
  inputPathsMap: { tenant: '$.detail.tenantId', vehicle: '$.detail.vehicleId', km: '$.detail.distanceKm' },
  inputTemplate:
    '{"tenantId": <tenant>, "vehicleId": <vehicle>, "distanceKm": <km>, "rule": "<aws.events.rule-name>"}',
} as const;

const ALERT_VARIABLES = {
  inputPathsMap: { detail: '$.detail' },
  inputTemplate: '{"input": <detail>}',
} as const;

const PUBLISH_ALERT_OPERATION =
  'mutation PublishAlert($input: AlertInput!) { publishAlert(input: $input) { tenantId vehicleId } }';

/** One rule per target kind and input shape, plus one on AWS's default bus. */
const SAMPLE_RULES: readonly RuleDefinition[] = [
  {
    name: 'trip-ended-to-notifier',
    description: 'Trip summaries to the notifier',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: {
      source: ['fleetwire.ingest'],
      'detail-type': ['Trip.Ended'],
      detail: { distanceKm: [{ numeric: ['>', 0] }], tenantId: [{ 'anything-but': ['demo'] }] },
    },
    targets: [
      {
        id: 'notifier',
        target: { kind: 'function', name: 'notifier' },
        inputTransformer: NOTIFIER_TRANSFORMER,
      },
    ],
  },
  {
    name: 'command-requested-to-workflow',
    description: 'Command requests start the command workflow',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: { source: ['fleetwire.commands'], 'detail-type': ['Command.Requested'] },
    targets: [
      {
        id: 'vehicle-command',
        target: { kind: 'stateMachine', name: 'vehicle-command' },
        inputPath: '$.detail',
      },
      { id: 'command-notifier', target: { kind: 'function', name: 'notifier' } },
    ],
  },
  {
    name: 'alert-raised-to-api',
    description: 'Alerts to dashboard subscribers',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: { source: ['fleetwire.ingest'], 'detail-type': ['Vehicle.Alert.Raised'] },
    targets: [
      {
        id: 'publish-alert',
        target: { kind: 'graphqlMutation', field: 'publishAlert' },
        inputTransformer: ALERT_VARIABLES,
      },
    ],
  },
  {
    name: 'aws-health-to-notifier',
    description: 'Whole AWS Health events from the default bus',
    eventBus: 'default',
    pattern: { source: ['aws.health'] },
    targets: [{ id: 'notifier', target: { kind: 'function', name: 'notifier' } }],
  },
];

interface SampleStack {
  readonly stack: Stack;
  readonly notifier: lambda.Function;
  readonly workflow: sfn.StateMachine;
  readonly events: FleetwireEvents;
}

/** A stack with throwaway targets for the sample rules, and the events construct under test. */
function buildSampleStack(app: App, rules: readonly RuleDefinition[] = SAMPLE_RULES): SampleStack {
  const stack = new Stack(app, 'EventsTest');
  const notifier = new lambda.Function(stack, 'Notifier', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
  const workflow = new sfn.StateMachine(stack, 'VehicleCommand', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
  });
  // Imported rather than built: a schema is irrelevant to the target, and an import synthesizes nothing.
  const api = appsync.GraphqlApi.fromGraphqlApiAttributes(stack, 'Api', {
    graphqlApiId: 'sampleapiid',
    graphQLEndpointArn: 'arn:aws:appsync:us-east-1:111111111111:endpoints/graphql-api/sampleapiid',
    visibility: appsync.Visibility.GLOBAL,
    modes: [appsync.AuthorizationType.IAM],
  });
  const targets = new RuleTargetRegistry({
    functions: { notifier },
    stateMachines: { 'vehicle-command': workflow },
    graphql: { api, operations: { publishAlert: PUBLISH_ALERT_OPERATION } },
  });
  const events = new FleetwireEvents(stack, 'Events', { rules, targets });
  return { stack, notifier, workflow, events };
}

describe('FleetwireEvents', () => {
  let sample: SampleStack;
  let template: Template;

  beforeAll(() => {
    // CloudFormation validation would add seconds to this file; fleetwire-stack.test.ts runs it on the real
    // stack, whose rules come from these same code paths.
    const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
    sample = buildSampleStack(app);
    template = Template.fromStack(sample.stack);
  });

  // The CloudFormation expressions the template must contain for the constructs' attributes.
  const cfn = (value: string): unknown => sample.stack.resolve(value);
  const busName = (): unknown => cfn(sample.events.bus.eventBusName);
  const dlqArn = (): unknown => cfn(sample.events.deadLetterQueue.queueArn);

  it('creates the fleetwire bus', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: FLEETWIRE_BUS_NAME,
      Description: Match.stringLikeRegexp('.+'),
    });
    expect([...sample.events.buses.keys()]).toEqual([FLEETWIRE_BUS_NAME]);
  });

  it('archives every event on the bus for the defined retention', () => {
    const [definition] = FLEETWIRE_ARCHIVES;
    template.resourceCountIs('AWS::Events::Archive', FLEETWIRE_ARCHIVES.length);
    template.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: definition?.name,
      RetentionDays: definition?.retentionDays,
      SourceArn: cfn(sample.events.bus.eventBusArn),
      // No pattern at all is EventBridge's "archive everything", whoever put the event.
      EventPattern: Match.absent(),
    });
    expect(sample.events.archives.get(definition?.name ?? '')).toBeDefined();
  });

  it('builds each rule on its bus with exactly the defined pattern', () => {
    template.resourceCountIs('AWS::Events::Rule', SAMPLE_RULES.length);
    for (const definition of SAMPLE_RULES) {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: definition.name,
        Description: definition.description,
        EventBusName: definition.eventBus === 'default' ? 'default' : busName(),
        EventPattern: Match.exact(definition.pattern),
        State: 'ENABLED',
      });
      expect(sample.events.rules.get(definition.name)).toBeDefined();
    }
  });

  it('gives a function target the input transformer exactly as defined', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'trip-ended-to-notifier',
      Targets: [
        Match.objectEquals({
          Id: 'notifier',
          Arn: cfn(sample.notifier.functionArn),
          InputTransformer: {
            InputPathsMap: Match.exact(NOTIFIER_TRANSFORMER.inputPathsMap),
            InputTemplate: NOTIFIER_TRANSFORMER.inputTemplate,
          },
          DeadLetterConfig: { Arn: dlqArn() },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 900 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Arn']) }),
    });
  });

  it('gives a state machine target its inputPath and a role allowed to start executions', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'command-requested-to-workflow',
      Targets: [
        Match.objectEquals({
          Id: 'vehicle-command',
          Arn: cfn(sample.workflow.stateMachineArn),
          RoleArn: Match.anyValue(),
          InputPath: '$.detail',
          DeadLetterConfig: { Arn: dlqArn() },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 900 },
        }),
        // A second target keeps its own id, not CDK's `Target1`.
        Match.objectLike({ Id: 'command-notifier', Arn: cfn(sample.notifier.functionArn) }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:StartExecution',
            Resource: cfn(sample.workflow.stateMachineArn),
          }),
        ]),
      },
    });
  });

  it('sends a GraphQL mutation target its operation, with the transformed event as variables', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'alert-raised-to-api',
      Targets: [
        Match.objectLike({
          Id: 'publish-alert',
          AppSyncParameters: { GraphQLOperation: PUBLISH_ALERT_OPERATION },
          InputTransformer: {
            InputPathsMap: Match.exact(ALERT_VARIABLES.inputPathsMap),
            InputTemplate: ALERT_VARIABLES.inputTemplate,
          },
          DeadLetterConfig: { Arn: dlqArn() },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 900 },
        }),
      ],
    });
  });

  it('sends the whole event to a target with neither inputPath nor input transformer', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'aws-health-to-notifier',
      Targets: [
        Match.objectLike({
          Id: 'notifier',
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
        }),
      ],
    });
  });

  it('keeps undeliverable events in an encrypted, TLS-only dead-letter queue only EventBridge may write to', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
    });
    const statements = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const eventBridgeSends = statements.filter(
      (statement) =>
        JSON.stringify(statement).includes('events.amazonaws.com') &&
        JSON.stringify(statement).includes('aws:SourceArn'),
    );
    expect(eventBridgeSends).toHaveLength(SAMPLE_RULES.length);
  });

  it('builds the rules of FLEETWIRE_RULES when given none', () => {
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'DefaultRules');
    // The project's rules publish to the API's mutations: give the registry an API with those operations.
    const schema = readFileSync(SCHEMA_PATH, 'utf8');
    const api = new appsync.GraphqlApi(stack, 'Api', {
      name: 'api',
      definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(SCHEMA_PATH)),
      authorizationConfig: {
        additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.IAM }],
      },
    });
    // And the webhook deliverer, the target of the webhooks rule.
    const deliverer = new lambda.Function(stack, 'WebhookDeliverer', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    });
    const targets = new RuleTargetRegistry({
      graphql: { api, operations: publishMutationOperations(schema) },
      functions: { [WEBHOOK_DELIVERER_TARGET]: deliverer, [RECORDS_PROJECTOR_TARGET]: deliverer },
    });
    const events = new FleetwireEvents(stack, 'Events', { targets });
    expect([...events.rules.keys()]).toEqual(FLEETWIRE_RULES.map((rule) => rule.name));
  });
});

describe('FleetwireEvents refuses definitions AWS would not deploy', () => {
  const ruleWith = (overrides: Partial<RuleDefinition>): RuleDefinition => ({
    name: 'broken',
    description: 'A rule that cannot be built',
    eventBus: FLEETWIRE_BUS_NAME,
    pattern: { source: ['fleetwire.ingest'] },
    targets: [{ id: 'notifier', target: { kind: 'function', name: 'notifier' } }],
    ...overrides,
  });
  const build = (rule: RuleDefinition): SampleStack => buildSampleStack(new App(), [rule]);

  it('names the rule, the target id and the missing target when the resolver cannot build it', () => {
    const rule = ruleWith({ targets: [{ id: 'audit', target: { kind: 'function', name: 'audit-writer' } }] });
    expect(() => build(rule)).toThrow(
      "Rule 'broken', target 'audit': function 'audit-writer' is not deployed by this app.",
    );
  });

  it.each([
    [{ kind: 'stateMachine', name: 'approval' } as const, "state machine 'approval'"],
    [{ kind: 'graphqlMutation', field: 'publishTrip' } as const, "GraphQL mutation 'publishTrip'"],
  ])('fails for an unknown %o', (target, described) => {
    expect(() => build(ruleWith({ targets: [{ id: 'x', target }] }))).toThrow(described);
  });

  it('fails for a target with both inputPath and inputTransformer', () => {
    const rule = ruleWith({
      targets: [
        {
          id: 'notifier',
          target: { kind: 'function', name: 'notifier' },
          inputPath: '$.detail',
          inputTransformer: { inputTemplate: '"x"' },
        },
      ],
    });
    expect(() => build(rule)).toThrow('set at most one of inputPath and inputTransformer');
  });

  it('fails for two targets with the same id', () => {
    const target = { id: 'notifier', target: { kind: 'function', name: 'notifier' } } as const;
    expect(() => build(ruleWith({ targets: [target, target] }))).toThrow("two targets with id 'notifier'");
  });

  it('fails for a rule on a bus Fleetwire does not define', () => {
    expect(() => build(ruleWith({ eventBus: 'partner-bus' }))).toThrow(
      "Rule 'broken' is on bus 'partner-bus'",
    );
  });

  it('does not look targets up on the prototype', () => {
    const rule = ruleWith({ targets: [{ id: 'x', target: { kind: 'function', name: 'constructor' } }] });
    expect(() => build(rule)).toThrow("function 'constructor' is not deployed");
  });
});
