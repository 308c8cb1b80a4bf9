import { AwsEdge } from './server.ts';
import { KmsService } from './kms.ts';
import { SqsService } from './sqs.ts';
import { EventBridgeService } from './eventbridge.ts';
import { StepFunctionsService } from './stepfunctions.ts';
import { LocalEventBridge, type LocalEventBridgeOptions } from '../eventbridge/bus.ts';

/** How to start the full local edge. */
export interface LocalEdgeOptions {
  /** Default 4566; 0 picks a free port. */
  readonly port?: number | undefined;
  /** Data on disk here; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Milliseconds a new stream or table stays CREATING. */
  readonly provisioningDelayMs?: number;
  /** Bus options beyond the data dir (delivery retries, logger, clock). */
  readonly eventBridge?: Omit<LocalEventBridgeOptions, 'dataDir'>;
  readonly onInternalError?: (error: unknown) => void;
}

/** The running edge, with the local bus exposed so the local runtime can register rule targets. */
export interface LocalEdge {
  readonly url: string;
  readonly eventBridge: LocalEventBridge;
  /** Step Functions, exposed so the local runtime can register the Lambda functions Task states call. */
  readonly stepFunctions: StepFunctionsService;
  /** Fault injection for tests and reliability drills (see docs/local-edge.md). */
  readonly faults: AwsEdge['faults'];
  serviceNames(): string[];
  stop(): Promise<void>;
}

/**
 * Starts the AWS edge with every service Fleetwire uses offline: Kinesis and DynamoDB (kinesalite and
 * dynalite), EventBridge with the rules of `src/domain/events/rules.ts`, KMS, SQS and Step Functions.
 */
export async function startLocalEdge(options: LocalEdgeOptions = {}): Promise<LocalEdge> {
  const eventBridge = new LocalEventBridge({ ...options.eventBridge, dataDir: options.dataDir });
  const eventBridgeService = new EventBridgeService(eventBridge);
  const stepFunctions = new StepFunctionsService({ dataDir: options.dataDir });
  const edge = new AwsEdge({
    port: options.port ?? 4566,
    dataDir: options.dataDir,
    ...(options.provisioningDelayMs === undefined
      ? {}
      : { provisioningDelayMs: options.provisioningDelayMs }),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    services: [
      eventBridgeService,
      new KmsService({ dataDir: options.dataDir }),
      new SqsService({ dataDir: options.dataDir }),
      stepFunctions,
    ],
    routes: [eventBridgeService.tailRoute()],
  });
  let url: string;
  try {
    url = await edge.start();
  } catch (error) {
    await edge.stop().catch(() => {});
    throw error;
  }
  stepFunctions.setEndpoint(url);
  return {
    url,
    eventBridge,
    stepFunctions,
    faults: edge.faults,
    serviceNames: () => edge.serviceNames(),
    stop: () => edge.stop(),
  };
}
