/**
 * The `vehicle-command` state machine (DESIGN.md §5): its ASL file, its name, and the substitutions CDK
 * (`definitionSubstitutions`) and the local runtime ({@link renderVehicleCommandDefinition}) fill in.
 * The workflow is described in docs/command-workflow.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The ASL definition (JSONPath), with `${Key}` placeholders for {@link VehicleCommandSubstitutions}. */
export const VEHICLE_COMMAND_ASL_PATH = fileURLToPath(new URL('./vehicle-command.asl.json', import.meta.url));

/** The state machine's name; executions are named after their command id. */
export const VEHICLE_COMMAND_STATE_MACHINE_NAME = 'fleetwire-vehicle-command';

/** What the definition needs from its deployment, by placeholder name. */
export interface VehicleCommandSubstitutions {
  /** The commands table's name (`COMMANDS_TABLE`). */
  readonly CommandsTable: string;
  /** The audit table's name (`COMMAND_AUDIT_TABLE`). */
  readonly AuditTable: string;
  /** The vehicle directory's name (`VEHICLES_TABLE`). */
  readonly VehiclesTable: string;
  /** The bus `Command.*` events go to. */
  readonly EventBusName: string;
  readonly AuthorizeFunctionArn: string;
  readonly ApprovalFunctionArn: string;
  readonly DispatchFunctionArn: string;
  /** Seconds a sensitive command waits for an approval, as a decimal integer string (e.g. `"900"`). */
  readonly ApprovalTimeoutSeconds: string;
}

/** Every placeholder of the definition, in the order the interface lists them. */
export const VEHICLE_COMMAND_SUBSTITUTION_KEYS = [
  'CommandsTable',
  'AuditTable',
  'VehiclesTable',
  'EventBusName',
  'AuthorizeFunctionArn',
  'ApprovalFunctionArn',
  'DispatchFunctionArn',
  'ApprovalTimeoutSeconds',
] as const satisfies readonly (keyof VehicleCommandSubstitutions)[];

/** The definition or its substitutions cannot make a valid state machine. */
export class VehicleCommandDefinitionError extends Error {
  override readonly name = 'VehicleCommandDefinitionError';
}

/**
 * The definition with every placeholder replaced, as CDK's `definitionSubstitutions` does at deploy time.
 * Values are inserted as JSON string content, so a name with a quote cannot break the document.
 *
 * @throws {VehicleCommandDefinitionError} for a missing value, a timeout that is not a positive integer,
 *   or a placeholder the interface does not know (the file and this module out of step).
 */
export function renderVehicleCommandDefinition(substitutions: VehicleCommandSubstitutions): string {
  for (const key of VEHICLE_COMMAND_SUBSTITUTION_KEYS) {
    if (typeof substitutions[key] !== 'string' || substitutions[key] === '') {
      throw new VehicleCommandDefinitionError(`the substitution ${key} needs a non-empty string`);
    }
  }
  // It ends up in a Task's TimeoutSecondsPath, which takes positive integers only.
  if (!/^[1-9]\d{0,7}$/.test(substitutions.ApprovalTimeoutSeconds)) {
    throw new VehicleCommandDefinitionError(
      `ApprovalTimeoutSeconds must be a positive integer of seconds, got "${substitutions.ApprovalTimeoutSeconds}"`,
    );
  }
  const text = readFileSync(VEHICLE_COMMAND_ASL_PATH, 'utf8');
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_placeholder, key: string) => {
    if (!(VEHICLE_COMMAND_SUBSTITUTION_KEYS as readonly string[]).includes(key)) {
      throw new VehicleCommandDefinitionError(`the definition uses an unknown placeholder \${${key}}`);
    }
    // JSON.stringify escapes for a JSON string; the slice drops its quotes.
    return JSON.stringify(substitutions[key as keyof VehicleCommandSubstitutions]).slice(1, -1);
  });
}

/**
 * The `Dispatch` state's retries of the Fleet API's errors, as the definition has them (a unit test keeps
 * the two equal): the dispatch function reads them to say how many calls a failure took.
 */
export const DISPATCH_RETRIES = {
  VehicleAsleepError: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 4 },
  FleetApiRateLimitedError: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 3 },
  FleetApiUnavailableError: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 3 },
} as const;
