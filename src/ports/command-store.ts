/**
 * The commands table as the command API needs it: one record per command with its workflow status. The
 * workflow itself updates the status through direct DynamoDB integrations; this port is for the code
 * around it (creating the record before the execution starts, reading it, holding the approval token).
 */
import type { CommandStatus } from '../domain/commands/status.ts';

/** A command as stored. `approvalTaskToken` never leaves the back end. */
export interface CommandRecord {
  readonly commandId: string;
  readonly tenantId: string;
  readonly vehicleId: string;
  readonly command: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly status: CommandStatus;
  readonly requestedBy: string;
  /** ISO-8601 UTC. */
  readonly requestedAt: string;
  /** ISO-8601 UTC of the last status change. */
  readonly updatedAt: string;
  readonly executionArn: string;
  readonly approvedBy?: string | null;
  readonly approvedAt?: string | null;
  readonly deniedBy?: string | null;
  readonly reason?: string | null;
  readonly message?: string | null;
  readonly errorCode?: string | null;
  readonly attempts?: number | null;
  /** Present only while the command waits for an approval. */
  readonly approvalTaskToken?: string;
}

/** A filter and page of {@link CommandStore.listByTenant}. */
export interface CommandListQuery {
  readonly vehicleId?: string | undefined;
  readonly status?: CommandStatus | undefined;
  /** At most this many records. */
  readonly limit: number;
  /** The `nextToken` of the previous page. */
  readonly nextToken?: string | undefined;
}

/** One page of records, newest first. */
export interface CommandPage {
  readonly items: readonly CommandRecord[];
  /** Absent on the last page. */
  readonly nextToken?: string | undefined;
}

/** The commands table. */
export interface CommandStore {
  /** Stores a new command; throws `CommandAlreadyExistsError` if the id is taken. */
  create(record: CommandRecord): Promise<void>;
  /** The command, or `undefined`. Callers check the tenant. */
  get(commandId: string): Promise<CommandRecord | undefined>;
  /** A tenant's commands, newest first; throws `InvalidPageTokenError` for a token it did not make. */
  listByTenant(tenantId: string, query: CommandListQuery): Promise<CommandPage>;
  /**
   * Stores the approval task token on a command that waits for approval; throws
   * `CommandStateConflictError` if the command is not (or no longer) `approval_requested`.
   */
  setApprovalToken(commandId: string, token: string): Promise<void>;
  /**
   * Removes the approval token if it is still `token`, so that exactly one decision uses it. Answers
   * whether this call removed it (false: another decision or the timeout came first).
   */
  claimApprovalToken(commandId: string, token: string): Promise<boolean>;
}
