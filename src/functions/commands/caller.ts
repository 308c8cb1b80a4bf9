/** The caller as the resolvers and the workflow hand it on: from the verified token, never from an argument. */
import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../../domain/events/catalog/common.ts';

/** `{userId, tenantId, roles}`. */
export const CallerSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  tenantId: z.string().regex(TENANT_ID_PATTERN, { error: 'must be a tenant id' }),
  roles: z.array(z.string().max(64)).max(16),
});

/** A caller. */
export type Caller = z.infer<typeof CallerSchema>;

/** zod issues as one line naming each path, never the received values (they could hold a VIN). */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`).join('; ');
}
