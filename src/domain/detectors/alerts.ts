/**
 * The alert detector: the tenant's alert rules over the vehicle's signals (thresholds, sustained
 * conditions, door open while parked, tyre pressure, outside a geofence during hours) with raise/clear
 * hysteresis, and Tesla's own `alerts` and `errors` topics. Emits `Vehicle.Alert.Raised`,
 * `Vehicle.Alert.Cleared` and `Vehicle.Error.Reported`. Rules: docs/detectors.md, "Alerts".
 */
import { z } from 'zod';
import { DETAIL_TYPES, EntityIdSchema, SignalNameSchema, type Signals } from '../events/catalog/common.ts';
import { AlertSeveritySchema, type AlertTrigger } from '../events/catalog/vehicle.ts';
import type { SignalValue } from '../tesla/types.ts';
import { InvalidAlertRuleError, describeIssues } from './errors.ts';
import { geofenceStatus, type GeofenceState } from './geofences.ts';
import { deterministicId, hashKey } from './ids.ts';
import {
  KM_PER_MILE,
  booleanOf,
  iso,
  numberOf,
  round,
  secondsBetween,
  stringOf,
  type SeenSignals,
  walkSteps,
  workingState,
} from './timeline.ts';
import type {
  AlertsObservation,
  DetectorContext,
  DetectorResult,
  DomainEvent,
  ErrorsObservation,
  VehicleBatch,
  VehicleRef,
} from './types.ts';

export { AlertSeveritySchema };

/** How urgent an alert is. */
export type AlertSeverity = z.output<typeof AlertSeveritySchema>;

const HH_MM = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time of day HH:MM (00:00-23:59)' });

/** `signal op value`; the value is in the signal's display unit (see {@link SIGNAL_UNITS}). */
export const ThresholdConditionSchema = z.strictObject({
  kind: z.literal('threshold'),
  signal: SignalNameSchema,
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number().finite(),
  /**
   * Hysteresis: once raised, the alert clears only when the value is strictly past this one (above it for
   * `<`/`<=`, below it for `>`/`>=`). Absent: it clears as soon as the raise condition is false.
   */
  clearValue: z.number().finite().optional(),
});

/** A door open (or, with `includeUnlocked`, the vehicle unlocked) while the gear is P. */
export const DoorOpenWhileParkedConditionSchema = z.strictObject({
  kind: z.literal('doorOpenWhileParked'),
  includeUnlocked: z.boolean().default(false),
});

/** Any of the four TPMS pressures below `belowBar`; clears when all are above `clearAboveBar`. */
export const TyrePressureConditionSchema = z.strictObject({
  kind: z.literal('tyrePressure'),
  belowBar: z.number().positive(),
  clearAboveBar: z.number().positive().optional(),
});

/** The vehicle is outside a geofence during a local-time window (the tenant's time zone). */
export const OutsideGeofenceDuringHoursConditionSchema = z.strictObject({
  kind: z.literal('outsideGeofenceDuringHours'),
  geofenceId: EntityIdSchema,
  /** Window start, local HH:MM, inclusive. */
  from: HH_MM,
  /** Window end, local HH:MM, exclusive; before `from` means the window spans midnight. */
  to: HH_MM,
  /** Local weekdays the window applies on (0 Sunday … 6 Saturday); all when absent. */
  days: z.array(z.int().min(0).max(6)).min(1).max(7).optional(),
});

