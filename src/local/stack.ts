import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { awsClientConfig } from '../adapters/aws/client-config.ts';
import { DynamoDbFleetRecords } from '../adapters/aws/dynamodb/fleet-records.ts';
import { createRecordsProjector } from '../functions/records-projector/records-projector.ts';
import {
  DynamoDbTenantConfigSource,
  DynamoDbTenantConfigStore,
  type TenantConfigTables,
} from '../adapters/aws/dynamodb/tenant-config.ts';
import { createFleetConfig } from '../functions/fleet-config/fleet-config.ts';
import type { TenantConfigSource } from '../ports/tenant-config.ts';
import { MemoryLatestStateStore } from '../adapters/memory/latest-state-store.ts';
import { RedisLatestStateStore } from '../adapters/redis/latest-state-store.ts';
import { MemoryDetectorStateStore } from '../adapters/memory/detector-state-store.ts';
import { FLEETWIRE_BUS_NAME, RECORDS_PROJECTOR_TARGET } from '../domain/events/rules.ts';
import { registerVehicle } from '../domain/vehicles/registration.ts';
import type { LatestStateStore } from '../ports/latest-state-store.ts';
import { Simulator } from '../simulator/simulator.ts';
import { startSimulatedFleetApi, type SimulatedFleetApi } from '../simulator/fleet-api.ts';
import { startLocalCommands } from './commands.ts';
import { randomBytes } from 'node:crypto';
import { startLocalEdge, type LocalEdge } from './edge/local-edge.ts';
import { readFileSync } from 'node:fs';
import { createStateReader } from '../functions/state-reader/state-reader.ts';
import { createVehicleRegistrar } from '../functions/vehicle-registrar/vehicle-registrar.ts';
import { publishMutationOperations } from '../graphql/publish-operations.ts';
import { SCHEMA_PATH } from '../graphql/resolvers/manifest.ts';
import { createAppSyncEngine } from './appsync/engine.ts';
import { LocalAppSyncServer } from './appsync/server/server.ts';
import { LocalIngestRuntime } from './ingest-runtime.ts';
import { IngestThread, type IngestRuntimeHandle } from './ingest-thread.ts';
import { startLocalWebhooks } from './webhooks.ts';
import { provisionLocalResources } from './provision.ts';
import { resolveRedis, type ResolvedRedis } from './redis-server.ts';
import {
  DEFAULT_TESLA_NAMESPACE,
  localResources,
  ON_FAILURE_QUEUE_NAME,
  POISON_QUEUE_NAME,
  WEBHOOK_DLQ_NAME,
} from './resources.ts';
import { awsRegistrationDependencies } from '../adapters/aws/vehicle-registration.ts';

/** The tenant the local stack seeds and auto-registers unknown vehicles to. */
export const DEMO_TENANT = 'demo';

/** How to start the offline stack. */
export interface LocalStackOptions {
  /** Port of the AWS edge; 0 picks a free one. */
  readonly edgePort: number;
  /** Where data is kept between runs; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Simulated vehicles in the demo tenant; 0 runs no simulator (a real fleet-telemetry server feeds the streams). */
  readonly simulatedVehicles?: number;
  /** `V` records per second per driving simulated vehicle. */
  readonly simulatorRate?: number;
  /** Register unknown VINs to the demo tenant instead of dropping them. */
  readonly autoRegister?: boolean;
  /** The Tesla server's stream namespace. */
  readonly namespace?: string;
  /** Port of the GraphQL API (HTTP and ws://); 0 picks a free one. Default 4000. */
  readonly apiPort?: number;
  /** Port of the GraphQL API over TLS (https:// and wss://); 0 picks a free one; false for none. Default 4001. */
  readonly apiTlsPort?: number | false;
  /** Where warnings go; defaults to stderr. */
  readonly warn?: (message: string) => void;
  /** The command workflow's local settings (tests shorten the waits). */
  readonly commands?: {
    /** How long a sensitive command waits for an approval. Default 900 s, as in AWS. */
    readonly approvalTimeoutSeconds?: number;
    /** How long a simulated vehicle takes to wake up after `wake_up`, ms. Default 5 s, as a real car. */
    readonly wakeDelayMs?: number;
    /** Between two looks at a waking vehicle in dispatch, ms. Default 1 s. */
    readonly wakePollMs?: number;
  };
}

