/** The errors of the event catalog. All extend {@link EventCatalogError}, so a caller can catch them as one. */
import type { z } from 'zod';

/** Base of every error the event catalog throws. */
export class EventCatalogError extends Error {
  override readonly name: string = 'EventCatalogError';
}

/** A detail-type that is not in the catalog. */
export class UnknownDetailTypeError extends EventCatalogError {
  override readonly name: string = 'UnknownDetailTypeError';

  constructor(readonly detailType: string) {
    super(`unknown detail-type ${JSON.stringify(detailType)}: it is not in the Fleetwire event catalog`);
  }
}

/** One way a detail breaks its schema. */
export interface ContractIssue {
  /** Where, e.g. `vehicles[3].signals.Location.latitude`; `(detail)` for the detail itself. */
  readonly path: string;
  readonly message: string;
  /** zod's issue code (`invalid_type`, `unrecognized_keys`, `custom`, …). */
  readonly code: string;
}

/** A detail that does not match its detail-type's schema: it must not be published. */
export class EventContractError extends EventCatalogError {
  override readonly name: string = 'EventContractError';

  constructor(
    readonly detailType: string,
    readonly issues: readonly ContractIssue[],
    /** What was being checked, for the message: the detail (default) or the whole event. */
    subject = 'detail',
  ) {
    super(
      `${detailType} ${subject} breaks its contract (${issues.length} ${issues.length === 1 ? 'issue' : 'issues'}): ` +
        issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    );
  }

  /** Builds the error from zod's issues. */
  static fromZod(
    detailType: string,
    issues: readonly z.core.$ZodIssue[],
    subject = 'detail',
  ): EventContractError {
    return new EventContractError(detailType, flattenIssues(issues, subject), subject);
  }
}

/** A vehicle whose changed signals alone exceed one `Telemetry.Updated` entry. */
export class TelemetryEntryTooLargeError extends EventCatalogError {
  override readonly name: string = 'TelemetryEntryTooLargeError';

  constructor(
    readonly vehicleId: string,
    readonly entryBytes: number,
    readonly maxEntryBytes: number,
  ) {
    super(
      `vehicle ${vehicleId}'s update alone makes a ${entryBytes}-byte Telemetry.Updated entry, over the ` +
        `${maxEntryBytes}-byte limit: it cannot be packed (is a signal value unexpectedly large?)`,
    );
  }
}

/** `vehicles[3].signals.Location`: zod's path as a reader would write it. */
export function formatIssuePath(path: readonly PropertyKey[], root = 'detail'): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? `(${root})` : text;
}

/**
 * zod reports a union that matched no member as one `invalid_union` issue; the member issues beneath it
 * are what a producer needs to fix, so they are lifted out with their full paths.
 */
function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  root: string,
  prefix: readonly PropertyKey[] = [],
) {
  const flat: ContractIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Members that failed on type alone say nothing useful ("expected number"); keep the others if any.
      const relevant = issue.errors.filter((member) => member.some((inner) => inner.code !== 'invalid_type'));
      if (relevant.length > 0) {
        for (const member of relevant) flat.push(...flattenIssues(member, root, path));
        continue;
      }
    }
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      for (const inner of flattenIssues(issue.issues, root, path)) {
        flat.push({ ...inner, message: `invalid key: ${inner.message}` });
      }
      continue;
    }
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (details are strict)`
        : issue.message;
    flat.push({ path: formatIssuePath(path, root), message, code: issue.code });
  }
  return flat;
}
