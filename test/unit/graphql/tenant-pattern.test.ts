import { describe, expect, it } from 'vitest';
import { TENANT_ID_PATTERN } from '../../../src/domain/events/catalog/common.ts';

// The resolvers are APPSYNC_JS bundles and cannot import the TypeScript catalog: they keep a copy.
const RESOLVER_IDENTITY = new URL('../../../src/graphql/resolvers/lib/identity.js', import.meta.url).href;

describe('tenant ids', () => {
  it('are the same shape for the resolvers, the event catalog, tokens and registration', async () => {
    const identity = (await import(RESOLVER_IDENTITY)) as { TENANT_ID_PATTERN: string };
    expect(`^${identity.TENANT_ID_PATTERN}$`).toBe(TENANT_ID_PATTERN.source);
  });
});
