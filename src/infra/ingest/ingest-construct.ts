/**
 * The ingest bounded context in AWS: the Kinesis streams Tesla's fleet-telemetry server writes to, one
 * enhanced fan-out consumer per stream, and the ingest function behind them (DESIGN.md §3), with its
 * poison-record queue and the on-failure destination of its event source mappings.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ALERT_RULES_TABLE,
  GEOFENCES_TABLE,
  TELEMETRY_HISTORY_TABLE,
  TENANT_SETTINGS_TABLE,
  VEHICLES_TABLE,
} from '../../adapters/aws/dynamodb/table-definitions.ts';
import { TESLA_TOPICS, teslaStreamNames, type TeslaTopic } from '../../domain/tesla/index.ts';
import { DEFAULT_TESLA_NAMESPACE } from '../../local/resources.ts';
import type { FleetwireKeys } from '../keys/keys-construct.ts';
import { fleetwireFunction } from '../shared/fleetwire-function.ts';
import type { FleetwireStateCache } from '../state-cache/state-cache-construct.ts';
import type { FleetwireStorage } from '../storage/storage-construct.ts';

/** The handler the function bundles. */
const INGEST_ENTRY = fileURLToPath(new URL('../../functions/ingest/handler.ts', import.meta.url));

/** The detector ticker's handler: the detectors' timer checks for vehicles gone quiet. */
const TICKER_ENTRY = fileURLToPath(new URL('../../functions/detector-ticker/handler.ts', import.meta.url));

/** Powertools names; the same the handler passes its Logger and Metrics, so logs and metrics line up. */
const POWERTOOLS_SERVICE_NAME = 'fleetwire-ingest';
const TICKER_SERVICE_NAME = 'fleetwire-detector-ticker';

/** The name of each stream's consumer; unique per stream, so the same name on all four. */
const CONSUMER_NAME = 'fleetwire-ingest';

/**
 * Shards per stream when {@link FleetwireIngestProps.streamCapacity} is provisioned. A shard takes
 * 1,000 records/s: `V` carries ≈ 850 records/s on average at 10,000 vehicles (221k records per
 * vehicle-month), with daytime peaks above that; the other topics are a small fraction of it.
 */
const DEFAULT_SHARDS: Readonly<Record<TeslaTopic, number>> = { V: 4, alerts: 1, errors: 1, connectivity: 1 };

/**
 * How the streams are sized (prices: us-east-1 list prices, approximate).
 * - `provisioned` (the default): shards per topic. At 10,000 vehicles this is ≈ $0.02 per vehicle-month
 *   (7 shards at $0.015/shard-hour, PUT payload units at $0.014/million, enhanced fan-out at
 *   $0.015/consumer-shard-hour + $0.013/GB), against ≈ $0.035 on demand, where each record is billed as
 *   at least 1 KB ingested and every stream costs $0.04/hour before any data. Fleet telemetry grows with
 *   the number of vehicles, not in bursts, so resharding when vehicles are added is an easy trade.
 * - `on-demand`: no shard planning, for a fleet whose size is unknown or changes fast.
 */
export type StreamCapacity =
  | { readonly mode: 'provisioned'; readonly shards?: Readonly<Partial<Record<TeslaTopic, number>>> }
  | { readonly mode: 'on-demand' };

