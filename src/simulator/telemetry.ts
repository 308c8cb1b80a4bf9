/**
 * What a vehicle sends and when, as Tesla's vehicles and server do it: on connect the server writes a
 * `connectivity` record and the vehicle its full state; then the vehicle sends a `V` record at each
 * interval (about once a second while driving, every few minutes parked) with the signals that changed
 * by more than their minimum delta, topped up with the signals it has not sent for longest; now and
 * then an `is_resend` true-up of latest values; alerts and errors as they happen (held while offline,
 * sent on reconnect). Pure: time comes from the caller.
 */

import type {
  DatumInput,
  EnumValueMember,
  LocationValue,
  ValueInput,
  VehicleAlertsInput,
  VehicleConnectivityInput,
  VehicleDataInput,
  VehicleErrorsInput,
} from '../domain/tesla/index.ts';
import { distanceMeters } from './geo.ts';
import type { Rng } from './random.ts';
import type {
  SimulatedField,
  SimulatedVehicle,
  VehicleEvent,
  VehicleSignals,
  VehicleStatus,
} from './vehicle.ts';

/** How a field's value goes on the wire, and how much it must change to be sent again. */
type FieldSpec =
  | { readonly kind: 'double' | 'float'; readonly delta: number }
  | { readonly kind: 'int'; readonly delta: number }
  | { readonly kind: 'location'; readonly deltaMeters: number }
  | { readonly kind: 'bool' | 'string' | 'doors' }
  | { readonly kind: 'enum'; readonly member: EnumValueMember };

/** Every field the simulator reports, in the order a record lists them. */
const FIELD_SPECS: { readonly [F in SimulatedField]: FieldSpec } = {
  VehicleSpeed: { kind: 'double', delta: 0.5 },
  Location: { kind: 'location', deltaMeters: 2 },
  GpsHeading: { kind: 'double', delta: 1 },
  Gear: { kind: 'enum', member: 'shiftStateValue' },
  Odometer: { kind: 'double', delta: 0.01 },
  Soc: { kind: 'double', delta: 0.05 },
  BatteryLevel: { kind: 'double', delta: 0.1 },
  EnergyRemaining: { kind: 'double', delta: 0.05 },
  RatedRange: { kind: 'double', delta: 0.2 },
  EstBatteryRange: { kind: 'double', delta: 0.2 },
  IdealBatteryRange: { kind: 'double', delta: 0.2 },
  DetailedChargeState: { kind: 'enum', member: 'detailedChargeStateValue' },
  ChargeLimitSoc: { kind: 'int', delta: 1 },
  ACChargingPower: { kind: 'double', delta: 0.2 },
  DCChargingPower: { kind: 'double', delta: 1 },
  ChargerVoltage: { kind: 'double', delta: 2 },
  ChargeAmps: { kind: 'double', delta: 1 },
  TimeToFullCharge: { kind: 'double', delta: 0.05 },
  FastChargerPresent: { kind: 'bool' },
  ChargePortDoorOpen: { kind: 'bool' },
  ChargePortLatch: { kind: 'enum', member: 'chargePortLatchValue' },
  Locked: { kind: 'bool' },
  DoorState: { kind: 'doors' },
  SentryMode: { kind: 'enum', member: 'sentryModeStateValue' },
  InsideTemp: { kind: 'float', delta: 0.5 },
  OutsideTemp: { kind: 'float', delta: 0.5 },
  TpmsPressureFl: { kind: 'float', delta: 0.03 },
  TpmsPressureFr: { kind: 'float', delta: 0.03 },
  TpmsPressureRl: { kind: 'float', delta: 0.03 },
  TpmsPressureRr: { kind: 'float', delta: 0.03 },
  HvacPower: { kind: 'enum', member: 'hvacPowerValue' },
  HvacLeftTemperatureRequest: { kind: 'float', delta: 0.1 },
  HvacRightTemperatureRequest: { kind: 'float', delta: 0.1 },
  FdWindow: { kind: 'enum', member: 'windowStateValue' },
  FpWindow: { kind: 'enum', member: 'windowStateValue' },
  RdWindow: { kind: 'enum', member: 'windowStateValue' },
  RpWindow: { kind: 'enum', member: 'windowStateValue' },
  RemoteStartEnabled: { kind: 'bool' },
  ChargeCurrentRequest: { kind: 'int', delta: 1 },
  ChargeCurrentRequestMax: { kind: 'int', delta: 1 },
  VehicleName: { kind: 'string' },
  Version: { kind: 'string' },
  CarType: { kind: 'enum', member: 'carTypeValue' },
};

/** The fields in record order. */
export const SIMULATED_FIELDS: readonly SimulatedField[] = Object.keys(FIELD_SPECS) as SimulatedField[];

type SignalOf = VehicleSignals[SimulatedField];

function changedEnough(spec: FieldSpec, before: SignalOf, now: SignalOf): boolean {
  switch (spec.kind) {
    case 'double':
    case 'float':
    case 'int':
      return Math.abs((now as number) - (before as number)) >= spec.delta;
    case 'location':
      return distanceMeters(before as LocationValue, now as LocationValue) >= spec.deltaMeters;
    case 'doors':
      return JSON.stringify(before) !== JSON.stringify(now);
    default:
      return before !== now;
  }
}

