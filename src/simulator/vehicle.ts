/**
 * One simulated Tesla: a pure, seeded model of a vehicle's day. It parks (awake, then asleep), drives
 * street-grid routes with plausible speeds, turns and red lights, parks again, sometimes charges (AC
 * at home, DC on the road) and stays plugged after the charge completes. It reports its signals under
 * Tesla's `Field` names, in Tesla's units (mph, miles, kWh, kW, °C, bar), with enum values by the names
 * the codec takes.
 *
 * No I/O and no wall clock: time moves only through {@link SimulatedVehicle.advance}, so the same seed
 * and the same calls give the same vehicle, which is what makes the tests and bug reports replayable.
 */

import { COMMAND_NAMES, validateCommand } from '../domain/commands/index.ts';
import type { CommandName } from '../domain/commands/index.ts';
import type { AlertAudience, DoorName, DoorsValue, LocationValue } from '../domain/tesla/index.ts';
import { InvalidCommandParametersError, UnknownCommandError, VehicleUnavailableError } from './errors.ts';
import { bearingDegrees, destination, distanceMeters, normalizeDegrees, turnDegrees } from './geo.ts';
import {
  LOW_SOC_ALERT,
  LOW_TIRE_ALERT,
  MODELS,
  NAMES,
  RANDOM_ALERTS,
  RANDOM_ERRORS,
  VERSIONS,
} from './catalog.ts';
import { Rng } from './random.ts';
import { planRoute, randomPointNear } from './route.ts';
import type { StreetGrid, Waypoint } from './route.ts';

// ---------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------

/** Where the fleet lives: vehicles' homes and destinations are around the centre. */
export interface City {
  readonly center: LocationValue;
  /** Homes lie within this radius of the centre, destinations within 1.5 times it. */
  readonly radiusKm: number;
  /** The street grid; by default a grid whose orientation comes from the seed. */
  readonly grid?: StreetGrid;
}

/** Berlin (the coordinates the event catalog's examples use), 10 km around the centre. */
export const DEFAULT_CITY: City = { center: { latitude: 52.520008, longitude: 13.404954 }, radiusKm: 10 };

/**
 * How the vehicles live. The defaults compress a real day for a demo (real cars park for hours; these
 * for minutes), every number can be stretched back to reality.
 */
export interface VehicleBehaviour {
  /** How long a vehicle stays parked between trips, ms (uniform in the range). */
  readonly parkedMs: readonly [number, number];
  /** How long a trip is, km as the crow flies (uniform in the range). */
  readonly tripKm: readonly [number, number];
  /** A parked vehicle with nothing to do falls asleep (and disconnects) after this long, ms. */
  readonly sleepAfterMs: number;
  /** Below this Soc (%) the driver always plugs in on arrival. */
  readonly chargeBelowSoc: number;
  /** Probability of plugging in on arrival when the Soc is not that low but below the limit. */
  readonly chargeChance: number;
  /** Probability that a charge away from home is a DC fast charge. */
  readonly dcChargeChance: number;
  /** How often a parked, awake vehicle loses its connection (a garage, a tunnel), per hour. */
  readonly offlinePerHour: number;
  /** How often a driving vehicle briefly loses its connection, per hour. */
  readonly drivingDropsPerHour: number;
  /** Random alerts per vehicle-hour (low battery and low tire pressure come on top). */
  readonly alertsPerHour: number;
  /** `errors` records per vehicle-hour. */
  readonly errorsPerHour: number;
}

/** The demo defaults of {@link VehicleBehaviour}. */
export const DEFAULT_BEHAVIOUR: VehicleBehaviour = {
  parkedMs: [60_000, 300_000],
  tripKm: [1.5, 12],
  sleepAfterMs: 180_000,
  chargeBelowSoc: 35,
  chargeChance: 0.3,
  dcChargeChance: 0.3,
  offlinePerHour: 1,
  drivingDropsPerHour: 0.5,
  alertsPerHour: 2,
  errorsPerHour: 0.5,
};

/** A window's position, by the names the decoder returns (`WindowStatePartiallyOpen` → `PartiallyOpen`). */
export type WindowPosition = 'Closed' | 'PartiallyOpen' | 'Opened';

/** The four windows, by Tesla's field names: front driver, front passenger, rear driver, rear passenger. */
export type WindowName = 'FdWindow' | 'FpWindow' | 'RdWindow' | 'RpWindow';

/** What a vehicle is doing, coarsely (for stats and the dashboard's legend). */
export type VehicleStatus = 'driving' | 'charging' | 'parked' | 'asleep' | 'offline';

/** A gear, by the names the decoder returns (`ShiftStateD` → `D`). */
export type Gear = 'P' | 'R' | 'N' | 'D';

/** A charge state, by the names the decoder returns (`DetailedChargeStateCharging` → `Charging`). */
export type ChargeState = 'Disconnected' | 'Starting' | 'Charging' | 'Complete' | 'Stopped';

/** A sentry mode state, by the names the decoder returns. */
export type SentryState = 'Off' | 'Armed' | 'Aware';

/** How the vehicle starts. `random` picks one of the others, weighted so a demo has some of each. */
export type InitialState = 'random' | 'parked' | 'driving' | 'charging' | 'asleep';

/** An alert the vehicle raises (and later clears), with times in epoch ms. */
export interface SimulatedAlert {
  readonly name: string;
  readonly audiences: readonly AlertAudience[];
  readonly startedAt: number;
  /** `null` while active; set on the event that clears it. */
  readonly endedAt: number | null;
}

/** An error the vehicle reports on the `errors` topic. */
export interface SimulatedError {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly body: string;
  readonly createdAt: number;
}

/** Something that happened to the vehicle since the last {@link SimulatedVehicle.takeEvents}. */
export type VehicleEvent =
  | { readonly kind: 'connected'; readonly at: number; readonly networkInterface: string }
  | { readonly kind: 'disconnected'; readonly at: number }
  | { readonly kind: 'alert'; readonly at: number; readonly alert: SimulatedAlert }
  | { readonly kind: 'error'; readonly at: number; readonly error: SimulatedError };

/**
 * The vehicle's signals at one instant, keyed by Tesla `Field` name, in Tesla's units. Enum values are
 * full enum value names (`ShiftStateD`), as the codec takes them.
 */
