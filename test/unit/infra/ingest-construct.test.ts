import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_RULES_TABLE,
  GEOFENCES_TABLE,
  TENANT_SETTINGS_TABLE,
  TELEMETRY_HISTORY_TABLE,
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
} from '../../../src/adapters/aws/dynamodb/table-definitions.ts';
import { TESLA_TOPICS, teslaStreamNames } from '../../../src/domain/tesla/index.ts';
import { FleetwireIngest, type FleetwireIngestProps } from '../../../src/infra/ingest/ingest-construct.ts';
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

interface IngestStack {
  readonly stack: Stack;
  readonly bus: events.EventBus;
  readonly storage: FleetwireStorage;
  readonly keys: FleetwireKeys;
  readonly stateCache: FleetwireStateCache;
  readonly ingest: FleetwireIngest;
}

/**
 * The ingest construct with the contexts it depends on, built without bundling.
 */
function buildIngestStack(props: Partial<FleetwireIngestProps> = {}): IngestStack {
  const stack = new Stack(constructTestApp(), 'IngestTest');
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'fleetwire' });
  const storage = new FleetwireStorage(stack, 'Storage');
  const keys = new FleetwireKeys(stack, 'Keys');
  const stateCache = new FleetwireStateCache(stack, 'StateCache');
  const ingest = new FleetwireIngest(stack, 'Ingest', { bus, storage, keys, stateCache, ...props });
  return { stack, bus, storage, keys, stateCache, ingest };
}