/** An alert rule of a tenant. */
export const AlertRuleSchema = z
  .strictObject({
    id: EntityIdSchema,
    name: z.string().min(1).max(128),
    severity: AlertSeveritySchema.default('warning'),
    enabled: z.boolean().default(true),
    /** The raise condition must hold this long before the alert is raised (speed > 120 for 60 s). */
    sustainSeconds: z.number().nonnegative().finite().default(0),
    /** The clear condition must hold this long before the alert clears. */
    clearSustainSeconds: z.number().nonnegative().finite().default(0),
    condition: z.discriminatedUnion('kind', [
      ThresholdConditionSchema,
      DoorOpenWhileParkedConditionSchema,
      TyrePressureConditionSchema,
      OutsideGeofenceDuringHoursConditionSchema,
    ]),
  })
  .superRefine((rule, context) => {
    const condition = rule.condition;
    if (condition.kind === 'threshold' && condition.clearValue !== undefined) {
      const below = condition.op === '<' || condition.op === '<=';
      if (below ? condition.clearValue < condition.value : condition.clearValue > condition.value) {
        context.addIssue({
          code: 'custom',
          path: ['condition', 'clearValue'],
          message: `must be ${below ? 'at or above' : 'at or below'} value ${condition.value}: the clear threshold lies past the raise threshold`,
        });
      }
    }
    if (
      condition.kind === 'tyrePressure' &&
      condition.clearAboveBar !== undefined &&
      condition.clearAboveBar < condition.belowBar
    ) {
      context.addIssue({
        code: 'custom',
        path: ['condition', 'clearAboveBar'],
        message: 'must be at or above belowBar',
      });
    }
    if (condition.kind === 'outsideGeofenceDuringHours' && condition.from === condition.to) {
      context.addIssue({
        code: 'custom',
        path: ['condition', 'to'],
        message: 'must differ from from (an empty window)',
      });
    }
  });

/** An alert rule, validated and with defaults. */
export type AlertRule = z.output<typeof AlertRuleSchema>;

/** Validates a tenant's rules (unique ids). Throws {@link InvalidAlertRuleError}. */
export function parseAlertRules(input: unknown): AlertRule[] {
  const result = z.array(AlertRuleSchema).safeParse(input);
  if (!result.success)
    throw new InvalidAlertRuleError(`invalid alert rules: ${describeIssues(result.error.issues)}`);
  const ids = new Set<string>();
  for (const rule of result.data) {
    if (ids.has(rule.id)) throw new InvalidAlertRuleError(`alert rule id ${rule.id} is used twice`);
    ids.add(rule.id);
  }
  return result.data;
}

/**
 * Units rules are written in, for signals Tesla reports in imperial units: a tenant writes
 * `VehicleSpeed > 120` in km/h. Other signals compare as Tesla reports them (%, bar, °C, kWh).
 */
export const SIGNAL_UNITS: Readonly<Record<string, { readonly unit: string; readonly factor: number }>> = {
  VehicleSpeed: { unit: 'km/h', factor: KM_PER_MILE },
  CruiseSetSpeed: { unit: 'km/h', factor: KM_PER_MILE },
  Odometer: { unit: 'km', factor: KM_PER_MILE },
  RatedRange: { unit: 'km', factor: KM_PER_MILE },
  EstBatteryRange: { unit: 'km', factor: KM_PER_MILE },
  IdealBatteryRange: { unit: 'km', factor: KM_PER_MILE },
  BatteryLevel: { unit: '%', factor: 1 },
  Soc: { unit: '%', factor: 1 },
};

const TYRES = ['TpmsPressureFl', 'TpmsPressureFr', 'TpmsPressureRl', 'TpmsPressureRr'] as const;
const BASE_SIGNALS = ['Gear', 'DoorState', 'Locked', 'Location', ...TYRES];

/** One rule's raise/clear state for one vehicle. */
export interface RuleTrack {
  /** An alert is active: its id and when its condition began. */
  active: { alertId: string; startedAt: number } | null;
  /** The raise condition has held since then (not yet for the sustain time). */
  raisePendingSince: number | null;
  /** The clear condition has held since then. */
  clearPendingSince: number | null;
}

/** A Tesla alert raised and not yet cleared. */
export interface TeslaActiveAlert {
  alertId: string;
  name: string;
  audiences: (string | number)[];
  startedAt: number;
}

/** A dedup entry: a key and the time it is about (for pruning). */
export interface SeenKey {
  key: string;
  at: number;
}

/** The alert detector's state for one vehicle: plain JSON. */
export interface AlertState {
  readonly v: 1;
  view: SeenSignals;
  watermark: number | null;
  rules: Record<string, RuleTrack>;
  /** Active Tesla alerts by name and start. */
  teslaActive: Record<string, TeslaActiveAlert>;
  /** Tesla alerts already cleared (resends of their end are ignored). */
  teslaCleared: SeenKey[];
  /** Tesla errors already reported. */
  errors: SeenKey[];
}

