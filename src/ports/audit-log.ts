/**
 * The command audit log (DESIGN.md §5): append-only, one entry per workflow step outcome. The state
 * machine writes most entries itself (conditional PutItem); the command API appends the refused
 * approval attempts, which never reach the workflow.
 */

/** The workflow step an entry belongs to. */
export type AuditStep = 'requested' | 'authorize' | 'approval' | 'dispatch';

/** What the step concluded. */
export type AuditOutcome =
  | 'requested'
  | 'authorized'
  | 'denied'
  | 'approval_requested'
  | 'approved'
  | 'rejected'
  | 'timed_out'
  | 'succeeded'
  | 'failed';

/** One audit entry. */
export interface AuditEntry {
  readonly commandId: string;
  /** `<ISO at>#<step>#<outcome>`: unique per command, sorts by time. */
  readonly entryId: string;
  readonly tenantId: string;
  readonly vehicleId: string;
  readonly command: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly step: AuditStep;
  readonly outcome: AuditOutcome;
  /** The user who acted, or null when the system did (a timeout, the vehicle). */
  readonly actor: string | null;
  readonly requestedBy: string;
  readonly approvedBy: string | null;
  /** A machine-readable reason (denials, failures), else null. */
  readonly reason: string | null;
  readonly message: string | null;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly executionArn: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A page of entries. */
export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextToken?: string | undefined;
}

/** Which of a tenant's entries {@link AuditLog.listByTenant} returns. */
export interface TenantAuditQuery {
  /** Entries at or after this ISO-8601 time. */
  readonly since?: string | undefined;
  readonly vehicleId?: string | undefined;
  readonly limit: number;
  readonly nextToken?: string | undefined;
}

/** The audit log. */
export interface AuditLog {
  /**
   * Appends an entry. Writing the same entry again (a retry) succeeds without change; a different entry
   * under the same key throws `AuditEntryConflictError`, since entries are never overwritten.
   */
  append(entry: AuditEntry): Promise<void>;
  /** A command's entries, oldest first. */
  listForCommand(
    commandId: string,
    page: { limit: number; nextToken?: string | undefined },
  ): Promise<AuditPage>;
  /** A tenant's entries, oldest first. */
  listByTenant(tenantId: string, query: TenantAuditQuery): Promise<AuditPage>;
}
