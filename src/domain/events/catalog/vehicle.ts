/**
 * Vehicle presence and health: connectivity changes, alerts (Tesla's own and the tenant's rules) and
 * errors Tesla reports. Low-rate events, published one by one.
 */
import { z } from 'zod';
import {
  DETAIL_TYPES,
  EVENT_SOURCES,
  EntityIdSchema,
  SignalsSchema,
  UtcDateTimeSchema,
  VIN_PATTERN,
  defineEvent,
  durationSeconds,
  vehicleEventDetailSchema,
} from './common.ts';

/** Whether Fleetwire currently hears from the vehicle. */
export const ConnectivityStatusSchema = z
  .enum(['online', 'offline'])
  .describe(
    'online: the vehicle has a telemetry connection; offline: it has none or has been silent too long.',
  );

/** The `Vehicle.Connectivity.Changed` detail. */
export const VehicleConnectivityChangedDetailSchema = vehicleEventDetailSchema(1, {
  status: ConnectivityStatusSchema,
  previousStatus: z
    .enum(['online', 'offline', 'unknown'])
    .describe('The status before this change; unknown for a vehicle Fleetwire has not heard from before.'),
  cause: z
    .enum(['connected', 'disconnected', 'silence_timeout'])
    .describe(
      "connected / disconnected: Tesla's connectivity topic reported it; silence_timeout: no record arrived " +
        "for longer than the tenant's timeout while the connection looked open.",
    ),
  networkInterface: z
    .string()
    .min(1)
    .max(32)
    .nullable()
    .describe(
      'The network the vehicle connected over as Tesla names it (e.g. wifi, cellular); null if not given.',
    ),
  connectionId: z
    .string()
    .max(128)
    .nullable()
    .describe(
      "Tesla's id of the telemetry connection, to pair a connect with its disconnect; null if unknown.",
    ),
  lastSeenAt: UtcDateTimeSchema.nullable().describe(
    'When the last record from the vehicle arrived; for a silence timeout it is well before occurredAt.',
  ),
}).describe(
  'Presence of one vehicle. Connects, disconnects and timeouts can arrive out of order: keep the one with the ' +
    'latest occurredAt per vehicle.',
);

/** The `Vehicle.Connectivity.Changed` detail. */
export type VehicleConnectivityChangedDetail = z.infer<typeof VehicleConnectivityChangedDetailSchema>;

/** What raised an alert: Tesla's vehicle alert, or one of the tenant's alert rules. */
export const AlertTriggerSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('tesla').describe('Raised by the vehicle (Tesla alerts topic).'),
      alertName: z
        .string()
        .min(1)
        .max(256)
        .describe("Tesla's alert name as the vehicle reports it, e.g. BMS_a066_SW_Over_Current."),
      audiences: z
        .array(z.union([z.string().min(1).max(64), z.int().nonnegative()]))
        .describe(
          "Tesla's audiences for the alert by name (Customer, Service, ServiceFix), or by number for one newer " +
            "than Fleetwire's decoder.",
        ),
    }),
    z.strictObject({
      kind: z.literal('rule').describe("Raised by one of the tenant's alert rules."),
      ruleId: EntityIdSchema.describe('The alert rule that matched.'),
      ruleName: z.string().min(1).max(128).describe("The rule's name at the time it matched."),
    }),
  ])
  .meta({
    id: 'AlertTrigger',
    title: 'AlertTrigger',
    description:
      'What raised the alert: a Tesla vehicle alert (kind tesla) or a tenant alert rule (kind rule).',
  });

/** What raised an alert. */
export type AlertTrigger = z.infer<typeof AlertTriggerSchema>;

/** How urgent an alert is. */
export const AlertSeveritySchema = z
  .enum(['info', 'warning', 'critical'])
  .describe(
    "The rule's severity; Tesla alerts are warning unless the tenant mapped the alert name to another.",
  );

const alertIdField = EntityIdSchema.describe(
  'This occurrence of the alert: the same id in its Raised and Cleared events, and in acknowledgeAlert.',
);

/** The `Vehicle.Alert.Raised` detail. */
export const VehicleAlertRaisedDetailSchema = vehicleEventDetailSchema(1, {
  alertId: alertIdField,
  trigger: AlertTriggerSchema,
  severity: AlertSeveritySchema,
  message: z
    .string()
    .min(1)
    .max(1024)
    .describe('A one-line human-readable summary for dashboards and webhooks.'),
  startedAt: UtcDateTimeSchema.describe(
    "When the condition began: Tesla's started_at (else the record's created_at), or the first sample matching " +
      'the rule.',
  ),
  signals: SignalsSchema.describe(
    "The signal values the alert was raised on (the rule's inputs at that moment); empty for Tesla alerts.",
  ),
}).describe('The start of one alert occurrence; a Vehicle.Alert.Cleared with the same alertId ends it.');

/** The `Vehicle.Alert.Raised` detail. */
export type VehicleAlertRaisedDetail = z.infer<typeof VehicleAlertRaisedDetailSchema>;

