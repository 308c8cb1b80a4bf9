import { describe, expect, it } from 'vitest';
import { ALL_DETAIL_TYPES, EVENT_CATALOG } from '../../../../src/domain/events/catalog/index.ts';
import {
  detailDefinitionName,
  eventJsonSchema,
  schemaRegistryEntry,
} from '../../../../src/domain/events/catalog/json-schema.ts';
import {
  compareEventDocs,
  renderEventDocs,
  schemaFileName,
} from '../../../../src/domain/events/generate-json-schemas.ts';

type Node = Record<string, unknown>;

/** Every `$ref` in a schema document. */
function refsOf(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  }
  return found;
}

/** Follows a local JSON pointer (`#/$defs/TripEnded`). */
function resolve(document: Node, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, segment) => (node as Node | undefined)?.[segment], document);
}

describe('docs/events', () => {
  it('is up to date with the catalog', async () => {
    const { changed, stale } = await compareEventDocs(await renderEventDocs());
    const problems = [
      ...changed.map((name) => `docs/events/${name} differs from the catalog`),
      ...stale.map((name) => `docs/events/${name} belongs to no detail-type`),
    ];
    expect(problems, 'docs/events is out of date: run npm run events:schemas').toEqual([]);
  });

  it('renders deterministically', async () => {
    expect(await renderEventDocs()).toEqual(await renderEventDocs());
  });

  it('has one schema file per detail-type and a README listing each with its example', async () => {
    const files = await renderEventDocs();
    expect(files.map((file) => file.name).sort()).toEqual(
      [...ALL_DETAIL_TYPES.map(schemaFileName), 'README.md'].sort(),
    );
    const readme = files.find((file) => file.name === 'README.md')?.content ?? '';
    for (const detailType of ALL_DETAIL_TYPES) {
      expect(readme).toContain(`[${schemaFileName(detailType)}](${schemaFileName(detailType)})`);
      expect(readme).toContain(`### ${detailType}\n`);
      expect(readme).toContain(`"occurredAt": "${EVENT_CATALOG[detailType].example.occurredAt}"`);
    }
  });
});

describe('eventJsonSchema', () => {
  it.each(ALL_DETAIL_TYPES)(
    '%s: a draft 2020-12 schema of the whole event, every $ref resolving',
    (detailType) => {
      const schema = eventJsonSchema(detailType) as Node;
      const definition = EVENT_CATALOG[detailType];
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `urn:fleetwire:events:${detailType}:v${definition.version}`,
        title: detailType,
        description: definition.description,
        'x-amazon-events-source': definition.source,
        'x-amazon-events-detail-type': detailType,
        type: 'object',
      });
      const properties = schema.properties as Node;
      expect(Object.keys(properties)).toEqual([
        'version',
        'id',
        'detail-type',
        'source',
        'account',
        'time',
        'region',
        'resources',
        'detail',
      ]);
      expect(properties['detail-type']).toMatchObject({ const: detailType });
      expect(properties.source).toMatchObject({ const: definition.source });
      expect(schema.required).toContain('detail');
      // The envelope stays open (EventBridge adds replay-name); the detail is closed.
      expect(schema.additionalProperties).not.toBe(false);
      const detail = resolve(schema, (properties.detail as Node).$ref as string) as Node;
      expect(detail).toMatchObject({ type: 'object', additionalProperties: false });
      expect(detail.required).toEqual(expect.arrayContaining(['version', 'tenantId', 'occurredAt']));
      for (const ref of refsOf(schema)) expect(resolve(schema, ref), ref).toBeDefined();
    },
  );

  it.each(ALL_DETAIL_TYPES)('%s: documents every detail field', (detailType) => {
    const schema = eventJsonSchema(detailType) as Node;
    const detail = (schema.$defs as Record<string, Node>)[detailDefinitionName(detailType)] as Node;
    for (const [field, property] of Object.entries(detail.properties as Record<string, Node>)) {
      const described = typeof property.description === 'string' || typeof property.$ref === 'string';
      expect(described, `${detailType}.${field} has no description`).toBe(true);
    }
  });

  it('documents vehicleId once, as a pattern no VIN matches', () => {
    const schema = eventJsonSchema('Trip.Ended') as Node;
    const vehicleId = (schema.$defs as Record<string, Node>).VehicleId as Node;
    expect(vehicleId.pattern).toBe('^[A-Za-z0-9_-]{22}$');
    expect(new RegExp(vehicleId.pattern as string).test('5YJ3E1EA7KF317000')).toBe(false);
    expect(String(vehicleId.description)).toContain('HMAC-SHA256');
  });
});

describe('schemaRegistryEntry', () => {
  it.each(ALL_DETAIL_TYPES)('%s: a draft 4 document for the Schema Registry', (detailType) => {
    const entry = schemaRegistryEntry(detailType);
    expect(entry.type).toBe('JSONSchemaDraft4');
    expect(entry.schemaName).toBe(`${EVENT_CATALOG[detailType].source}@${detailType.replaceAll('.', '')}`);
    expect(entry.schemaName).toMatch(/^[A-Za-z0-9.@_-]+$/);
    const content = JSON.parse(entry.content) as Node;
    expect(content).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: `urn:fleetwire:events:${detailType}:v1`,
      'x-amazon-events-source': EVENT_CATALOG[detailType].source,
      'x-amazon-events-detail-type': detailType,
    });
    expect(content.$defs).toBeUndefined();
    expect(entry.content).not.toContain('"const"');
    for (const ref of refsOf(content)) {
      expect(ref.startsWith('#/definitions/')).toBe(true);
      expect(resolve(content, ref), ref).toBeDefined();
    }
  });
});