/** A fresh state. */
export function initialAlertState(): AlertState {
  return { v: 1, view: {}, watermark: null, rules: {}, teslaActive: {}, teslaCleared: [], errors: [] };
}

/** The alert detector's context: the tenant's, plus the vehicle's geofence state for geofence rules. */
export interface AlertContext extends DetectorContext {
  /** The geofence detector's state after the same batch. */
  readonly geofenceState?: GeofenceState;
}

/** A rule's verdict at one instant: `null` when the inputs are unknown (no evidence either way). */
interface Evaluation {
  readonly raise: boolean | null;
  readonly clear: boolean | null;
  readonly signals: Signals;
  readonly message: string;
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();

/** The local weekday and minute of day of an instant in a time zone. Throws for an unknown zone. */
function localTime(at: number, timeZone: string): { weekday: number; minute: number } {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch (error) {
      throw new InvalidAlertRuleError(`unknown time zone ${JSON.stringify(timeZone)}`, { cause: error });
    }
    formatterCache.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, part.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts['weekday'] ?? '');
  return { weekday, minute: Number(parts['hour']) * 60 + Number(parts['minute']) };
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * The named signals of the view, as an event's `signals`. Tesla's structured values (doors, tyres) are
 * plain JSON objects; only their readonly typing differs from the catalog's.
 */
function pick(view: SeenSignals, names: readonly string[]): Signals {
  const signals: Record<string, SignalValue> = {};
  for (const name of names) if (view[name] !== undefined) signals[name] = view[name].value;
  return signals as Signals;
}

function evaluate(rule: AlertRule, view: SeenSignals, at: number, context: AlertContext): Evaluation {
  const condition = rule.condition;
  switch (condition.kind) {
    case 'threshold': {
      const raw = numberOf(view, condition.signal);
      const unit = SIGNAL_UNITS[condition.signal];
      const signals = pick(view, [condition.signal]);
      if (raw === null) return { raise: null, clear: null, signals, message: '' };
      const value = raw * (unit?.factor ?? 1);
      const below = condition.op === '<' || condition.op === '<=';
      const raise =
        condition.op === '<'
          ? value < condition.value
          : condition.op === '<='
            ? value <= condition.value
            : condition.op === '>'
              ? value > condition.value
              : value >= condition.value;
      const clear =
        condition.clearValue === undefined
          ? !raise
          : below
            ? value > condition.clearValue
            : value < condition.clearValue;
      const suffix = unit ? ` ${unit.unit}` : '';
      const message = `${condition.signal} ${round(value, 2)}${suffix} is ${below ? 'below' : 'above'} ${condition.value}${suffix}`;
      return { raise, clear, signals, message };
    }
    case 'doorOpenWhileParked': {
      const gear = stringOf(view, 'Gear');
      const doors = view['DoorState']?.value;
      const anyOpen =
        typeof doors === 'object' && doors !== null
          ? Object.values(doors).some((open) => open === true)
          : null;
      const unlocked = condition.includeUnlocked ? booleanOf(view, 'Locked') === false : false;
      const signals = pick(
        view,
        condition.includeUnlocked ? ['Gear', 'DoorState', 'Locked'] : ['Gear', 'DoorState'],
      );
      if (gear !== null && gear !== 'P') return { raise: false, clear: true, signals, message: '' };
      if (gear === null || (anyOpen === null && !unlocked))
        return { raise: null, clear: null, signals, message: '' };
      const raise = anyOpen === true || unlocked;
      const message =
        anyOpen === true ? 'A door is open while parked' : 'The vehicle is unlocked while parked';
      return { raise, clear: !raise, signals, message };
    }
    case 'tyrePressure': {
      const pressures = TYRES.map((name) => [name, numberOf(view, name)] as const).filter(
        (entry): entry is readonly [(typeof TYRES)[number], number] => entry[1] !== null,
      );
      const signals = pick(view, TYRES);
      if (pressures.length === 0) return { raise: null, clear: null, signals, message: '' };
      const low = pressures.filter(([, bar]) => bar < condition.belowBar);
      const clearAbove = condition.clearAboveBar;
      const clear =
        clearAbove === undefined ? low.length === 0 : pressures.every(([, bar]) => bar > clearAbove);
      const message =
        'Tyre pressure low: ' +
        low.map(([name, bar]) => `${name.slice(-2)} ${bar} bar`).join(', ') +
        ` (below ${condition.belowBar} bar)`;
      return { raise: low.length > 0, clear, signals, message };
    }
    case 'outsideGeofenceDuringHours': {
      const { weekday, minute } = localTime(at, context.timeZone ?? 'UTC');
      const from = minutesOf(condition.from);
      const to = minutesOf(condition.to);
      const inHours = from < to ? minute >= from && minute < to : minute >= from || minute < to;
      const inWindow = inHours && (condition.days === undefined || condition.days.includes(weekday));
      const status = geofenceStatus(context.geofenceState, condition.geofenceId);
      const signals = pick(view, ['Location']);
      const name =
        context.geofences?.find((g) => g.id === condition.geofenceId)?.name ?? condition.geofenceId;
      const message = `Outside ${name} during ${condition.from}-${condition.to}`;
      if (!inWindow) return { raise: false, clear: true, signals, message };
      if (status === 'unknown') return { raise: null, clear: null, signals, message };
      return { raise: status === 'outside', clear: status === 'inside', signals, message };
    }
  }
}

class AlertMachine {
  readonly events: DomainEvent[] = [];
  private readonly rules: AlertRule[];

