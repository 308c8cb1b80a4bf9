/**
 * A fleet of simulated vehicles with their telemetry and their wire: given a time, the Kinesis records
 * the fleet produced up to it. Pure and deterministic for a seed (the clock is the caller's), which is
 * what the unit tests drive; {@link Simulator} adds timers and Kinesis.
 */

import type { TeslaTopic } from '../domain/tesla/index.ts';
import { Delivery } from './delivery.ts';
import type { SimulatedFormat, SimulatedRecord } from './delivery.ts';
import { SimulatorConfigError } from './errors.ts';
import { Rng } from './random.ts';
import { TelemetryEmitter } from './telemetry.ts';
import { SimulatedVehicle } from './vehicle.ts';
import type { City, InitialState, VehicleBehaviour, VehicleStatus } from './vehicle.ts';
import { simulatedVin } from './vin.ts';

/** How to build a {@link SimulatedFleet}; everything but `vehicles` and `startMs` has a default. */
export interface FleetOptions {
  /** How many vehicles. */
  readonly vehicles: number;
  /** Epoch ms the simulation starts at. */
  readonly startMs: number;
  /** Same seed, same fleet, same records. Default 1. */
  readonly seed?: number;
  /** `V` records per second per driving vehicle. Default 1 (Tesla's usual configuration). */
  readonly rate?: number;
  /** `V` record interval of a parked, awake vehicle, ms. Default 30 s (a real car: minutes). */
  readonly parkedIntervalMs?: number;
  /** `V` record interval of a charging vehicle, ms. Default 10 s. */
  readonly chargingIntervalMs?: number;
  /** Signals per `V` record (changed ones, topped up with periodic ones). Default 15. */
  readonly signalsPerRecord?: number;
  /** Probability that a `V` record is followed by an `is_resend` true-up. Default 0.03. */
  readonly resendRatio?: number;
  /** Default `protobuf`, as Tesla's server writes by default. */
  readonly format?: SimulatedFormat;
  /** Duplicates per original record. Default 0.2. */
  readonly duplicateRatio?: number;
  /** Share of records put late, after newer ones. Default 0.02. */
  readonly outOfOrderRatio?: number;
  readonly city?: City;
  readonly behaviour?: Partial<VehicleBehaviour>;
  /** How every vehicle starts; by default a mix (some driving, some charging, some asleep). */
  readonly initial?: InitialState;
}

/** Counters of what the fleet produced. */
export interface FleetCounts {
  /** Original records per topic (duplicates not included). */
  readonly records: Readonly<Record<TeslaTopic, number>>;
  /** Extra copies put with the same bytes. */
  readonly duplicates: number;
  /** `V` records flagged `is_resend`. */
  readonly resends: number;
  /** Records put after newer ones. */
  readonly delayed: number;
  /** Bytes of every record, duplicates included. */
  readonly bytes: number;
}

/** How many vehicles are doing what. */
export type StatusCounts = Readonly<Record<VehicleStatus, number>>;

interface Member {
  readonly vehicle: SimulatedVehicle;
  readonly telemetry: TelemetryEmitter;
  readonly delivery: Delivery;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new SimulatorConfigError(`${name} must be a positive number, got ${value}`);
  return value;
}

function ratio(name: string, value: number, max = 1): number {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new SimulatorConfigError(`${name} must be between 0 and ${max}, got ${value}`);
  }
  return value;
}

/** The vehicles, their telemetry and their wire. */
export class SimulatedFleet {
  private readonly members: Member[];
  private readonly byVin = new Map<string, Member>();
  private readonly records: Record<TeslaTopic, number> = { V: 0, alerts: 0, errors: 0, connectivity: 0 };
  private duplicates = 0;
  private resends = 0;
  private delayed = 0;
  private bytes = 0;

