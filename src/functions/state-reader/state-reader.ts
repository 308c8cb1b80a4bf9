/**
 * The StateReader function's work: the latest vehicle state of one tenant, read from the
 * {@link LatestStateStore} (Redis), shaped as the GraphQL `VehicleState`. AppSync resolvers invoke it with
 * the tenant of the caller's token; nothing here trusts a tenant from anywhere else, because nothing else
 * can invoke it.
 */
import { z } from 'zod';
import type { SignalSample } from '../../domain/state/coalesce.ts';
import { TENANT_ID_PATTERN, VEHICLE_ID_PATTERN } from '../../domain/events/catalog/common.ts';
import type { GeoPoint, LatestStateStore, VehicleState } from '../../ports/latest-state-store.ts';

/** Most vehicles one `fleetState` or `vehiclesNear` answers (the GraphQL limit's maximum). */
export const MAX_VEHICLES_PER_READ = 1000;

const tenantId = z.string().regex(TENANT_ID_PATTERN, { error: 'must be a tenant id' });

/**
 * The signals each `VehicleState` field is made of; `signals` means all of them. `vehicleId` and
 * `lastSeenAt` need none.
 */
export const SIGNALS_OF_FIELD: Readonly<Record<string, readonly string[] | 'all'>> = {
  vehicleId: [],
  lastSeenAt: [],
  signals: 'all',
  location: ['Location'],
  heading: ['GpsHeading'],
  speed: ['VehicleSpeed'],
  batteryLevel: ['BatteryLevel', 'Soc'],
  range: ['EstBatteryRange'],
  gear: ['Gear'],
  locked: ['Locked'],
  charging: ['DetailedChargeState'],
  chargeState: ['DetailedChargeState'],
  chargeLimit: ['ChargeLimitSoc'],
  odometer: ['Odometer'],
  insideTemperature: ['InsideTemp'],
  outsideTemperature: ['OutsideTemp'],
};

/**
 * The `VehicleState` fields the caller selected (the resolver passes them from `ctx.info.selectionSetList`),
 * so only their signals are read; every signal when absent.
 */
const fields = z
  .array(z.string().max(64))
  .max(64)
  .optional()
  .describe('VehicleState fields selected; all signals are read when absent');

/** The events the function accepts, one per read. */
export const StateReaderEventSchema = z.discriminatedUnion('operation', [
  z.strictObject({
    operation: z.literal('vehicleState'),
    tenantId,
    vehicleId: z.string().regex(VEHICLE_ID_PATTERN, { error: 'must be a vehicle id' }),
    fields,
  }),
  z.strictObject({
    operation: z.literal('fleetState'),
    tenantId,
    limit: z.int().min(1).max(MAX_VEHICLES_PER_READ).optional(),
    fields,
  }),
  z.strictObject({
    operation: z.literal('vehiclesNear'),
    tenantId,
    center: z.strictObject({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
    }),
    radiusMeters: z.number().min(1).max(1_000_000),
    fields,
  }),
]);

/** An event of the StateReader function. */
export type StateReaderEvent = z.infer<typeof StateReaderEventSchema>;

/** The GraphQL `VehicleState`: every signal, and the typed convenience fields dashboards use most. */
export interface VehicleStateView {
  readonly vehicleId: string;
  readonly lastSeenAt: string;
  /** Every signal; left out when the caller did not select `signals` (only some were read then). */
  readonly signals?: Record<string, unknown>;
  readonly location: GeoPoint | null;
  readonly heading: number | null;
  readonly speed: number | null;
  readonly batteryLevel: number | null;
  readonly range: number | null;
  readonly gear: string | null;
  readonly locked: boolean | null;
  readonly charging: boolean | null;
  readonly chargeState: string | null;
  readonly chargeLimit: number | null;
  readonly odometer: number | null;
  readonly insideTemperature: number | null;
  readonly outsideTemperature: number | null;
}

/** The GraphQL `FleetState`. */
export interface FleetStateView {
  readonly tenantId: string;
  readonly generatedAt: string;
  readonly vehicles: VehicleStateView[];
  readonly truncated: boolean;
}

/**
 * What the function answers: data, or an expected failure the resolver turns into a GraphQL error. When
 * the event names `fields`, each vehicle's view holds only those fields.
 */
export type StateReaderResult =
  | { readonly data: VehicleStateView | FleetStateView | VehicleStateView[] | null }
  | { readonly error: { readonly type: 'BadRequest'; readonly message: string } };

/** Charge states in which energy flows (or is about to). */
const CHARGING_STATES = new Set(['Charging', 'Starting']);

const numberOf = (signals: ReadonlyMap<string, SignalSample>, name: string): number | null => {
  const value = signals.get(name)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

const stringOf = (signals: ReadonlyMap<string, SignalSample>, name: string): string | null => {
  const value = signals.get(name)?.value;
  return typeof value === 'string' ? value : null;
};

function locationOf(signals: ReadonlyMap<string, SignalSample>): GeoPoint | null {
  const value = signals.get('Location')?.value as Partial<GeoPoint> | null | undefined;
  return typeof value?.latitude === 'number' && typeof value.longitude === 'number'
    ? { latitude: value.latitude, longitude: value.longitude }
    : null;
}

/** Every signal's value by name. */
function valuesOf(signals: ReadonlyMap<string, SignalSample>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, sample] of signals) values[name] = sample.value;
  return values;
}

