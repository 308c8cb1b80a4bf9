/**
 * `util.time`, for the ISO 8601 and epoch helpers. The `*Formatted` helpers take Java `DateTimeFormatter`
 * patterns; they are not implemented offline (no resolver uses them) and say so when called.
 */

/** An ISO 8601 instant with an offset or `Z`; AppSync's parser refuses local times. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `util.time.parseISO8601ToEpochMilliSeconds`; an invalid timestamp is a runtime error, as in AppSync. */
export function parseISO8601ToEpochMilliSeconds(timestamp: string): number {
  const millis = typeof timestamp === 'string' && ISO_8601.test(timestamp) ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(millis)) throw new TypeError(`util.time: not an ISO 8601 timestamp: ${String(timestamp)}`);
  return millis;
}

const notOffline = (name: string) => () => {
  throw new Error(`util.time.${name} (Java DateTimeFormatter patterns) is not implemented offline`);
};

/** The `util.time` object. */
export const time = {
  nowISO8601: (): string => new Date().toISOString(),
  nowEpochSeconds: (): number => Math.floor(Date.now() / 1000),
  nowEpochMilliSeconds: (): number => Date.now(),
  parseISO8601ToEpochMilliSeconds,
  epochMilliSecondsToSeconds: (milliseconds: number): number => Math.floor(milliseconds / 1000),
  epochMilliSecondsToISO8601: (milliseconds: number): string => new Date(milliseconds).toISOString(),
  nowFormatted: notOffline('nowFormatted'),
  parseFormattedToEpochMilliSeconds: notOffline('parseFormattedToEpochMilliSeconds'),
  epochMilliSecondsToFormatted: notOffline('epochMilliSecondsToFormatted'),
};
