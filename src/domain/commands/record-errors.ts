/**
 * Errors of the command records (the commands table and the audit log) that callers act on: the command
 * API turns them into precise GraphQL errors. The ports throw them whatever the backend.
 */

/** Base class of the command record errors. */
export class CommandRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command id is already taken (a retried `sendCommand` with the same id, or a collision). */
export class CommandAlreadyExistsError extends CommandRecordError {}

/** The command is not in the status the operation needs (e.g. no longer waiting for approval). */
export class CommandStateConflictError extends CommandRecordError {}

/** A `nextToken` that this store did not hand out, or for another query. */
export class InvalidPageTokenError extends CommandRecordError {}

/** An audit entry with the same key but different content exists: entries are never overwritten. */
export class AuditEntryConflictError extends CommandRecordError {}
