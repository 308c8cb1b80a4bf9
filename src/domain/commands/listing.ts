/**
 * The catalog as plain JSON (for the API, the CLI and the docs) and as the Markdown page
 * `docs/commands.md`. Pure: {@link renderCommandsMarkdown} returns text, `generate-docs.ts` writes it.
 */
import { APPROVER_ROLE, COMMAND_CATALOG, COMMAND_NAMES } from './catalog.ts';
import type { CommandName, Role } from './catalog.ts';
import { describeParameter } from './parameters.ts';
import type { ParameterSpec } from './parameters.ts';

/** One parameter in the listing. */
export interface ParameterListing {
  readonly name: string;
  readonly spec: ParameterSpec;
  /** The rule in words: `an integer from 50 to 100 (%)`. */
  readonly rule: string;
}

/** One command in the listing. */
export interface CommandListing {
  readonly name: CommandName;
  readonly description: string;
  readonly parameters: readonly ParameterListing[];
  readonly roles: readonly Role[];
  readonly sensitive: boolean;
}

/** Every command of the catalog as JSON, in catalog order. */
export function commandCatalogListing(): CommandListing[] {
  return COMMAND_NAMES.map((name) => {
    const definition = COMMAND_CATALOG[name];
    const specs: Readonly<Record<string, ParameterSpec>> = definition.parameters;
    return {
      name,
      description: definition.description,
      parameters: Object.entries(specs).map(([parameter, spec]) => ({
        name: parameter,
        spec,
        rule: describeParameter(spec, true),
      })),
      roles: [...definition.roles],
      sensitive: definition.sensitive,
    };
  });
}

/** Pipes would end the table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** `docs/commands.md`, before Prettier (the generator formats it with the repository's settings). */
export function renderCommandsMarkdown(): string {
  const rows = commandCatalogListing().map((command) => {
    const parameters =
      command.parameters.length === 0
        ? '—'
        : command.parameters.map((p) => `\`${p.name}\`: ${p.rule}`).join('<br>');
    return (
      `| \`${command.name}\` | ${cell(parameters)} | ${command.roles.join(', ')} | ` +
      `${command.sensitive ? '**yes**' : 'no'} | ${cell(command.description)} |`
    );
  });
  return [
    '# Vehicle commands',
    '',
    '<!-- Generated from src/domain/commands by `npx tsx src/domain/commands/generate-docs.ts`; do not edit. -->',
    '',
    'The Tesla Fleet API commands Fleetwire sends (the `vehicle-command` workflow, DESIGN §5). Parameters are a JSON object; every listed parameter is required, unknown ones are refused, and nothing is coerced (`"80"` is not a number).',
    '',
    `A **sensitive** command waits until another user with the \`${APPROVER_ROLE}\` role approves it; the requester cannot approve their own command. Viewers and auditors send no commands.`,
    '',
    '| command | parameters | roles | sensitive | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
