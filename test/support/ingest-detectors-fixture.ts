/**
 * The ingest path with its detectors against the local edge and a real Redis: the Lambda handler built
 * by `ingestDependencies` (real SDK clients), scripted Kinesis batches per topic, and the bus's events.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';
import { KmsMacProvider, KmsVinVault } from '../../src/adapters/aws/kms.ts';
import { DynamoDbVehicleDirectory } from '../../src/adapters/aws/dynamodb/vehicle-directory.ts';
import { RedisLatestStateStore } from '../../src/adapters/redis/latest-state-store.ts';
import { RedisDetectorStateStore } from '../../src/adapters/redis/detector-state-store.ts';
import { StaticTenantConfigSource } from '../../src/adapters/memory/tenant-config.ts';
import { Pseudonymizer } from '../../src/domain/pseudonym/pseudonym.ts';
import { registerVehicle } from '../../src/domain/vehicles/registration.ts';
import type { DatumInput, TeslaTopic } from '../../src/domain/tesla/index.ts';
import { startLocalEdge, type LocalEdge } from '../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../src/local/provision.ts';
import type { EventBridgeEvent } from '../../src/local/eventbridge/bus.ts';
import { createIngestHandler, type IngestObserver } from '../../src/functions/ingest/ingest-function.ts';
import { ingestDependencies } from '../../src/functions/ingest/dependencies.ts';
import type { IngestCounts, IngestDependencies } from '../../src/domain/ingest/ingest-batch.ts';
import type { KinesisStreamEvent } from '../../src/functions/kinesis-event.ts';

export const NAMESPACE = 'fleetwire';

/** One scripted record: its topic and its Kinesis data. */
export interface ScriptedRecord {
  readonly topic: TeslaTopic;
  readonly vin: string;
  readonly data: Uint8Array;
}

/** Signal values as a test writes them, turned into Tesla datums by {@link datums}. */
export interface PlainSignals {
  readonly VehicleSpeed?: number;
  readonly Gear?: 'P' | 'D' | 'R' | 'N';
  readonly Odometer?: number;
  readonly BatteryLevel?: number;
  readonly Location?: { readonly latitude: number; readonly longitude: number };
  readonly DetailedChargeState?: string;
  readonly ACChargingPower?: number;
  readonly ACChargingEnergyIn?: number;
  readonly InsideTemp?: number;
}

/** Tesla datums for plain values. */
export function datums(signals: PlainSignals): DatumInput[] {
  const out: DatumInput[] = [];
  for (const [key, value] of Object.entries(signals)) {
    if (value === undefined) continue;
    if (key === 'Gear') out.push({ key, value: { shiftStateValue: `ShiftState${value as string}` } });
    else if (key === 'Location') {
      out.push({ key, value: { locationValue: value as { latitude: number; longitude: number } } });
    } else if (key === 'DetailedChargeState') {
      out.push({ key, value: { detailedChargeStateValue: `DetailedChargeState${value as string}` } });
    } else out.push({ key, value: { doubleValue: value as number } });
  }
  return out;
}

/** What a test gets: the handler, its clock-free runs, the bus's events and the stores. */
export interface DetectorsFixture {
  readonly edge: LocalEdge;
  readonly redis: Redis;
  readonly dynamodb: DynamoDBClient;
  readonly tables: Record<string, string>;
  readonly queueUrls: Record<string, string>;
  readonly tenantConfig: StaticTenantConfigSource;
  readonly deps: IngestDependencies;
  readonly events: EventBridgeEvent[];
  readonly counts: IngestCounts[];
  readonly run: string;
  /** Registers a VIN to a tenant; answers the vehicle id. */
  register(tenantId: string, vin: string): Promise<string>;
  /** One Kinesis batch of one stream (the topic of its first record), as Lambda delivers it. */
  batchOf(records: readonly ScriptedRecord[]): KinesisStreamEvent;
  /** Runs a batch through the handler; answers the failed sequence numbers. */
  ingest(event: KinesisStreamEvent): Promise<string[]>;
  /**
   * The domain events of a vehicle on the bus so far (after the bus is idle), by `occurredAt`, then by
   * detail-type: EventBridge promises no order, and events of one instant arrive in any.
   */
  domainEventsOf(vehicleId: string): Promise<EventBridgeEvent[]>;
  stop(): Promise<void>;
}

