/**
 * `util.dynamodb`, as AppSync documents it: JSON values to DynamoDB typed values. Numbers stay numbers
 * (`{ "N": 1234 }`, as AppSync answers, although the published typings say string): the local DynamoDB
 * data source turns them into the SDK's strings, as AppSync does on its way to DynamoDB.
 */

type AttributeValue = Record<string, unknown>;

/** `util.dynamodb.toDynamoDB`: lists as `L`, objects as `M`, never sets. */
export function toDynamoDB(value: unknown): AttributeValue | null {
  if (value === null || value === undefined) return { NULL: null };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: value };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      return Array.isArray(value) ? { L: value.map(toDynamoDB) } : { M: toMapValues(value) };
    default:
      return null;
  }
}

/** `util.dynamodb.toMapValues`: each value of an object through {@link toDynamoDB}. */
export function toMapValues(value: unknown): Record<string, AttributeValue | null> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toDynamoDB(item)]));
}

const optional =
  <T>(wrap: (value: T) => AttributeValue) =>
  (value: T | null | undefined): AttributeValue | null =>
    value === null || value === undefined ? null : wrap(value);

/** The `util.dynamodb` object. */
export const dynamodb = {
  toDynamoDB,
  toMapValues,
  toString: optional((value: string) => ({ S: value })),
  toStringSet: optional((value: string[]) => ({ SS: value })),
  toNumber: optional((value: number) => ({ N: value })),
  toNumberSet: optional((value: number[]) => ({ NS: value })),
  toBinary: optional((value: string) => ({ B: value })),
  toBinarySet: optional((value: string[]) => ({ BS: value })),
  toBoolean: optional((value: boolean) => ({ BOOL: value })),
  toNull: () => ({ NULL: null }),
  toList: (value: unknown) => (Array.isArray(value) ? { L: value.map(toDynamoDB) } : null),
  toMap: (value: unknown) => {
    const values = toMapValues(value);
    return values === null ? null : { M: values };
  },
  toS3Object: (key: string, bucket: string, region: string, version?: string) => ({
    S: JSON.stringify({ s3: { key, bucket, region, ...(version === undefined ? {} : { version }) } }),
  }),
  fromS3ObjectJson: (text: string): unknown => (JSON.parse(text) as { s3?: unknown }).s3 ?? null,
};
