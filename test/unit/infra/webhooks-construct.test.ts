import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOKS_TABLE } from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { WEBHOOK_DELIVERER_TARGET, WEBHOOKS_RULE } from '../../../src/domain/events/rules.ts';
import { FleetwireEvents } from '../../../src/infra/events/events-construct.ts';
import { RuleTargetRegistry } from '../../../src/infra/events/rule-targets.ts';
import { FleetwireStorage } from '../../../src/infra/storage/storage-construct.ts';
import { FleetwireWebhooks, WEBHOOK_ENV } from '../../../src/infra/webhooks/webhooks-construct.ts';
import { constructTestApp } from './cdk-test-support.ts';

type Statement = { Action: string | string[]; Resource?: unknown; Effect: string };

/** Every action granted to a function's role, across the policies attached to it. */
function actionsOf(
  template: Template,
  stack: Stack,
  fn: { role?: { node: { defaultChild?: unknown } } },
): string[] {
  const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]))
    .sort();
}

describe('FleetwireWebhooks', () => {
  let stack: Stack;
  let template: Template;
  let webhooks: FleetwireWebhooks;

  beforeAll(() => {
    stack = new Stack(constructTestApp(), 'WebhooksTest');
    const storage = new FleetwireStorage(stack, 'Storage', { tables: [WEBHOOKS_TABLE] });
    webhooks = new FleetwireWebhooks(stack, 'Webhooks', { storage });
    new FleetwireEvents(stack, 'Events', {
      rules: [WEBHOOKS_RULE],
      targets: new RuleTargetRegistry({ functions: { [WEBHOOK_DELIVERER_TARGET]: webhooks.deliverer } }),
    });
    template = Template.fromStack(stack);
  });

  it('builds the webhooks table from its definition: pk tenantId, sk webhookId', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'tenantId', KeyType: 'HASH' },
        { AttributeName: 'webhookId', KeyType: 'RANGE' },
      ],
    });
  });

  it('encrypts secrets with a rotated key of its own, and keeps failures in an encrypted TLS-only queue', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/fleetwire-webhook-secrets' });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the API function manage the table and encrypt secrets, never decrypt them', () => {
    const actions = actionsOf(template, stack, webhooks.api);

    expect(actions).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Encrypt',
      ].sort(),
    );
  });

  it('lets the deliverer read the table, decrypt secrets and send to its dead-letter queue only', () => {
    const actions = actionsOf(template, stack, webhooks.deliverer);

    expect(actions).toEqual(
      [
        'dynamodb:Query',
        'kms:Decrypt',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('POSTs each tenant event'),
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          [WEBHOOK_ENV.deadLetterQueueUrl]: Match.anyValue(),
          [WEBHOOK_ENV.secretsKeyId]: Match.anyValue(),
          [WEBHOOKS_TABLE.envVar]: Match.anyValue(),
        }),
      },
    });
  });

  it('makes the deliverer the target of the one webhooks rule, for every tenant-scoped event', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'webhooks',
      EventPattern: { source: [{ prefix: 'fleetwire.' }], detail: { tenantId: [{ exists: true }] } },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(webhooks.deliverer.node.defaultChild as never), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });
});
