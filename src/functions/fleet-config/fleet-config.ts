/**
 * The FleetConfig function's work: a tenant's geofences, alert rules and settings for the GraphQL
 * mutations (and the `tenantSettings` query). The tenant is the one the resolver took from the caller's
 * token; roles were checked there and are checked again here (`admin` manages), since a function must not
 * rely on every caller being a correct resolver.
 *
 * Inputs are translated into the detectors' models and validated with their schemas, after management
 * checks that are stricter than the detectors' (a 10 m to 100 km radius, 3 to 100 polygon corners), so a
 * stored item always validates when ingest reads it. Ids are minted here; every change bumps `version`
 * and is a conditional write on the version read (optimistic concurrency).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  AlertRuleSchema,
  GeofenceSchema,
  describeIssues,
  type AlertRule,
} from '../../domain/detectors/index.ts';
import { TENANT_ID_PATTERN } from '../../domain/events/catalog/common.ts';
import {
  MAX_RETENTION_DAYS,
  isKnownTimeZone,
  isValidRetention,
  settingsOf,
} from '../../domain/tenant-config/model.ts';
import { RETENTION_KINDS, type RetentionKind } from '../../ports/tenant-config.ts';
import {
  ConfigItemNotFoundError,
  VersionConflictError,
  type Coordinates,
  type StoredAlertRule,
  type StoredGeofence,
  type StoredTenantSettings,
  type TenantConfigStore,
} from '../../ports/tenant-config-store.ts';

/** Most geofences a tenant may have. */
export const MAX_GEOFENCES_PER_TENANT = 500;
/** Most alert rules a tenant may have. */
export const MAX_ALERT_RULES_PER_TENANT = 200;
/** Smallest and largest circle radius, metres: below GPS accuracy a circle only makes jitter. */
export const MIN_RADIUS_METERS = 10;
export const MAX_RADIUS_METERS = 100_000;
/** Fewest and most polygon corners. */
export const MIN_POLYGON_CORNERS = 3;
export const MAX_POLYGON_CORNERS = 100;
/** Longest `forSeconds` / `clearForSeconds`: a day. */
export const MAX_SUSTAIN_SECONDS = 86_400;

const location = z.strictObject({ latitude: z.number(), longitude: z.number() });
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const version = optional(z.int());

const caller = z.strictObject({
  userId: z.string().min(1),
  tenantId: z.string().regex(TENANT_ID_PATTERN, { error: 'must be a tenant id' }),
  roles: z.array(z.string()),
});

const geofenceInput = z.object({
  name: optional(z.string()),
  kind: optional(z.enum(['circle', 'polygon'])),
  center: optional(location),
  radiusMeters: optional(z.number()),
  polygon: optional(z.array(location)),
});

const conditionInputs = {
  condition: optional(
    z.object({
      signal: z.string(),
      operator: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge']),
      value: z.unknown(),
      clearValue: optional(z.number()),
    }),
  ),
  doorOpenWhileParked: optional(z.object({ includeUnlocked: optional(z.boolean()) })),
  tyrePressure: optional(z.object({ belowBar: z.number(), clearAboveBar: optional(z.number()) })),
  outsideGeofenceDuringHours: optional(
    z.object({
      geofenceId: z.string(),
      from: z.string(),
      to: z.string(),
      days: optional(z.array(z.int())),
    }),
  ),
};
const CONDITION_FIELDS = Object.keys(conditionInputs) as (keyof typeof conditionInputs)[];

const alertRuleInput = z.object({
  name: optional(z.string()),
  severity: optional(z.enum(['info', 'warning', 'critical'])),
  forSeconds: optional(z.int()),
  clearForSeconds: optional(z.int()),
  enabled: optional(z.boolean()),
  ...conditionInputs,
});

const id = z.string().min(1).max(80);

