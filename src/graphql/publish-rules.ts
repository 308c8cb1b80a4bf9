/**
 * The EventBridge rules that feed the GraphQL subscriptions: each event that dashboards follow live goes to
 * an IAM-only `publish*` mutation, whose result AppSync fans out to the tenant's subscribers. Proposed for
 * `FLEETWIRE_RULES` (`src/domain/events/rules.ts`), which owns the rules: spread
 * `publishRules(FLEETWIRE_BUS_NAME)` there once the API is deployed. (A function of the bus name, and only a
 * type import of `rules.ts`, so that `rules.ts` can import this module without an import cycle.)
 *
 * EventBridge's AppSync target takes the transformed event as the operation's variables, so every
 * template builds `{"input": {...}}` for the mutation's `input` argument. A template fixes what the event
 * type implies (the alert or command `status`), since a transformer cannot compute it.
 */
import {
  DETAIL_TYPES,
  EVENT_SOURCES,
  type DetailType,
  type EventSource,
} from '../domain/events/catalog/common.ts';
import type { RuleDefinition } from '../domain/events/rules.ts';

/** The input transformer of a publish target: detail fields picked by path, plus fixed string fields. */
function publishTransformer(
  picked: Readonly<Record<string, string>>,
  fixed: Readonly<Record<string, string>> = {},
): NonNullable<RuleDefinition['targets'][number]['inputTransformer']> {
  const fields = [
    ...Object.keys(picked).map((name) => `"${name}": <${name}>`),
    ...Object.entries(fixed).map(([name, value]) => `"${name}": ${JSON.stringify(value)}`),
  ];
  return {
    inputPathsMap: Object.fromEntries(
      Object.entries(picked).map(([name, path]) => [name, path.startsWith('$') ? path : `$.detail.${path}`]),
    ),
    inputTemplate: `{"input": {${fields.join(', ')}}}`,
  };
}

/** `name` → `$.detail.name` for each name. */
const detail = (...names: string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [name, name]));

function publishRule(
  eventBus: string,
  name: string,
  description: string,
  source: EventSource,
  detailType: DetailType,
  field: 'publishFleetUpdate' | 'publishAlert' | 'publishCommandUpdate',
  transformer: ReturnType<typeof publishTransformer>,
): RuleDefinition {
  return {
    name,
    description,
    eventBus,
    pattern: { source: [source], 'detail-type': [detailType] },
    targets: [{ id: field, target: { kind: 'graphqlMutation', field }, inputTransformer: transformer }],
  };
}

const COMMAND_FIELDS = ['tenantId', 'occurredAt', 'vehicleId', 'commandId', 'command', 'requestedBy'];
const ALERT_FIELDS = [
  'tenantId',
  'occurredAt',
  'vehicleId',
  'alertId',
  'severity',
  'trigger',
  'startedAt',
  'signals',
];

/** One rule per event that a subscription carries, each with one `publish*` target, on `eventBus`. */
export function publishRules(eventBus: string): RuleDefinition[] {
  return [
    publishRule(
      eventBus,
      'publish-fleet-updates',
      "Telemetry.Updated → publishFleetUpdate → the tenant's onFleetUpdate subscribers",
      EVENT_SOURCES.ingest,
      DETAIL_TYPES.TelemetryUpdated,
      'publishFleetUpdate',
      publishTransformer(detail('tenantId', 'occurredAt', 'vehicles')),
    ),
    publishRule(
      eventBus,
      'publish-alerts-raised',
      "Vehicle.Alert.Raised → publishAlert (status raised) → the tenant's onAlert subscribers",
      EVENT_SOURCES.vehicles,
      DETAIL_TYPES.VehicleAlertRaised,
      'publishAlert',
      publishTransformer(detail(...ALERT_FIELDS, 'message'), { status: 'raised' }),
    ),
    publishRule(
      eventBus,
      'publish-alerts-cleared',
      "Vehicle.Alert.Cleared → publishAlert (status cleared) → the tenant's onAlert subscribers",
      EVENT_SOURCES.vehicles,
      DETAIL_TYPES.VehicleAlertCleared,
      'publishAlert',
      publishTransformer(detail(...ALERT_FIELDS, 'endedAt', 'durationSeconds'), { status: 'cleared' }),
    ),
    publishRule(
      eventBus,
      'publish-command-requested',
      "Command.Requested → publishCommandUpdate (status requested) → the tenant's onCommandUpdate subscribers",
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandRequested,
      'publishCommandUpdate',
      publishTransformer(detail(...COMMAND_FIELDS), { status: 'requested' }),
    ),
    publishRule(
      eventBus,
      'publish-command-approval-requested',
      'Command.ApprovalRequested → publishCommandUpdate (status approval_requested)',
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandApprovalRequested,
      'publishCommandUpdate',
      publishTransformer(detail(...COMMAND_FIELDS, 'expiresAt'), { status: 'approval_requested' }),
    ),
    publishRule(
      eventBus,
      'publish-command-authorized',
      'Command.Authorized → publishCommandUpdate (status authorized)',
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandAuthorized,
      'publishCommandUpdate',
      publishTransformer(detail(...COMMAND_FIELDS, 'approvedBy'), { status: 'authorized' }),
    ),
    publishRule(
      eventBus,
      'publish-command-denied',
      'Command.Denied → publishCommandUpdate (status denied)',
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandDenied,
      'publishCommandUpdate',
      publishTransformer(detail(...COMMAND_FIELDS, 'reason', 'message', 'deniedBy'), { status: 'denied' }),
    ),
    publishRule(
      eventBus,
      'publish-command-succeeded',
      'Command.Succeeded → publishCommandUpdate (status succeeded)',
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandSucceeded,
      'publishCommandUpdate',
      publishTransformer(detail(...COMMAND_FIELDS, 'approvedBy', 'attempts'), { status: 'succeeded' }),
    ),
    publishRule(
      eventBus,
      'publish-command-failed',
      'Command.Failed → publishCommandUpdate (status failed)',
      EVENT_SOURCES.commands,
      DETAIL_TYPES.CommandFailed,
      'publishCommandUpdate',
      publishTransformer(
        {
          ...detail(...COMMAND_FIELDS, 'approvedBy', 'attempts'),
          errorCode: '$.detail.error.code',
          message: '$.detail.error.message',
        },
        { status: 'failed' },
      ),
    ),
  ];
}
