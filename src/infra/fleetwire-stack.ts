/**
 * The Fleetwire stack: composes one construct per bounded context and holds no resources of its own.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TESLA_TOPICS, type TeslaTopic } from '../domain/tesla/index.ts';
import { FleetwireApi } from './api/api-construct.ts';
import { FleetwireEvents } from './events/events-construct.ts';
import { RuleTargetRegistry } from './events/rule-targets.ts';
import { FleetwireIngest } from './ingest/ingest-construct.ts';
import { FleetwireKeys } from './keys/keys-construct.ts';
import { FleetwireStateCache } from './state-cache/state-cache-construct.ts';
import { FleetwireStorage } from './storage/storage-construct.ts';

/** Properties of {@link FleetwireStack}. */
export interface FleetwireStackProps extends StackProps {
  /** The namespace Tesla's fleet-telemetry server is configured with. @default DEFAULT_TESLA_NAMESPACE */
  readonly teslaNamespace?: string;
  /** Whether the GraphQL API answers introspection queries. @default false */
  readonly graphqlIntrospection?: boolean;
}

/** The CfnOutput id of each topic's stream name. */
export const STREAM_OUTPUT_IDS: Readonly<Record<TeslaTopic, string>> = {
  V: 'TelemetryStreamName',
  alerts: 'AlertsStreamName',
  errors: 'ErrorsStreamName',
  connectivity: 'ConnectivityStreamName',
};

/** The CfnOutput ids of what a dashboard needs to connect. */
export const API_OUTPUT_IDS = {
  graphqlUrl: 'GraphqlUrl',
  realtimeUrl: 'GraphqlRealtimeUrl',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
} as const;

/**
 * Everything Fleetwire deploys to one account and region. Environment-agnostic (no `env`, no lookups), so
 * that `cdk synth` needs neither credentials nor network.
 */
export class FleetwireStack extends Stack {
  /** The events context: the `fleetwire` bus, its archive and rules, the dead-letter queue. */
  public readonly events: FleetwireEvents;
  /** The DynamoDB tables. */
  public readonly storage: FleetwireStorage;
  /** The pseudonym (HMAC) and VIN-vault keys. */
  public readonly keys: FleetwireKeys;
  /** The latest-state cache and the VPC the functions that use it run in. */
  public readonly stateCache: FleetwireStateCache;
  /** The Tesla streams, their consumers and the ingest function. */
  public readonly ingest: FleetwireIngest;
  /** The user pool and the GraphQL API, with its data sources, resolvers and EventBridge role. */
  public readonly api: FleetwireApi;

  public constructor(scope: Construct, id: string, props: FleetwireStackProps = {}) {
    super(scope, id, props);

    this.storage = new FleetwireStorage(this, 'Storage');
    this.keys = new FleetwireKeys(this, 'Keys');
    this.stateCache = new FleetwireStateCache(this, 'StateCache');

    // The contexts that own rule targets (api, later commands) are built before the events context and
    // register their functions, state machines and mutations here, since the events context builds every
    // rule's targets as it is constructed. Ingest only publishes, so it is built after the bus.
    this.api = new FleetwireApi(this, 'Api', {
      storage: this.storage,
      keys: this.keys,
      stateCache: this.stateCache,
      introspection: props.graphqlIntrospection,
    });
    const ruleTargets = new RuleTargetRegistry({ graphql: this.api.mutationTargets });

    this.events = new FleetwireEvents(this, 'Events', { targets: ruleTargets });

    this.ingest = new FleetwireIngest(this, 'Ingest', {
      namespace: props.teslaNamespace,
      bus: this.events.bus,
      storage: this.storage,
      keys: this.keys,
      stateCache: this.stateCache,
    });

    new CfnOutput(this, 'EventBusName', {
      description: 'Name of the bus integrators subscribe to and publishers put Fleetwire events on',
      value: this.events.bus.eventBusName,
    });
    new CfnOutput(this, 'EventBusArn', {
      description: 'ARN of the Fleetwire event bus',
      value: this.events.bus.eventBusArn,
    });
    for (const topic of TESLA_TOPICS) {
      new CfnOutput(this, STREAM_OUTPUT_IDS[topic], {
        description: `Kinesis stream Tesla's fleet-telemetry server writes the '${topic}' topic to`,
        value: this.ingest.streams[topic].streamName,
      });
    }
    new CfnOutput(this, 'PoisonQueueUrl', {
      description: 'Queue of Tesla records ingest could not decode (KMS-encrypted: raw bytes may hold a VIN)',
      value: this.ingest.poisonQueue.queueUrl,
    });
    new CfnOutput(this, 'OnFailureQueueUrl', {
      description: 'Queue describing stream batches ingest gave up on (shard and sequence range, to replay)',
      value: this.ingest.onFailureQueue.queueUrl,
    });
    new CfnOutput(this, API_OUTPUT_IDS.graphqlUrl, {
      description: 'GraphQL endpoint of the dashboard API (queries and mutations)',
      value: this.api.graphqlUrl,
    });
    new CfnOutput(this, API_OUTPUT_IDS.realtimeUrl, {
      description: 'Real-time endpoint of the dashboard API (subscriptions over WebSocket)',
      value: this.api.realtimeUrl,
    });
    new CfnOutput(this, API_OUTPUT_IDS.userPoolId, {
      description: 'Cognito user pool dashboard users sign in to',
      value: this.api.userPool.userPoolId,
    });
    new CfnOutput(this, API_OUTPUT_IDS.userPoolClientId, {
      description: 'Cognito app client id of the dashboard (the only client the API accepts tokens of)',
      value: this.api.dashboardClient.userPoolClientId,
    });
  }
}