/** Properties of {@link FleetwireIngest}. */
export interface FleetwireIngestProps {
  /** Tesla's server writes to `<namespace>_V`, `<namespace>_alerts`, … @default DEFAULT_TESLA_NAMESPACE */
  readonly namespace?: string;
  /** The bus the function publishes `Telemetry.Updated` and domain events to. */
  readonly bus: events.IEventBus;
  /** The tables; the function reads the vehicle directory and nothing else. */
  readonly storage: FleetwireStorage;
  /** The keys; the function may generate MACs with the pseudonym key and use no other key of them. */
  readonly keys: FleetwireKeys;
  /** The latest-state cache; the function runs in its VPC. */
  readonly stateCache: FleetwireStateCache;
  /** @default { mode: 'provisioned' } with V: 4 shards and 1 for each other topic */
  readonly streamCapacity?: StreamCapacity;
  /**
   * Topics read through an enhanced fan-out consumer. A topic left out is polled (shared throughput,
   * ≈ 1 s more latency) and saves $0.015 per shard-hour.
   *
   * @default all four
   */
  readonly enhancedFanOutTopics?: readonly TeslaTopic[];
  /**
   * Records per invocation at most (Lambda also stops at 6 MB). Larger batches pack more vehicles into
   * each `Telemetry.Updated` event, which is what keeps EventBridge at ≈ $0.05 per vehicle-month.
   *
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking (whole seconds only). 0 because 1 s alone would break
   * the < 500 ms end-to-end target; batches still grow with load, since a shard's next batch is what
   * arrived while the previous invocation ran. 1 s is the cost lever if invocations × tenants ever make
   * EventBridge the dominant cost.
   *
   * @default Duration.seconds(0)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Concurrent batches per shard (1–10); records of one vehicle (one partition key) stay in order. 1 keeps
   * batches large; raise it when the iterator age grows while invocations are slow (Redis, EventBridge).
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * Retries of a failing batch (bisected on each error) before its description goes to the on-failure
   * queue. Poison records never fail a batch; what fails is Redis, KMS, DynamoDB or EventBridge, which
   * ten retries ride out for a short blip without blocking a shard for long.
   *
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this skip the function and are described in the on-failure queue. An hour rides out
   * a real outage (everything is idempotent, so late records are still correct) but stops a backlog from
   * holding live dashboards hours behind; the 24 h stream retention leaves time to replay what was skipped.
   *
   * @default Duration.hours(1)
   */
  readonly maxRecordAge?: Duration;
  /**
   * TRIM_HORIZON, because a consumer or mapping that is ever replaced must not silently skip what arrived
   * in between (0 records lost), and every ingest step is idempotent, so records read twice are not
   * counted twice. LATEST would drop those records.
   *
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * Memory, which is what buys CPU: 1,769 MB is one full vCPU. Decoding and coalescing are CPU-bound and
   * single-threaded, so less memory stretches every large batch (and the end-to-end latency) and more buys
   * nothing. Against 1,024 MB the extra is billed mostly while waiting on Redis and EventBridge: roughly
   * $0.005 per vehicle-month at 10,000 vehicles.
   *
   * @default 1769
   */
  readonly memorySize?: number;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /**
   * Lambda deprecated nodejs20.x on 2026-04-30 and stops creating functions with it on 2027-02-01, so the
   * function runs on the current LTS; the bundle's syntax still targets Node 20, which the tests run on.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * How often the detector ticker runs the timer checks (silence → offline, a parked vehicle's trip end,
   * charging and geofence windows, alert sustain, closing history windows). Their events carry the time
   * the condition was met, not when the tick ran, so a minute only delays them.
   *
   * @default Duration.minutes(1)
   */
  readonly tickInterval?: Duration;
}

/**
 * The Tesla streams, their consumers and the ingest function.
 *
 * The streams are encrypted with the AWS-managed `aws/kinesis` key: no $1/month per key, and Tesla's
 * server (a producer outside this stack) and the event source mappings need no key grants.
 */
