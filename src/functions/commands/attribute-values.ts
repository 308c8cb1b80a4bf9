/**
 * Flat DynamoDB attribute values for the audit entries' `details`. The workflow's direct DynamoDB
 * integration takes attribute values and cannot choose between `{"S": …}` and `{"NULL": true}` by
 * itself, so the functions that know a detail's value hand it over already typed.
 */

/** A detail value: what the audit log's `details` map holds. */
export type DetailValue = string | number | boolean | null;

/** One DynamoDB attribute value of a {@link DetailValue}. */
export type FlatAttributeValue =
  { readonly S: string } | { readonly N: string } | { readonly BOOL: boolean } | { readonly NULL: true };

/** `{"M": {...}}` of the details, for a PutItem's `details` attribute. */
export function detailsAttribute(details: Readonly<Record<string, DetailValue>>): {
  readonly M: Record<string, FlatAttributeValue>;
} {
  const map: Record<string, FlatAttributeValue> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === null) map[key] = { NULL: true };
    else if (typeof value === 'string') map[key] = { S: value };
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`details.${key} must be a finite number`);
      map[key] = { N: String(value) };
    } else map[key] = { BOOL: value };
  }
  return { M: map };
}
