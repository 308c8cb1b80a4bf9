/**
 * `nextToken`s for DynamoDB queries: the `LastEvaluatedKey` as URL-safe base64 JSON. A token only says
 * where to resume; every query still has its own key condition (the caller's tenant), so a forged token
 * cannot reach another tenant's items: at worst DynamoDB refuses it as not matching the query.
 */
import { InvalidPageTokenError } from '../../../domain/commands/record-errors.ts';

/** The token of a `LastEvaluatedKey`; undefined on the last page. */
export function encodePageToken(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The `ExclusiveStartKey` of a token, checked to hold exactly `keyNames` as strings.
 *
 * @throws {InvalidPageTokenError} for anything else.
 */
export function decodePageToken(
  token: string | undefined,
  keyNames: readonly string[],
): Record<string, string> | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidPageTokenError('nextToken is not a token this API handed out', { cause: error });
  }
  const names = [...keyNames].sort();
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    JSON.stringify(Object.keys(parsed).sort()) !== JSON.stringify(names) ||
    !Object.values(parsed).every((value) => typeof value === 'string')
  ) {
    throw new InvalidPageTokenError('nextToken does not belong to this query; start again without it');
  }
  return parsed as Record<string, string>;
}