export class FleetwireIngest extends Construct {
  /** The streams, by topic: `<namespace>_V`, `<namespace>_alerts`, `<namespace>_errors`, `<namespace>_connectivity`. */
  public readonly streams: Readonly<Record<TeslaTopic, kinesis.Stream>>;
  /** The enhanced fan-out consumer of each topic that has one. */
  public readonly consumers: Readonly<Partial<Record<TeslaTopic, kinesis.StreamConsumer>>>;
  /** The ingest function. */
  public readonly function: nodejs.NodejsFunction;
  /** Records that cannot be decoded, with their raw bytes (which may contain a VIN): KMS-encrypted. */
  public readonly poisonQueue: sqs.Queue;
  /** The key of {@link poisonQueue}; reading poison records needs `kms:Decrypt` on it as well. */
  public readonly poisonQueueKey: kms.Key;
  /** Descriptions (shard, sequence range) of batches the event source mappings gave up on. */
  public readonly onFailureQueue: sqs.Queue;
  /** The detector ticker: the detectors' clock for vehicles that stopped sending. */
  public readonly tickerFunction: nodejs.NodejsFunction;
  /** The schedule that runs {@link tickerFunction}. */
  public readonly tickerRule: events.Rule;
  /** In alarm when the oldest record waiting for the function is older than 30 s (DESIGN.md §8). */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: FleetwireIngestProps) {
    super(scope, id);
    const namespace = props.namespace ?? DEFAULT_TESLA_NAMESPACE;

    this.streams = this.buildStreams(namespace, props.streamCapacity ?? { mode: 'provisioned' });

    this.poisonQueueKey = new kms.Key(this, 'PoisonQueueKey', {
      description: 'Fleetwire: encrypts poison Tesla records (raw bytes, possibly VINs) in their queue',
      enableKeyRotation: true,
      // It protects only the queue's messages, which live at most 14 days and go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    this.poisonQueue = new sqs.Queue(this, 'PoisonQueue', {
      // A customer-managed key rather than `aws/sqs`: reading a poison record (and the VIN it may hold)
      // then takes an explicit `kms:Decrypt` grant, not merely `sqs:ReceiveMessage`.
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.poisonQueueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.onFailureQueue = new sqs.Queue(this, 'OnFailureQueue', {
      // Only stream, shard and sequence numbers, never record data: SQS-managed encryption is enough.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = this.buildFunction(namespace, props);

    const topicsWithConsumers = new Set(props.enhancedFanOutTopics ?? TESLA_TOPICS);
    const consumers: Partial<Record<TeslaTopic, kinesis.StreamConsumer>> = {};
    for (const topic of TESLA_TOPICS) {
      const stream = this.streams[topic];
      const options = this.eventSourceOptions(props);
      if (topicsWithConsumers.has(topic)) {
        // Dedicated 2 MB/s per shard pushed over HTTP/2: ≈ 70 ms from put to invocation instead of about a
        // second of polling, which alone would use up the < 500 ms end-to-end budget (DESIGN.md §1).
        const consumer = new kinesis.StreamConsumer(this, `Consumer-${topic}`, {
          stream,
          streamConsumerName: CONSUMER_NAME,
        });
        consumers[topic] = consumer;
        // Binds the mapping to the consumer's ARN and grants the function read on the consumer and stream.
        this.function.addEventSource(new eventSources.KinesisConsumerEventSource(consumer, options));
      } else {
        this.function.addEventSource(new eventSources.KinesisEventSource(stream, options));
      }
    }
    this.consumers = consumers;

    props.storage.grantReadData(this.function, VEHICLES_TABLE);
    props.keys.grantGenerateMac(this.function);
    props.bus.grantPutEventsTo(this.function);
    this.poisonQueue.grantSendMessages(this.function);
    props.stateCache.allowFrom(this.function);
    // The downsampled history: BatchWriteItem only (never read, update or delete from the ingest path).
    props.storage.table(TELEMETRY_HISTORY_TABLE).grant(this.function, 'dynamodb:BatchWriteItem');

    this.grantTenantConfigRead(this.function, props);

    this.tickerFunction = this.buildTicker(namespace, props);
    props.bus.grantPutEventsTo(this.tickerFunction);
    props.storage.table(TELEMETRY_HISTORY_TABLE).grant(this.tickerFunction, 'dynamodb:BatchWriteItem');
    props.stateCache.allowFrom(this.tickerFunction);
    this.grantTenantConfigRead(this.tickerFunction, props);
    this.tickerRule = new events.Rule(this, 'TickerSchedule', {
      description: "Fleetwire: runs the detectors' timer checks for vehicles gone quiet",
      schedule: events.Schedule.rate(props.tickInterval ?? Duration.minutes(1)),
      // No retries: the next run is a minute away, and the checks give the same events whenever they run.
      targets: [new targets.LambdaFunction(this.tickerFunction, { retryAttempts: 0 })],
    });

    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: 'Fleetwire ingest is more than 30 s behind the Tesla streams',
      metric: this.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: Duration.seconds(30).toMilliseconds(),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private buildStreams(
    namespace: string,
    capacity: StreamCapacity,
  ): Readonly<Record<TeslaTopic, kinesis.Stream>> {
    const names = teslaStreamNames(namespace);
    const streams = {} as Record<TeslaTopic, kinesis.Stream>;
    for (const topic of TESLA_TOPICS) {
      streams[topic] = new kinesis.Stream(this, `Stream-${topic}`, {
        // Fixed names: Tesla's server derives them from its namespace (`<namespace>_<topic>`).
        streamName: names[topic],
        ...(capacity.mode === 'on-demand'
          ? { streamMode: kinesis.StreamMode.ON_DEMAND }
          : {
              streamMode: kinesis.StreamMode.PROVISIONED,
              shardCount: capacity.shards?.[topic] ?? DEFAULT_SHARDS[topic],
            }),
        encryption: kinesis.StreamEncryption.MANAGED,
        retentionPeriod: Duration.hours(24),
        // Records live at most 24 h and a retained stream would keep billing per shard-hour, and block
        // redeploying a stack with the same namespace.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    return streams;
  }

  private buildFunction(namespace: string, props: FleetwireIngestProps): nodejs.NodejsFunction {
    const stateCache = props.stateCache;
    return fleetwireFunction(this, 'Function', {
      description: 'Fleetwire ingest: Tesla records → pseudonyms, latest state, events',
      entry: INGEST_ENTRY,
      logGroupId: 'LogGroup',
      serviceName: POWERTOOLS_SERVICE_NAME,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      // One full vCPU: decoding is CPU-bound and single-threaded.
      memorySize: props.memorySize ?? 1769,
      timeout: props.timeout ?? Duration.seconds(60),
      vpc: stateCache.vpc,
      vpcSubnets: stateCache.vpcSubnets,
      environment: {
        REDIS_URL: stateCache.redisUrl,
        POISON_QUEUE_URL: this.poisonQueue.queueUrl,
        TESLA_NAMESPACE: namespace,
        EVENT_BUS_NAME: props.bus.eventBusName,
        ...props.storage.environmentFor(
          TELEMETRY_HISTORY_TABLE,
          GEOFENCES_TABLE,
          ALERT_RULES_TABLE,
          TENANT_SETTINGS_TABLE,
        ),
      },
    });
  }

  /**
   * The detectors read the tenants' geofences and rules (Query by tenant) and settings (GetItem), and
   * nothing else of those tables: configuration changes go through the FleetConfig function.
   */
  private grantTenantConfigRead(fn: lambda.Function, props: FleetwireIngestProps): void {
    props.storage.table(GEOFENCES_TABLE).grant(fn, 'dynamodb:Query');
    props.storage.table(ALERT_RULES_TABLE).grant(fn, 'dynamodb:Query');
    props.storage.table(TENANT_SETTINGS_TABLE).grant(fn, 'dynamodb:GetItem');
  }

  /** The ticker: in the cache's VPC, with ingest's configuration (same Redis, bus and history table). */
  private buildTicker(namespace: string, props: FleetwireIngestProps): nodejs.NodejsFunction {
    const stateCache = props.stateCache;
    return fleetwireFunction(this, 'TickerFunction', {
      description: "Fleetwire detector ticker: the detectors' timer checks for vehicles gone quiet",
      entry: TICKER_ENTRY,
      logGroupId: 'TickerLogGroup',
      serviceName: TICKER_SERVICE_NAME,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      memorySize: 1024,
      // Under the one-minute schedule, so two runs never overlap.
      timeout: Duration.seconds(50),
      vpc: stateCache.vpc,
      vpcSubnets: stateCache.vpcSubnets,
      environment: {
        REDIS_URL: stateCache.redisUrl,
        // Read by the shared configuration; the ticker sends nothing to the queue and has no grant on it.
        POISON_QUEUE_URL: this.poisonQueue.queueUrl,
        TESLA_NAMESPACE: namespace,
        EVENT_BUS_NAME: props.bus.eventBusName,
        ...props.storage.environmentFor(
          TELEMETRY_HISTORY_TABLE,
          GEOFENCES_TABLE,
          ALERT_RULES_TABLE,
          TENANT_SETTINGS_TABLE,
        ),
      },
    });
  }

  private eventSourceOptions(props: FleetwireIngestProps): eventSources.KinesisEventSourceProps {
    return {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 1000,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(0),
      parallelizationFactor: props.parallelizationFactor ?? 1,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: props.maxRecordAge ?? Duration.hours(1),
      onFailure: new eventSources.SqsDlq(this.onFailureQueue),
    };
  }
}