  constructor(
    readonly state: AlertState,
    readonly vehicle: VehicleRef,
    readonly context: AlertContext,
  ) {
    this.rules = (context.rules ?? []).filter((rule) => rule.enabled);
    // A rule deleted or disabled stops: its track goes (an open alert stays open for acknowledgement).
    const live = new Set(this.rules.map((rule) => rule.id));
    for (const id of Object.keys(state.rules)) if (!live.has(id)) delete state.rules[id];
  }

  /** The signals the rules read. */
  signals(): Set<string> {
    const names = new Set(BASE_SIGNALS);
    for (const rule of this.rules) if (rule.condition.kind === 'threshold') names.add(rule.condition.signal);
    return names;
  }

  /** Evaluates every rule at `t` with the current view: timers, raises and clears. */
  evaluateAll(t: number): void {
    for (const rule of this.rules) {
      const track = (this.state.rules[rule.id] ??= {
        active: null,
        raisePendingSince: null,
        clearPendingSince: null,
      });
      this.run(rule, track, evaluate(rule, this.state.view, t, this.context), t);
    }
  }

  private run(rule: AlertRule, track: RuleTrack, verdict: Evaluation, t: number): void {
    const trigger: AlertTrigger = { kind: 'rule', ruleId: rule.id, ruleName: rule.name };
    if (track.active === null) {
      if (verdict.raise === false) track.raisePendingSince = null;
      if (verdict.raise !== true && track.raisePendingSince === null) return;
      const since = (track.raisePendingSince ??= t);
      const raiseAt = since + rule.sustainSeconds * 1000;
      if (t < raiseAt) return;
      const alertId = deterministicId('alr', [this.vehicle.tenantId, this.vehicle.vehicleId, rule.id, since]);
      track.active = { alertId, startedAt: since };
      track.raisePendingSince = null;
      track.clearPendingSince = null;
      this.events.push({
        detailType: DETAIL_TYPES.VehicleAlertRaised,
        detail: {
          version: 1,
          tenantId: this.vehicle.tenantId,
          occurredAt: iso(raiseAt),
          vehicleId: this.vehicle.vehicleId,
          alertId,
          trigger,
          severity: rule.severity,
          message: (verdict.message || rule.name).slice(0, 1024),
          startedAt: iso(since),
          signals: verdict.signals,
        },
      });
      return;
    }
    if (verdict.clear === false) track.clearPendingSince = null;
    if (verdict.clear !== true && track.clearPendingSince === null) return;
    const since = (track.clearPendingSince ??= t);
    const clearAt = since + rule.clearSustainSeconds * 1000;
    if (t < clearAt) return;
    const active = track.active;
    track.active = null;
    track.clearPendingSince = null;
    this.events.push({
      detailType: DETAIL_TYPES.VehicleAlertCleared,
      detail: {
        version: 1,
        tenantId: this.vehicle.tenantId,
        occurredAt: iso(clearAt),
        vehicleId: this.vehicle.vehicleId,
        alertId: active.alertId,
        trigger,
        severity: rule.severity,
        startedAt: iso(active.startedAt),
        endedAt: iso(since),
        durationSeconds: secondsBetween(active.startedAt, since),
        signals: verdict.signals,
      },
    });
  }

