/**
 * The command catalog: every Tesla Fleet API vehicle command Fleetwire sends, with its parameters and
 * their rules, the roles that may send it and whether it needs a second admin's approval. The workflow's
 * authorize step (`authorizeCommand`), the simulated Fleet API and `docs/commands.md` all read
 * this one table.
 *
 * Sensitivity is about physical access and safety, not about cost: a command is sensitive when carrying
 * it out lets someone into the car or its cargo, or lets it be driven, because those are the commands a
 * stolen dispatcher account would be used for and the ones that cannot be undone remotely once someone
 * has walked off with the contents. Everything else is reversible with another command, so the
 * four-eyes wait (minutes, sometimes nobody is there) would cost more than it protects.
 */
import type { z } from 'zod';
import { parametersSchema } from './parameters.ts';
import type { ParameterSpecs, ParametersOf } from './parameters.ts';

/** The roles of DESIGN.md §5, as the tokens carry them (`cognito:groups` or `roles`). */
export const ROLES = ['admin', 'dispatcher', 'viewer', 'auditor'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** The role that approves sensitive commands (and the only one that may). */
export const APPROVER_ROLE: Role = 'admin';

/** Who sends commands: viewers and auditors only read, by design. */
const SENDERS = ['admin', 'dispatcher'] as const satisfies readonly Role[];

/** One command of the catalog. */
export interface CommandDefinition<P extends ParameterSpecs = ParameterSpecs> {
  /** One line for the docs and the API's descriptions. */
  readonly description: string;
  /** The parameters, all required; `{}` for none. */
  readonly parameters: P;
  /** The strict schema built from {@link CommandDefinition.parameters}. */
  readonly schema: z.ZodType<ParametersOf<P>>;
  /** The roles that may send it. */
  readonly roles: readonly Role[];
  /** Whether another admin must approve it before it is dispatched. */
  readonly sensitive: boolean;
}

function define<const P extends ParameterSpecs>(
  name: string,
  definition: Omit<CommandDefinition<P>, 'schema' | 'roles'> & { readonly roles?: readonly Role[] },
): CommandDefinition<P> {
  return {
    ...definition,
    roles: definition.roles ?? SENDERS,
    schema: parametersSchema(name, definition.parameters),
  };
}

/** Every command, by its Fleet API name, in the order the docs list them. */
export const COMMAND_CATALOG = {
  wake_up: define('wake_up', {
    description:
      'Wakes a sleeping vehicle so it can take commands (it comes online after a few seconds). ' +
      'The workflow also sends it by itself before a command to a sleeping vehicle.',
    parameters: {},
    // Waking only costs a little battery; users need it to refresh a stale vehicle's telemetry.
    sensitive: false,
  }),
  door_lock: define('door_lock', {
    description: 'Locks the doors.',
    parameters: {},
    sensitive: false,
  }),
  door_unlock: define('door_unlock', {
    description: 'Unlocks the doors.',
    parameters: {},
    // Anyone at the car can open it and take what is inside.
    sensitive: true,
  }),
  honk_horn: define('honk_horn', {
    description: 'Honks the horn (to find the vehicle).',
    parameters: {},
    sensitive: false,
  }),
  flash_lights: define('flash_lights', {
    description: 'Flashes the headlights (to find the vehicle).',
    parameters: {},
    sensitive: false,
  }),
  charge_start: define('charge_start', {
    description: 'Starts charging, when the vehicle is plugged in and below its charge limit.',
    parameters: {},
    sensitive: false,
  }),
  charge_stop: define('charge_stop', {
    description: 'Stops charging.',
    parameters: {},
    sensitive: false,
  }),
  set_charge_limit: define('set_charge_limit', {
    description: 'Sets the state of charge charging stops at.',
    parameters: { percent: { kind: 'integer', min: 50, max: 100, unit: '%' } },
    sensitive: false,
  }),
  set_charging_amps: define('set_charging_amps', {
    description:
      'Sets the AC charging current. 48 A is the most any Tesla on-board charger draws; a vehicle whose ' +
      'charger or wall connector allows less draws what it can. 0 is refused: charge_stop says that.',
    parameters: { charging_amps: { kind: 'integer', min: 1, max: 48, unit: 'A' } },
    sensitive: false,
  }),
  remote_start_drive: define('remote_start_drive', {
    description: 'Allows keyless driving for two minutes (someone without a key can drive off).',
    parameters: {},
    // Whoever sits in the car can drive it away.
    sensitive: true,
  }),
  auto_conditioning_start: define('auto_conditioning_start', {
    description: 'Starts the climate control (towards the set temperatures).',
    parameters: {},
    sensitive: false,
  }),
  auto_conditioning_stop: define('auto_conditioning_stop', {
    description: 'Stops the climate control.',
    parameters: {},
    sensitive: false,
  }),
  set_temps: define('set_temps', {
    description:
      "Sets the cabin's target temperatures, in °C within the range Tesla's climate controls offer " +
      '(15–28; the car shows LO and HI beyond).',
    parameters: {
      driver_temp: { kind: 'number', min: 15, max: 28, unit: '°C' },
      passenger_temp: { kind: 'number', min: 15, max: 28, unit: '°C' },
    },
    sensitive: false,
  }),
  actuate_trunk: define('actuate_trunk', {
    description: 'Opens the front trunk, or opens or closes the rear trunk.',
    parameters: { which_trunk: { kind: 'enum', values: ['front', 'rear'] } },
    // An open trunk is an open cargo space, whatever the doors' lock says.
    sensitive: true,
  }),
  window_control: define('window_control', {
    description: 'Vents (opens a little) or closes all windows.',
    parameters: { command: { kind: 'enum', values: ['vent', 'close'] } },
    // Venting opens the cabin to a hand through the gap. Closing is harmless, but one rule per command
    // keeps the policy and its audit simple to read; an admin approves a close in one click.
    sensitive: true,
  }),
  set_sentry_mode: define('set_sentry_mode', {
    description: "Turns Sentry Mode (the parked car's camera surveillance) on or off.",
    parameters: { on: { kind: 'boolean' } },
    // Not sensitive: turning it off grants no access by itself (unlocking still needs an approval), and
    // dispatchers turn it off to save the battery of cars parked for days.
    sensitive: false,
  }),
} as const satisfies Readonly<Record<string, CommandDefinition>>;

/** The catalog's type. */
export type CommandCatalog = typeof COMMAND_CATALOG;

/** A Fleet API command name the catalog knows, e.g. `door_lock`. */
export type CommandName = keyof CommandCatalog;

/** Every command name, in catalog order. */
export const COMMAND_NAMES = Object.keys(COMMAND_CATALOG) as readonly CommandName[];

/** The parameters a command takes once validated, e.g. `{ percent: number }` for `set_charge_limit`. */
export type CommandParameters<N extends CommandName> = ParametersOf<CommandCatalog[N]['parameters']>;

/** Whether a string is a command of the catalog (and not an inherited property name). */
export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMAND_CATALOG, value);
}

/** Whether a string is one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The sensitive commands, in catalog order. */
export const SENSITIVE_COMMANDS: readonly CommandName[] = COMMAND_NAMES.filter(
  (name) => COMMAND_CATALOG[name].sensitive,
);
