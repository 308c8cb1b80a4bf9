/**
 * The Fleetwire stack: composes one construct per bounded context and holds no resources of its own.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as eventbridge from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { COMMAND_AUDIT_TABLE, COMMANDS_TABLE, TABLES } from '../adapters/aws/dynamodb/table-definitions.ts';
import {
  FLEETWIRE_BUS_NAME,
  RECORDS_PROJECTOR_TARGET,
  WEBHOOK_DELIVERER_TARGET,
} from '../domain/events/rules.ts';
import { TESLA_TOPICS, type TeslaTopic } from '../domain/tesla/index.ts';
import { FleetwireApi } from './api/api-construct.ts';
import { FleetwireCommands } from './commands/commands-construct.ts';
import { FleetwireEvents } from './events/events-construct.ts';
import { RuleTargetRegistry } from './events/rule-targets.ts';
import { FleetwireIngest } from './ingest/ingest-construct.ts';
import { FleetwireKeys } from './keys/keys-construct.ts';
import { FleetwireRecords } from './records/records-construct.ts';
import { FleetwireStateCache } from './state-cache/state-cache-construct.ts';
import { FleetwireStorage } from './storage/storage-construct.ts';
import { FleetwireWebhooks } from './webhooks/webhooks-construct.ts';

/** Properties of {@link FleetwireStack}. */
export interface FleetwireStackProps extends StackProps {
  /** The namespace Tesla's fleet-telemetry server is configured with. @default DEFAULT_TESLA_NAMESPACE */
  readonly teslaNamespace?: string;
  /** Whether the GraphQL API answers introspection queries. @default false */
  readonly graphqlIntrospection?: boolean;
  /**
   * Where command dispatch sends commands: Tesla's vehicle-command proxy for signed commands (see
   * `FleetwireCommandsProps.fleetApiBaseUrl`). @default TESLA_FLEET_API_NA_URL
   */
  readonly fleetApiBaseUrl?: string;
  /** An existing secret with the Fleet API token. @default - a new secret with a placeholder to set */
  readonly fleetApiTokenSecret?: secretsmanager.ISecret;
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

/** The CfnOutput ids of the commands context. */
export const COMMAND_OUTPUT_IDS = {
  stateMachineArn: 'CommandStateMachineArn',
  commandsTableName: 'CommandsTableName',
  auditTableName: 'CommandAuditTableName',
  fleetApiTokenSecretArn: 'FleetApiTokenSecretArn',
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
  /** The vehicle command workflow, its tables and functions, and the Fleet API token. */
  public readonly commands: FleetwireCommands;
  /** The webhooks: their secrets key, API function, deliverer and dead-letter queue. */
  public readonly webhooks: FleetwireWebhooks;
  /** The records projector behind the trips, charging sessions and alerts tables. */
  public readonly records: FleetwireRecords;

  public constructor(scope: Construct, id: string, props: FleetwireStackProps = {}) {
    super(scope, id, props);

    // The commands context builds (and retains) its own two tables.
    this.storage = new FleetwireStorage(this, 'Storage', {
      tables: TABLES.filter((table) => table !== COMMANDS_TABLE && table !== COMMAND_AUDIT_TABLE),
    });
    this.keys = new FleetwireKeys(this, 'Keys');
    this.stateCache = new FleetwireStateCache(this, 'StateCache');

    // The contexts that own rule targets (api, later commands) are built before the events context and
    // register their functions, state machines and mutations here, since the events context builds every
    // rule's targets as it is constructed. Ingest only publishes, so it is built after the bus.
    // Commands publish on the bus, but the API (which the events context needs first) puts the CommandApi
    // function behind its fields; so the bus is referenced by its fixed name here, and the machine made to
    // depend on the bus below, so that it is never deployed before the bus exists.
    this.commands = new FleetwireCommands(this, 'Commands', {
      storage: this.storage,
      keys: this.keys,
      bus: eventbridge.EventBus.fromEventBusName(this, 'CommandsBus', FLEETWIRE_BUS_NAME),
      fleetApiBaseUrl: props.fleetApiBaseUrl,
      fleetApiTokenSecret: props.fleetApiTokenSecret,
    });
    this.webhooks = new FleetwireWebhooks(this, 'Webhooks', { storage: this.storage });
    this.api = new FleetwireApi(this, 'Api', {
      storage: this.storage,
      keys: this.keys,
      stateCache: this.stateCache,
      commandApi: this.commands.commandApi,
      webhooksApi: this.webhooks.api,
      introspection: props.graphqlIntrospection,
    });
    this.records = new FleetwireRecords(this, 'Records', { storage: this.storage });
    const ruleTargets = new RuleTargetRegistry({
      graphql: this.api.mutationTargets,
      functions: {
        [WEBHOOK_DELIVERER_TARGET]: this.webhooks.deliverer,
        [RECORDS_PROJECTOR_TARGET]: this.records.projector,
      },
    });

    this.events = new FleetwireEvents(this, 'Events', { targets: ruleTargets });
    this.commands.stateMachine.node.addDependency(this.events.bus);

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
    new CfnOutput(this, COMMAND_OUTPUT_IDS.stateMachineArn, {
      description: 'ARN of the vehicle-command state machine (its executions are named by command id)',
      value: this.commands.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, COMMAND_OUTPUT_IDS.commandsTableName, {
      description: 'DynamoDB table of vehicle commands (COMMANDS_TABLE; what `fleetwire audit` reads)',
      value: this.commands.commandsTable.tableName,
    });
    new CfnOutput(this, COMMAND_OUTPUT_IDS.auditTableName, {
      description: 'Append-only DynamoDB audit log of vehicle commands (COMMAND_AUDIT_TABLE; retained)',
      value: this.commands.auditTable.tableName,
    });
    new CfnOutput(this, COMMAND_OUTPUT_IDS.fleetApiTokenSecretArn, {
      description: 'Secret holding the Fleet API token dispatch uses; set its value before sending commands',
      value: this.commands.fleetApiTokenSecret.secretArn,
    });
    new CfnOutput(this, API_OUTPUT_IDS.userPoolClientId, {
      description: 'Cognito app client id of the dashboard (the only client the API accepts tokens of)',
      value: this.api.dashboardClient.userPoolClientId,
    });
  }
}
