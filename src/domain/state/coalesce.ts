/** One observed value of one signal, stamped with the vehicle's `created_at` (epoch milliseconds). */
export interface SignalSample<V = unknown> {
  readonly value: V;
  readonly at: number;
}

/** A record's worth of signals of one vehicle, all measured at `at`. */
export interface SignalRecord<V = unknown> {
  /** The vehicle: its id after pseudonymization. */
  readonly key: string;
  readonly at: number;
  readonly signals: Readonly<Record<string, V>>;
}

/** The latest value of each signal of one vehicle within a batch. */
export interface CoalescedVehicle<V = unknown> {
  readonly key: string;
  /** The newest `at` among the vehicle's records in the batch. */
  lastRecordAt: number;
  readonly signals: Map<string, SignalSample<V>>;
}

/**
 * Whether `candidate` replaces `current` under last-write-wins. Equal timestamps with different values
 * (never seen from one vehicle, but possible from a buggy producer) resolve by a total order on the value,
 * so the outcome does not depend on arrival order: shuffled and duplicated input coalesces the same.
 */
export function newerSample<V>(candidate: SignalSample<V>, current: SignalSample<V> | undefined): boolean {
  if (current === undefined || candidate.at > current.at) return true;
  if (candidate.at < current.at || candidate.value === current.value) return false;
  return JSON.stringify(candidate.value) > JSON.stringify(current.value);
}

/**
 * Reduces a batch of records to each vehicle's latest value per signal by `created_at` (DESIGN.md §3
 * step 4). Duplicates, resends and reordering within the batch change nothing: the result is the same
 * for any order of the same records.
 */
export function coalesce<V>(records: Iterable<SignalRecord<V>>): Map<string, CoalescedVehicle<V>> {
  const vehicles = new Map<string, CoalescedVehicle<V>>();
  for (const record of records) {
    let vehicle = vehicles.get(record.key);
    if (!vehicle) {
      vehicle = { key: record.key, lastRecordAt: record.at, signals: new Map() };
      vehicles.set(record.key, vehicle);
    } else if (record.at > vehicle.lastRecordAt) {
      vehicle.lastRecordAt = record.at;
    }
    for (const name in record.signals) {
      const sample = { value: record.signals[name] as V, at: record.at };
      if (newerSample(sample, vehicle.signals.get(name))) vehicle.signals.set(name, sample);
    }
  }
  return vehicles;
}
