import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_CATALOG,
  COMMAND_NAMES,
  commandCatalogListing,
  isCommandName,
  ROLES,
  SENSITIVE_COMMANDS,
  validateCommand,
  validateCommandParameters,
} from '../../../../src/domain/commands/index.ts';
import type { CommandName } from '../../../../src/domain/commands/index.ts';
import {
  COMMANDS_DOC_PATH,
  formattedCommandsMarkdown,
} from '../../../../src/domain/commands/generate-docs.ts';

/** The commands of the Fleet API reference (shared/reference/tesla/README.md, "Vehicle commands"). */
const REFERENCE_COMMANDS = [
  'door_lock',
  'door_unlock',
  'honk_horn',
  'flash_lights',
  'wake_up',
  'charge_start',
  'charge_stop',
  'remote_start_drive',
  'auto_conditioning_start',
  'auto_conditioning_stop',
  'set_charge_limit',
  'set_charging_amps',
  'actuate_trunk',
  'set_sentry_mode',
  'set_temps',
  'window_control',
];

const NO_PARAMETERS = REFERENCE_COMMANDS.slice(0, 10) as CommandName[];

/** Per command with parameters: accepted parameters, and refused ones with the exact message. */
const CASES: Record<
  string,
  { valid: Record<string, unknown>[]; invalid: [parameters: unknown, message: string][] }
> = {
  set_charge_limit: {
    valid: [{ percent: 50 }, { percent: 80 }, { percent: 100 }],
    invalid: [
      [{ percent: 120 }, 'set_charge_limit: percent must be an integer from 50 to 100, got 120'],
      [{ percent: 49 }, 'set_charge_limit: percent must be an integer from 50 to 100, got 49'],
      [{ percent: 80.5 }, 'set_charge_limit: percent must be an integer from 50 to 100, got 80.5'],
      [{ percent: '80' }, 'set_charge_limit: percent must be an integer from 50 to 100, got "80"'],
      [{ percent: null }, 'set_charge_limit: percent must be an integer from 50 to 100, got null'],
      [{}, 'set_charge_limit: percent is required: an integer from 50 to 100'],
      [{ percent: 80, amps: 16 }, 'set_charge_limit: unknown parameter "amps" (it takes percent)'],
    ],
  },
  set_charging_amps: {
    valid: [{ charging_amps: 1 }, { charging_amps: 16 }, { charging_amps: 48 }],
    invalid: [
      [{ charging_amps: 0 }, 'set_charging_amps: charging_amps must be an integer from 1 to 48, got 0'],
      [{ charging_amps: 49 }, 'set_charging_amps: charging_amps must be an integer from 1 to 48, got 49'],
      [{ charging_amps: 7.5 }, 'set_charging_amps: charging_amps must be an integer from 1 to 48, got 7.5'],
      [
        { amps: 16 },
        'set_charging_amps: charging_amps is required: an integer from 1 to 48; set_charging_amps: unknown parameter "amps" (it takes charging_amps)',
      ],
    ],
  },
  actuate_trunk: {
    valid: [{ which_trunk: 'front' }, { which_trunk: 'rear' }],
    invalid: [
      [{ which_trunk: 'side' }, 'actuate_trunk: which_trunk must be "front" or "rear", got "side"'],
      [{ which_trunk: 'REAR' }, 'actuate_trunk: which_trunk must be "front" or "rear", got "REAR"'],
      [{}, 'actuate_trunk: which_trunk is required: "front" or "rear"'],
    ],
  },
  set_sentry_mode: {
    valid: [{ on: true }, { on: false }],
    invalid: [
      [{ on: 'true' }, 'set_sentry_mode: on must be true or false, got "true"'],
      [{ on: 1 }, 'set_sentry_mode: on must be true or false, got 1'],
      [{ on: true, off: false }, 'set_sentry_mode: unknown parameter "off" (it takes on)'],
    ],
  },
  set_temps: {
    valid: [
      { driver_temp: 15, passenger_temp: 28 },
      { driver_temp: 21.5, passenger_temp: 20 },
    ],
    invalid: [
      [
        { driver_temp: 30, passenger_temp: 20 },
        'set_temps: driver_temp must be a number from 15 to 28, got 30',
      ],
      [
        { driver_temp: 20, passenger_temp: 14.9 },
        'set_temps: passenger_temp must be a number from 15 to 28, got 14.9',
      ],
      [{ driver_temp: 20 }, 'set_temps: passenger_temp is required: a number from 15 to 28'],
      [
        { driver_temp: [20], passenger_temp: { c: 20 } },
        'set_temps: driver_temp must be a number from 15 to 28, got an array; ' +
          'set_temps: passenger_temp must be a number from 15 to 28, got an object',
      ],
    ],
  },
  window_control: {
    valid: [{ command: 'vent' }, { command: 'close' }],
    invalid: [
      [{ command: 'open' }, 'window_control: command must be "vent" or "close", got "open"'],
      [
        { command: 'close', lat: 52.5, lon: 13.4 },
        'window_control: unknown parameters "lat", "lon" (it takes command)',
      ],
    ],
  },
};