/** The events the function accepts: one per GraphQL field. */
export const FleetConfigEventSchema = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('createGeofence'), caller, input: geofenceInput }),
  z.strictObject({
    operation: z.literal('updateGeofence'),
    caller,
    input: geofenceInput.extend({ id, expectedVersion: version }),
  }),
  z.strictObject({ operation: z.literal('deleteGeofence'), caller, id }),
  z.strictObject({ operation: z.literal('createAlertRule'), caller, input: alertRuleInput }),
  z.strictObject({
    operation: z.literal('updateAlertRule'),
    caller,
    input: alertRuleInput.extend({ id, expectedVersion: version }),
  }),
  z.strictObject({ operation: z.literal('deleteAlertRule'), caller, id }),
  z.strictObject({ operation: z.literal('tenantSettings'), caller }),
  z.strictObject({
    operation: z.literal('updateTenantSettings'),
    caller,
    input: z.object({
      timeZone: optional(z.string()),
      retentionDays: optional(
        z.object(Object.fromEntries(RETENTION_KINDS.map((k) => [k, optional(z.number())]))),
      ),
      expectedVersion: version,
    }),
  }),
]);

/** An event of the FleetConfig function. */
export type FleetConfigEvent = z.infer<typeof FleetConfigEventSchema>;

/** The error types the function answers with; the resolver raises them as GraphQL errors. */
export type FleetConfigErrorType = 'BadRequest' | 'NotFound' | 'Conflict' | 'Unauthorized' | 'LimitExceeded';

/** What the function answers: the field's value, or an expected failure. */
export type FleetConfigResult =
  | { readonly data: unknown }
  | { readonly error: { readonly type: FleetConfigErrorType; readonly message: string } };