export interface VehicleSignals {
  /** mph. */
  readonly VehicleSpeed: number;
  /** miles. */
  readonly Odometer: number;
  readonly Location: LocationValue;
  /** Degrees clockwise from north. */
  readonly GpsHeading: number;
  readonly Gear: `ShiftState${Gear}`;
  /** The pack's state of charge, %. */
  readonly Soc: number;
  /** The usable charge the car displays, % (a little under Soc: the pack keeps a buffer). */
  readonly BatteryLevel: number;
  /** kWh. */
  readonly EnergyRemaining: number;
  /** miles, at the EPA-rated consumption. */
  readonly RatedRange: number;
  /** miles, at the recent consumption. */
  readonly EstBatteryRange: number;
  /** miles. */
  readonly IdealBatteryRange: number;
  readonly DetailedChargeState: `DetailedChargeState${ChargeState}`;
  /** %. */
  readonly ChargeLimitSoc: number;
  /** kW. */
  readonly ACChargingPower: number;
  /** kW. */
  readonly DCChargingPower: number;
  /** V. */
  readonly ChargerVoltage: number;
  /** A. */
  readonly ChargeAmps: number;
  /** hours. */
  readonly TimeToFullCharge: number;
  readonly FastChargerPresent: boolean;
  readonly ChargePortDoorOpen: boolean;
  readonly ChargePortLatch: 'ChargePortLatchEngaged' | 'ChargePortLatchDisengaged';
  readonly Locked: boolean;
  readonly DoorState: DoorsValue;
  readonly SentryMode: `SentryModeState${SentryState}`;
  /** °C. */
  readonly InsideTemp: number;
  /** °C. */
  readonly OutsideTemp: number;
  /** bar. */
  readonly TpmsPressureFl: number;
  readonly TpmsPressureFr: number;
  readonly TpmsPressureRl: number;
  readonly TpmsPressureRr: number;
  readonly HvacPower: 'HvacPowerStateOn' | 'HvacPowerStateOff';
  /** The driver's set temperature, °C. */
  readonly HvacLeftTemperatureRequest: number;
  /** The passenger's set temperature, °C. */
  readonly HvacRightTemperatureRequest: number;
  readonly FdWindow: `WindowState${WindowPosition}`;
  readonly FpWindow: `WindowState${WindowPosition}`;
  readonly RdWindow: `WindowState${WindowPosition}`;
  readonly RpWindow: `WindowState${WindowPosition}`;
  /** Keyless driving allowed (`remote_start_drive`, for two minutes). */
  readonly RemoteStartEnabled: boolean;
  /** The AC charging current asked for, A (`set_charging_amps`). */
  readonly ChargeCurrentRequest: number;
  /** The most `ChargeCurrentRequest` can be, A. */
  readonly ChargeCurrentRequestMax: number;
  readonly VehicleName: string;
  readonly Version: string;
  readonly CarType: 'CarTypeModel3' | 'CarTypeModelY';
}

/** A Tesla `Field` name the simulator reports. */
export type SimulatedField = keyof VehicleSignals;

/** The model's own view of itself, in metric units, for tests, stats and the simulated Fleet API. */
export interface VehicleStateView {
  readonly vin: string;
  readonly at: number;
  readonly status: VehicleStatus;
  readonly position: LocationValue;
  readonly home: LocationValue;
  readonly headingDeg: number;
  readonly speedKph: number;
  readonly gear: Gear;
  readonly odometerKm: number;
  readonly energyKwh: number;
  readonly capacityKwh: number;
  readonly socPercent: number;
  readonly plugged: boolean;
  readonly chargeState: ChargeState;
  readonly chargePowerKw: number;
  readonly chargeLimitSoc: number;
  readonly locked: boolean;
  readonly sentry: SentryState;
  readonly online: boolean;
  readonly asleep: boolean;
  /** Epoch ms (model time) a requested wake-up completes at; `null` when none is pending. */
  readonly wakingAt: number | null;
  readonly doors: DoorsValue;
  readonly windows: Readonly<Record<WindowName, WindowPosition>>;
  /** Climate control running (driving, or started by command). */
  readonly climateOn: boolean;
  readonly driverTempC: number;
  readonly passengerTempC: number;
  /** Epoch ms (model time) keyless driving ends; `null` when not allowed. */
  readonly remoteStartUntil: number | null;
  readonly chargeCurrentRequestA: number;
}

/** The answer to a command, as the Fleet API's `response` carries it. */
export interface CommandResult {
  readonly result: boolean;
  /** Empty on success; why the vehicle refused otherwise (`is_charging`, `not_charging`, …). */
  readonly reason: string;
}

/** How to build a {@link SimulatedVehicle}. */
export interface SimulatedVehicleOptions {
  readonly vin: string;
  /** The vehicle's number in its fleet; names it and seeds it. */
  readonly index: number;
  readonly seed: number;
  /** Epoch ms the vehicle's life starts at. */
  readonly startMs: number;
  readonly city?: City;
  readonly behaviour?: Partial<VehicleBehaviour>;
  readonly initial?: InitialState;
  /** Starting Soc, %; random when absent. */
  readonly initialSoc?: number;
}

// ---------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------

const KM_PER_MILE = 1.609344;
const MS_PER_HOUR = 3_600_000;
/** Sub-step of the physics: short enough that turns and braking stay smooth whatever the caller's step. */
const STEP_MS = 250;
/** Kept below 0 % Soc by the BMS, as a fraction of capacity: BatteryLevel reads lower than Soc. */
const BUFFER_FRACTION = 0.035;
const MASS_KG = 1_950;
const WAYPOINT_CAPTURE_M = 15;
const TURN_SPEED_KPH = 20;
const MAX_SPEED_KPH = 130;
const HOME_RADIUS_M = 300;
/** `remote_start_drive` allows driving off for this long, as Tesla's does. */
const REMOTE_START_MS = 120_000;
/** Climate started by command while parked runs this long at most, so a forgotten one does not drain the pack. */
const CLIMATE_MAX_MS = 30 * 60_000;
/** What climate control draws while parked, kW. */
const CLIMATE_KW = 1.5;
/** The charge current setting's maximum (an EU Model 3/Y on one phase; 16 A a phase on three). */
const CHARGE_CURRENT_MAX_A = 32;
/** The AC supply voltage a phase (Berlin). */
const AC_VOLTS = 230;

function closedWindows(): Record<WindowName, WindowPosition> {
  return { FdWindow: 'Closed', FpWindow: 'Closed', RdWindow: 'Closed', RpWindow: 'Closed' };
}

