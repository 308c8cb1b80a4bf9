import type { TestProject } from 'vitest/node';
import { resolveRedis } from '../../src/local/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis every integration test uses: `REDIS_URL`, or a redis-server started for this run. */
    redisUrl: string;
  }
}

/**
 * Runs once per `npm test`: finds Redis (never the in-memory stand-in: integration tests need the real
 * thing) and hands its URL to the test files through `inject('redisUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const redis = await resolveRedis({ allowMemory: false });
  if (redis.source.kind === 'memory') throw new Error('unreachable: memory Redis refused');
  project.provide('redisUrl', redis.source.url);
  return () => redis.stop();
}
