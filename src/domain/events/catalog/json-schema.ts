/**
 * JSON Schemas of the catalog's events, for integrators (`docs/events/*.schema.json`, draft 2020-12) and
 * for the EventBridge Schema Registry (draft 4, which is the only JSON Schema dialect it accepts).
 *
 * Each schema describes the whole event a rule target receives, not the bare detail: that is the shape
 * the Schema Registry expects (its own schemas are the full `AWSEvent` with the detail in a definition and
 * `x-amazon-events-source` / `x-amazon-events-detail-type` naming the event), so code bindings it
 * generates, and validators that integrators run on what their target received, work on the real thing.
 * The detail is the definition named after the detail-type (`#/$defs/TripEnded`) for anyone who needs it
 * alone.
 */
import { z } from 'zod';
import { eventEnvelopeSchema } from '../envelope.ts';
import type { DetailType } from './common.ts';
import { eventDefinition } from './index.ts';

/** The JSON Schema dialects the catalog is published in. */
export type EventJsonSchemaTarget = 'draft-2020-12' | 'draft-04';

/** A JSON Schema document. */
export type JsonSchemaDocument = Record<string, unknown>;

/** The `$id` of a detail-type's schema: a URN naming the detail-type and its version. */
export function eventSchemaId(detailType: DetailType): string {
  return `urn:fleetwire:events:${detailType}:v${eventDefinition(detailType).version}`;
}

/** `Trip.Ended` → `TripEnded`: the detail's definition name, as the Schema Registry names detail classes. */
export function detailDefinitionName(detailType: DetailType): string {
  return detailType.replaceAll('.', '');
}

/**
 * The JSON Schema of a detail-type's event (envelope + detail). Key order is fixed (top level as written
 * here, definitions sorted by name, properties in schema order), so regenerating gives identical text.
 */
export function eventJsonSchema(detailType: DetailType, target: EventJsonSchemaTarget = 'draft-2020-12') {
  const definition = eventDefinition(detailType);
  const defsKey = target === 'draft-04' ? 'definitions' : '$defs';
  const detailName = detailDefinitionName(detailType);

  const detail = z.toJSONSchema(definition.schema, { target }) as JsonSchemaDocument;
  const { $schema: dialect, [defsKey]: detailDefs, ...detailBody } = detail;

  // A placeholder detail that zod renders as required; it is swapped for the reference below.
  const placeholder = z.record(z.string(), z.unknown());
  const envelope = z.toJSONSchema(eventEnvelopeSchema(detailType, definition.source, placeholder), {
    target,
  }) as JsonSchemaDocument;
  const { [defsKey]: envelopeDefs, properties, required, additionalProperties } = envelope;

  const definitions: Record<string, unknown> = {
    ...(envelopeDefs as Record<string, unknown> | undefined),
    ...(detailDefs as Record<string, unknown> | undefined),
  };
  if (detailName in definitions) throw new Error(`definition name ${detailName} is taken by a shared schema`);
  definitions[detailName] = { title: `${detailType} detail`, ...detailBody };

  return {
    $schema: dialect,
    [target === 'draft-04' ? 'id' : '$id']: eventSchemaId(detailType),
    title: detailType,
    description: definition.description,
    'x-amazon-events-source': definition.source,
    'x-amazon-events-detail-type': detailType,
    'x-fleetwire-detail-version': definition.version,
    type: 'object',
    properties: {
      ...(properties as Record<string, unknown>),
      detail: { $ref: `#/${defsKey}/${detailName}` },
    },
    required,
    additionalProperties,
    [defsKey]: Object.fromEntries(
      Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  } satisfies JsonSchemaDocument;
}

/** What CDK needs to create one `AWS::EventSchemas::Schema`. */
export interface SchemaRegistryEntry {
  /** `<source>@<DetailName>`, as EventBridge names the schemas it discovers (`aws.ec2@EC2InstanceStateChangeNotification`). */
  readonly schemaName: string;
  readonly type: 'JSONSchemaDraft4';
  readonly description: string;
  /** The draft-4 schema, as JSON text. */
  readonly content: string;
}

/** The Schema Registry entry of a detail-type (CDK creates one per detail-type in Fleetwire's registry). */
export function schemaRegistryEntry(detailType: DetailType): SchemaRegistryEntry {
  const definition = eventDefinition(detailType);
  return {
    schemaName: `${definition.source}@${detailDefinitionName(detailType)}`,
    type: 'JSONSchemaDraft4',
    description: definition.description,
    content: JSON.stringify(eventJsonSchema(detailType, 'draft-04')),
  };
}
