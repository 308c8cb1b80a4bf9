import { AwsEdge, type AwsEdgeOptions } from '../../src/local/edge/server.ts';
import { awsClientConfig } from '../../src/adapters/aws/client-config.ts';

/** A running edge on a free port, with the client configuration that reaches it. */
export interface TestEdge {
  readonly edge: AwsEdge;
  readonly url: string;
  /** Pass to any SDK v3 client constructor: `new KinesisClient(testEdge.clientConfig)`. */
  readonly clientConfig: ReturnType<typeof awsClientConfig>;
  stop(): Promise<void>;
}

/** Starts an edge on 127.0.0.1 with a free port; stop it in `afterAll`. */
export async function startTestEdge(options: Omit<AwsEdgeOptions, 'port'> = {}): Promise<TestEdge> {
  const edge = new AwsEdge({ provisioningDelayMs: 10, ...options, port: 0 });
  const url = await edge.start();
  return { edge, url, clientConfig: awsClientConfig({ endpoint: url }), stop: () => edge.stop() };
}