/**
 * A value as the vehicle's firmware writes it: typed (what `prefer_typed` firmware sends) or, for
 * numbers on legacy firmware, as a decimal string with three places (`"43.000"`).
 */
function valueOf(spec: FieldSpec, value: SignalOf, legacy: boolean): ValueInput {
  switch (spec.kind) {
    case 'double':
      return legacy ? { stringValue: (value as number).toFixed(3) } : { doubleValue: value as number };
    case 'float':
      return legacy ? { stringValue: (value as number).toFixed(3) } : { floatValue: value as number };
    case 'int':
      return legacy ? { stringValue: String(value) } : { intValue: value as number };
    case 'bool':
      return { booleanValue: value as boolean };
    case 'string':
      return { stringValue: value as string };
    case 'location':
      // The server turns legacy location strings into location_value before Kinesis: always typed here.
      return { locationValue: value as LocationValue };
    case 'doors':
      return { doorValue: value as VehicleSignals['DoorState'] };
    case 'enum':
      // One computed member: TypeScript cannot narrow it to the matching arm of ValueInput by itself.
      return { [spec.member]: value as string } as unknown as ValueInput;
  }
}

/** How often and how much a vehicle sends. */
export interface TelemetryOptions {
  /** `V` records per second while driving. */
  readonly rate: number;
  /** Interval of `V` records while parked and awake, ms. */
  readonly parkedIntervalMs: number;
  /** Interval of `V` records while charging, ms. */
  readonly chargingIntervalMs: number;
  /** Signals per `V` record: the changed ones, topped up with the longest unsent ones to this count. */
  readonly signalsPerRecord: number;
  /** Probability that a `V` record is followed by an `is_resend` true-up. */
  readonly resendRatio: number;
}

/** One message of a vehicle (or of the server, for `connectivity`), before encoding. */
export type TeslaMessage =
  | { readonly topic: 'V'; readonly vin: string; readonly input: VehicleDataInput }
  | {
      readonly topic: 'alerts';
      readonly vin: string;
      readonly input: VehicleAlertsInput;
      /** The vehicle writes alert times in milliseconds where seconds belong (encoded so when binary). */
      readonly alertTimesInMillis: boolean;
    }
  | { readonly topic: 'errors'; readonly vin: string; readonly input: VehicleErrorsInput }
  | { readonly topic: 'connectivity'; readonly vin: string; readonly input: VehicleConnectivityInput };

/** The longest the vehicle is advanced in one go between checks for due records, ms. */
const MAX_ADVANCE_MS = 1_000;

/** Emits one vehicle's messages as its model lives on. */
export class TelemetryEmitter {
  readonly vehicle: SimulatedVehicle;
  private readonly rng: Rng;
  private readonly options: TelemetryOptions;
  private readonly lastSent = new Map<SimulatedField, SignalOf>();
  /** Fields from the longest unsent to the last sent. */
  private sendOrder: SimulatedField[] = [...SIMULATED_FIELDS];
  private lastRecordAt = Number.NEGATIVE_INFINITY;
  private fullStateNext = true;
  private forced = false;
  private online: boolean;
  private connectionId: string | undefined;
  private pendingConnect: boolean;
  private held: TeslaMessage[] = [];

  constructor(vehicle: SimulatedVehicle, rng: Rng, options: TelemetryOptions) {
    this.vehicle = vehicle;
    this.rng = rng;
    this.options = options;
    this.online = vehicle.isOnline();
    // A vehicle online when the simulation starts has just connected, as far as the server knows.
    this.pendingConnect = this.online;
  }

  private intervalMs(status: VehicleStatus): number {
    if (status === 'driving') return 1000 / this.options.rate;
    if (status === 'charging') return this.options.chargingIntervalMs;
    return this.options.parkedIntervalMs;
  }

  /** Lives the vehicle up to `now` (epoch ms) and returns what it and the server sent meanwhile. */
  step(now: number): TeslaMessage[] {
    const out: TeslaMessage[] = [];
    const vehicle = this.vehicle;
    if (this.pendingConnect) {
      this.pendingConnect = false;
      this.connected(vehicle.now(), vehicle.networkInterface(), out);
    }
    for (;;) {
      if (vehicle.takeChanged()) this.forced = true;
      const due = this.lastRecordAt + this.intervalMs(vehicle.status());
      if (this.online && (this.forced || vehicle.now() >= due)) {
        this.emitData(out);
        continue;
      }
      if (vehicle.now() >= now) break;
      // Stop at the next due record, and at least every second to notice changes in between.
      const limit = Math.min(now, vehicle.now() + MAX_ADVANCE_MS);
      vehicle.advance(due > vehicle.now() ? Math.min(due, limit) : limit);
      this.handle(vehicle.takeEvents(), out);
    }
    return out;
  }

  /** The server's view when the simulation stops: every open socket closes. */
  stop(): TeslaMessage[] {
    const out: TeslaMessage[] = [];
    if (this.online) this.disconnected(this.vehicle.now(), out);
    return out;
  }