describe('FleetwireIngest', () => {
  let built: IngestStack;
  let template: Template;
  let statements: Statement[];

  beforeAll(() => {
    built = buildIngestStack();
    template = Template.fromStack(built.stack);
    const roleRef = JSON.stringify(built.stack.resolve(built.ingest.function.role?.roleName));
    statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .map(
        (policy) =>
          (policy as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } })
            .Properties,
      )
      .filter((properties) => JSON.stringify(properties.Roles).includes(roleRef))
      .flatMap((properties) => properties.PolicyDocument.Statement);
  });

  const cfn = (value: string): unknown => built.stack.resolve(value);
  const actionsOf = (statement: Statement): string[] =>
    typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
  const statementsOn = (arn: string): Statement[] => {
    const resolved = JSON.stringify(cfn(arn));
    return statements.filter((statement) => JSON.stringify(statement.Resource).includes(resolved));
  };

  describe('streams and consumers', () => {
    it("creates the four streams Tesla's server writes to, named <namespace>_<topic>, KMS-encrypted", () => {
      const names = teslaStreamNames('fleetwire');
      template.resourceCountIs('AWS::Kinesis::Stream', TESLA_TOPICS.length);
      for (const topic of TESLA_TOPICS) {
        template.hasResourceProperties('AWS::Kinesis::Stream', {
          Name: names[topic],
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
          ShardCount: topic === 'V' ? 4 : 1,
          StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
          RetentionPeriodHours: 24,
        });
        const [logicalId] = Object.keys(
          template.findResources('AWS::Kinesis::Stream', { Properties: { Name: names[topic] } }),
        );
        expect(cfn(built.ingest.streams[topic].streamName)).toEqual({ Ref: logicalId });
      }
    });

    it('registers one enhanced fan-out consumer per stream', () => {
      template.resourceCountIs('AWS::Kinesis::StreamConsumer', TESLA_TOPICS.length);
      for (const topic of TESLA_TOPICS) {
        template.hasResourceProperties('AWS::Kinesis::StreamConsumer', {
          ConsumerName: 'fleetwire-ingest',
          StreamARN: cfn(built.ingest.streams[topic].streamArn),
        });
      }
    });

    it('maps each consumer (not the stream) to the function with partial batch responses and bisection', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', TESLA_TOPICS.length);
      for (const topic of TESLA_TOPICS) {
        const consumer = built.ingest.consumers[topic];
        expect(consumer, topic).toBeDefined();
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: cfn(consumer?.streamConsumerArn ?? ''),
          FunctionName: cfn(built.ingest.function.functionName),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          BatchSize: 1000,
          MaximumBatchingWindowInSeconds: 0,
          MaximumRecordAgeInSeconds: Duration.hours(1).toSeconds(),
          MaximumRetryAttempts: 10,
          ParallelizationFactor: 1,
          StartingPosition: 'TRIM_HORIZON',
          DestinationConfig: { OnFailure: { Destination: cfn(built.ingest.onFailureQueue.queueArn) } },
        });
      }
      // The consumer ARN is a GetAtt of the consumer resource, never the stream's ARN.
      expect(cfn(built.ingest.consumers.V?.streamConsumerArn ?? '')).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^IngestConsumerV/), 'ConsumerARN'],
      });
    });

    it('lets the function read the streams and subscribe to the consumers', () => {
      for (const topic of TESLA_TOPICS) {
        expect(statementsOn(built.ingest.streams[topic].streamArn).flatMap(actionsOf)).toContain(
          'kinesis:GetRecords',
        );
        expect(
          statementsOn(built.ingest.consumers[topic]?.streamConsumerArn ?? '').flatMap(actionsOf),
        ).toContain('kinesis:SubscribeToShard');
      }
    });

    it('alarms when the function falls more than 30 s behind', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Statistic: 'Maximum',
        Threshold: 30_000,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: cfn(built.ingest.function.functionName) }],
      });
    });
  });

  describe('function', () => {
    it('runs the bundled ESM handler on arm64 and a supported Node.js runtime, in the cache VPC', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 1769,
        Timeout: 60,
        VpcConfig: {
          SubnetIds: built.stateCache.vpc.isolatedSubnets.map((subnet) => cfn(subnet.subnetId)),
          SecurityGroupIds: built.ingest.function.connections.securityGroups.map((group) =>
            cfn(group.securityGroupId),
          ),
        },
      });
      expect(built.stateCache.vpc.isolatedSubnets).toHaveLength(2);
    });

    it('gets every environment variable the handler reads, and no VIN-vault table or key', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectEquals({
            REDIS_URL: cfn(built.stateCache.redisUrl),
            POISON_QUEUE_URL: cfn(built.ingest.poisonQueue.queueUrl),
            TESLA_NAMESPACE: 'fleetwire',
            EVENT_BUS_NAME: cfn(built.bus.eventBusName),
            [PSEUDONYM_KEY_ENV]: cfn(built.keys.pseudonymKey.keyArn),
            [VEHICLES_TABLE.envVar]: cfn(built.storage.table(VEHICLES_TABLE).tableName),
            [TELEMETRY_HISTORY_TABLE.envVar]: cfn(built.storage.table(TELEMETRY_HISTORY_TABLE).tableName),
            [GEOFENCES_TABLE.envVar]: cfn(built.storage.table(GEOFENCES_TABLE).tableName),
            [ALERT_RULES_TABLE.envVar]: cfn(built.storage.table(ALERT_RULES_TABLE).tableName),
            [TENANT_SETTINGS_TABLE.envVar]: cfn(built.storage.table(TENANT_SETTINGS_TABLE).tableName),
            POWERTOOLS_SERVICE_NAME: 'fleetwire-ingest',
            POWERTOOLS_METRICS_NAMESPACE: 'Fleetwire',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      const variables = JSON.stringify(template.findResources('AWS::Lambda::Function'));
      expect(variables).not.toContain(VIN_VAULT_TABLE.envVar);
      expect(variables).not.toContain(VIN_VAULT_KEY_ENV);
    });

    it('reaches Redis at rediss://<cache endpoint>:6379', () => {
      expect(cfn(built.stateCache.redisUrl)).toEqual({
        'Fn::Join': [
          '',
          [
            'rediss://',
            { 'Fn::GetAtt': [expect.stringMatching(/^StateCache/), 'Endpoint.Address'] },
            ':6379',
          ],
        ],
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: STATE_CACHE_PORT,
        ToPort: STATE_CACHE_PORT,
        GroupId: cfn(built.stateCache.securityGroup.securityGroupId),
        SourceSecurityGroupId: cfn(
          built.ingest.function.connections.securityGroups[0]?.securityGroupId ?? '',
        ),
      });
    });
  });

  describe('permissions', () => {
    it('grants exactly kms:GenerateMac on the pseudonym key', () => {
      expect(statementsOn(built.keys.pseudonymKey.keyArn)).toEqual([
        { Action: 'kms:GenerateMac', Effect: 'Allow', Resource: cfn(built.keys.pseudonymKey.keyArn) },
      ]);
    });

    it('grants nothing on the VIN vault: no key use (never kms:Decrypt), no table access', () => {
      expect(statementsOn(built.keys.vinVaultKey.keyArn)).toEqual([]);
      expect(statementsOn(built.storage.table(VIN_VAULT_TABLE).tableArn)).toEqual([]);
      // kms:Decrypt is granted on the poison queue's key only (SQS needs it to send to a KMS queue).
      const decryptable = statements.filter((statement) => actionsOf(statement).includes('kms:Decrypt'));
      expect(decryptable.map((statement) => statement.Resource)).toEqual([
        cfn(built.ingest.poisonQueueKey.keyArn),
      ]);
      expect(statements.some((statement) => actionsOf(statement).some((action) => action === 'kms:*'))).toBe(
        false,
      );
    });

    it('reads the vehicle directory without writing it', () => {
      const actions = statementsOn(built.storage.table(VEHICLES_TABLE).tableArn).flatMap(actionsOf);
      expect(actions).toContain('dynamodb:BatchGetItem');
      expect(actions.filter((action) => /Put|Update|Delete|Write/.test(action))).toEqual([]);
    });

    it('writes the telemetry history with BatchWriteItem only', () => {
      expect(statementsOn(built.storage.table(TELEMETRY_HISTORY_TABLE).tableArn).flatMap(actionsOf)).toEqual([
        'dynamodb:BatchWriteItem',
      ]);
    });

    it('runs the detector ticker every minute, allowed only the bus, the history and reading the configuration', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: Match.arrayWith([Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })]),
      });
      const tickerRole = JSON.stringify(built.stack.resolve(built.ingest.tickerFunction.role?.roleName));
      const tickerActions = Object.values(template.findResources('AWS::IAM::Policy'))
        .map(
          (policy) =>
            (policy as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } })
              .Properties,
        )
        .filter((properties) => JSON.stringify(properties.Roles).includes(tickerRole))
        .flatMap((properties) => properties.PolicyDocument.Statement)
        .flatMap(actionsOf);
      expect([...new Set(tickerActions)].sort()).toEqual([
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'events:PutEvents',
      ]);
    });

    it('reads the tenant configuration without writing it', () => {
      for (const table of [GEOFENCES_TABLE, ALERT_RULES_TABLE]) {
        expect(statementsOn(built.storage.table(table).tableArn).flatMap(actionsOf)).toEqual([
          'dynamodb:Query',
        ]);
      }
      expect(statementsOn(built.storage.table(TENANT_SETTINGS_TABLE).tableArn).flatMap(actionsOf)).toEqual([
        'dynamodb:GetItem',
      ]);
    });

    it('puts events on the bus and sends to the poison queue', () => {
      expect(statementsOn(built.bus.eventBusArn).flatMap(actionsOf)).toEqual(['events:PutEvents']);
      expect(statementsOn(built.ingest.poisonQueue.queueArn).flatMap(actionsOf)).toContain('sqs:SendMessage');
      expect(statementsOn(built.ingest.poisonQueue.queueArn).flatMap(actionsOf)).not.toContain(
        'sqs:ReceiveMessage',
      );
    });
  });

  describe('queues', () => {
    it('keeps poison records 14 days, encrypted with a rotated customer-managed key, TLS only', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: cfn(built.ingest.poisonQueueKey.keyArn),
        MessageRetentionPeriod: Duration.days(14).toSeconds(),
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        Description: Match.stringLikeRegexp('poison'),
        EnableKeyRotation: true,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [cfn(built.ingest.poisonQueue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('keeps the descriptions of abandoned batches 14 days, SQS-encrypted', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: Duration.days(14).toSeconds(),
      });
      template.resourceCountIs('AWS::SQS::Queue', 2);
    });
  });

  describe('state cache', () => {
    it('is a Valkey serverless cache in the isolated subnets, behind its own security group', () => {
      template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 1);
      template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
        Engine: 'valkey',
        MajorEngineVersion: '8',
        ServerlessCacheName: Match.stringLikeRegexp('^[a-z][a-z0-9-]{0,39}$'),
        SubnetIds: built.stateCache.vpc.isolatedSubnets.map((subnet) => cfn(subnet.subnetId)),
        SecurityGroupIds: [cfn(built.stateCache.securityGroup.securityGroupId)],
        CacheUsageLimits: { DataStorage: { Maximum: 5, Unit: 'GB' } },
      });
    });

    it('reaches AWS APIs through endpoints, with no NAT gateway or internet gateway', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::Subnet', 2);
      const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map(
        (endpoint) => (endpoint as { Properties: Record<string, unknown> }).Properties,
      );
      const byService = endpoints.map((endpoint) => [
        JSON.stringify(endpoint.ServiceName).match(/\.([a-z]+)"\]\]\}$/)?.[1],
        endpoint.VpcEndpointType,
        endpoint.PrivateDnsEnabled ?? null,
      ]);
      expect(byService).toEqual(
        expect.arrayContaining([
          ['dynamodb', 'Gateway', null],
          ['kms', 'Interface', true],
          ['events', 'Interface', true],
          ['sqs', 'Interface', true],
        ]),
      );
      expect(byService).toHaveLength(4);
    });
  });
});

describe('FleetwireIngest options', () => {
  it('builds on-demand streams and polls the topics left out of enhanced fan-out', () => {
    const built = buildIngestStack({
      namespace: 'acme',
      streamCapacity: { mode: 'on-demand' },
      enhancedFanOutTopics: ['V'],
      maxBatchingWindow: Duration.seconds(1),
    });
    const template = Template.fromStack(built.stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'acme_V',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: built.stack.resolve(built.ingest.streams.alerts.streamArn),
      MaximumBatchingWindowInSeconds: 1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TESLA_NAMESPACE: 'acme' }) },
    });
    expect(Object.keys(built.ingest.consumers)).toEqual(['V']);
  });

  it('takes a provisioned shard count per topic', () => {
    const built = buildIngestStack({ streamCapacity: { mode: 'provisioned', shards: { V: 12 } } });
    const template = Template.fromStack(built.stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'fleetwire_V', ShardCount: 12 });
    template.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'fleetwire_errors', ShardCount: 1 });
  });
});
