/**
 * The data sources of the manifest, offline: DynamoDB on the local edge (the same tables CDK creates),
 * Lambda data sources as in-process functions (the same handlers the Lambda functions wrap), and `NONE`.
 * Each takes the request document a resolver's request handler returned, in AppSync's documented format,
 * and answers what AppSync puts in `ctx.result` / `ctx.error`.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DATA_SOURCES, RESOLVERS, type DataSourceName } from '../../../graphql/resolvers/manifest.ts';
import { fromSdkItem, InvalidAttributeValueError, toSdkMap } from './dynamodb-values.ts';

/** What the local runtime provides for the API's data sources. */
export interface LocalDataSources {
  /** A client of the local edge (or of DynamoDB itself). */
  readonly dynamodb: DynamoDBClient;
  /** Physical table names by table id (`vehicles` is the vehicles table). */
  readonly tables: { readonly vehicles: string };
  /**
   * In-process Lambda functions by data source name (`StateReader`, `VehicleRegistrar`): each receives the
   * request's `payload` as its event, as a Lambda function would, and answers the function's result.
   */
  readonly lambdas: Readonly<Record<string, (payload: unknown) => Promise<unknown>>>;
}

/** What a data source answered: `ctx.result`, and `ctx.error` when it failed. */
export interface DataSourceOutcome {
  readonly result: unknown;
  readonly error?: { readonly message: string; readonly type: string };
}

/** One data source: a request document in, an outcome out. Throws for a malformed request (a resolver bug). */
export type DataSourceHandler = (request: unknown) => Promise<DataSourceOutcome>;

/** A request document no data source of this kind accepts: the resolver is wrong, not the back end. */
export class InvalidDataSourceRequestError extends Error {
  override readonly name = 'InvalidDataSourceRequestError';
}

type Request = Record<string, unknown>;
type Expression = { expression?: unknown; expressionNames?: unknown; expressionValues?: unknown };

/** A JSON copy: what crosses to a data source and back is JSON in AppSync, never shared objects. */
const jsonCopy = (value: unknown): unknown =>
  value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);

function asRequest(request: unknown, dataSource: string): Request {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidDataSourceRequestError(
      `The request to ${dataSource} must be an object; got ${typeof request}`,
    );
  }
  return request as Request;
}

/** Joins the names and values of several expressions; DynamoDB refuses empty maps. */
function expressionAttributes(expressions: readonly (Expression | undefined)[]) {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  for (const expression of expressions) {
    if (!expression) continue;
    Object.assign(names, expression.expressionNames ?? {});
    if (expression.expressionValues)
      Object.assign(values, toSdkMap(expression.expressionValues, 'expressionValues'));
  }
  return {
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

const expressionText = (expression: Expression | undefined): string | undefined =>
  typeof expression?.expression === 'string' ? expression.expression : undefined;

/** AppSync's pagination token is opaque; offline it is the LastEvaluatedKey, base64url-encoded. */
function encodeNextToken(key: Record<string, AttributeValue> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

function decodeNextToken(token: unknown): Record<string, AttributeValue> | undefined | 'invalid' {
  if (token === null || token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as unknown;
    return typeof key === 'object' && key !== null && !Array.isArray(key)
      ? (key as Record<string, AttributeValue>)
      : 'invalid';
  } catch {
    return 'invalid';
  }
}

async function dynamoDbRequest(
  client: DynamoDBClient,
  table: string,
  request: Request,
): Promise<DataSourceOutcome> {
  const condition = request.condition as Expression | undefined;
  const projection = request.projection as Expression | undefined;
  const consistentRead = request.consistentRead === true;
  switch (request.operation) {
    case 'GetItem': {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: toSdkMap(request.key, 'key'),
          ConsistentRead: consistentRead,
          ProjectionExpression: expressionText(projection),
          ...expressionAttributes([projection]),
        }),
      );
      return { result: Item ? fromSdkItem(Item) : null };
    }
    case 'Query':
    case 'Scan': {
      const startKey = decodeNextToken(request.nextToken);
      if (startKey === 'invalid') {
        return {
          result: null,
          error: { type: 'DynamoDB:ValidationException', message: 'The provided nextToken is not valid.' },
        };
      }
      const query = request.query as Expression | undefined;
      const filter = request.filter as Expression | undefined;
      const common = {
        TableName: table,
        IndexName: typeof request.index === 'string' ? request.index : undefined,
        Limit: typeof request.limit === 'number' ? request.limit : undefined,
        ConsistentRead: consistentRead,
        ExclusiveStartKey: startKey,
        FilterExpression: expressionText(filter),
        ProjectionExpression: expressionText(projection),
        Select: typeof request.select === 'string' ? (request.select as 'ALL_ATTRIBUTES') : undefined,
        ...expressionAttributes([query, filter, projection]),
      };
      const page =
        request.operation === 'Query'
          ? await client.send(
              new QueryCommand({
                ...common,
                KeyConditionExpression: expressionText(query),
                ScanIndexForward: request.scanIndexForward !== false,
              }),
            )
          : await client.send(
              new ScanCommand({
                ...common,
                Segment: typeof request.segment === 'number' ? request.segment : undefined,
                TotalSegments: typeof request.totalSegments === 'number' ? request.totalSegments : undefined,
              }),
            );
      return {
        result: {
          items: (page.Items ?? []).map(fromSdkItem),
          nextToken: encodeNextToken(page.LastEvaluatedKey),
          scannedCount: page.ScannedCount ?? 0,
        },
      };
    }
    case 'PutItem': {
      const item = {
        ...toSdkMap(request.key, 'key'),
        ...toSdkMap(request.attributeValues ?? {}, 'attributeValues'),
      };
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: item,
          ConditionExpression: expressionText(condition),
          ...expressionAttributes([condition]),
        }),
      );
      return { result: fromSdkItem(item) };
    }
    case 'UpdateItem': {
      const update = request.update as Expression | undefined;
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toSdkMap(request.key, 'key'),
          UpdateExpression: expressionText(update),
          ConditionExpression: expressionText(condition),
          ReturnValues: 'ALL_NEW',
          ...expressionAttributes([update, condition]),
        }),
      );
      return { result: Attributes ? fromSdkItem(Attributes) : null };
    }
    case 'DeleteItem': {
      const { Attributes } = await client.send(
        new DeleteItemCommand({
          TableName: table,
          Key: toSdkMap(request.key, 'key'),
          ConditionExpression: expressionText(condition),
          ReturnValues: 'ALL_OLD',
          ...expressionAttributes([condition]),
        }),
      );
      return { result: Attributes ? fromSdkItem(Attributes) : null };
    }
    default:
      throw new InvalidDataSourceRequestError(
        `DynamoDB operation ${JSON.stringify(request.operation)} is not supported by the local AppSync engine ` +
          '(GetItem, Query, Scan, PutItem, UpdateItem, DeleteItem are)',
      );
  }
}