  private handle(events: readonly VehicleEvent[], out: TeslaMessage[]): void {
    for (const event of events) {
      switch (event.kind) {
        case 'connected':
          this.connected(event.at, event.networkInterface, out);
          break;
        case 'disconnected':
          this.disconnected(event.at, out);
          break;
        case 'alert':
        case 'error': {
          const message = event.kind === 'alert' ? this.alertMessage(event) : this.errorMessage(event);
          // The vehicle keeps what it could not send and sends it once connected again.
          if (this.online) out.push(message);
          else this.held.push(message);
          break;
        }
      }
    }
  }

  private connected(at: number, networkInterface: string, out: TeslaMessage[]): void {
    if (this.online && this.connectionId !== undefined) return;
    this.online = true;
    this.connectionId = this.rng.uuid();
    out.push({
      topic: 'connectivity',
      vin: this.vehicle.vin,
      input: {
        vin: this.vehicle.vin,
        connectionId: this.connectionId,
        status: 'CONNECTED',
        createdAt: at,
        networkInterface,
      },
    });
    out.push(...this.held);
    this.held = [];
    this.fullStateNext = true;
    this.forced = true;
  }

  private disconnected(at: number, out: TeslaMessage[]): void {
    if (!this.online) return;
    this.online = false;
    out.push({
      topic: 'connectivity',
      vin: this.vehicle.vin,
      input: {
        vin: this.vehicle.vin,
        connectionId: this.connectionId ?? this.rng.uuid(),
        status: 'DISCONNECTED',
        createdAt: at,
        networkInterface: '',
      },
    });
    this.connectionId = undefined;
  }

  private alertMessage(event: Extract<VehicleEvent, { kind: 'alert' }>): TeslaMessage {
    const { alert } = event;
    return {
      topic: 'alerts',
      vin: this.vehicle.vin,
      alertTimesInMillis: this.vehicle.alertTimesInMillis,
      input: {
        vin: this.vehicle.vin,
        createdAt: event.at,
        alerts: [
          {
            name: alert.name,
            audiences: alert.audiences,
            startedAt: alert.startedAt,
            endedAt: alert.endedAt,
          },
        ],
      },
    };
  }

  private errorMessage(event: Extract<VehicleEvent, { kind: 'error' }>): TeslaMessage {
    const { error } = event;
    return {
      topic: 'errors',
      vin: this.vehicle.vin,
      input: {
        vin: this.vehicle.vin,
        createdAt: event.at,
        errors: [{ name: error.name, tags: error.tags, body: error.body, createdAt: error.createdAt }],
      },
    };
  }

  private emitData(out: TeslaMessage[]): void {
    // A record forced right after another (a command) must not share its created_at: last-write-wins
    // could not tell which of two different values is the latest.
    const at = Math.max(this.vehicle.now(), this.lastRecordAt + 1);
    const signals = this.vehicle.signals();
    let fields: SimulatedField[];
    if (this.fullStateNext) {
      fields = [...SIMULATED_FIELDS];
    } else {
      fields = SIMULATED_FIELDS.filter((field) => {
        const sent = this.lastSent.get(field);
        return sent === undefined || changedEnough(FIELD_SPECS[field], sent, signals[field]);
      });
      if (fields.length < this.options.signalsPerRecord) {
        // Periodic refresh: top up with what was sent longest ago.
        const chosen = new Set(fields);
        let missing = this.options.signalsPerRecord - fields.length;
        for (const field of this.sendOrder) {
          if (missing <= 0) break;
          if (!chosen.has(field)) {
            chosen.add(field);
            missing -= 1;
          }
        }
        fields = SIMULATED_FIELDS.filter((field) => chosen.has(field));
      }
    }
    out.push(this.dataMessage(fields, signals, at, false));
    for (const field of fields) this.lastSent.set(field, signals[field]);
    const sent = new Set(fields);
    this.sendOrder = [...this.sendOrder.filter((field) => !sent.has(field)), ...fields];
    this.lastRecordAt = at;
    this.fullStateNext = false;
    this.forced = false;

    if (this.rng.chance(this.options.resendRatio)) {
      // A true-up: the latest values of some fields, flagged is_resend, as the vehicle resends them.
      const count = this.rng.int(4, 12);
      const start = this.rng.int(0, SIMULATED_FIELDS.length - 1);
      const resent = Array.from(
        { length: count },
        (_, i) => SIMULATED_FIELDS[(start + i) % SIMULATED_FIELDS.length] as SimulatedField,
      );
      out.push(this.dataMessage(resent, signals, at, true));
    }
  }

  private dataMessage(
    fields: readonly SimulatedField[],
    signals: VehicleSignals,
    at: number,
    isResend: boolean,
  ): TeslaMessage {
    const legacy = this.vehicle.legacyFirmware;
    const data: DatumInput[] = fields.map((field) => ({
      key: field,
      value: valueOf(FIELD_SPECS[field], signals[field], legacy),
    }));
    return {
      topic: 'V',
      vin: this.vehicle.vin,
      input: { vin: this.vehicle.vin, createdAt: at, isResend, data },
    };
  }
}
