/** Errors of the record projection (trips, charging sessions, alerts). */

/** The base of every error of this module. */
export class RecordProjectionError extends Error {
  override readonly name: string = 'RecordProjectionError';
}

/** An event of a detail-type the projector does not keep records of (a rule sent it by mistake). */
export class UnsupportedRecordEventError extends RecordProjectionError {
  override readonly name = 'UnsupportedRecordEventError';

  constructor(readonly detailType: string) {
    super(`The records projector does not consume ${detailType} events.`);
  }
}

/** The record changed under a write more times in a row than the projector retries. */
export class RecordContentionError extends RecordProjectionError {
  override readonly name = 'RecordContentionError';
}