/** A DynamoDB data source on one table. Service errors become `ctx.error` typed `DynamoDB:<exception>`. */
function dynamoDbDataSource(name: string, client: DynamoDBClient, table: string): DataSourceHandler {
  return async (raw) => {
    const request = asRequest(raw, name);
    try {
      return await dynamoDbRequest(client, table, request);
    } catch (error) {
      // A malformed request is the resolver's bug (AppSync fails the field); a service error is ctx.error.
      if (
        error instanceof InvalidDataSourceRequestError ||
        error instanceof InvalidAttributeValueError ||
        !(error instanceof Error)
      ) {
        throw error;
      }
      return { result: null, error: { type: `DynamoDB:${error.name}`, message: error.message } };
    }
  };
}

/**
 * A Lambda data source: `Invoke` passes `payload` as the event and answers the function's result; a
 * function that throws leaves `ctx.error` typed `Lambda:Unhandled`, as AppSync reports an unhandled Lambda
 * error. `invocationType: 'Event'` does not wait. `BatchInvoke` (Lambda batching) is not supported offline.
 */
function lambdaDataSource(
  name: string,
  invoke: (payload: unknown) => Promise<unknown>,
  report: (error: unknown) => void,
): DataSourceHandler {
  return async (raw) => {
    const request = asRequest(raw, name);
    if (request.operation !== 'Invoke') {
      throw new InvalidDataSourceRequestError(
        `Lambda operation ${JSON.stringify(request.operation)} is not supported by the local AppSync engine (Invoke is)`,
      );
    }
    const payload = jsonCopy(request.payload);
    if (request.invocationType === 'Event') {
      invoke(payload).catch(report);
      return { result: null };
    }
    try {
      return { result: jsonCopy(await invoke(payload)) };
    } catch (error) {
      report(error);
      return {
        result: null,
        error: { type: 'Lambda:Unhandled', message: error instanceof Error ? error.message : String(error) },
      };
    }
  };
}

/** A `NONE` data source: `ctx.result` is the request's `payload`. */
const noneDataSource: DataSourceHandler = async (raw) => ({
  result: jsonCopy(asRequest(raw, 'None').payload ?? null),
});

/**
 * The handlers of every data source the manifest's resolvers use.
 *
 * @throws Error naming each Lambda data source with no local function, so a wiring mistake shows at start.
 */
export function createDataSourceHandlers(
  local: LocalDataSources,
  report: (error: unknown) => void,
): ReadonlyMap<DataSourceName, DataSourceHandler> {
  const used = new Set(RESOLVERS.map((resolver) => resolver.dataSource));
  const missing = [...used].filter(
    (name) => DATA_SOURCES[name].kind === 'AWS_LAMBDA' && typeof local.lambdas[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(
      `No local function for the Lambda data source(s) ${missing.join(', ')}: pass them in dataSources.lambdas.`,
    );
  }
  const handlers = new Map<DataSourceName, DataSourceHandler>();
  for (const name of used) {
    const definition = DATA_SOURCES[name];
    switch (definition.kind) {
      case 'AMAZON_DYNAMODB': {
        const table = (local.tables as Readonly<Record<string, string>>)[definition.table.id];
        if (!table)
          throw new Error(`No local table for the data source ${name} (tables.${definition.table.id}).`);
        handlers.set(name, dynamoDbDataSource(name, local.dynamodb, table));
        break;
      }
      case 'AWS_LAMBDA':
        handlers.set(name, lambdaDataSource(name, local.lambdas[name]!, report));
        break;
      case 'NONE':
        handlers.set(name, noneDataSource);
        break;
    }
  }
  return handlers;
}