  /** @throws {SimulatorConfigError} for options that cannot work. */
  constructor(options: FleetOptions) {
    const count = options.vehicles;
    if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
      throw new SimulatorConfigError(`vehicles must be an integer from 0 to 1000000, got ${count}`);
    }
    const seed = options.seed ?? 1;
    const telemetry = {
      rate: positive('rate', options.rate ?? 1),
      parkedIntervalMs: positive('parkedIntervalMs', options.parkedIntervalMs ?? 30_000),
      chargingIntervalMs: positive('chargingIntervalMs', options.chargingIntervalMs ?? 10_000),
      signalsPerRecord: positive('signalsPerRecord', options.signalsPerRecord ?? 15),
      resendRatio: ratio('resendRatio', options.resendRatio ?? 0.03),
    };
    const delivery = {
      format: options.format ?? 'protobuf',
      duplicateRatio: ratio('duplicateRatio', options.duplicateRatio ?? 0.2, 10),
      outOfOrderRatio: ratio('outOfOrderRatio', options.outOfOrderRatio ?? 0.02),
    };
    if (!['protobuf', 'protojson', 'mixed'].includes(delivery.format)) {
      throw new SimulatorConfigError(
        `format must be protobuf, protojson or mixed, got ${String(delivery.format)}`,
      );
    }
    this.members = Array.from({ length: count }, (_, index) => {
      const vehicle = new SimulatedVehicle({
        vin: simulatedVin(seed, index),
        index,
        seed,
        startMs: options.startMs,
        ...(options.city ? { city: options.city } : {}),
        ...(options.behaviour ? { behaviour: options.behaviour } : {}),
        ...(options.initial ? { initial: options.initial } : {}),
      });
      return {
        vehicle,
        telemetry: new TelemetryEmitter(vehicle, Rng.fork(seed, `telemetry:${index}`), telemetry),
        delivery: new Delivery(Rng.fork(seed, `delivery:${index}`), delivery),
      };
    });
    for (const member of this.members) this.byVin.set(member.vehicle.vin, member);
  }

  /** The VINs, in vehicle order. */
  vins(): string[] {
    return this.members.map((m) => m.vehicle.vin);
  }

  /** The model of one vehicle, to inspect it or send it commands. */
  vehicle(vin: string): SimulatedVehicle | undefined {
    return this.byVin.get(vin)?.vehicle;
  }

  /** Every vehicle's model, in order. */
  vehicles(): SimulatedVehicle[] {
    return this.members.map((m) => m.vehicle);
  }

  /** Lives every vehicle up to `now` (epoch ms) and returns the records to put, vehicle by vehicle. */
  step(now: number): SimulatedRecord[] {
    const out: SimulatedRecord[] = [];
    for (const member of this.members) {
      for (const record of member.delivery.deliver(member.telemetry.step(now), now))
        out.push(this.count(record));
    }
    return out;
  }

  /** What the stop of the simulation puts: the server's disconnects, then every held-back record. */
  stop(now: number): SimulatedRecord[] {
    const out: SimulatedRecord[] = [];
    for (const member of this.members) {
      const records = [...member.delivery.deliver(member.telemetry.stop(), now), ...member.delivery.drain()];
      for (const record of records) out.push(this.count(record));
    }
    return out;
  }

  /** How many vehicles are driving, charging, parked, asleep, offline. */
  statusCounts(): StatusCounts {
    const counts: Record<VehicleStatus, number> = {
      driving: 0,
      charging: 0,
      parked: 0,
      asleep: 0,
      offline: 0,
    };
    for (const member of this.members) counts[member.vehicle.status()] += 1;
    return counts;
  }

  /** What the fleet has produced so far. */
  counts(): FleetCounts {
    return {
      records: { ...this.records },
      duplicates: this.duplicates,
      resends: this.resends,
      delayed: this.delayed,
      bytes: this.bytes,
    };
  }

  private count(record: SimulatedRecord): SimulatedRecord {
    this.bytes += record.data.byteLength;
    if (record.kind === 'duplicate') {
      this.duplicates += 1;
      return record;
    }
    this.records[record.topic] += 1;
    if (record.resend) this.resends += 1;
    if (record.delayed) this.delayed += 1;
    return record;
  }
}
