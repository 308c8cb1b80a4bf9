import { resolveRedis, type ResolvedRedis } from './redis-server.ts';
import { startLocalEdge, type LocalEdge } from './edge/local-edge.ts';

/** How to start the offline stack. */
export interface LocalStackOptions {
  /** Port of the AWS edge; 0 picks a free one. */
  readonly edgePort: number;
  /** Where data is kept between runs; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Where warnings go; defaults to stderr. */
  readonly warn?: (message: string) => void;
}

/** The running offline stack. */
export interface LocalStack {
  readonly edge: LocalEdge;
  readonly redis: ResolvedRedis;
  /** A few lines telling a developer what runs where. */
  describe(): string;
  stop(): Promise<void>;
}

/**
 * Starts everything Fleetwire runs offline (DESIGN.md §7). Each later part of the system (ingest poller,
 * GraphQL server, simulator, dashboard) joins here, so `npm start` always runs the whole system.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const redis = await resolveRedis({ allowMemory: true, warn });
  let edge: LocalEdge;
  try {
    edge = await startLocalEdge({ port: options.edgePort, dataDir: options.dataDir });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return {
    edge,
    redis,
    describe() {
      const redisLine =
        redis.source.kind === 'memory'
          ? `in memory (${redis.source.reason})`
          : `${redis.source.url} (${redis.source.kind})`;
      return [
        'Fleetwire is running offline.',
        `  AWS edge     ${edge.url}  (${edge.serviceNames().join(', ')})`,
        `  Redis        ${redisLine}`,
        `  data         ${options.dataDir ?? 'in memory'}`,
        '',
        `  AWS CLI/SDK: export AWS_ENDPOINT_URL=${edge.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
        '  Events:      npx fleetwire events tail',
        '  Stop:        Ctrl-C',
        '',
      ].join('\n');
    },
    async stop() {
      await edge.stop();
      await redis.stop();
    },
  };
}
