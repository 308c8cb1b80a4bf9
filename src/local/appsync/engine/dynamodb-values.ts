/**
 * DynamoDB typed values between AppSync's resolver documents and the SDK. Resolvers write AppSync's form
 * (`{ "N": 12 }` with a number, `{ "B": "<base64>" }`); the SDK wants strings and bytes. Results come back
 * as AppSync converts them: plain JSON, numbers as numbers, sets as lists, binary as base64.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An AppSync-form typed value (one key: S, N, B, SS, NS, BS, BOOL, NULL, L, M). */
export type AppSyncAttributeValue = Record<string, unknown>;

/** Thrown for a typed value AppSync would refuse; the data source reports it as the request's error. */
export class InvalidAttributeValueError extends Error {
  override readonly name = 'InvalidAttributeValueError';
}

/** An AppSync-form typed value as the SDK's `AttributeValue`. */
export function toSdkAttribute(value: unknown, path: string): AttributeValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidAttributeValueError(`${path} must be a DynamoDB typed value such as {"S": "text"}`);
  }
  const entries = Object.entries(value);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) {
    throw new InvalidAttributeValueError(`${path} must have exactly one type key (S, N, BOOL, M, L, …)`);
  }
  const [type, content] = entry;
  switch (type) {
    case 'S':
      return { S: String(content) };
    case 'N':
      return { N: String(content) };
    case 'BOOL':
      return { BOOL: Boolean(content) };
    case 'NULL':
      return { NULL: true };
    case 'B':
      return { B: Buffer.from(String(content), 'base64') };
    case 'SS':
      return { SS: (content as unknown[]).map(String) };
    case 'NS':
      return { NS: (content as unknown[]).map(String) };
    case 'BS':
      return { BS: (content as unknown[]).map((item) => Buffer.from(String(item), 'base64')) };
    case 'L':
      return { L: (content as unknown[]).map((item, i) => toSdkAttribute(item, `${path}[${i}]`)) };
    case 'M':
      return { M: toSdkMap(content, path) };
    default:
      throw new InvalidAttributeValueError(`${path} has an unknown DynamoDB type ${JSON.stringify(type)}`);
  }
}

/** A map of AppSync-form typed values (a key, `expressionValues`, `attributeValues`) for the SDK. */
export function toSdkMap(values: unknown, path: string): Record<string, AttributeValue> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new InvalidAttributeValueError(`${path} must be an object of DynamoDB typed values`);
  }
  return Object.fromEntries(
    Object.entries(values).map(([key, item]) => [key, toSdkAttribute(item, `${path}.${key}`)]),
  );
}

/** An SDK value as AppSync hands it to a response handler. */
export function fromSdkAttribute(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((item) => Buffer.from(item).toString('base64'));
  if (value.L !== undefined) return value.L.map(fromSdkAttribute);
  if (value.M !== undefined) return fromSdkItem(value.M);
  return null;
}

/** An SDK item as a plain JSON object. */
export function fromSdkItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, fromSdkAttribute(value)]));
}