/** The GraphQL `Geofence`. */
export interface GeofenceView {
  readonly id: string;
  readonly name: string;
  readonly kind: 'circle' | 'polygon';
  readonly center: Coordinates | null;
  readonly radiusMeters: number | null;
  readonly polygon: readonly Coordinates[] | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The GraphQL `AlertRule`. */
export interface AlertRuleView {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly severity: string;
  readonly conditionKind: string;
  readonly condition: {
    signal: string;
    operator: string;
    value: number;
    clearValue: number | null;
  } | null;
  readonly doorOpenWhileParked: { includeUnlocked: boolean } | null;
  readonly tyrePressure: { belowBar: number; clearAboveBar: number | null } | null;
  readonly outsideGeofenceDuringHours: {
    geofenceId: string;
    from: string;
    to: string;
    days: readonly number[] | null;
  } | null;
  readonly forSeconds: number;
  readonly clearForSeconds: number;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An expected failure, answered as `{ error }`. */
class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly type: FleetConfigErrorType,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (type: FleetConfigErrorType, message: string): never => {
  throw new Refusal(type, message);
};
const badRequest = (message: string): never => refuse('BadRequest', message);

/** A fresh id: a prefix and 16 URL-safe random characters (96 bits). */
export function mintId(prefix: 'geo' | 'rule'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

// ---------------------------------------------------------------------------------------------- views

/** The GraphQL view of a stored geofence (the `Query.geofences` resolver maps items the same way). */
export function geofenceView(item: StoredGeofence): GeofenceView {
  const shape = item.shape;
  return {
    id: item.geofenceId,
    name: item.name,
    kind: shape.kind,
    center: shape.kind === 'circle' ? shape.center : null,
    radiusMeters: shape.kind === 'circle' ? shape.radiusMeters : null,
    polygon: shape.kind === 'polygon' ? shape.points : null,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const OPERATOR_OF = { lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
const GRAPHQL_OPERATOR: Readonly<Record<string, string>> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/** The GraphQL view of a stored alert rule (the `Query.alertRules` resolver maps items the same way). */
export function alertRuleView(item: StoredAlertRule): AlertRuleView {
  const c = item.condition as Record<string, unknown>;
  const kind = String(c['kind']);
  const num = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    id: item.ruleId,
    name: item.name,
    enabled: item.enabled,
    severity: item.severity,
    conditionKind: kind,
    condition:
      kind === 'threshold'
        ? {
            signal: String(c['signal']),
            operator: GRAPHQL_OPERATOR[String(c['op'])] ?? String(c['op']),
            value: Number(c['value']),
            clearValue: num(c['clearValue']),
          }
        : null,
    doorOpenWhileParked:
      kind === 'doorOpenWhileParked' ? { includeUnlocked: c['includeUnlocked'] === true } : null,
    tyrePressure:
      kind === 'tyrePressure'
        ? { belowBar: Number(c['belowBar']), clearAboveBar: num(c['clearAboveBar']) }
        : null,
    outsideGeofenceDuringHours:
      kind === 'outsideGeofenceDuringHours'
        ? {
            geofenceId: String(c['geofenceId']),
            from: String(c['from']),
            to: String(c['to']),
            days: Array.isArray(c['days']) ? (c['days'] as number[]) : null,
          }
        : null,
    forSeconds: item.sustainSeconds,
    clearForSeconds: item.clearSustainSeconds,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

// -------------------------------------------------------------------------------------------- geofences

type GeofenceInput = z.infer<typeof geofenceInput>;
type Shape = StoredGeofence['shape'];

function checkName(name: string | null | undefined): string | undefined {
  if (!given(name)) return undefined;
  if (name.trim() === '' || name.length > 128)
    badRequest('input.name must be 1-128 characters and not blank.');
  return name;
}

function checkLocation(value: Coordinates, name: string): Coordinates {
  if (!(value.latitude >= -90 && value.latitude <= 90))
    badRequest(`${name}.latitude must be between -90 and 90; got ${value.latitude}.`);
  if (!(value.longitude >= -180 && value.longitude <= 180))
    badRequest(`${name}.longitude must be between -180 and 180; got ${value.longitude}.`);
  return { latitude: value.latitude, longitude: value.longitude };
}

function circleOf(center: Coordinates | undefined, radius: number | undefined): Shape {
  if (!center || radius === undefined)
    return badRequest('A circle geofence needs input.center and input.radiusMeters.');
  if (!(radius >= MIN_RADIUS_METERS && radius <= MAX_RADIUS_METERS))
    badRequest(`input.radiusMeters must be ${MIN_RADIUS_METERS}–${MAX_RADIUS_METERS}; got ${radius}.`);
  return { kind: 'circle', center: checkLocation(center, 'input.center'), radiusMeters: radius };
}

function polygonOf(corners: readonly Coordinates[]): Shape {
  if (corners.length < MIN_POLYGON_CORNERS || corners.length > MAX_POLYGON_CORNERS)
    badRequest(
      `input.polygon must have ${MIN_POLYGON_CORNERS} to ${MAX_POLYGON_CORNERS} corners; got ${corners.length}.`,
    );
  const points = corners.map((corner, index) => checkLocation(corner, `input.polygon[${index}]`));
  const first = points[0]!;
  const last = points[points.length - 1]!;
  // A closed ring (last = first) is the same polygon: store it open, as the detector does.
  if (points.length > 3 && first.latitude === last.latitude && first.longitude === last.longitude)
    points.pop();
  const distinct = new Set(points.map((p) => `${p.latitude},${p.longitude}`)).size;
  if (distinct < 3) badRequest(`input.polygon must have at least 3 distinct vertices; got ${distinct}.`);
  return { kind: 'polygon', points };
}

/** The detectors' schema has the last word; its paths are named as the GraphQL input names them. */
function validateGeofence(item: StoredGeofence): StoredGeofence {
  const result = GeofenceSchema.safeParse({ id: item.geofenceId, name: item.name, shape: item.shape });
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      ...issue,
      path: ['input', ...issue.path.map((p) => (p === 'shape' ? [] : p === 'points' ? 'polygon' : p)).flat()],
    }));
    badRequest(`Invalid geofence: ${describeIssues(issues)}`);
  }
  return item;
}

function shapeOf(input: GeofenceInput, existing: Shape | undefined): Shape | undefined {
  const circleGiven = given(input.center) || given(input.radiusMeters);
  if (given(input.polygon) && circleGiven)
    badRequest('Give either input.polygon or input.center and input.radiusMeters, not both.');
  if (given(input.kind)) {
    return input.kind === 'circle'
      ? circleOf(input.center ?? undefined, input.radiusMeters ?? undefined)
      : given(input.polygon)
        ? polygonOf(input.polygon)
        : badRequest('A polygon geofence needs input.polygon.');
  }
  if (given(input.polygon)) return polygonOf(input.polygon);
  if (circleGiven) {
    const old = existing?.kind === 'circle' ? existing : undefined;
    return circleOf(input.center ?? old?.center, input.radiusMeters ?? old?.radiusMeters);
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ alert rules

type AlertRuleInput = z.infer<typeof alertRuleInput>;

function conditionOf(
  input: AlertRuleInput,
): { field: string; condition: Record<string, unknown> } | undefined {
  const present = CONDITION_FIELDS.filter((field) => given(input[field]));
  if (present.length > 1)
    badRequest(`Give one condition, not ${present.map((f) => `input.${f}`).join(' and ')}.`);
  const field = present[0];
  if (field === undefined) return undefined;
  if (field === 'condition') {
    const c = input.condition!;
    if (c.operator === 'eq' || c.operator === 'ne')
      badRequest(
        `input.condition.operator ${c.operator} is not supported: alert thresholds compare with lt, le, gt or ge.`,
      );
    if (typeof c.value !== 'number' || !Number.isFinite(c.value))
      badRequest("input.condition.value must be a number (in the signal's display unit).");
    return {
      field,
      condition: {
        kind: 'threshold',
        signal: c.signal,
        op: OPERATOR_OF[c.operator as keyof typeof OPERATOR_OF],
        value: c.value,
        ...(given(c.clearValue) ? { clearValue: c.clearValue } : {}),
      },
    };
  }
  if (field === 'doorOpenWhileParked') {
    return {
      field,
      condition: {
        kind: 'doorOpenWhileParked',
        includeUnlocked: input.doorOpenWhileParked!.includeUnlocked ?? false,
      },
    };
  }
  if (field === 'tyrePressure') {
    const t = input.tyrePressure!;
    return {
      field,
      condition: {
        kind: 'tyrePressure',
        belowBar: t.belowBar,
        ...(given(t.clearAboveBar) ? { clearAboveBar: t.clearAboveBar } : {}),
      },
    };
  }
  const o = input.outsideGeofenceDuringHours!;
  return {
    field,
    condition: {
      kind: 'outsideGeofenceDuringHours',
      geofenceId: o.geofenceId,
      from: o.from,
      to: o.to,
      ...(given(o.days) ? { days: o.days } : {}),
    },
  };
}

function checkSeconds(value: number | null | undefined, name: string): number | undefined {
  if (!given(value)) return undefined;
  if (value < 0 || value > MAX_SUSTAIN_SECONDS)
    badRequest(`input.${name} must be between 0 and ${MAX_SUSTAIN_SECONDS}; got ${value}.`);
  return value;
}

/** Validates with the detectors' `AlertRuleSchema`; issue paths as the GraphQL input names them. */
function validateAlertRule(item: StoredAlertRule, conditionField: string): AlertRule {
  const result = AlertRuleSchema.safeParse({
    id: item.ruleId,
    name: item.name,
    severity: item.severity,
    enabled: item.enabled,
    sustainSeconds: item.sustainSeconds,
    clearSustainSeconds: item.clearSustainSeconds,
    condition: item.condition,
  });
  if (result.success) return result.data;
  const rename: Readonly<Record<string, string>> = {
    condition: conditionField,
    op: 'operator',
    sustainSeconds: 'forSeconds',
    clearSustainSeconds: 'clearForSeconds',
  };
  const issues = result.error.issues.map((issue) => ({
    ...issue,
    path: ['input', ...issue.path.map((p) => (typeof p === 'string' ? (rename[p] ?? p) : p))],
  }));
  return badRequest(`Invalid alert rule: ${describeIssues(issues)}`);
}

// ------------------------------------------------------------------------------------------- settings

/** The GraphQL `TenantSettings`. */
export function settingsView(item: StoredTenantSettings | undefined) {
  const { settings } = settingsOf(item);
  return {
    timeZone: settings.timeZone ?? null,
    retentionDays: settings.retentionDays,
    version: item?.version ?? 0,
    updatedAt: item?.updatedAt ?? null,
  };
}

// -------------------------------------------------------------------------------------------- factory

/** Collaborators of {@link createFleetConfig}. */
export interface FleetConfigDependencies {
  readonly store: TenantConfigStore;
  /** The clock (ISO-8601 UTC). */
  readonly now?: () => string;
  /** Id minting (tests make it deterministic). */
  readonly mintId?: (prefix: 'geo' | 'rule') => string;
}

const ADMIN = 'admin';

/**
 * The FleetConfig function on its store. Bad input answers `BadRequest` with a precise message, a
 * missing item `NotFound`, a lost race or stale `expectedVersion` `Conflict`, a full tenant
 * `LimitExceeded`, a non-admin change `Unauthorized`; store failures throw (the invocation fails).
 */
export function createFleetConfig(deps: FleetConfigDependencies) {
  const now = deps.now ?? (() => new Date().toISOString());
  const newId = deps.mintId ?? mintId;
  const { store } = deps;

  const requireAdmin = (roles: readonly string[], field: string) => {
    if (!roles.includes(ADMIN)) {
      const held = roles.length === 0 ? 'no Fleetwire role' : `the role(s) ${roles.join(', ')}`;
      refuse('Unauthorized', `${field} needs one of the roles admin; your token has ${held}.`);
    }
  };

  const checkVersion = (expected: number | null | undefined, actual: number, what: string) => {
    if (given(expected) && expected !== actual)
      refuse('Conflict', `The ${what} is at version ${actual}, not ${expected}: read it again and retry.`);
  };

  const conflictOrGone = async <T>(what: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (error instanceof VersionConflictError)
        refuse('Conflict', `The ${what} changed while this change was made: read it again and retry.`);
      if (error instanceof ConfigItemNotFoundError) refuse('NotFound', `The ${what} no longer exists.`);
      throw error;
    }
  };

  async function run(event: FleetConfigEvent): Promise<unknown> {
    const { tenantId, roles } = event.caller;
    switch (event.operation) {
      case 'tenantSettings':
        return settingsView(await store.getSettings(tenantId));

      case 'createGeofence': {
        requireAdmin(roles, 'Mutation.createGeofence');
        const name = checkName(event.input.name) ?? badRequest('input.name is required.');
        if (!given(event.input.kind)) badRequest('input.kind is required.');
        const shape = shapeOf(event.input, undefined)!;
        const at = now();
        const item = validateGeofence({
          tenantId,
          geofenceId: newId('geo'),
          name,
          shape,
          version: 1,
          createdAt: at,
          updatedAt: at,
        });
        const count = await store.geofences.count(tenantId);
        if (count >= MAX_GEOFENCES_PER_TENANT)
          refuse(
            'LimitExceeded',
            `This tenant has ${count} geofences, the most it may have (${MAX_GEOFENCES_PER_TENANT}); delete one first.`,
          );
        await conflictOrGone('geofence', () => store.geofences.create(item));
        return geofenceView(item);
      }

      case 'updateGeofence': {
        requireAdmin(roles, 'Mutation.updateGeofence');
        const { input } = event;
        const existing =
          (await store.geofences.get(tenantId, input.id)) ??
          refuse('NotFound', 'This tenant has no geofence with this id.');
        checkVersion(input.expectedVersion, existing.version, 'geofence');
        const item = validateGeofence({
          ...existing,
          name: checkName(input.name) ?? existing.name,
          shape: shapeOf(input, existing.shape) ?? existing.shape,
          version: existing.version + 1,
          updatedAt: now(),
        });
        await conflictOrGone('geofence', () => store.geofences.replace(item, existing.version));
        return geofenceView(item);
      }

      case 'deleteGeofence': {
        requireAdmin(roles, 'Mutation.deleteGeofence');
        const rules = await store.alertRules.list(tenantId);
        const user = rules.find(
          (rule) =>
            rule.condition['kind'] === 'outsideGeofenceDuringHours' &&
            rule.condition['geofenceId'] === event.id,
        );
        if (user)
          refuse(
            'Conflict',
            `Alert rule ${user.ruleId} uses this geofence: change or delete the rule first.`,
          );
        try {
          await store.geofences.delete(tenantId, event.id);
        } catch (error) {
          if (error instanceof ConfigItemNotFoundError)
            refuse('NotFound', 'This tenant has no geofence with this id.');
          throw error;
        }
        return event.id;
      }

      case 'createAlertRule': {
        requireAdmin(roles, 'Mutation.createAlertRule');
        const { input } = event;
        const name = checkName(input.name) ?? badRequest('input.name is required.');
        const condition =
          conditionOf(input) ??
          badRequest(
            'input needs one condition: condition, doorOpenWhileParked, tyrePressure or outsideGeofenceDuringHours.',
          );
        const at = now();
        const item: StoredAlertRule = {
          tenantId,
          ruleId: newId('rule'),
          name,
          severity: input.severity ?? 'warning',
          enabled: input.enabled ?? true,
          sustainSeconds: checkSeconds(input.forSeconds, 'forSeconds') ?? 0,
          clearSustainSeconds: checkSeconds(input.clearForSeconds, 'clearForSeconds') ?? 0,
          condition: condition.condition,
          version: 1,
          createdAt: at,
          updatedAt: at,
        };
        validateAlertRule(item, condition.field);
        await requireGeofence(tenantId, item.condition);
        const count = await store.alertRules.count(tenantId);
        if (count >= MAX_ALERT_RULES_PER_TENANT)
          refuse(
            'LimitExceeded',
            `This tenant has ${count} alert rules, the most it may have (${MAX_ALERT_RULES_PER_TENANT}); delete one first.`,
          );
        await conflictOrGone('alert rule', () => store.alertRules.create(item));
        return alertRuleView(item);
      }

      case 'updateAlertRule': {
        requireAdmin(roles, 'Mutation.updateAlertRule');
        const { input } = event;
        const existing =
          (await store.alertRules.get(tenantId, input.id)) ??
          refuse('NotFound', 'This tenant has no alert rule with this id.');
        checkVersion(input.expectedVersion, existing.version, 'alert rule');
        const condition = conditionOf(input);
        const item: StoredAlertRule = {
          ...existing,
          name: checkName(input.name) ?? existing.name,
          severity: input.severity ?? existing.severity,
          enabled: input.enabled ?? existing.enabled,
          sustainSeconds: checkSeconds(input.forSeconds, 'forSeconds') ?? existing.sustainSeconds,
          clearSustainSeconds:
            checkSeconds(input.clearForSeconds, 'clearForSeconds') ?? existing.clearSustainSeconds,
          condition: condition?.condition ?? existing.condition,
          version: existing.version + 1,
          updatedAt: now(),
        };
        validateAlertRule(item, condition?.field ?? 'condition');
        if (condition) await requireGeofence(tenantId, item.condition);
        await conflictOrGone('alert rule', () => store.alertRules.replace(item, existing.version));
        return alertRuleView(item);
      }

      case 'deleteAlertRule': {
        requireAdmin(roles, 'Mutation.deleteAlertRule');
        try {
          await store.alertRules.delete(tenantId, event.id);
        } catch (error) {
          if (error instanceof ConfigItemNotFoundError)
            refuse('NotFound', 'This tenant has no alert rule with this id.');
          throw error;
        }
        return event.id;
      }

      case 'updateTenantSettings': {
        requireAdmin(roles, 'Mutation.updateTenantSettings');
        const { input } = event;
        const existing = await store.getSettings(tenantId);
        const current = existing?.version ?? 0;
        checkVersion(input.expectedVersion, current, 'tenant settings');
        let timeZone = existing?.timeZone;
        if (given(input.timeZone)) {
          if (!isKnownTimeZone(input.timeZone))
            badRequest('input.timeZone must be an IANA time zone such as Europe/Berlin or UTC.');
          timeZone = input.timeZone;
        }
        const retentionDays: Partial<Record<RetentionKind, number>> = { ...existing?.retentionDays };
        for (const kind of RETENTION_KINDS) {
          const days = input.retentionDays?.[kind];
          if (!given(days)) continue;
          if (!isValidRetention(days))
            badRequest(
              `input.retentionDays.${kind} must be a whole number of days 1-${MAX_RETENTION_DAYS}; got ${days}.`,
            );
          retentionDays[kind] = days;
        }
        const item: StoredTenantSettings = {
          tenantId,
          ...(timeZone === undefined ? {} : { timeZone }),
          retentionDays,
          version: current + 1,
          updatedAt: now(),
        };
        await conflictOrGone('tenant settings', () => store.putSettings(item, current));
        return settingsView(item);
      }
    }
  }

  /** An `outsideGeofenceDuringHours` rule must name one of the tenant's geofences. */
  async function requireGeofence(tenantId: string, condition: Readonly<Record<string, unknown>>) {
    if (condition['kind'] !== 'outsideGeofenceDuringHours') return;
    const geofence = await store.geofences.get(tenantId, String(condition['geofenceId']));
    if (!geofence)
      badRequest('input.outsideGeofenceDuringHours.geofenceId names no geofence of this tenant.');
  }

  return async (event: unknown): Promise<FleetConfigResult> => {
    const parsed = FleetConfigEventSchema.safeParse(event);
    if (!parsed.success) {
      return {
        error: { type: 'BadRequest', message: `Invalid request: ${describeIssues(parsed.error.issues)}` },
      };
    }
    try {
      return { data: await run(parsed.data) };
    } catch (error) {
      if (error instanceof Refusal) return { error: { type: error.type, message: error.message } };
      throw error;
    }
  };
}