describe('command catalog', () => {
  it('has exactly the Fleet API commands of the reference', () => {
    expect([...COMMAND_NAMES].sort()).toEqual([...REFERENCE_COMMANDS].sort());
    for (const name of REFERENCE_COMMANDS) expect(isCommandName(name)).toBe(true);
    for (const name of ['launch_rocket', 'toString', '__proto__', 'constructor', '', 42, null])
      expect(isCommandName(name)).toBe(false);
  });

  it('lets dispatchers and admins send everything, viewers and auditors nothing', () => {
    for (const name of COMMAND_NAMES) {
      expect([...COMMAND_CATALOG[name].roles].sort()).toEqual(['admin', 'dispatcher']);
      expect(COMMAND_CATALOG[name].description.length).toBeGreaterThan(5);
    }
    expect(ROLES).toEqual(['admin', 'dispatcher', 'viewer', 'auditor']);
  });

  it('marks the commands that give access to the car or let it be driven as sensitive', () => {
    expect([...SENSITIVE_COMMANDS].sort()).toEqual([
      'actuate_trunk',
      'door_unlock',
      'remote_start_drive',
      'window_control',
    ]);
    expect(COMMAND_CATALOG.wake_up.sensitive).toBe(false);
  });

  it.each(NO_PARAMETERS)('%s takes no parameters', (name) => {
    expect(validateCommand(name, {})).toEqual({ ok: true, command: name, parameters: {} });
    expect(validateCommand(name, undefined)).toEqual({ ok: true, command: name, parameters: {} });
    expect(validateCommand(name, { force: true })).toMatchObject({
      ok: false,
      reason: 'INVALID_PARAMETERS',
      message: `${name}: takes no parameters, got "force"`,
    });
    expect(validateCommand(name, null)).toMatchObject({
      ok: false,
      message: `${name}: parameters must be a JSON object, got null`,
    });
    expect(validateCommand(name, [])).toMatchObject({
      ok: false,
      message: `${name}: parameters must be a JSON object, got an array`,
    });
    expect(validateCommand(name, 'x')).toMatchObject({
      ok: false,
      message: `${name}: parameters must be a JSON object, got a string`,
    });
  });

  it('covers every command with parameters in these tests', () => {
    expect(Object.keys(CASES).sort()).toEqual(COMMAND_NAMES.filter((n) => !NO_PARAMETERS.includes(n)).sort());
  });

  describe.each(Object.entries(CASES))('%s', (name, cases) => {
    it.each(cases.valid)('accepts %j as it is', (parameters) => {
      const result = validateCommand(name, parameters);
      expect(result).toEqual({ ok: true, command: name, parameters });
      // A fresh object: the caller's cannot be changed through the result.
      if (result.ok) expect(result.parameters).not.toBe(parameters);
    });

    it.each(cases.invalid)('refuses %j', (parameters, message) => {
      expect(validateCommand(name, parameters)).toEqual({
        ok: false,
        reason: 'INVALID_PARAMETERS',
        problems: message.split('; '),
        message,
      });
    });
  });

  it('refuses unknown commands, including names inherited by every object', () => {
    for (const name of ['launch_rocket', 'toString', 'hasOwnProperty']) {
      expect(validateCommand(name, {})).toMatchObject({
        ok: false,
        reason: 'UNKNOWN_COMMAND',
        message: `unknown command "${name}": not a Fleet API command Fleetwire sends`,
      });
    }
    expect(validateCommand(undefined, {})).toMatchObject({ ok: false, reason: 'UNKNOWN_COMMAND' });
  });

  it('types the parameters of a known command', () => {
    const result = validateCommandParameters('set_charge_limit', { percent: 70 });
    expect(result.ok && result.parameters.percent).toBe(70);
    expect(validateCommandParameters('set_charge_limit', { percent: 7 })).toEqual({
      ok: false,
      problems: ['set_charge_limit: percent must be an integer from 50 to 100, got 7'],
      message: 'set_charge_limit: percent must be an integer from 50 to 100, got 7',
    });
  });

  it('keeps long received values out of messages', () => {
    const result = validateCommand('actuate_trunk', { which_trunk: 'x'.repeat(500) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(120);
  });

  it('lists itself as JSON', () => {
    const listing = commandCatalogListing();
    expect(listing.map((c) => c.name)).toEqual(COMMAND_NAMES);
    expect(JSON.parse(JSON.stringify(listing))).toEqual(listing);
    expect(listing.find((c) => c.name === 'set_charge_limit')).toEqual({
      name: 'set_charge_limit',
      description: COMMAND_CATALOG.set_charge_limit.description,
      parameters: [
        {
          name: 'percent',
          spec: { kind: 'integer', min: 50, max: 100, unit: '%' },
          rule: 'an integer from 50 to 100 (%)',
        },
      ],
      roles: ['admin', 'dispatcher'],
      sensitive: false,
    });
  });
});

describe('docs/commands.md', () => {
  it('lists exactly the catalog, with its roles and sensitivity', async () => {
    const page = await readFile(COMMANDS_DOC_PATH, 'utf8');
    const rows = page
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((cells) => cells[1]?.replaceAll('`', ''))).toEqual(COMMAND_NAMES);
    for (const cells of rows) {
      const definition = COMMAND_CATALOG[cells[1]?.replaceAll('`', '') as CommandName];
      expect(cells[3]).toBe(definition.roles.join(', '));
      expect(cells[4]).toBe(definition.sensitive ? '**yes**' : 'no');
    }
  });

  it('is what the generator writes (npx tsx src/domain/commands/generate-docs.ts)', async () => {
    expect(await readFile(COMMANDS_DOC_PATH, 'utf8')).toBe(await formattedCommandsMarkdown());
  });
});
