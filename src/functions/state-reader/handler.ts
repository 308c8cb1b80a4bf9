import { connectRedis } from '../../adapters/redis/connect.ts';
import { RedisLatestStateStore } from '../../adapters/redis/latest-state-store.ts';
import { createStateReader } from './state-reader.ts';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('the state-reader function needs the environment variable REDIS_URL');

/** The Lambda entry point behind the `StateReader` data source; one Redis connection per container. */
export const handler = createStateReader(new RedisLatestStateStore(connectRedis(redisUrl)));
