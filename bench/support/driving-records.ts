import {
  drivingSignals,
  drivingSnapshot,
  seededRandom,
  vehicleDataRecord,
} from '../../test/support/tesla-records.ts';

/** One `V` record to put, with what identifies it when its update comes back. */
export interface DrivingRecord {
  readonly vin: string;
  /** Its `created_at`, epoch ms: unique across the run, so (vin, createdAt) names one record. */
  readonly createdAt: number;
  readonly data: Uint8Array;
}

/**
 * The records the latency benchmarks put: the vehicles in turn, 15 driving signals each, with a
 * `created_at` one millisecond after the previous record's so every record can be told apart.
 */
export class DrivingRecords {
  private clock = Date.now();
  private vehicle = 0;
  private readonly random = seededRandom(3);

  constructor(private readonly vins: readonly string[]) {}

  /** Starts again from the first vehicle (each rate of a benchmark does); time keeps moving forward. */
  restart(): void {
    this.vehicle = 0;
  }

  /** The next `count` records, for step `tick` of the drive. */
  take(count: number, tick: number): DrivingRecord[] {
    return Array.from({ length: count }, () => {
      const vin = this.vins[this.vehicle++ % this.vins.length]!;
      this.clock += 1;
      return {
        vin,
        createdAt: this.clock,
        data: vehicleDataRecord({
          vin,
          createdAt: new Date(this.clock),
          data: drivingSignals(drivingSnapshot(tick, this.random), 15),
        }),
      };
    });
  }
}
