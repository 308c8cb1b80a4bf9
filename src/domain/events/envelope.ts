/**
 * The EventBridge envelope: what a rule's target receives around a Fleetwire `detail`. EventBridge writes
 * every field but `detail`, `detail-type`, `source`, `resources` (and `time`, if the producer sets it) from
 * the PutEvents entry; the local bus builds the same shape.
 */
import { z } from 'zod';

/** An EventBridge event as delivered to a target, `detail` typed by its detail-type. */
export interface EventBridgeEvent<TDetailType extends string = string, TDetail = unknown> {
  /** The envelope format version; always "0". */
  readonly version: '0';
  /** Unique per event, assigned by EventBridge. */
  readonly id: string;
  readonly 'detail-type': TDetailType;
  readonly source: string;
  /** The 12-digit AWS account the event was put in. */
  readonly account: string;
  /** ISO-8601 UTC, to the second: the entry's `Time`, or when EventBridge received it. */
  readonly time: string;
  readonly region: string;
  /** The entry's `Resources` (ARNs), empty if it had none. */
  readonly resources: readonly string[];
  readonly detail: TDetail;
  /** Set only on an event replayed from an archive: the replay's name. */
  readonly 'replay-name'?: string;
}

/** The fields of the PutEvents entry a producer sends (the AWS SDK's `PutEventsRequestEntry`, narrowed). */
export interface PutEventsEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  /** The detail, as JSON text. */
  readonly Detail: string;
  /** Becomes the envelope's `time`; absent means when EventBridge receives the entry. */
  readonly Time?: Date;
  readonly Resources: string[];
}

/**
 * The envelope schema around a given detail schema. The object is loose on purpose: EventBridge adds
 * fields to the envelope (`replay-name` on replayed events) and a consumer must not break when it does.
 */
export function eventEnvelopeSchema<T extends string, S extends z.ZodType>(
  detailType: T,
  source: string,
  detailSchema: S,
) {
  return z.looseObject({
    version: z.literal('0').describe('The EventBridge envelope version; always "0".'),
    id: z.string().min(1).describe('The event id EventBridge assigned.'),
    'detail-type': z.literal(detailType).describe('What happened: selects the detail schema.'),
    source: z.literal(source).describe('The bounded context that published the event.'),
    account: z
      .string()
      .regex(/^\d{12}$/)
      .describe('The AWS account the event was published in.'),
    time: z.iso
      .datetime()
      .describe("When the fact happened (Fleetwire sets it to the detail's occurredAt), to the second."),
    region: z.string().min(1).describe('The AWS region the event was published in.'),
    resources: z
      .array(z.string())
      .describe('ARNs the event is about, e.g. the command execution; often empty.'),
    detail: detailSchema,
  });
}