/** The running offline stack. */
export interface LocalStack {
  readonly edge: LocalEdge;
  readonly redis: ResolvedRedis;
  readonly ingest: IngestRuntimeHandle;
  readonly simulator: Simulator | undefined;
  /** The simulated Fleet API the command workflow dispatches to; absent without the simulator. */
  readonly fleetApi: SimulatedFleetApi | undefined;
  /** The `vehicle-command` state machine on the edge. */
  readonly commandStateMachineArn: string;
  readonly state: LatestStateStore;
  /** Tenants' geofences, alert rules and settings as ingest reads them (validated, cached 60 s). */
  readonly tenantConfig: TenantConfigSource;
  readonly api: LocalAppSyncServer;
  /** A token of an admin of the demo tenant, valid for a day, printed at start. */
  readonly demoToken: string;
  /** A few lines telling a developer what runs where. */
  describe(): string;
  stop(): Promise<void>;
}

/**
 * Starts everything Fleetwire runs offline (DESIGN.md §7): Redis, the AWS edge with the resources CDK
 * would create, the ingest function behind its Kinesis pollers, and a simulated demo fleet. Each later
 * part (GraphQL server, commands, dashboard) joins here, so `npm start` always runs the whole system.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const namespace = options.namespace ?? DEFAULT_TESLA_NAMESPACE;
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => warn(`while stopping: ${String(error)}`));
  };
  try {
    const redis = await resolveRedis({ allowMemory: true, warn });
    stoppers.push(() => redis.stop());
    // The state the API reads; with Redis the ingest thread writes it through a connection of its own.
    let state: LatestStateStore;
    if (redis.source.kind === 'memory') state = new MemoryLatestStateStore();
    else {
      const client = new Redis(redis.source.url);
      stoppers.push(async () => client.disconnect());
      state = new RedisLatestStateStore(client);
    }

    const edge = await startLocalEdge({ port: options.edgePort, dataDir: options.dataDir });
    stoppers.push(() => edge.stop());
    const clientConfig = awsClientConfig({ endpoint: edge.url });
    const clients = {
      dynamodb: new DynamoDBClient(clientConfig),
      kinesis: new KinesisClient(clientConfig),
      kms: new KMSClient(clientConfig),
      sqs: new SQSClient(clientConfig),
    };
    stoppers.push(async () => Object.values(clients).forEach((client) => client.destroy()));
    const provisioned = await provisionLocalResources(clients, localResources(namespace));
    const tenantConfigTables: TenantConfigTables = {
      geofences: provisioned.tables.geofences!,
      alertRules: provisioned.tables['alert-rules']!,
      settings: provisioned.tables['tenant-settings']!,
    };
    const tenantConfig = new DynamoDbTenantConfigSource(clients.dynamodb, tenantConfigTables, {
      onProblem: (problem) => warn(`tenant ${problem.tenantId} ${problem.part}: ${problem.message}`),
    });

    const registration = awsRegistrationDependencies(clients.kms, clients.dynamodb);
    const vehicles = options.simulatedVehicles ?? 50;
    const simulator =
      vehicles > 0
        ? new Simulator({
            kinesis: clients.kinesis,
            namespace,
            vehicles,
            ...(options.simulatorRate ? { rate: options.simulatorRate } : {}),
            onError: (error) => warn(`simulator: ${error.message}`),
          })
        : undefined;
    for (const vin of simulator?.vins() ?? []) {
      await registerVehicle({ tenantId: DEMO_TENANT, vin }, registration);
    }

    // Commands: the simulated vehicles' Fleet API (a fresh token per run), the workflow on the edge.
    let fleetApi: SimulatedFleetApi | undefined;
    const fleetApiToken = randomBytes(18).toString('base64url');
    if (simulator) {
      const started = await startSimulatedFleetApi({
        simulator,
        token: fleetApiToken,
        port: 0,
        ...(options.commands?.wakeDelayMs === undefined ? {} : { wakeDelayMs: options.commands.wakeDelayMs }),
        onError: (error) => warn(`simulated Fleet API: ${error.message}`),
      });
      fleetApi = started;
      stoppers.push(() => started.stop());
    }
    const commands = await startLocalCommands({
      edge,
      dynamodb: clients.dynamodb,
      kms: clients.kms,
      tables: {
        commands: provisioned.tables.commands!,
        audit: provisioned.tables['command-audit']!,
        vehicles: provisioned.tables.vehicles!,
        vinVault: provisioned.tables['vin-vault']!,
      },
      vinVaultKeyId: provisioned.keys.vinVaultKeyId,
      eventBusName: FLEETWIRE_BUS_NAME,
      fleetApi: fleetApi ? { baseUrl: fleetApi.url, token: fleetApiToken } : undefined,
      ...(options.commands?.approvalTimeoutSeconds === undefined
        ? {}
        : { approvalTimeoutSeconds: options.commands.approvalTimeoutSeconds }),
      ...(options.commands?.wakePollMs === undefined ? {} : { wakePollMs: options.commands.wakePollMs }),
    });
    stoppers.push(() => commands.stop());

    // Webhooks: the Webhooks data source and the webhook-deliverer target of the `webhooks` rule.
    const webhooks = startLocalWebhooks({
      eventBridge: edge.eventBridge,
      dynamodb: clients.dynamodb,
      kms: clients.kms,
      sqs: clients.sqs,
      table: provisioned.tables.webhooks!,
      secretsKeyId: provisioned.keys.webhookSecretsKeyId,
      deadLetterQueueUrl: provisioned.queueUrls[WEBHOOK_DLQ_NAME]!,
    });
    stoppers.push(() => webhooks.stop());

    // The API, and the local EventBridge's AppSync targets: the same publish* operations CDK deploys.
    const engine = await createAppSyncEngine({
      dataSources: {
        dynamodb: clients.dynamodb,
        tables: {
          vehicles: provisioned.tables.vehicles!,
          // The geofences and alertRules queries read these tables directly, as AppSync does in AWS.
          ...{ geofences: tenantConfigTables.geofences!, 'alert-rules': tenantConfigTables.alertRules! },
          ...{ 'telemetry-history': provisioned.tables['telemetry-history']! },
          // The trips, chargingSessions and alerts queries (and acknowledgeAlert) use these directly.
          ...{
            trips: provisioned.tables.trips!,
            'charging-sessions': provisioned.tables['charging-sessions']!,
            alerts: provisioned.tables.alerts!,
          },
        },
        lambdas: {
          StateReader: createStateReader(state),
          VehicleRegistrar: createVehicleRegistrar(registration),
          CommandApi: commands.commandApi,
          FleetConfig: createFleetConfig({
            store: new DynamoDbTenantConfigStore(clients.dynamodb, tenantConfigTables),
          }),
          Webhooks: webhooks.api,
        },
      },
    });
    const api = new LocalAppSyncServer({ engine });
    await api.start({
      port: options.apiPort ?? 4000,
      tlsPort: options.apiTlsPort ?? 4001,
      dataDir: options.dataDir,
    });
    stoppers.push(() => api.stop());
    const operations = publishMutationOperations(readFileSync(SCHEMA_PATH, 'utf8'));
    for (const [field, document] of Object.entries(operations)) {
      edge.eventBridge.registerTarget({ kind: 'graphqlMutation', field }, async (input) => {
        const response = await api.publishAsIam(document, input as Record<string, unknown>);
        if (response.errors?.length) {
          throw new Error(`${field} failed: ${response.errors.map((e) => e.message).join('; ')}`);
        }
      });
    }
    // The records rule's target: the same projector the Lambda function wraps, on the edge's tables.
    const projectRecord = createRecordsProjector({
      records: new DynamoDbFleetRecords(clients.dynamodb, {
        trip: provisioned.tables.trips!,
        chargingSession: provisioned.tables['charging-sessions']!,
        alert: provisioned.tables.alerts!,
      }),
      tenantConfig,
      logger: {
        error: (message, ...extra) => warn(`records projector: ${message} ${JSON.stringify(extra)}`),
      },
    });
    edge.eventBridge.registerTarget({ kind: 'function', name: RECORDS_PROJECTOR_TARGET }, async (input) => {
      await projectRecord(input);
    });
    const { token: demoToken } = await api.issuer.issueToken({
      tenantId: DEMO_TENANT,
      roles: ['admin'],
      expiresInSeconds: 86_400,
    });

    // With Redis, ingest runs in a thread of its own (see IngestThread); a memory store cannot be shared
    // across threads, so without Redis it runs here.
    const ingest: IngestRuntimeHandle =
      redis.source.kind === 'memory'
        ? new LocalIngestRuntime({
            endpoint: edge.url,
            state,
            poisonQueueUrl: provisioned.queueUrls[POISON_QUEUE_NAME]!,
            onFailureQueueUrl: provisioned.queueUrls[ON_FAILURE_QUEUE_NAME]!,
            namespace,
            eventBusName: FLEETWIRE_BUS_NAME,
            startingPosition: 'LATEST',
            // The detectors and the telemetry history, with the tenants' geofences, rules and retention.
            detectorStates: new MemoryDetectorStateStore(),
            tenantConfig,
            telemetryHistoryTable: provisioned.tables['telemetry-history']!,
            ...(options.autoRegister
              ? {
                  autoRegister: (vin: string) =>
                    registerVehicle({ tenantId: DEMO_TENANT, vin }, registration),
                }
              : {}),
          })
        : new IngestThread(
            {
              endpoint: edge.url,
              redisUrl: redis.source.url,
              poisonQueueUrl: provisioned.queueUrls[POISON_QUEUE_NAME]!,
              onFailureQueueUrl: provisioned.queueUrls[ON_FAILURE_QUEUE_NAME]!,
              namespace,
              eventBusName: FLEETWIRE_BUS_NAME,
              startingPosition: 'LATEST',
              telemetryHistoryTable: provisioned.tables['telemetry-history']!,
              tenantConfigTables,
              ...(options.autoRegister ? { autoRegisterTenant: DEMO_TENANT } : {}),
            },
            warn,
          );
    await ingest.start();
    stoppers.push(() => ingest.stop());
    if (simulator) {
      await simulator.start();
      stoppers.push(() => simulator.stop());
    }

    return {
      edge,
      redis,
      ingest,
      simulator,
      fleetApi,
      commandStateMachineArn: commands.stateMachineArn,
      state,
      tenantConfig,
      api,
      demoToken,
      describe() {
        const redisLine =
          redis.source.kind === 'memory'
            ? `in memory (${redis.source.reason})`
            : `${redis.source.url} (${redis.source.kind})`;
        return [
          'Fleetwire is running offline.',
          `  AWS edge     ${edge.url}  (${edge.serviceNames().join(', ')})`,
          api.describe().trimEnd(),
          `  Redis        ${redisLine}`,
          `  data         ${options.dataDir ?? 'in memory'}`,
          `  streams      ${provisioned.streams.join(', ')}`,
          `  simulator    ${simulator ? `${vehicles} vehicles in tenant "${DEMO_TENANT}"` : 'off (feed the streams yourself)'}`,
          `  Fleet API    ${fleetApi ? `${fleetApi.url}  (simulated; commands: state machine ${commands.stateMachineArn})` : 'none (commands fail without the simulator)'}`,
          '',
          `  AWS CLI/SDK: export AWS_ENDPOINT_URL=${edge.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
          '  Events:      npx fleetwire events tail',
          `  Token:       an admin of tenant "${DEMO_TENANT}" for 24 h (more: npx fleetwire token --tenant ${DEMO_TENANT} --role viewer)`,
          `               ${demoToken}`,
          '  Stop:        Ctrl-C',
          '',
        ].join('\n');
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
