/**
 * The errors of the detectors. All extend {@link DetectorError}, so the ingest wiring can catch them as one;
 * they signal bad configuration or bad stored state, never bad telemetry (telemetry that makes no sense is
 * ignored by the rules, because a vehicle must not be able to fail a batch).
 */

/** Base of every error the detectors throw. */
export class DetectorError extends Error {
  override readonly name: string = 'DetectorError';
}

/** The detector configuration does not validate (a negative dwell, a route cap over the schema's). */
export class InvalidDetectorConfigError extends DetectorError {
  override readonly name: string = 'InvalidDetectorConfigError';
}

/** A tenant's geofence does not validate (a polygon with fewer than three points, a bad radius). */
export class InvalidGeofenceError extends DetectorError {
  override readonly name: string = 'InvalidGeofenceError';
}

/** A tenant's alert rule does not validate (a clear threshold on the raising side, an unknown time zone). */
export class InvalidAlertRuleError extends DetectorError {
  override readonly name: string = 'InvalidAlertRuleError';
}

/**
 * Stored detector state this code cannot read: another schema version or not a detector state at all.
 * Thrown rather than reset, so a deploy that changes the state's shape cannot silently restart every
 * vehicle's open trip and session; the caller decides whether to migrate or drop it.
 */
export class DetectorStateError extends DetectorError {
  override readonly name: string = 'DetectorStateError';
}

/** Formats zod issues in one line, for the messages of the errors above. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map(
      (issue) => `${issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')}: ${issue.message}`,
    )
    .join('; ');
}
