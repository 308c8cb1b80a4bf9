import type { AppSyncIdentity } from '../../src/local/appsync/engine.ts';

/**
 * A Cognito user of `tenantId` with `groups` (Fleetwire roles), as the local AppSync engine sees a caller
 * with a verified token: for tests that run operations on the engine directly.
 */
export function cognitoIdentity(
  tenantId: string,
  groups: string[],
  sub = `user-${tenantId}-${groups.join('-')}`,
): AppSyncIdentity {
  return {
    kind: 'cognito',
    sub,
    username: sub,
    claims: { sub, 'cognito:groups': groups, 'custom:tenantId': tenantId },
    groups,
    issuer: 'http://127.0.0.1:4000/local-issuer',
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
  };
}