  /** Maps Tesla `alerts` records: each alert raised once, cleared once, whatever the resends. */
  teslaAlerts(observations: readonly AlertsObservation[]): void {
    const items = observations.flatMap((observation) =>
      observation.alerts.map((alert) => ({ alert, recordAt: Date.parse(observation.createdAt) })),
    );
    const startOf = (item: (typeof items)[number]) =>
      item.alert.startedAt !== null ? Date.parse(item.alert.startedAt) : item.recordAt;
    const endOf = (item: (typeof items)[number]) =>
      item.alert.endedAt !== null ? Date.parse(item.alert.endedAt) : null;
    // Oldest first, ends after starts, so that the events come in the order things happened.
    items.sort(
      (a, b) =>
        (endOf(a) ?? startOf(a)) - (endOf(b) ?? startOf(b)) ||
        a.alert.name.localeCompare(b.alert.name) ||
        startOf(a) - startOf(b),
    );
    const cleared = new Set(this.state.teslaCleared.map((entry) => entry.key));
    for (const item of items) {
      const startedAt = startOf(item);
      const endedAt = endOf(item);
      if (!Number.isFinite(startedAt) || item.alert.name === '') continue;
      const name = item.alert.name.slice(0, 256);
      const key = hashKey([name, startedAt]);
      if (cleared.has(key)) continue;
      const severity = this.context.teslaAlertSeverities?.[item.alert.name] ?? 'warning';
      let active = this.state.teslaActive[key];
      if (!active) {
        active = {
          alertId: deterministicId('alr', [
            this.vehicle.tenantId,
            this.vehicle.vehicleId,
            'tesla',
            name,
            startedAt,
          ]),
          name,
          audiences: item.alert.audiences
            .filter(
              (audience) =>
                (typeof audience === 'string' && audience.length > 0) ||
                (typeof audience === 'number' && audience >= 0),
            )
            .map((audience) => (typeof audience === 'string' ? audience.slice(0, 64) : Math.trunc(audience))),
          startedAt,
        };
        this.state.teslaActive[key] = active;
        this.events.push({
          detailType: DETAIL_TYPES.VehicleAlertRaised,
          detail: {
            version: 1,
            tenantId: this.vehicle.tenantId,
            occurredAt: iso(startedAt),
            vehicleId: this.vehicle.vehicleId,
            alertId: active.alertId,
            trigger: { kind: 'tesla', alertName: name, audiences: active.audiences },
            severity,
            message: `Tesla alert ${name}`,
            startedAt: iso(startedAt),
            signals: {},
          },
        });
      }
      if (endedAt === null || !Number.isFinite(endedAt)) continue;
      const end = Math.max(endedAt, startedAt);
      delete this.state.teslaActive[key];
      cleared.add(key);
      this.state.teslaCleared.push({ key, at: end });
      this.events.push({
        detailType: DETAIL_TYPES.VehicleAlertCleared,
        detail: {
          version: 1,
          tenantId: this.vehicle.tenantId,
          occurredAt: iso(end),
          vehicleId: this.vehicle.vehicleId,
          alertId: active.alertId,
          trigger: { kind: 'tesla', alertName: active.name, audiences: active.audiences },
          severity,
          startedAt: iso(startedAt),
          endedAt: iso(end),
          durationSeconds: secondsBetween(startedAt, end),
          signals: {},
        },
      });
    }
  }