const chargeStateOf = (signals: ReadonlyMap<string, SignalSample>) =>
  stringOf(signals, 'DetailedChargeState');

/** How each `VehicleState` field is made from a stored state; signals a vehicle has not reported are null. */
const FIELD_VALUES: {
  readonly [F in keyof VehicleStateView]-?: (state: VehicleState) => VehicleStateView[F];
} = {
  vehicleId: (state) => state.vehicleId,
  lastSeenAt: (state) => new Date(state.lastSeenAt).toISOString(),
  signals: (state) => valuesOf(state.signals),
  location: (state) => locationOf(state.signals),
  heading: (state) => numberOf(state.signals, 'GpsHeading'),
  speed: (state) => numberOf(state.signals, 'VehicleSpeed'),
  batteryLevel: (state) => numberOf(state.signals, 'BatteryLevel') ?? numberOf(state.signals, 'Soc'),
  range: (state) => numberOf(state.signals, 'EstBatteryRange'),
  gear: (state) => stringOf(state.signals, 'Gear'),
  locked: (state) => {
    const locked = state.signals.get('Locked')?.value;
    return typeof locked === 'boolean' ? locked : null;
  },
  charging: (state) => {
    const chargeState = chargeStateOf(state.signals);
    return chargeState === null ? null : CHARGING_STATES.has(chargeState);
  },
  chargeState: (state) => chargeStateOf(state.signals),
  chargeLimit: (state) => numberOf(state.signals, 'ChargeLimitSoc'),
  odometer: (state) => numberOf(state.signals, 'Odometer'),
  insideTemperature: (state) => numberOf(state.signals, 'InsideTemp'),
  outsideTemperature: (state) => numberOf(state.signals, 'OutsideTemp'),
};

/** The fields of `VehicleState`, in schema order. */
const VIEW_FIELDS = Object.keys(FIELD_VALUES) as (keyof VehicleStateView)[];

/**
 * A stored state as the GraphQL `VehicleState`, every field, or only `fields` (then only those are
 * computed and answered: a fleet read serializes and copies a thousand of these).
 */
export function toVehicleStateView(
  state: VehicleState,
  fields: readonly string[] = VIEW_FIELDS,
): VehicleStateView {
  const view: Record<string, unknown> = {};
  for (const field of fields) {
    const value = FIELD_VALUES[field as keyof VehicleStateView] as ((s: VehicleState) => unknown) | undefined;
    if (value) view[field] = value(state);
  }
  return view as unknown as VehicleStateView;
}

/**
 * The signals to read for the selected `fields`; undefined (all) when none are named, `signals` is
 * selected, or a field is unknown (a newer schema than this function: reading everything is always right).
 */
export function signalsFor(fields: readonly string[] | undefined): string[] | undefined {
  if (!fields) return undefined;
  const signals = new Set<string>();
  for (const field of fields) {
    // `__typename`, which Apollo and Amplify add to every selection, needs no signal.
    if (field.startsWith('__')) continue;
    const needed = SIGNALS_OF_FIELD[field];
    if (needed === undefined || needed === 'all') return undefined;
    for (const name of needed) signals.add(name);
  }
  return [...signals];
}

/** The states of `vehicleIds`, in that order, leaving out vehicles with no state. */
async function statesOf(
  store: LatestStateStore,
  tenant: string,
  vehicleIds: readonly string[],
  fields: readonly string[] | undefined,
) {
  const signals = signalsFor(fields);
  const states = await store.vehicleStates(tenant, vehicleIds, signals ? { signals } : {});
  // Only the selected fields cross back: the answer is serialized (a Lambda response) and every field of
  // a thousand vehicles that nobody asked for costs its computing, encoding, decoding and copying.
  return states.map((state) => toVehicleStateView(state, signals && fields ? fields : VIEW_FIELDS));
}

/**
 * The StateReader function on a store. Malformed events answer `BadRequest` with every issue's path;
 * a failing store throws, so the invocation fails and AppSync reports it.
 */
export function createStateReader(store: LatestStateStore, now: () => Date = () => new Date()) {
  return async (event: unknown): Promise<StateReaderResult> => {
    const parsed = StateReaderEventSchema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
      );
      return { error: { type: 'BadRequest', message: `Invalid state read: ${issues.join('; ')}` } };
    }
    const request = parsed.data;
    switch (request.operation) {
      case 'vehicleState': {
        const [state] = await statesOf(store, request.tenantId, [request.vehicleId], request.fields);
        return { data: state ?? null };
      }
      case 'fleetState': {
        const limit = request.limit ?? MAX_VEHICLES_PER_READ;
        // One more than asked tells whether the answer is complete.
        const ids = await store.vehicleIds(request.tenantId, { limit: limit + 1 });
        return {
          data: {
            tenantId: request.tenantId,
            generatedAt: now().toISOString(),
            vehicles: await statesOf(store, request.tenantId, ids.slice(0, limit), request.fields),
            truncated: ids.length > limit,
          },
        };
      }
      case 'vehiclesNear': {
        const ids = await store.vehiclesNear(request.tenantId, request.center, request.radiusMeters);
        return {
          data: await statesOf(store, request.tenantId, ids.slice(0, MAX_VEHICLES_PER_READ), request.fields),
        };
      }
    }
  };
}
