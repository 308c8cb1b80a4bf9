/**
 * Which topic a Kinesis stream carries. Tesla's server names a topic's stream, in order of precedence,
 * by env `KINESIS_STREAM_<TOPIC>`, by `kinesis.streams[topic]` in its config, else `<namespace>_<topic>`.
 */

import { TeslaUnknownStreamError } from './errors.ts';
import { TESLA_TOPICS } from './types.ts';
import type { TeslaTopic } from './types.ts';

/** Streams named explicitly (the server's `kinesis.streams` config or `KINESIS_STREAM_*` env). */
export type TeslaStreamNames = Readonly<Partial<Record<TeslaTopic, string>>>;

/** `arn:aws:kinesis:<region>:<account>:stream/<name>[/consumer/…]` → `<name>`; a bare name as is. */
function streamNameOf(streamNameOrArn: string): string {
  if (!streamNameOrArn.startsWith('arn:')) return streamNameOrArn;
  const resource = streamNameOrArn.split(':').slice(5).join(':');
  return resource.startsWith('stream/') ? (resource.split('/')[1] ?? resource) : resource;
}

/** The stream name of each topic under a namespace, explicit names taking precedence. */
export function teslaStreamNames(
  namespace: string,
  explicit: TeslaStreamNames = {},
): Record<TeslaTopic, string> {
  const names = {} as Record<TeslaTopic, string>;
  for (const topic of TESLA_TOPICS) names[topic] = explicit[topic] ?? `${namespace}_${topic}`;
  return names;
}

/**
 * The topic of a stream: `<namespace>_V` → `V`, `<namespace>_alerts` → `alerts`, and so on; also accepts
 * a stream ARN (as Lambda's `eventSourceARN`) and explicitly named streams.
 *
 * @throws {TeslaUnknownStreamError} for a stream that carries none of the topics.
 */
export function topicOfStream(
  streamName: string,
  namespace: string,
  explicit: TeslaStreamNames = {},
): TeslaTopic {
  const name = streamNameOf(streamName);
  const names = teslaStreamNames(namespace, explicit);
  for (const topic of TESLA_TOPICS) if (names[topic] === name) return topic;
  throw new TeslaUnknownStreamError(streamName, Object.values(names));
}
