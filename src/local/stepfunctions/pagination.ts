import { InvalidPageTokenError } from './errors.ts';

/** AWS's page size when `maxResults` is absent or 0, and its largest. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** One page of a sorted list and the token of the next one, if any. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * Pages through `items`, already sorted, with a cursor on the key of the last item returned (not an
 * offset), so that items added while a client pages (new executions, new events) neither repeat nor
 * vanish. `isAfter(key, cursor)` tells whether an item comes after the cursor in the sorted order.
 */
export function paginate<T, K extends string | number>(
  items: readonly T[],
  options: {
    readonly kind: string;
    readonly keyOf: (item: T) => K;
    readonly isAfter: (key: K, cursor: K) => boolean;
    readonly maxResults?: number | undefined;
    readonly nextToken?: string | undefined;
  },
): Page<T> {
  const size = options.maxResults ? Math.min(options.maxResults, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  let start = 0;
  if (options.nextToken !== undefined) {
    const cursor = decodePageToken(options.kind, options.nextToken) as K;
    start = items.findIndex((item) => options.isAfter(options.keyOf(item), cursor));
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const last = page.at(-1);
  if (start + size >= items.length || last === undefined) return { items: page };
  return { items: page, nextToken: encodePageToken(options.kind, options.keyOf(last)) };
}

/** An opaque token naming the list it belongs to, so that a token of one list is refused by another. */
export function encodePageToken(kind: string, key: string | number): string {
  return Buffer.from(JSON.stringify({ v: 1, kind, key })).toString('base64url');
}

/** The cursor inside a token from {@link encodePageToken}; throws {@link InvalidPageTokenError} otherwise. */
export function decodePageToken(kind: string, token: string): string | number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError(`Invalid Token: '${token}'`);
  }
  const { v, kind: tokenKind, key } = (parsed ?? {}) as Record<string, unknown>;
  if (v !== 1 || tokenKind !== kind || (typeof key !== 'string' && typeof key !== 'number')) {
    throw new InvalidPageTokenError(`Invalid Token: '${token}'`);
  }
  return key;
}
