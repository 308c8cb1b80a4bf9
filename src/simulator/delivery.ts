/**
 * The wire between a vehicle and Kinesis, with its faults: each message encoded as Tesla's server
 * writes it (binary protobuf, or protojson with `transmit_decoded_records`), about a fifth of them put
 * twice with the very same bytes (delivery is at-least-once, nothing de-duplicates upstream), and a few
 * held back and put after newer ones. Pure and seeded.
 */

import {
  encodeVehicleAlerts,
  encodeVehicleConnectivity,
  encodeVehicleData,
  encodeVehicleErrors,
} from '../domain/tesla/index.ts';
import type {
  TeslaTopic,
  TeslaWireFormat,
  TimestampInput,
  VehicleAlertsInput,
} from '../domain/tesla/index.ts';
import type { Rng } from './random.ts';
import type { TeslaMessage } from './telemetry.ts';

/** How records are written: one format for all, or each record either way (to exercise both decoders). */
export type SimulatedFormat = TeslaWireFormat | 'mixed';

/** A record ready for `PutRecords`. */
export interface SimulatedRecord {
  readonly topic: TeslaTopic;
  /** The VIN, exactly as Tesla's server uses it. */
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly format: TeslaWireFormat;
  /** `duplicate`: the same bytes as an earlier record, put again. */
  readonly kind: 'original' | 'duplicate';
  /** A `V` record flagged `is_resend`. */
  readonly resend: boolean;
  /** Held back and put after records made later than it. */
  readonly delayed: boolean;
}

/** The faults of the wire. */
export interface DeliveryOptions {
  readonly format: SimulatedFormat;
  /** Duplicates per original record (0.2: for every 10 records, 2 more copies on average). */
  readonly duplicateRatio: number;
  /** Share of records held back 1–5 s and put after newer ones. */
  readonly outOfOrderRatio: number;
}

function encode(message: TeslaMessage, format: TeslaWireFormat): Uint8Array {
  switch (message.topic) {
    case 'V':
      return encodeVehicleData(message.input, { format });
    case 'alerts':
      return encodeVehicleAlerts(
        message.alertTimesInMillis && format === 'protobuf' ? inMillis(message.input) : message.input,
        { format },
      );
    case 'errors':
      return encodeVehicleErrors(message.input, { format });
    case 'connectivity':
      return encodeVehicleConnectivity(message.input, { format });
  }
}

/**
 * Alert times the way some firmware writes them: milliseconds in the `seconds` field. Only binary can
 * carry them (protojson cannot write a year-50000 timestamp; Go's protojson would refuse too).
 */
function inMillis(input: VehicleAlertsInput): VehicleAlertsInput {
  const millis = (value: TimestampInput | null | undefined): TimestampInput | null =>
    typeof value === 'number' ? { seconds: Math.round(value) } : (value ?? null);
  return {
    ...input,
    alerts: input.alerts.map((alert) => ({
      ...alert,
      startedAt: millis(alert.startedAt),
      endedAt: millis(alert.endedAt),
    })),
  };
}

/** One vehicle's wire: encodes its messages and applies the faults. */
export class Delivery {
  private readonly rng: Rng;
  private readonly options: DeliveryOptions;
  private held: { readonly releaseAt: number; readonly record: SimulatedRecord }[] = [];

  constructor(rng: Rng, options: DeliveryOptions) {
    this.rng = rng;
    this.options = options;
  }

  /** The records to put at `now` for `messages`, plus held-back ones whose time has come. */
  deliver(messages: readonly TeslaMessage[], now: number): SimulatedRecord[] {
    const out: SimulatedRecord[] = [];
    const { duplicateRatio, outOfOrderRatio } = this.options;
    for (const message of messages) {
      const format = this.formatOf();
      const record: SimulatedRecord = {
        topic: message.topic,
        partitionKey: message.vin,
        data: encode(message, format),
        format,
        kind: 'original',
        resend: message.topic === 'V' && message.input.isResend === true,
        delayed: false,
      };
      if (this.rng.chance(outOfOrderRatio)) {
        this.held.push({
          releaseAt: now + this.rng.between(1_000, 5_000),
          record: { ...record, delayed: true },
        });
      } else {
        out.push(record);
      }
      // A ratio above 1 means some records arrive three or more times.
      let copies = Math.floor(duplicateRatio) + (this.rng.chance(duplicateRatio % 1) ? 1 : 0);
      for (; copies > 0; copies -= 1) {
        const duplicate: SimulatedRecord = { ...record, kind: 'duplicate' };
        if (this.rng.chance(0.5)) out.push(duplicate);
        else this.held.push({ releaseAt: now + this.rng.between(200, 3_000), record: duplicate });
      }
    }
    out.push(...this.release(now));
    return out;
  }

  /** Everything still held back, at once (the simulation is stopping). */
  drain(): SimulatedRecord[] {
    return this.release(Number.POSITIVE_INFINITY);
  }

  private release(now: number): SimulatedRecord[] {
    const due = this.held.filter((h) => h.releaseAt <= now);
    if (due.length === 0) return [];
    this.held = this.held.filter((h) => h.releaseAt > now);
    return due.sort((a, b) => a.releaseAt - b.releaseAt).map((h) => h.record);
  }

  private formatOf(): TeslaWireFormat {
    const { format } = this.options;
    if (format !== 'mixed') return format;
    return this.rng.chance(0.5) ? 'protobuf' : 'protojson';
  }
}
