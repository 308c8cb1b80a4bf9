/**
 * The running simulator: a {@link SimulatedFleet} stepped on a timer against the wall clock, its
 * records put on Kinesis through a {@link KinesisWriter}, with counters for a status line. This is what
 * `fleetwire simulate` and `npm start` run; a simulated Fleet API reaches the vehicles through
 * {@link Simulator.vehicle}.
 */

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { TeslaStreamNames, TeslaTopic } from '../domain/tesla/index.ts';
import type { SimulatedRecord } from './delivery.ts';
import { SimulatorConfigError, SimulatorError, StreamMissingError } from './errors.ts';
import { SimulatedFleet } from './fleet.ts';
import type { FleetOptions, StatusCounts } from './fleet.ts';
import { DEFAULT_NAMESPACE, KinesisWriter } from './kinesis-writer.ts';
import type { RecordSink } from './kinesis-writer.ts';
import type { SimulatedVehicle } from './vehicle.ts';
import { simulatedVin } from './vin.ts';

/** How to build a {@link Simulator}: where records go, plus the fleet's options. */
export interface SimulatorOptions extends Omit<FleetOptions, 'startMs'> {
  /** The Kinesis client (built with `awsClientConfig`); records go to the namespace's streams. */
  readonly kinesis?: KinesisClient;
  /** Instead of `kinesis`: any sink (tests use memory). */
  readonly sink?: RecordSink;
  /** Stream namespace, default `fleetwire`: streams `<namespace>_V`, `_alerts`, `_errors`, `_connectivity`. */
  readonly namespace?: string;
  /** Streams named explicitly. */
  readonly streamNames?: TeslaStreamNames;
  /** How often the fleet is stepped and its records put, ms. Default 250. */
  readonly tickMs?: number;
  /** Epoch ms now; default `Date.now`. */
  readonly clock?: () => number;
  /** Told of every failed put; a missing stream also stops the simulator. */
  readonly onError?: (error: Error) => void;
}

/** Counters for a status line. */
export interface SimulatorStats {
  readonly running: boolean;
  /** Epoch ms of `start()`, `null` before. */
  readonly startedAt: number | null;
  readonly vehicles: number;
  /** How many vehicles are driving, charging, parked, asleep, offline. */
  readonly status: StatusCounts;
  /** Original records produced per topic (duplicates not included). */
  readonly records: Readonly<Record<TeslaTopic, number>>;
  /** Extra copies put with the same bytes. */
  readonly duplicates: number;
  /** `V` records flagged `is_resend`. */
  readonly resends: number;
  /** Records put after newer ones. */
  readonly delayed: number;
  /** Records Kinesis accepted, duplicates included. */
  readonly put: number;
  /** Records that could not be put (refused after every retry, or their call failed). */
  readonly putFailures: number;
  /** Entries put again after Kinesis refused them. */
  readonly retried: number;
  readonly putCalls: number;
  readonly bytes: number;
  /** Records accepted per second over the last ten seconds. */
  readonly recordsPerSecond: number;
}

const RATE_WINDOW_MS = 10_000;

/** Simulated Tesla vehicles writing Tesla-format records to Kinesis. */
export class Simulator {
  private readonly options: SimulatorOptions;
  private readonly sink: RecordSink;
  private readonly clock: () => number;
  private readonly tickMs: number;
  private fleet: SimulatedFleet | undefined;
  private running = false;
  private startedAt: number | null = null;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private fatal: Error | undefined;
  private put = 0;
  private putFailures = 0;
  private retried = 0;
  private putCalls = 0;
  private readonly window: { at: number; count: number }[] = [];

  /** @throws {SimulatorConfigError} for options that cannot work. */
  constructor(options: SimulatorOptions) {
    this.options = options;
    if (options.sink) this.sink = options.sink;
    else if (options.kinesis) {
      this.sink = new KinesisWriter({
        client: options.kinesis,
        namespace: options.namespace ?? DEFAULT_NAMESPACE,
        ...(options.streamNames ? { streamNames: options.streamNames } : {}),
      });
    } else throw new SimulatorConfigError('a Simulator needs `kinesis` (a KinesisClient) or a `sink`');
    this.clock = options.clock ?? Date.now;
    this.tickMs = options.tickMs ?? 250;
    if (!Number.isFinite(this.tickMs) || this.tickMs <= 0)
      throw new SimulatorConfigError(`tickMs must be positive, got ${this.tickMs}`);
    // Validates the fleet options now rather than at start().
    new SimulatedFleet({ ...options, vehicles: 0, startMs: 0 });
    if (!Number.isInteger(options.vehicles) || options.vehicles < 0) {
      throw new SimulatorConfigError(`vehicles must be a non-negative integer, got ${options.vehicles}`);
    }
  }

