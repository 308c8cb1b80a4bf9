import { existsSync, readFileSync } from 'node:fs';
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  DATA_SOURCES,
  RESOLVERS,
  resolverPath,
  SCHEMA_PATH,
} from '../../../src/graphql/resolvers/manifest.ts';
import { buildLocalSchema } from '../../../src/local/appsync/engine/schema.ts';

const sdl = readFileSync(SCHEMA_PATH, 'utf8');
const { schema, access, subscriptionMutations } = buildLocalSchema(sdl);
const rootTypes = ['Query', 'Mutation', 'Subscription'] as const;
const fieldsOf = (typeName: string): GraphQLField<unknown, unknown>[] => {
  const type = schema.getType(typeName);
  return isObjectType(type) ? Object.values(type.getFields()) : [];
};
const isPublish = (typeName: string, fieldName: string) =>
  typeName === 'Mutation' && fieldName.startsWith('publish');

/** Every input field reachable from an argument, as `arg.path`. */
function inputPaths(
  argument: GraphQLArgument | GraphQLInputField,
  prefix = '',
  seen = new Set<string>(),
): string[] {
  const path = `${prefix}${argument.name}`;
  const type = getNamedType(argument.type);
  if (!isInputObjectType(type) || seen.has(type.name)) return [path];
  return [
    path,
    ...Object.values(type.getFields()).flatMap((field) =>
      inputPaths(field, `${path}.`, new Set(seen).add(type.name)),
    ),
  ];
}

describe('schema.graphql', () => {
  it('is AppSync SDL: it builds with the AWS scalars and directives AppSync defines, and declares none of them', () => {
    expect(schema.getQueryType()?.name).toBe('Query');
    expect(sdl).not.toMatch(/^\s*(scalar\s+AWS|directive\s+@aws_)/m);
  });

  it('names the fields the dashboard and integrators rely on', () => {
    const names = (typeName: string) => fieldsOf(typeName).map((f) => f.name);
    expect(names('Query')).toEqual(
      expect.arrayContaining([
        'vehicles',
        'vehicle',
        'fleetState',
        'telemetryHistory',
        'trips',
        'chargingSessions',
        'alerts',
        'geofences',
        'command',
        'commands',
        'commandAudit',
      ]),
    );
    expect(names('Mutation')).toEqual(
      expect.arrayContaining([
        'registerVehicle',
        'sendCommand',
        'decideCommand',
        'acknowledgeAlert',
        'createGeofence',
        'createAlertRule',
        'publishFleetUpdate',
        'publishAlert',
        'publishCommandUpdate',
      ]),
    );
    expect(names('Subscription')).toEqual(['onFleetUpdate', 'onAlert', 'onCommandUpdate']);
  });

  it('lets IAM call the publish mutations only, and Cognito users everything else', () => {
    for (const typeName of rootTypes) {
      for (const field of fieldsOf(typeName)) {
        const modes = [...access.get(`${typeName}.${field.name}`)!.modes];
        expect({ field: `${typeName}.${field.name}`, modes }).toEqual({
          field: `${typeName}.${field.name}`,
          modes: isPublish(typeName, field.name) ? ['iam'] : ['cognito'],
        });
      }
    }
  });

  it('lets both modes read every field of what the publish mutations return (IAM writes it, users receive it)', () => {
    const visit = (type: GraphQLNamedType, seen: Set<string>) => {
      if (!isObjectType(type) || seen.has(type.name)) return;
      seen.add(type.name);
      for (const field of Object.values(type.getFields())) {
        expect([...access.get(`${type.name}.${field.name}`)!.modes].sort()).toEqual(['cognito', 'iam']);
        visit(getNamedType(field.type), seen);
      }
    };
    for (const field of fieldsOf('Mutation').filter((f) => isPublish('Mutation', f.name))) {
      visit(getNamedType(field.type), new Set());
    }
  });

  it('takes the tenant from no argument, except in the publish inputs EventBridge sends', () => {
    for (const typeName of rootTypes) {
      for (const field of fieldsOf(typeName)) {
        const paths = field.args.flatMap((arg) => inputPaths(arg));
        const tenantPaths = paths.filter((path) => /tenant/i.test(path.split('.').pop()!));
        expect({ field: `${typeName}.${field.name}`, tenantPaths }).toEqual({
          field: `${typeName}.${field.name}`,
          tenantPaths: isPublish(typeName, field.name) ? ['input.tenantId'] : [],
        });
      }
    }
  });

  it('feeds each subscription from publish mutations of the same type', () => {
    expect(Object.fromEntries(subscriptionMutations)).toEqual({
      onFleetUpdate: ['publishFleetUpdate'],
      onAlert: ['publishAlert'],
      onCommandUpdate: ['publishCommandUpdate'],
    });
  });

  it('gives every publish mutation one `input` argument, as the EventBridge rules shape events', () => {
    for (const field of fieldsOf('Mutation').filter((f) => isPublish('Mutation', f.name))) {
      expect(field.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual([
        `input: ${field.name.replace('publish', '')}Input!`,
      ]);
    }
  });

  it('is refused when it declares what AppSync defines', () => {
    expect(() => buildLocalSchema(`scalar AWSJSON\n${sdl}`)).toThrow(/AWSJSON, which AppSync defines/);
  });
});

describe('resolver manifest', () => {
  const key = (typeName: string, fieldName: string) => `${typeName}.${fieldName}`;

  it('has exactly one resolver for every root field and for Vehicle.state', () => {
    const expected = [
      ...rootTypes.flatMap((t) => fieldsOf(t).map((f) => key(t, f.name))),
      'Vehicle.state',
    ].sort();
    expect(RESOLVERS.map((r) => key(r.typeName, r.fieldName)).sort()).toEqual(expected);
  });

  it('points at files that exist, named Type.field.js, on declared data sources', () => {
    for (const resolver of RESOLVERS) {
      expect(resolver.file).toBe(`${resolver.typeName}.${resolver.fieldName}.js`);
      expect(existsSync(resolverPath(resolver))).toBe(true);
      expect(DATA_SOURCES[resolver.dataSource].name).toBe(resolver.dataSource);
    }
  });

  it('uses DynamoDB for directory reads, the StateReader for Redis state, None for publish and subscriptions', () => {
    const dataSourceOf = (k: string) => RESOLVERS.find((r) => key(r.typeName, r.fieldName) === k)?.dataSource;
    expect(['Query.vehicles', 'Query.vehicle'].map(dataSourceOf)).toEqual(['VehiclesTable', 'VehiclesTable']);
    expect(['Query.fleetState', 'Query.vehiclesNear', 'Vehicle.state'].map(dataSourceOf)).toEqual([
      'StateReader',
      'StateReader',
      'StateReader',
    ]);
    expect(dataSourceOf('Mutation.registerVehicle')).toBe('VehicleRegistrar');
    for (const resolver of RESOLVERS.filter(
      (r) => r.typeName === 'Subscription' || isPublish(r.typeName, r.fieldName),
    )) {
      expect(resolver.dataSource).toBe('None');
    }
  });
});