function closedDoors(): Record<DoorName, boolean> {
  return {
    DriverFront: false,
    DriverRear: false,
    PassengerFront: false,
    PassengerRear: false,
    TrunkFront: false,
    TrunkRear: false,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** Moves `value` towards `target` as a first-order lag with time constant `tauSeconds`. */
function relax(value: number, target: number, dtSeconds: number, tauSeconds: number): number {
  return value + (target - value) * (1 - Math.exp(-dtSeconds / tauSeconds));
}

type DrivePhase = 'reverse' | 'neutral' | 'forward' | 'red-light' | 'arriving';
type Plug = 'none' | 'ac' | 'dc';

// ---------------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------------

/** One simulated vehicle. See the module comment. */
export class SimulatedVehicle {
  /** The VIN the vehicle reports (and its records' partition key). */
  readonly vin: string;
  readonly index: number;
  /** Where the vehicle sleeps at night (and charges on AC). */
  readonly home: LocationValue;
  readonly name: string;
  readonly version: string;
  readonly carType: 'CarTypeModel3' | 'CarTypeModelY';
  readonly capacityKwh: number;
  /** Whether the vehicle's firmware sends numeric values as strings (`"43.000"`), as older firmware does. */
  readonly legacyFirmware: boolean;
  /** Whether the vehicle sends alert times in milliseconds where seconds belong (a firmware quirk). */
  readonly alertTimesInMillis: boolean;

  private readonly rng: Rng;
  private readonly behaviour: VehicleBehaviour;
  private readonly city: City;
  private readonly grid: StreetGrid;
  private readonly ratedWhPerKm: number;
  private t: number;

  // Motion.
  private position: LocationValue;
  private heading: number;
  private speedMs = 0;
  private gear: Gear = 'P';
  private odometerKm: number;
  private energyKwh: number;
  private recentWhPerKm: number;

  // Trips.
  private mode: 'parked' | 'driving' = 'parked';
  private route: Waypoint[] = [];
  private waypoint = 0;
  private phase: DrivePhase = 'forward';
  private phaseUntil: number | undefined;
  private cruiseFactor = 1;
  private slowdownUntil = 0;
  private slowdownKph = 0;

  // Parking.
  private departAt: number;
  private departurePrepared = false;
  private lockAt: number | undefined;
  private doorOpenAt: number | undefined;
  private doorOpenUntil: number | undefined;
  private plugAt: number | undefined;
  private plugKindAt: Plug = 'none';
  private lastActivityAt: number;

  // Charging.
  private plug: Plug = 'none';
  private chargeState: ChargeState = 'Disconnected';
  private chargeLimit: number;
  private chargePowerKw = 0;
  private chargeStartAt = 0;
  private maxChargeKw = 0;
  private acPhases = 3;

  // Body.
  private locked = true;
  private readonly doors: Record<DoorName, boolean> = closedDoors();
  private windows: Record<WindowName, WindowPosition> = closedWindows();
  private remoteStartUntil: number | undefined;
  private sentry: SentryState = 'Off';
  private sentryAwareUntil = 0;
  private readonly usesSentry: boolean;

  // Connectivity.
  private asleep = false;
  /** A requested wake-up completes at this model time (Tesla's wake_up is asynchronous). */
  private wakeAt: number | undefined;
  private online = true;
  private offlineUntil: number | undefined;
  private network = 'wifi';

  // Climate and tires.
  private insideTempC: number;
  private readonly outsideOffsetC: number;
  private driverTempC: number;
  private passengerTempC: number;
  /** Climate control on: while driving, or by command (until `climateUntil` when parked). */
  private climateOn = false;
  private climateUntil: number | undefined;
  private chargeCurrentRequest = CHARGE_CURRENT_MAX_A;
  private readonly tpmsColdBar: [number, number, number, number];
  private readonly tpmsBar: [number, number, number, number];
  private readonly leakyTire: number;

  // Alerts.
  private readonly activeAlerts = new Map<string, { alert: SimulatedAlert; clearAt: number | undefined }>();
  private events: VehicleEvent[] = [];
  private changed = false;

  constructor(options: SimulatedVehicleOptions) {
    this.vin = options.vin;
    this.index = options.index;
    this.rng = Rng.fork(options.seed, `vehicle:${options.index}`);
    this.behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
    this.city = options.city ?? DEFAULT_CITY;
    const rng = this.rng;
    this.grid = this.city.grid ?? {
      bearing: Rng.fork(options.seed, 'city-grid').between(0, 90),
      blockMeters: 200,
    };
    this.t = options.startMs;
    this.lastActivityAt = options.startMs;

    const model = rng.pick(MODELS);
    this.carType = model.carType;
    this.capacityKwh = model.capacityKwh;
    this.ratedWhPerKm = model.ratedWhPerKm;
    this.recentWhPerKm = model.ratedWhPerKm * rng.between(1.0, 1.2);
    this.name = `${NAMES[options.index % NAMES.length] ?? 'Car'} ${options.index + 1}`;
    this.version = rng.pick(VERSIONS);
    this.legacyFirmware = rng.chance(0.2);
    this.alertTimesInMillis = rng.chance(0.25);
    this.usesSentry = rng.chance(0.25);
    this.chargeLimit = rng.pick([80, 80, 80, 85, 90]);

    this.home = randomPointNear(rng, this.city.center, this.city.radiusKm * 800);
    this.position = this.home;
    this.heading = rng.between(0, 360);
    this.odometerKm = rng.between(3_000, 90_000);
    const soc = options.initialSoc ?? rng.between(30, 92);
    this.energyKwh = (clamp(soc, 0, 100) / 100) * this.capacityKwh;

    this.outsideOffsetC = rng.normal(0, 0.6);
    this.driverTempC = rng.pick([20, 20.5, 21, 21.5, 22]);
    this.passengerTempC = this.driverTempC;
    this.insideTempC = this.outsideTempAt(this.t) + rng.between(0, 4);
    const cold = rng.between(2.85, 3.0);
    this.tpmsColdBar = [
      cold + rng.normal(0, 0.03),
      cold + rng.normal(0, 0.03),
      cold + rng.normal(0, 0.03),
      cold + rng.normal(0, 0.03),
    ];
    this.leakyTire = rng.chance(0.08) ? rng.int(0, 3) : -1;
    if (this.leakyTire >= 0) this.tpmsColdBar[this.leakyTire] = rng.between(2.55, 2.7);
    this.tpmsBar = [...this.tpmsColdBar];

    this.departAt = this.t + rng.between(this.behaviour.parkedMs[0], this.behaviour.parkedMs[1]);
    this.initialize(options.initial ?? 'random', options.initialSoc);
  }

  private initialize(initial: InitialState, initialSoc: number | undefined): void {
    const rng = this.rng;
    let state = initial;
    if (state === 'random') {
      const r = rng.next();
      state = r < 0.35 ? 'driving' : r < 0.5 ? 'charging' : r < 0.7 ? 'asleep' : 'parked';
    }
    switch (state) {
      case 'driving':
        // Leave within seconds, from somewhere in town rather than always from home.
        this.position = randomPointNear(rng, this.city.center, this.city.radiusKm * 1000);
        this.departAt = this.t + rng.between(500, 5_000);
        this.network = 'cellular';
        break;
      case 'charging': {
        const dc = rng.chance(0.3);
        // Fast chargers are on the road, not in the driveway.
        if (dc) this.position = randomPointNear(rng, this.city.center, this.city.radiusKm * 1000);
        if (initialSoc === undefined)
          this.energyKwh = Math.min(this.energyKwh, (rng.between(20, 70) / 100) * this.capacityKwh);
        this.plugIn(dc ? 'dc' : 'ac');
        this.chargeState = 'Charging';
        // Stay plugged until the charge is done (a fast charge) or at least well under way.
        const kwh = ((this.chargeLimit - this.socPercent()) / 100) * this.capacityKwh;
        const untilMs = (kwh / (dc ? 90 : 9)) * MS_PER_HOUR * (dc ? 1 : rng.between(0.3, 1));
        this.departAt = Math.max(this.departAt, this.t + untilMs);
        break;
      }
      case 'asleep':
        // Sentry keeps a car awake, so a sentry user starts parked instead.
        if (!this.usesSentry) {
          this.asleep = true;
          this.online = false;
        }
        break;
      case 'parked':
        break;
    }
    if (this.mode === 'parked' && this.usesSentry && !this.asleep) this.sentry = 'Armed';
  }

  // -------------------------------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------------------------------

  /** The model's current time, epoch ms. */
  now(): number {
    return this.t;
  }

  /** Whether the vehicle's telemetry socket is connected (awake, not in a dead spot). */
  isOnline(): boolean {
    return this.online;
  }

  /** The network the vehicle streams over (`wifi` at home, else `cellular`), as the server reports it. */
  networkInterface(): string {
    return this.network;
  }

  /** What the vehicle is doing, coarsely. */
  status(): VehicleStatus {
    if (this.asleep) return 'asleep';
    if (!this.online) return 'offline';
    if (this.mode === 'driving') return 'driving';
    if (this.chargeState === 'Charging' || this.chargeState === 'Starting') return 'charging';
    return 'parked';
  }

  /** The model's state in metric units. */
  state(): VehicleStateView {
    return {
      vin: this.vin,
      at: this.t,
      status: this.status(),
      position: this.position,
      home: this.home,
      headingDeg: this.heading,
      speedKph: this.speedMs * 3.6,
      gear: this.gear,
      odometerKm: this.odometerKm,
      energyKwh: this.energyKwh,
      capacityKwh: this.capacityKwh,
      socPercent: this.socPercent(),
      plugged: this.plug !== 'none',
      chargeState: this.chargeState,
      chargePowerKw: this.chargePowerKw,
      chargeLimitSoc: this.chargeLimit,
      locked: this.locked,
      sentry: this.sentry,
      online: this.online,
      asleep: this.asleep,
      wakingAt: this.wakeAt ?? null,
      doors: { ...this.doors },
      windows: { ...this.windows },
      climateOn: this.hvacOn(),
      driverTempC: this.driverTempC,
      passengerTempC: this.passengerTempC,
      remoteStartUntil: this.remoteStartUntil ?? null,
      chargeCurrentRequestA: this.chargeCurrentRequest,
    };
  }

  /** The vehicle's signals now, in Tesla's units, rounded as the car rounds them. */
  signals(): VehicleSignals {
    const usableKwh = Math.max(0, this.energyKwh - BUFFER_FRACTION * this.capacityKwh);
    const ratedMiles = (usableKwh * 1000) / this.ratedWhPerKm / KM_PER_MILE;
    const charging = this.chargeState === 'Charging';
    const dc = this.plug === 'dc';
    const voltage = this.chargerVoltage();
    const soc = this.socPercent();
    const powerKw = charging ? this.chargePowerKw : 0;
    const hoursToFull =
      charging && powerKw > 0
        ? (Math.max(0, this.chargeLimit - soc) / 100) * (this.capacityKwh / powerKw)
        : 0;
    return {
      VehicleSpeed: round((this.speedMs * 3.6) / KM_PER_MILE, 1),
      Odometer: round(this.odometerKm / KM_PER_MILE, 3),
      Location: { latitude: round(this.position.latitude, 6), longitude: round(this.position.longitude, 6) },
      GpsHeading: round(this.heading, 1),
      Gear: `ShiftState${this.gear}`,
      Soc: round(soc, 2),
      BatteryLevel: round(this.batteryLevel(), 1),
      EnergyRemaining: round(this.energyKwh, 2),
      RatedRange: round(ratedMiles, 2),
      EstBatteryRange: round((usableKwh * 1000) / this.recentWhPerKm / KM_PER_MILE, 2),
      IdealBatteryRange: round(ratedMiles * 1.04, 2),
      DetailedChargeState: `DetailedChargeState${this.chargeState}`,
      ChargeLimitSoc: this.chargeLimit,
      ACChargingPower: round(!dc ? powerKw : 0, 1),
      DCChargingPower: round(dc ? powerKw : 0, 1),
      ChargerVoltage: round(charging ? voltage : 0, 1),
      ChargeAmps: round(
        charging && voltage > 0 ? (powerKw * 1000) / voltage / (dc ? 1 : this.acPhases) : 0,
        1,
      ),
      TimeToFullCharge: round(hoursToFull, 2),
      FastChargerPresent: dc,
      ChargePortDoorOpen: this.plug !== 'none',
      ChargePortLatch: this.plug !== 'none' ? 'ChargePortLatchEngaged' : 'ChargePortLatchDisengaged',
      Locked: this.locked,
      DoorState: { ...this.doors },
      SentryMode: `SentryModeState${this.sentry}`,
      InsideTemp: round(this.insideTempC, 1),
      OutsideTemp: round(this.outsideTempAt(this.t), 1),
      TpmsPressureFl: round(this.tpmsBar[0], 2),
      TpmsPressureFr: round(this.tpmsBar[1], 2),
      TpmsPressureRl: round(this.tpmsBar[2], 2),
      TpmsPressureRr: round(this.tpmsBar[3], 2),
      HvacPower: this.hvacOn() ? 'HvacPowerStateOn' : 'HvacPowerStateOff',
      HvacLeftTemperatureRequest: this.driverTempC,
      HvacRightTemperatureRequest: this.passengerTempC,
      FdWindow: `WindowState${this.windows.FdWindow}`,
      FpWindow: `WindowState${this.windows.FpWindow}`,
      RdWindow: `WindowState${this.windows.RdWindow}`,
      RpWindow: `WindowState${this.windows.RpWindow}`,
      RemoteStartEnabled: this.remoteStartUntil !== undefined,
      ChargeCurrentRequest: this.chargeCurrentRequest,
      ChargeCurrentRequestMax: CHARGE_CURRENT_MAX_A,
      VehicleName: this.name,
      Version: this.version,
      CarType: this.carType,
    };
  }

  /** The events since the last call, in time order (connectivity, alerts, errors). */
  takeEvents(): VehicleEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /**
   * Whether something changed that the vehicle reports at once (a command took effect, the vehicle
   * parked or started charging), since the last call.
   */
  takeChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  // -------------------------------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------------------------------

  /**
   * Applies a Fleet API command at the model's current time; the next record shows its effect. The name
   * and parameters are checked against the command catalog first (as Tesla's vehicle-command proxy
   * checks them before it contacts the car), then the vehicle must be awake and connected. `wake_up`
   * wakes the vehicle at once here; the simulated Fleet API uses {@link SimulatedVehicle.requestWake}
   * instead, which takes the seconds a real car takes.
   *
   * Refusals (`result: false`) use short snake_case reasons, as Tesla's do: `disconnected`,
   * `is_charging`, `not_charging`, `complete`, `already_set`, `vehicle_in_motion`, `frunk_already_open`.
   *
   * @throws {UnknownCommandError} for a command the catalog does not know.
   * @throws {InvalidCommandParametersError} for parameters the command cannot take.
   * @throws {VehicleUnavailableError} when the vehicle is asleep or offline (only `wake_up` works then).
   */
  applyCommand(name: string, params: Readonly<Record<string, unknown>> = {}): CommandResult {
    const validation = validateCommand(name, params);
    if (!validation.ok) {
      if (validation.reason === 'UNKNOWN_COMMAND') throw new UnknownCommandError(name);
      throw new InvalidCommandParametersError(name, validation.message);
    }
    const parameters = validation.parameters;
    const command: CommandName = validation.command;
    if (command === 'wake_up') {
      if (this.asleep) this.wake();
      this.lastActivityAt = this.t;
      return { result: true, reason: '' };
    }
    if (this.asleep) throw new VehicleUnavailableError(this.vin, 'asleep');
    if (!this.online) throw new VehicleUnavailableError(this.vin, 'offline');
    this.lastActivityAt = this.t;
    const moving = this.mode === 'driving';
    switch (command) {
      case 'door_lock':
        this.locked = true;
        this.lockAt = undefined;
        if (this.usesSentry && this.mode === 'parked') this.sentry = 'Armed';
        return this.done();
      case 'door_unlock':
        this.locked = false;
        this.lockAt = undefined;
        this.sentry = 'Off';
        return this.done();
      case 'charge_start':
        if (this.plug === 'none') return { result: false, reason: 'disconnected' };
        if (this.chargeState === 'Charging' || this.chargeState === 'Starting')
          return { result: false, reason: 'is_charging' };
        if (this.socPercent() >= this.chargeLimit - 0.5) return { result: false, reason: 'complete' };
        this.startCharging();
        return this.done();
      case 'charge_stop':
        if (this.chargeState !== 'Charging' && this.chargeState !== 'Starting')
          return { result: false, reason: 'not_charging' };
        this.chargeState = 'Stopped';
        this.chargePowerKw = 0;
        return this.done();
      case 'set_charge_limit': {
        const percent = parameters.percent as number;
        if (percent === this.chargeLimit) return { result: false, reason: 'already_set' };
        this.chargeLimit = percent;
        const soc = this.socPercent();
        if (this.chargeState === 'Charging' && soc >= percent) this.completeCharging();
        // A car that completed at the old limit resumes when the limit is raised, as Teslas do.
        else if (this.chargeState === 'Complete' && this.plug !== 'none' && soc < percent - 1)
          this.startCharging();
        return this.done();
      }
      case 'set_charging_amps': {
        // The car takes any value and caps it at what its charger allows, as Teslas do.
        const amps = Math.min(parameters.charging_amps as number, CHARGE_CURRENT_MAX_A);
        if (amps === this.chargeCurrentRequest) return { result: false, reason: 'already_set' };
        this.chargeCurrentRequest = amps;
        return this.done();
      }
      case 'set_sentry_mode':
        this.sentry = parameters.on === true && this.mode === 'parked' ? 'Armed' : 'Off';
        return this.done();
      case 'auto_conditioning_start':
        this.climateOn = true;
        this.climateUntil = moving ? undefined : this.t + CLIMATE_MAX_MS;
        return this.done();
      case 'auto_conditioning_stop':
        this.climateOn = false;
        this.climateUntil = undefined;
        return this.done();
      case 'set_temps':
        this.driverTempC = parameters.driver_temp as number;
        this.passengerTempC = parameters.passenger_temp as number;
        return this.done();
      case 'actuate_trunk': {
        if (moving) return { result: false, reason: 'vehicle_in_motion' };
        if (parameters.which_trunk === 'front') {
          // A frunk has no motor to close it: it closes by hand.
          if (this.doors.TrunkFront) return { result: false, reason: 'frunk_already_open' };
          this.doors.TrunkFront = true;
        } else this.doors.TrunkRear = !this.doors.TrunkRear;
        return this.done();
      }
      case 'window_control': {
        const vent = parameters.command === 'vent';
        if (vent && moving) return { result: false, reason: 'vehicle_in_motion' };
        const position: WindowPosition = vent ? 'PartiallyOpen' : 'Closed';
        this.windows = { FdWindow: position, FpWindow: position, RdWindow: position, RpWindow: position };
        return this.done();
      }
      case 'remote_start_drive':
        if (moving) return { result: false, reason: 'vehicle_in_motion' };
        this.remoteStartUntil = this.t + REMOTE_START_MS;
        return this.done();
      case 'honk_horn':
      case 'flash_lights':
        return { result: true, reason: '' };
    }
  }

  /**
   * Starts waking a sleeping vehicle, as the Fleet API's `wake_up` does: the answer comes at once, the
   * vehicle connects `delayMs` later (model time), and commands meanwhile find it asleep. A vehicle
   * already waking keeps its earlier time; an awake one only counts it as activity (it stays awake
   * longer). Returns when (model time, epoch ms) the vehicle is or will be awake.
   */
  requestWake(delayMs: number): number {
    this.lastActivityAt = this.t;
    if (!this.asleep) return this.t;
    if (delayMs <= 0) {
      this.wake();
      return this.t;
    }
    this.wakeAt ??= this.t + delayMs;
    return this.wakeAt;
  }

  private done(): CommandResult {
    this.changed = true;
    return { result: true, reason: '' };
  }

  // -------------------------------------------------------------------------------------------------
  // Time
  // -------------------------------------------------------------------------------------------------

  /** Lives the vehicle's life up to `toMs` (epoch ms); a time in the past does nothing. */
  advance(toMs: number): void {
    while (this.t < toMs) {
      const dtMs = Math.min(STEP_MS, toMs - this.t);
      this.t += dtMs;
      this.step(dtMs / 1000);
    }
  }

  private step(dt: number): void {
    if (this.wakeAt !== undefined && this.t >= this.wakeAt) this.wake();
    if (this.remoteStartUntil !== undefined && this.t >= this.remoteStartUntil) {
      this.remoteStartUntil = undefined;
      this.changed = true;
    }
    if (this.climateUntil !== undefined && this.t >= this.climateUntil) {
      this.climateOn = false;
      this.climateUntil = undefined;
      this.changed = true;
    }
    if (this.mode === 'driving') this.stepDriving(dt);
    else this.stepParked(dt);
    this.stepClimate(dt);
    this.stepConnectivity(dt);
    this.stepAlerts(dt);
  }

  // -------------------------------------------------------------------------------------------------
  // Parked
  // -------------------------------------------------------------------------------------------------

  private stepParked(dt: number): void {
    const t = this.t;
    if (this.doorOpenAt !== undefined && t >= this.doorOpenAt) {
      this.doors.DriverFront = true;
      this.doorOpenAt = undefined;
    }
    if (this.doorOpenUntil !== undefined && t >= this.doorOpenUntil && this.doorOpenAt === undefined) {
      this.doors.DriverFront = false;
      this.doorOpenUntil = undefined;
    }
    if (this.plugAt !== undefined && t >= this.plugAt) {
      this.plugAt = undefined;
      this.plugIn(this.plugKindAt);
      this.changed = true;
    }
    if (this.lockAt !== undefined && t >= this.lockAt && !this.doors.DriverFront) {
      this.lockAt = undefined;
      this.locked = true;
      if (this.usesSentry) this.sentry = 'Armed';
    }
    if (this.sentry === 'Aware' && t >= this.sentryAwareUntil) this.sentry = 'Armed';
    if (this.sentry === 'Armed' && this.rng.chance((4 * dt) / 3600)) {
      this.sentry = 'Aware';
      this.sentryAwareUntil = t + this.rng.between(15_000, 60_000);
    }

    this.stepCharging(dt);

    // Idle draw: a sleeping car sips, an awake one runs its computers, sentry keeps cameras on. A car
    // plugged in after its charge completed draws that from the wall, not from the pack.
    const idleKw =
      (this.asleep ? 0.01 : 0.2 + (this.sentry === 'Off' ? 0 : 0.25)) + (this.climateOn ? CLIMATE_KW : 0);
    const fromWall =
      this.chargeState === 'Charging' || (this.plug !== 'none' && this.chargeState === 'Complete');
    if (!fromWall) this.energyKwh = Math.max(0, this.energyKwh - (idleKw * dt) / 3600);

    this.prepareDeparture();
    if (t >= this.departAt) {
      this.startTrip();
      return;
    }
    const busy =
      this.chargeState === 'Charging' ||
      this.chargeState === 'Starting' ||
      this.sentry !== 'Off' ||
      this.climateOn ||
      this.remoteStartUntil !== undefined ||
      // An open door or trunk keeps a Tesla awake, as it does the real one.
      this.doors.DriverFront ||
      this.doors.TrunkFront ||
      this.doors.TrunkRear ||
      this.plugAt !== undefined ||
      this.lockAt !== undefined ||
      t >= this.departAt - 30_000;
    if (!this.asleep && !busy && t - this.lastActivityAt >= this.behaviour.sleepAfterMs) this.fallAsleep();
  }

  private prepareDeparture(): void {
    const t = this.t;
    if (!this.departurePrepared && t >= this.departAt - 20_000) {
      // The driver walks up: the car wakes, unlocks for the phone key, sentry stands down.
      this.departurePrepared = true;
      if (this.asleep) this.wake();
      this.lastActivityAt = t;
      this.locked = false;
      this.lockAt = undefined;
      this.sentry = 'Off';
      this.plugAt = undefined;
      // The driver shuts what a command left open before driving off.
      if (this.doors.TrunkFront || this.doors.TrunkRear || this.windows.FdWindow !== 'Closed') {
        this.doors.TrunkFront = false;
        this.doors.TrunkRear = false;
        this.windows = closedWindows();
        this.changed = true;
      }
    }
    if (this.departurePrepared && this.plug !== 'none' && t >= this.departAt - 15_000) {
      this.unplug();
      this.changed = true;
    }
    if (this.departurePrepared && t >= this.departAt - 8_000 && t < this.departAt - 3_000)
      this.doors.DriverFront = true;
    else if (this.departurePrepared && t >= this.departAt - 3_000) this.doors.DriverFront = false;
  }

  private stepCharging(dt: number): void {
    if (this.chargeState === 'Starting' && this.t >= this.chargeStartAt) this.chargeState = 'Charging';
    if (this.chargeState !== 'Charging') {
      this.chargePowerKw = 0;
      return;
    }
    const soc = this.socPercent();
    let power: number;
    if (this.plug === 'dc') {
      // The DC curve: a ramp at low Soc, the peak to about 50 %, then a long taper.
      const shape = soc < 15 ? 0.75 + soc / 60 : soc < 50 ? 1 : Math.max(0.12, 1 - (soc - 50) / 55);
      power = this.maxChargeKw * shape;
    } else {
      // The charge current setting caps AC charging (every phase draws it); DC ignores it, as in a Tesla.
      const acKw = Math.min(this.maxChargeKw, (this.chargeCurrentRequest * AC_VOLTS * this.acPhases) / 1000);
      power = soc < 95 ? acKw : acKw * Math.max(0.3, (100 - soc) / 5);
    }
    this.chargePowerKw = relax(this.chargePowerKw, power, dt, 4);
    const efficiency = this.plug === 'dc' ? 0.95 : 0.9;
    this.energyKwh = Math.min(
      this.capacityKwh,
      this.energyKwh + (this.chargePowerKw * efficiency * dt) / 3600,
    );
    if (this.socPercent() >= this.chargeLimit) this.completeCharging();
    this.lastActivityAt = this.t;
  }

  private plugIn(kind: Plug): void {
    this.plug = kind === 'none' ? 'ac' : kind;
    const atHome = distanceMeters(this.position, this.home) <= HOME_RADIUS_M;
    if (this.plug === 'dc') {
      this.maxChargeKw = this.rng.pick([120, 150, 170, 250]);
    } else {
      this.acPhases = atHome && this.rng.chance(0.3) ? 1 : 3;
      this.maxChargeKw = this.acPhases === 1 ? 7.4 : this.rng.pick([11, 11, 11.5]);
    }
    if (this.socPercent() < this.chargeLimit - 0.5) this.startCharging();
    else this.chargeState = 'Complete';
  }

  private startCharging(): void {
    this.chargeState = 'Starting';
    this.chargeStartAt = this.t + this.rng.between(3_000, 8_000);
    this.chargePowerKw = 0;
  }

  private completeCharging(): void {
    this.chargeState = 'Complete';
    this.chargePowerKw = 0;
    this.changed = true;
  }

  private unplug(): void {
    this.plug = 'none';
    this.chargeState = 'Disconnected';
    this.chargePowerKw = 0;
  }

  private chargerVoltage(): number {
    if (this.plug === 'dc') return 340 + this.socPercent() * 0.6;
    return this.plug === 'ac' ? 230 : 0;
  }

  private fallAsleep(): void {
    this.asleep = true;
    this.sentry = 'Off';
    this.climateOn = false;
    this.climateUntil = undefined;
    if (this.online) {
      this.online = false;
      this.events.push({ kind: 'disconnected', at: this.t });
    }
    this.offlineUntil = undefined;
  }

  private wake(): void {
    this.wakeAt = undefined;
    this.asleep = false;
    this.lastActivityAt = this.t;
    this.offlineUntil = undefined;
    if (!this.online) this.connect();
  }

  private connect(): void {
    this.online = true;
    this.events.push({ kind: 'connected', at: this.t, networkInterface: this.network });
  }

  // -------------------------------------------------------------------------------------------------
  // Driving
  // -------------------------------------------------------------------------------------------------

  private startTrip(): void {
    const rng = this.rng;
    if (this.plug !== 'none') this.unplug();
    // Driving out of a dead spot (a garage) brings the connection back.
    if (!this.online && !this.asleep) this.offlineUntil = this.t;
    this.doors.DriverFront = false;
    this.departurePrepared = false;
    this.doorOpenAt = undefined;
    this.doorOpenUntil = undefined;
    this.mode = 'driving';
    this.sentry = 'Off';
    this.climateOn = true;
    this.climateUntil = undefined;
    this.remoteStartUntil = undefined;
    this.lastActivityAt = this.t;
    const awayFromHome = distanceMeters(this.position, this.home) > 1_000;
    let target: LocationValue;
    if (awayFromHome && rng.chance(0.4)) {
      target = this.home;
    } else {
      const km = rng.between(this.behaviour.tripKm[0], this.behaviour.tripKm[1]);
      let bearing = rng.between(0, 360);
      // Stay in town: a destination beyond the city's edge is turned back towards the centre.
      const fromCenter = distanceMeters(this.city.center, this.position);
      if (fromCenter + km * 1000 > this.city.radiusKm * 1500) {
        bearing = bearingDegrees(this.position, this.city.center) + rng.between(-60, 60);
      }
      target = destination(this.position, bearing, km * 1000);
    }
    this.route = planRoute(rng, this.position, target, this.grid);
    this.waypoint = 0;
    this.cruiseFactor = rng.between(0.92, 1.06);
    const r = rng.next();
    if (r < 0.3) {
      this.phase = 'reverse';
      this.gear = 'R';
      this.phaseUntil = this.t + rng.between(4_000, 8_000);
    } else if (r < 0.35) {
      this.phase = 'neutral';
      this.gear = 'N';
      this.phaseUntil = this.t + rng.between(2_000, 4_000);
    } else {
      this.phase = 'forward';
      this.gear = 'D';
      this.phaseUntil = undefined;
    }
    this.switchNetwork('cellular');
    this.changed = true;
  }

  private stepDriving(dt: number): void {
    const rng = this.rng;
    const t = this.t;
    let targetKph = 0;
    let maxAccel = 2.2;
    let maxDecel = 3;
    const leg = this.route[this.waypoint];

    switch (this.phase) {
      case 'reverse':
        targetKph = t < (this.phaseUntil ?? 0) ? 6 : 0;
        maxAccel = 1;
        if (targetKph === 0 && this.speedMs === 0) this.beginForward();
        break;
      case 'neutral':
        if (t >= (this.phaseUntil ?? 0)) this.beginForward();
        break;
      case 'red-light':
        if (this.speedMs === 0 && this.phaseUntil === undefined)
          this.phaseUntil = t + rng.between(5_000, 40_000);
        if (this.phaseUntil !== undefined && t >= this.phaseUntil) {
          this.phase = 'forward';
          this.phaseUntil = undefined;
        }
        maxDecel = 4;
        break;
      case 'arriving':
        maxDecel = 3.5;
        if (this.speedMs === 0) {
          this.park();
          return;
        }
        break;
      case 'forward':
        if (leg !== undefined) targetKph = this.forwardTargetKph(leg);
        break;
    }

    // Speed: limited acceleration (less at speed), firmer braking.
    const v0 = this.speedMs;
    const target = targetKph / 3.6;
    const accel = maxAccel * Math.max(0.25, 1 - v0 / 45);
    let v1 = target > v0 ? Math.min(target, v0 + accel * dt) : Math.max(target, v0 - maxDecel * dt);
    v1 = clamp(v1, 0, MAX_SPEED_KPH / 3.6);
    if (v1 < 0.05 && target === 0) v1 = 0;

    // Heading: steer towards the waypoint with a yaw rate a real car can do at this speed.
    const h0 = this.heading;
    if (this.phase === 'forward' && leg !== undefined && v1 > 0) {
      const wanted = bearingDegrees(this.position, leg.position);
      const maxYaw = v1 < 8 ? 40 : 40 * (8 / v1) + 4;
      this.heading = normalizeDegrees(h0 + clamp(turnDegrees(h0, wanted), -maxYaw * dt, maxYaw * dt));
    }
    const meters = ((v0 + v1) / 2) * dt;
    if (meters > 0) {
      const mid = normalizeDegrees(h0 + turnDegrees(h0, this.heading) / 2);
      this.position = destination(this.position, this.gear === 'R' ? mid + 180 : mid, meters);
      this.odometerKm += meters / 1000;
    }
    this.speedMs = v1;
    this.consume(v0, v1, meters, dt);
    if (!this.locked && v1 * 3.6 > 8) this.locked = true;

    if (this.phase === 'forward' && leg !== undefined) this.checkWaypoint(leg);
  }

  private beginForward(): void {
    this.phase = 'forward';
    this.gear = 'D';
    this.phaseUntil = undefined;
  }

  private forwardTargetKph(leg: Waypoint): number {
    const rng = this.rng;
    const t = this.t;
    const next = this.route[this.waypoint + 1];
    const last = next === undefined;
    // Speed at the corner: stop for red lights and at the destination, slow for sharp turns.
    let cornerKph: number;
    if (last || leg.redLight) cornerKph = 0;
    else {
      const turn = Math.abs(
        turnDegrees(bearingDegrees(this.position, leg.position), bearingDegrees(leg.position, next.position)),
      );
      cornerKph =
        turn >= 60
          ? TURN_SPEED_KPH
          : turn <= 15
            ? leg.limitKph
            : leg.limitKph - ((turn - 15) / 45) * (leg.limitKph - TURN_SPEED_KPH);
    }
    const d = Math.max(0, distanceMeters(this.position, leg.position) - 8);
    const brakingKph = Math.sqrt((cornerKph / 3.6) ** 2 + 2 * 2.2 * d) * 3.6;
    // Traffic: now and then the flow slows for a while.
    if (t >= this.slowdownUntil && rng.chance(0.004)) {
      this.slowdownUntil = t + rng.between(5_000, 25_000);
      this.slowdownKph = rng.between(8, 30);
    }
    const flow =
      t < this.slowdownUntil ? this.slowdownKph : leg.limitKph * this.cruiseFactor + 2 * Math.sin(t / 7_000);
    return Math.min(flow, brakingKph, MAX_SPEED_KPH);
  }

  private checkWaypoint(leg: Waypoint): void {
    const d = distanceMeters(this.position, leg.position);
    const off = Math.abs(turnDegrees(this.heading, bearingDegrees(this.position, leg.position)));
    // Captured when close, or when it has fallen behind (a wide turn overshot it).
    if (d > WAYPOINT_CAPTURE_M && !(d < 60 && off > 100)) return;
    const last = this.waypoint >= this.route.length - 1;
    this.waypoint += 1;
    if (last) this.phase = 'arriving';
    else if (leg.redLight) {
      this.phase = 'red-light';
      this.phaseUntil = undefined;
    }
  }

  /** Energy: rolling and aerodynamic losses, HVAC, and the kinetic energy of speeding up (part regained). */
  private consume(v0: number, v1: number, meters: number, dt: number): void {
    const kph = ((v0 + v1) / 2) * 3.6;
    const cruiseWh = (meters / 1000) * (this.ratedWhPerKm * 0.62 + 0.0075 * kph * kph);
    const hvacWh = (1.2 * 1000 * dt) / 3600;
    const kineticWh = (0.5 * MASS_KG * (v1 * v1 - v0 * v0)) / 3600;
    const inertiaWh = kineticWh > 0 ? kineticWh / 0.9 : kineticWh * 0.6;
    const wh = cruiseWh + hvacWh + inertiaWh;
    this.energyKwh = clamp(this.energyKwh - wh / 1000, 0, this.capacityKwh);
    if (meters > 0) {
      const instant = (cruiseWh + hvacWh + Math.max(0, inertiaWh)) / (meters / 1000);
      // The estimate follows the last ~20 km of driving.
      this.recentWhPerKm += (clamp(instant, 80, 600) - this.recentWhPerKm) * Math.min(1, meters / 20_000);
    }
  }

  private park(): void {
    const rng = this.rng;
    const t = this.t;
    this.mode = 'parked';
    this.gear = 'P';
    this.speedMs = 0;
    // The driver gets out; the car turns its climate off.
    this.climateOn = false;
    this.climateUntil = undefined;
    this.route = [];
    this.phase = 'forward';
    this.lastActivityAt = t;
    this.doorOpenAt = t + rng.between(2_000, 5_000);
    this.doorOpenUntil = this.doorOpenAt + rng.between(4_000, 10_000);
    this.lockAt = this.doorOpenUntil + rng.between(15_000, 35_000);
    this.departAt = t + rng.between(this.behaviour.parkedMs[0], this.behaviour.parkedMs[1]);
    const atHome = distanceMeters(this.position, this.home) <= HOME_RADIUS_M;
    this.switchNetwork(atHome ? 'wifi' : 'cellular');

    const soc = this.socPercent();
    const wantsCharge =
      soc < this.behaviour.chargeBelowSoc ||
      (soc < this.chargeLimit - 5 && rng.chance(this.behaviour.chargeChance));
    if (wantsCharge) {
      const kind: Plug = !atHome && rng.chance(this.behaviour.dcChargeChance) ? 'dc' : 'ac';
      this.plugKindAt = kind;
      this.plugAt = this.doorOpenUntil + rng.between(5_000, 20_000);
      // A fast-charge stop lasts as long as the charge; a nearly empty car stays until it has enough.
      const needSoc =
        kind === 'dc'
          ? this.chargeLimit
          : soc < this.behaviour.chargeBelowSoc
            ? Math.min(this.chargeLimit, soc + 30)
            : soc;
      if (needSoc > soc) {
        const kwh = ((needSoc - soc) / 100) * this.capacityKwh;
        const kw = kind === 'dc' ? 90 : 9;
        this.departAt = Math.max(
          this.departAt,
          this.plugAt + (kwh / kw) * MS_PER_HOUR + rng.between(60_000, 240_000),
        );
      }
    }
    this.changed = true;
  }

  // -------------------------------------------------------------------------------------------------
  // Climate, tires, connectivity, alerts
  // -------------------------------------------------------------------------------------------------

  private hvacOn(): boolean {
    return this.climateOn || (!this.asleep && this.doors.DriverFront && this.departurePrepared);
  }

  private outsideTempAt(ms: number): number {
    // A daily swing around the season's mean, peaking mid-afternoon local solar time.
    const hours = (ms / MS_PER_HOUR + this.city.center.longitude / 15) % 24;
    return 11 + 5 * Math.sin(((hours - 9) / 24) * 2 * Math.PI) + this.outsideOffsetC;
  }

  private stepClimate(dt: number): void {
    const outside = this.outsideTempAt(this.t);
    this.insideTempC = this.hvacOn()
      ? relax(this.insideTempC, (this.driverTempC + this.passengerTempC) / 2, dt, 240)
      : relax(this.insideTempC, outside + 2, dt, 1_800);
    const warm = this.mode === 'driving' ? 0.15 : 0;
    for (let i = 0; i < 4; i += 1) {
      if (i === this.leakyTire) this.tpmsColdBar[i] = (this.tpmsColdBar[i] ?? 0) - (0.05 * dt) / 3600;
      const target = (this.tpmsColdBar[i] ?? 0) + (outside - 20) * 0.007 + warm;
      this.tpmsBar[i] = relax(this.tpmsBar[i] ?? target, target, dt, 600);
    }
  }

  private switchNetwork(networkInterface: string): void {
    if (this.network === networkInterface) return;
    this.network = networkInterface;
    // Changing networks drops the websocket; the car reconnects over the new one.
    if (this.online) {
      this.events.push({ kind: 'disconnected', at: this.t });
      this.events.push({ kind: 'connected', at: this.t, networkInterface });
    }
  }

  private stepConnectivity(dt: number): void {
    if (this.asleep) return;
    if (!this.online) {
      if (this.offlineUntil !== undefined && this.t >= this.offlineUntil) {
        this.offlineUntil = undefined;
        this.connect();
      }
      return;
    }
    const perHour =
      this.mode === 'driving' ? this.behaviour.drivingDropsPerHour : this.behaviour.offlinePerHour;
    if (this.rng.chance((perHour * dt) / 3600)) {
      this.online = false;
      this.offlineUntil =
        this.t +
        (this.mode === 'driving' ? this.rng.between(3_000, 15_000) : this.rng.between(30_000, 180_000));
      this.events.push({ kind: 'disconnected', at: this.t });
    }
  }

  private raise(name: string, audiences: readonly AlertAudience[], clearAt: number | undefined): void {
    if (this.activeAlerts.has(name)) return;
    const alert: SimulatedAlert = { name, audiences, startedAt: this.t, endedAt: null };
    this.activeAlerts.set(name, { alert, clearAt });
    this.events.push({ kind: 'alert', at: this.t, alert });
  }

  private clear(name: string): void {
    const active = this.activeAlerts.get(name);
    if (active === undefined) return;
    this.activeAlerts.delete(name);
    this.events.push({ kind: 'alert', at: this.t, alert: { ...active.alert, endedAt: this.t } });
  }

  private stepAlerts(dt: number): void {
    if (this.asleep) return;
    const rng = this.rng;
    for (const [name, active] of this.activeAlerts) {
      if (active.clearAt !== undefined && this.t >= active.clearAt) this.clear(name);
    }
    const level = this.batteryLevel();
    if (level < 15) this.raise(LOW_SOC_ALERT.name, LOW_SOC_ALERT.audiences, undefined);
    else if (level > 20) this.clear(LOW_SOC_ALERT.name);
    const lowestTire = Math.min(...this.tpmsBar);
    if (lowestTire < 2.5) this.raise(LOW_TIRE_ALERT.name, LOW_TIRE_ALERT.audiences, undefined);
    else if (lowestTire > 2.6) this.clear(LOW_TIRE_ALERT.name);

    if (rng.chance((this.behaviour.alertsPerHour * dt) / 3600)) {
      const candidates = RANDOM_ALERTS.filter((a) => {
        if (a.when === 'plugged') return this.plug !== 'none';
        return a.when === 'any' || (a.when === 'driving') === (this.mode === 'driving');
      });
      const spec = rng.pick(candidates);
      const audiences = rng.chance(0.2)
        ? [...spec.audiences, 'ServiceFix'].filter((a, i, all) => all.indexOf(a) === i)
        : spec.audiences;
      this.raise(spec.name, audiences, this.t + rng.between(spec.durationMs[0], spec.durationMs[1]));
    }
    if (rng.chance((this.behaviour.errorsPerHour * dt) / 3600)) {
      const spec = rng.pick(RANDOM_ERRORS);
      this.events.push({
        kind: 'error',
        at: this.t,
        error: {
          name: spec.name,
          tags: spec.tags(rng),
          body: spec.body,
          createdAt: this.t - rng.int(0, 2_000),
        },
      });
    }
  }

  private batteryLevel(): number {
    const usable = Math.max(0, this.energyKwh - BUFFER_FRACTION * this.capacityKwh);
    return (usable / ((1 - BUFFER_FRACTION) * this.capacityKwh)) * 100;
  }

  private socPercent(): number {
    return clamp((this.energyKwh / this.capacityKwh) * 100, 0, 100);
  }
}

/** The commands {@link SimulatedVehicle.applyCommand} knows: every command of the catalog. */
export const SIMULATED_COMMANDS: readonly CommandName[] = COMMAND_NAMES;