let sequence = 1_000_000;

/** Starts the edge, provisions it, connects Redis and builds the ingest handler with detectors. */
export async function startDetectorsFixture(): Promise<DetectorsFixture> {
  const edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
  const config = awsClientConfig({ endpoint: edge.url });
  const dynamodb = new DynamoDBClient(config);
  const kinesis = new KinesisClient(config);
  const kms = new KMSClient(config);
  const sqs = new SQSClient(config);
  const provisioned = await provisionLocalResources(
    { dynamodb, kinesis, kms, sqs },
    {
      streams: ['V', 'alerts', 'errors', 'connectivity'].map((topic) => ({
        name: `${NAMESPACE}_${topic}`,
        shards: 1,
      })),
      queues: ['fleetwire-ingest-poison', 'fleetwire-ingest-on-failure'],
    },
  );
  const pseudonyms = new Pseudonymizer(new KmsMacProvider(kms));
  const registration = {
    pseudonyms,
    directory: new DynamoDbVehicleDirectory(dynamodb),
    vault: new KmsVinVault(kms, dynamodb),
  };
  const redis = new Redis(inject('redisUrl'));
  const tenantConfig = new StaticTenantConfigSource();
  const events: EventBridgeEvent[] = [];
  edge.eventBridge.subscribe((event) => void events.push(event));
  const deps = ingestDependencies({
    aws: { endpoint: edge.url },
    state: new RedisLatestStateStore(redis),
    detectorStates: new RedisDetectorStateStore(redis),
    tenantConfig,
    telemetryHistoryTable: provisioned.tables['telemetry-history']!,
    poisonQueueUrl: provisioned.queueUrls['fleetwire-ingest-poison']!,
    namespace: NAMESPACE,
    eventBusName: 'fleetwire',
  });
  const counts: IngestCounts[] = [];
  const observer: IngestObserver = {
    batchProcessed: (c) => void counts.push(c),
    batchFailed: () => {},
  };
  const handler = createIngestHandler(deps, observer);
  return {
    edge,
    redis,
    dynamodb,
    tables: provisioned.tables,
    queueUrls: provisioned.queueUrls,
    tenantConfig,
    deps,
    events,
    counts,
    run: randomUUID().slice(0, 8),
    async register(tenantId, vin) {
      return (await registerVehicle({ tenantId, vin }, registration)).vehicleId;
    },
    batchOf(records) {
      return {
        Records: records.map((record) => {
          const sequenceNumber = String(sequence++);
          return {
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: 'pk',
              sequenceNumber,
              data: Buffer.from(record.data).toString('base64'),
              approximateArrivalTimestamp: 1_900_000_000,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `shardId-000000000000:${sequenceNumber}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: 'arn:aws:iam::000000000000:role/ingest',
            awsRegion: 'us-east-1',
            eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${NAMESPACE}_${record.topic}`,
          };
        }),
      };
    },
    async ingest(event) {
      const response = await handler(event);
      return (response.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    },
    async domainEventsOf(vehicleId) {
      await edge.eventBridge.idle();
      const at = (e: EventBridgeEvent) => (e.detail as { occurredAt: string }).occurredAt;
      return events
        .filter(
          (e) =>
            e['detail-type'] !== 'Telemetry.Updated' &&
            (e.detail as { vehicleId?: string }).vehicleId === vehicleId,
        )
        .sort((a, b) => at(a).localeCompare(at(b)) || a['detail-type'].localeCompare(b['detail-type']));
    },
    async stop() {
      redis.disconnect();
      for (const client of [dynamodb, kinesis, kms, sqs]) client.destroy();
      await edge.stop();
    },
  };
}