  /** Maps Tesla `errors` records: one event per error, resends dropped. */
  teslaErrors(observations: readonly ErrorsObservation[]): void {
    const { dedupWindowSeconds } = this.context.config.alerts;
    const items = observations
      .flatMap((observation) =>
        observation.errors.map((error) => ({
          error,
          at: Date.parse(error.createdAt ?? observation.createdAt),
        })),
      )
      .filter((item) => Number.isFinite(item.at))
      .sort(
        (a, b) =>
          a.at - b.at || a.error.name.localeCompare(b.error.name) || a.error.body.localeCompare(b.error.body),
      );
    const seen = new Set(this.state.errors.map((entry) => entry.key));
    for (const { error, at } of items) {
      const newest = this.state.errors.reduce((max, entry) => Math.max(max, entry.at), -Infinity);
      // Older than what the dedup memory covers: it cannot be told from a resend, so it is dropped.
      if (at < newest - dedupWindowSeconds * 1000) continue;
      const tags = Object.entries(error.tags).sort(([a], [b]) => a.localeCompare(b));
      const key = hashKey([error.name, at, error.body, JSON.stringify(tags)]);
      if (seen.has(key)) continue;
      seen.add(key);
      this.state.errors.push({ key, at });
      const safeTags: Record<string, string> = {};
      for (const [name, value] of tags) {
        if (name === '') continue;
        safeTags[name.slice(0, 128)] = redactVins(value).slice(0, 1024);
      }
      this.events.push({
        detailType: DETAIL_TYPES.VehicleErrorReported,
        detail: {
          version: 1,
          tenantId: this.vehicle.tenantId,
          occurredAt: iso(at),
          vehicleId: this.vehicle.vehicleId,
          errorName: (error.name || 'unnamed').slice(0, 256),
          tags: safeTags,
          body: redactVins(error.body).slice(0, 8192),
          reportedAt: iso(at),
        },
      });
    }
  }

  /** Forgets dedup entries older than the window, and the oldest beyond the cap. */
  prune(): void {
    const { dedupWindowSeconds, dedupMaxEntries } = this.context.config.alerts;
    const trim = (entries: SeenKey[]): SeenKey[] => {
      const newest = entries.reduce((max, entry) => Math.max(max, entry.at), -Infinity);
      return entries
        .filter((entry) => entry.at >= newest - dedupWindowSeconds * 1000)
        .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key))
        .slice(-dedupMaxEntries);
    };
    this.state.teslaCleared = trim(this.state.teslaCleared);
    this.state.errors = trim(this.state.errors);
    const active = Object.entries(this.state.teslaActive).sort(([, a], [, b]) => a.startedAt - b.startedAt);
    for (const [key] of active.slice(0, Math.max(0, active.length - dedupMaxEntries)))
      delete this.state.teslaActive[key];
  }
}

/** A VIN anywhere in free text: never published, even inside Tesla's error bodies. */
const VIN_IN_TEXT = /(?<![A-Za-z0-9])[A-HJ-NPR-Za-hj-npr-z0-9]{17}(?![A-Za-z0-9])/g;

function redactVins(text: string): string {
  return text.replace(VIN_IN_TEXT, '[redacted]');
}

/** Runs a vehicle's batch through the alert detector (pure; a processed batch gives no events). */
export function detectAlerts(
  previous: AlertState | undefined,
  batch: VehicleBatch,
  context: AlertContext,
): DetectorResult<AlertState> {
  const state = workingState(previous, initialAlertState, 'alert', context.ownsState);
  const machine = new AlertMachine(state, batch, context);
  machine.teslaAlerts(batch.alerts ?? []);
  machine.teslaErrors(batch.errors ?? []);
  const evaluate = (at: number) => machine.evaluateAll(at);
  walkSteps(state, batch, machine.signals(), evaluate, evaluate);
  machine.prune();
  return { state, events: machine.events };
}

/**
 * The timer check: raises and clears what has held long enough by `now` (a door left open in a vehicle
 * that sends nothing more), and applies time-of-day windows opening or closing.
 */
export function tickAlerts(
  previous: AlertState | undefined,
  vehicle: VehicleRef,
  now: number,
  context: AlertContext,
): DetectorResult<AlertState> {
  const state = workingState(previous, initialAlertState, 'alert');
  const machine = new AlertMachine(state, vehicle, context);
  machine.evaluateAll(now);
  return { state, events: machine.events };
}
