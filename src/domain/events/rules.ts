/**
 * Rules as code: every EventBridge bus, rule, target and archive of Fleetwire is defined here once. The CDK
 * app builds the real resources from these definitions and the local edge routes events with the very
 * same ones, so a rule cannot behave one way in AWS and another offline.
 */

import { publishRules } from '../../graphql/publish-rules.ts';
import { DETAIL_TYPES, EVENT_SOURCES } from './catalog/common.ts';

/** The bus every Fleetwire event travels on. */
export const FLEETWIRE_BUS_NAME = 'fleetwire';

/** An EventBridge event pattern, as JSON (see the pattern matcher in `src/local/eventbridge/pattern.ts`). */
export type EventPattern = Readonly<Record<string, unknown>>;

/**
 * Where a rule sends what it matches. Targets are named, not addressed: CDK resolves a name to the
 * function, state machine or GraphQL API it built, the local runtime to the handler it registered.
 */
export type RuleTarget =
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'stateMachine'; readonly name: string }
  | { readonly kind: 'graphqlMutation'; readonly field: string };

/** EventBridge's input transformer: JSONPaths picked from the event, placed into a template. */
export interface InputTransformer {
  /** Variable name → JSONPath into the event, e.g. `{ "tenant": "$.detail.tenantId" }`. */
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  /** The text sent to the target; `<name>` placeholders are replaced by the picked values. */
  readonly inputTemplate: string;
}

/** One target of a rule, with how the matched event is shaped for it. */
export interface RuleTargetDefinition {
  /** Unique within the rule (EventBridge's target `Id`). */
  readonly id: string;
  readonly target: RuleTarget;
  /** At most one of `inputPath` and `inputTransformer`; neither sends the whole event. */
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

/** One rule: which events on which bus go to which targets. */
export interface RuleDefinition {
  /** Unique per bus; also the CDK construct id and the local rule's name. */
  readonly name: string;
  readonly description: string;
  readonly eventBus: string;
  readonly pattern: EventPattern;
  readonly targets: readonly RuleTargetDefinition[];
}

/** An archive of a bus's events, for replay. */
export interface ArchiveDefinition {
  readonly name: string;
  readonly eventBus: string;
  readonly description: string;
  /** Only events matching this are archived; absent means every event on the bus. */
  readonly pattern?: EventPattern;
  /** 0 keeps events forever. */
  readonly retentionDays: number;
}

/** A bus Fleetwire creates. */
export interface EventBusDefinition {
  readonly name: string;
  readonly description: string;
}

/** The buses Fleetwire creates (AWS's `default` bus exists without being defined). */
export const FLEETWIRE_BUSES: readonly EventBusDefinition[] = [
  { name: FLEETWIRE_BUS_NAME, description: 'Telemetry, domain and command events of every tenant' },
];

/** Every event on the Fleetwire bus is archived, so integrators can replay a time range. */
export const FLEETWIRE_ARCHIVES: readonly ArchiveDefinition[] = [
  {
    name: 'fleetwire-all-events',
    eventBus: FLEETWIRE_BUS_NAME,
    description: 'Every event on the fleetwire bus, for replay',
    retentionDays: 90,
  },
];

/** The name of the webhook deliverer function, the target of {@link WEBHOOKS_RULE}. */
export const WEBHOOK_DELIVERER_TARGET = 'webhook-deliverer';

/**
 * Every Fleetwire event that belongs to a tenant goes to the webhook deliverer, whole, except
 * `Telemetry.Updated`: one per ingest batch per tenant would be most of the deliverer's invocations (its
 * cost at fleet scale), and a telemetry firehose over webhooks is what `onFleetUpdate` and EventBridge rules
 * are for. Webhooks cannot subscribe to it (src/domain/webhooks/validation.ts says so).
 */
export const WEBHOOKS_RULE: RuleDefinition = {
  name: 'webhooks',
  description: "Every tenant-scoped event but Telemetry.Updated, to the deliverer of the tenants' webhooks",
  eventBus: FLEETWIRE_BUS_NAME,
  pattern: {
    source: [{ prefix: 'fleetwire.' }],
    'detail-type': [{ 'anything-but': DETAIL_TYPES.TelemetryUpdated }],
    detail: { tenantId: [{ exists: true }] },
  },
  targets: [{ id: 'webhook-deliverer', target: { kind: 'function', name: WEBHOOK_DELIVERER_TARGET } }],
};

/** The name of the records projector function, the target of {@link RECORDS_RULE}. */
export const RECORDS_PROJECTOR_TARGET = 'records-projector';

/** Trip, charging, alert and error events, whole, to the projector that keeps their records. */
export const RECORDS_RULE: RuleDefinition = {
  name: 'records',
  description:
    'Trips, charging sessions, alerts and errors → the records projector (trips, sessions, alerts tables)',
  eventBus: FLEETWIRE_BUS_NAME,
  pattern: {
    source: [EVENT_SOURCES.trips, EVENT_SOURCES.charging, EVENT_SOURCES.vehicles],
    'detail-type': [
      DETAIL_TYPES.TripStarted,
      DETAIL_TYPES.TripEnded,
      DETAIL_TYPES.ChargingStarted,
      DETAIL_TYPES.ChargingEnded,
      DETAIL_TYPES.VehicleAlertRaised,
      DETAIL_TYPES.VehicleAlertCleared,
      DETAIL_TYPES.VehicleErrorReported,
    ],
  },
  targets: [{ id: RECORDS_PROJECTOR_TARGET, target: { kind: 'function', name: RECORDS_PROJECTOR_TARGET } }],
};

/**
 * The rules of the Fleetwire bus. Each later bounded context (ingest, api, commands) adds its rules here;
 * a rule whose target is not deployed yet must not be listed.
 */
export const FLEETWIRE_RULES: readonly RuleDefinition[] = [
  // The API: events dashboards follow live go to the IAM-only publish* mutations (src/graphql/publish-rules.ts).
  ...publishRules(FLEETWIRE_BUS_NAME),
  // Webhooks: one rule for every tenant-scoped event; the deliverer looks up which of the tenant's
  // webhooks want it (docs/adr/0002-webhooks.md: per-endpoint API destinations cannot be made at runtime).
  WEBHOOKS_RULE,
  // Records: the trips, charging sessions and alerts dashboards query, projected from their events.
  RECORDS_RULE,
];