/** The `Vehicle.Alert.Cleared` detail. */
export const VehicleAlertClearedDetailSchema = vehicleEventDetailSchema(1, {
  alertId: alertIdField,
  trigger: AlertTriggerSchema,
  severity: AlertSeveritySchema,
  startedAt: UtcDateTimeSchema.describe('When the condition began (as in the Raised event).'),
  endedAt: UtcDateTimeSchema.describe(
    "When the condition ended: Tesla's ended_at, or the first sample not matching.",
  ),
  durationSeconds: durationSeconds().describe('endedAt - startedAt, in seconds.'),
  signals: SignalsSchema.describe('The signal values the alert was cleared on; empty for Tesla alerts.'),
}).describe('The end of one alert occurrence, with how long it lasted.');

/** The `Vehicle.Alert.Cleared` detail. */
export type VehicleAlertClearedDetail = z.infer<typeof VehicleAlertClearedDetailSchema>;

/** The `Vehicle.Error.Reported` detail. */
export const VehicleErrorReportedDetailSchema = vehicleEventDetailSchema(1, {
  errorName: z.string().min(1).max(256).describe("Tesla's error name, e.g. cloud_client_nil."),
  tags: z
    .record(
      z.string().min(1).max(128),
      z
        .string()
        .max(1024)
        .refine((value) => !VIN_PATTERN.test(value), { error: 'a VIN-shaped tag value is never published' }),
    )
    .describe("Tesla's tags for the error, as reported; a value shaped like a VIN is refused."),
  body: z.string().max(8192).describe("Tesla's free-text error body, truncated to 8192 characters."),
  reportedAt: UtcDateTimeSchema.describe(
    "Tesla's created_at for the error, else the record's (the vehicle's clock).",
  ),
}).describe('One error the vehicle reported, as Tesla sent it.');

/** The `Vehicle.Error.Reported` detail. */
export type VehicleErrorReportedDetail = z.infer<typeof VehicleErrorReportedDetailSchema>;

const EXAMPLE_TENANT = 'acme-logistics';
const EXAMPLE_VEHICLE = 'q0Vx3nF8T2mYb7LkPz4RwA';

/** `Vehicle.Connectivity.Changed`. */
export const VEHICLE_CONNECTIVITY_CHANGED = defineEvent({
  detailType: DETAIL_TYPES.VehicleConnectivityChanged,
  source: EVENT_SOURCES.vehicles,
  version: 1,
  description:
    "A vehicle goes online or offline: Tesla's connectivity topic, or no record for longer than the silence timeout.",
  schema: VehicleConnectivityChangedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:40:00.000Z',
    vehicleId: EXAMPLE_VEHICLE,
    status: 'offline',
    previousStatus: 'online',
    cause: 'silence_timeout',
    networkInterface: null,
    connectionId: '0a6f3b4e-8d8e-4c4b-9a51-2f1c7b0e9d12',
    lastSeenAt: '2025-03-14T09:30:00.000Z',
  },
});

/** `Vehicle.Alert.Raised`. */
export const VEHICLE_ALERT_RAISED = defineEvent({
  detailType: DETAIL_TYPES.VehicleAlertRaised,
  source: EVENT_SOURCES.vehicles,
  version: 1,
  description:
    "An alert becomes active: the vehicle raised a Tesla alert or one of the tenant's alert rules matched.",
  schema: VehicleAlertRaisedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:27:01.250Z',
    vehicleId: EXAMPLE_VEHICLE,
    alertId: 'alr_01JPA3W9Q8ZK4T7R2M5N6B8C0D',
    trigger: { kind: 'rule', ruleId: 'rule-speeding-urban', ruleName: 'Speeding in town' },
    severity: 'warning',
    message: 'VehicleSpeed 72.4 km/h is above 60 km/h',
    startedAt: '2025-03-14T09:26:53.120Z',
    signals: { VehicleSpeed: 72.4, Location: { latitude: 52.520008, longitude: 13.404954 } },
  },
});

/** `Vehicle.Alert.Cleared`. */
export const VEHICLE_ALERT_CLEARED = defineEvent({
  detailType: DETAIL_TYPES.VehicleAlertCleared,
  source: EVENT_SOURCES.vehicles,
  version: 1,
  description: 'An active alert ends: Tesla reported its end, or the rule stopped matching.',
  schema: VehicleAlertClearedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:29:30.500Z',
    vehicleId: EXAMPLE_VEHICLE,
    alertId: 'alr_01JPA3W9Q8ZK4T7R2M5N6B8C0D',
    trigger: { kind: 'rule', ruleId: 'rule-speeding-urban', ruleName: 'Speeding in town' },
    severity: 'warning',
    startedAt: '2025-03-14T09:26:53.120Z',
    endedAt: '2025-03-14T09:29:29.880Z',
    durationSeconds: 156.76,
    signals: { VehicleSpeed: 48.1 },
  },
});

/** `Vehicle.Error.Reported`. */
export const VEHICLE_ERROR_REPORTED = defineEvent({
  detailType: DETAIL_TYPES.VehicleErrorReported,
  source: EVENT_SOURCES.vehicles,
  version: 1,
  description: 'A vehicle reports an error on the Tesla errors topic (one event per error).',
  schema: VehicleErrorReportedDetailSchema,
  example: {
    version: 1,
    tenantId: EXAMPLE_TENANT,
    occurredAt: '2025-03-14T09:31:12.045Z',
    vehicleId: EXAMPLE_VEHICLE,
    errorName: 'cloud_client_nil',
    tags: { field: 'Location', component: 'telemetry' },
    body: 'telemetry client not initialized; retrying in 30s',
    reportedAt: '2025-03-14T09:31:11.900Z',
  },
});
