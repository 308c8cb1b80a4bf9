/** Records of trips, charging sessions and alerts, projected from the domain events. */
export * from './errors.ts';
export * from './records.ts';
export * from './projector.ts';