  /** The VINs the simulator drives (known before `start()`, to register them first). */
  vins(): string[] {
    const seed = this.options.seed ?? 1;
    return Array.from({ length: this.options.vehicles }, (_, i) => simulatedVin(seed, i));
  }

  /** One vehicle's model (after `start()`), to inspect it or apply commands to it. */
  vehicle(vin: string): SimulatedVehicle | undefined {
    return this.fleet?.vehicle(vin);
  }

  /**
   * Checks the streams, then starts the vehicles; resolves once they run.
   *
   * @throws {StreamMissingError} when a stream does not exist (nothing is created).
   */
  async start(): Promise<void> {
    if (this.running) return;
    await this.sink.verify?.();
    const now = this.clock();
    this.fleet ??= new SimulatedFleet({ ...this.options, startMs: now });
    this.running = true;
    this.fatal = undefined;
    this.startedAt = now;
    this.loop = this.run(this.fleet);
  }

  /**
   * Stops the vehicles: their sockets close (the server's `DISCONNECTED` records) and every held-back
   * record is put, so nothing the simulator produced is lost.
   */
  async stop(): Promise<void> {
    if (!this.fleet || this.loop === undefined) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    if (this.fatal === undefined) await this.putRecords(this.fleet.stop(this.clock()));
  }

  /**
   * Resolves when the simulator stops: after `stop()`, or rejects with the error that stopped it (a
   * stream that disappeared).
   */
  async finished(): Promise<void> {
    await this.loop;
    if (this.fatal) throw this.fatal;
  }

  /** Counters since `start()`. */
  stats(): SimulatorStats {
    const counts = this.fleet?.counts();
    const now = this.clock();
    this.trimWindow(now);
    const windowCount = this.window.reduce((sum, w) => sum + w.count, 0);
    const span = Math.min(
      RATE_WINDOW_MS,
      this.startedAt === null ? RATE_WINDOW_MS : Math.max(1, now - this.startedAt),
    );
    return {
      running: this.running,
      startedAt: this.startedAt,
      vehicles: this.options.vehicles,
      status: this.fleet?.statusCounts() ?? { driving: 0, charging: 0, parked: 0, asleep: 0, offline: 0 },
      records: counts?.records ?? { V: 0, alerts: 0, errors: 0, connectivity: 0 },
      duplicates: counts?.duplicates ?? 0,
      resends: counts?.resends ?? 0,
      delayed: counts?.delayed ?? 0,
      put: this.put,
      putFailures: this.putFailures,
      retried: this.retried,
      putCalls: this.putCalls,
      bytes: counts?.bytes ?? 0,
      recordsPerSecond: (windowCount * 1000) / span,
    };
  }

  private async run(fleet: SimulatedFleet): Promise<void> {
    while (this.running) {
      const began = this.clock();
      await this.putRecords(fleet.step(began));
      if (!this.running) break;
      const wait = Math.max(0, this.tickMs - (this.clock() - began));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async putRecords(records: readonly SimulatedRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const outcome = await this.sink.put(records);
      this.put += outcome.put;
      this.putFailures += outcome.failed;
      this.retried += outcome.retried;
      this.putCalls += outcome.calls;
      const at = this.clock();
      this.window.push({ at, count: outcome.put });
      this.trimWindow(at);
    } catch (error) {
      const failure = error instanceof Error ? error : new SimulatorError(String(error));
      this.putFailures += records.length;
      if (failure instanceof StreamMissingError) {
        // Without its stream the simulation is pointless; stop rather than fail every tick.
        this.fatal = failure;
        this.running = false;
      }
      this.options.onError?.(failure);
    }
  }

  private trimWindow(now: number): void {
    while (this.window.length > 0 && (this.window[0]?.at ?? now) < now - RATE_WINDOW_MS) this.window.shift();
  }
}
