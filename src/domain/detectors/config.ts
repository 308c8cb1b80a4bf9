/**
 * One typed configuration object for every detector, with the defaults documented in `docs/detectors.md`.
 * Durations are in seconds and distances in metres or kilometres per hour, whatever Tesla's units are:
 * the detectors convert Tesla's mph and miles themselves.
 */
import { z } from 'zod';
import { MAX_ROUTE_POINTS } from '../events/catalog/trips.ts';
import { InvalidDetectorConfigError, describeIssues } from './errors.ts';

const seconds = () => z.number().nonnegative().finite();

/** The configuration's schema; every field has a default. */
export const DetectorConfigSchema = z.strictObject({
  trips: z
    .strictObject({
      /** Above this speed a vehicle in N or with an unknown gear counts as driving. */
      startSpeedKph: z.number().nonnegative().default(5),
      /** At or below this speed a vehicle without a gear reading counts as stopped. */
      stopSpeedKph: z.number().nonnegative().default(1),
      /** How long a vehicle must stay in P (or stopped) before its trip ends. */
      parkDwellSeconds: seconds().default(120),
      /** Silence up to this long mid-trip is a gap in the data, not the end of the trip. */
      maxGapSeconds: seconds().default(600),
      /** A route point is kept when it is at least this far from the last kept one. */
      routeMinSpacingMeters: z.number().nonnegative().default(50),
      /** Douglas-Peucker tolerance applied when the trip ends; 0 keeps every spaced point. */
      routeToleranceMeters: z.number().nonnegative().default(10),
      /** At most this many route points, in state and in the event. */
      routeMaxPoints: z.int().min(2).max(MAX_ROUTE_POINTS).default(250),
    })
    .prefault({}),
  charging: z
    .strictObject({
      /**
       * Charging that resumes this soon after Complete/Stopped/NoPower, without the cable being pulled, is the
       * same session; the session's Charging.Ended waits this long.
       */
      resumeWindowSeconds: seconds().default(600),
      /** A session without any record for this long ends (reason unknown) at its last record. */
      maxSilenceSeconds: seconds().default(3600),
    })
    .prefault({}),
  geofences: z
    .strictObject({
      /** A position must be this far inside (or outside) the boundary to count as evidence. */
      hysteresisMeters: z.number().nonnegative().default(25),
      /** The evidence must hold this long, with no evidence for the other side, before a transition. */
      dwellSeconds: seconds().default(60),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** Tesla alerts and errors already reported are remembered this long to drop resends. */
      dedupWindowSeconds: seconds().default(86_400),
      /** At most this many remembered ids (alerts and errors each), newest kept. */
      dedupMaxEntries: z.int().min(1).max(1000).default(200),
    })
    .prefault({}),
  connectivity: z
    .strictObject({
      /** No record for this long while online: offline, cause silence_timeout. */
      silenceTimeoutSeconds: seconds().default(600),
    })
    .prefault({}),
});

/** The resolved configuration: every field present. */
export type DetectorConfig = z.output<typeof DetectorConfigSchema>;

/** What a deployment or tenant may set: any subset, by section. */
export type DetectorConfigInput = z.input<typeof DetectorConfigSchema>;

/**
 * Validates a (partial) configuration and fills in the defaults. Throws
 * {@link InvalidDetectorConfigError} listing every bad field.
 */
export function resolveDetectorConfig(input: DetectorConfigInput = {}): DetectorConfig {
  const result = DetectorConfigSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidDetectorConfigError(`invalid detector config: ${describeIssues(result.error.issues)}`);
  }
  return result.data;
}

/** The defaults. */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = resolveDetectorConfig();
