import { InvalidArgumentError, type Command } from 'commander';
import { FLEETWIRE_ROLES } from '../../local/auth/claims.ts';
import { LocalAuthError } from '../../local/auth/errors.ts';
import { LocalJwtIssuer, MAX_TOKEN_LIFETIME_SECONDS } from '../../local/auth/issuer.ts';
import { CliError } from '../cli-error.ts';

/** The data dir `fleetwire start` uses unless told otherwise; the token command must sign with its key. */
const DEFAULT_DATA_DIR = '.fleetwire/data';
/** A working day: long enough for a dev session, within Cognito's one-day maximum. */
const DEFAULT_CLI_LIFETIME_SECONDS = 12 * 3600;

interface TokenOptions {
  tenant: string;
  role: string[];
  user?: string;
  expiresIn: number;
  dataDir: string;
  json?: boolean;
}

/**
 * `fleetwire token --tenant T --role R [--user U] [--expires-in S] [--data-dir DIR] [--json]`: prints a
 * Cognito-shaped ID token signed with the data dir's key, for the local AppSync server of that data dir
 * (the server records its URL there, so the token's issuer is the running server's).
 */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description("print a JWT for the local GraphQL API (the running stack's issuer key, in the data dir)")
    .requiredOption('--tenant <id>', 'the tenant (custom:tenantId claim)')
    .requiredOption(
      '--role <role>',
      `a role (cognito:groups): ${FLEETWIRE_ROLES.join(', ')}; repeat or comma-separate for several`,
      collectRoles,
      [],
    )
    .option('--user <username>', 'the username (cognito:username); default <tenant>-<role>')
    .option(
      '--expires-in <seconds>',
      `lifetime, 1 to ${MAX_TOKEN_LIFETIME_SECONDS} seconds`,
      parseLifetime,
      DEFAULT_CLI_LIFETIME_SECONDS,
    )
    .option(
      '--data-dir <dir>',
      'the data dir of the stack',
      process.env.FLEETWIRE_DATA_DIR ?? DEFAULT_DATA_DIR,
    )
    .option('--json', 'print {"token", "issuer", "claims"} instead of the bare token')
    .action(async (options: TokenOptions) => {
      try {
        const issuer = LocalJwtIssuer.open({ dataDir: options.dataDir });
        const { token, claims } = await issuer.issueToken({
          tenantId: options.tenant,
          roles: options.role,
          username: options.user,
          expiresInSeconds: options.expiresIn,
        });
        process.stdout.write(
          options.json ? `${JSON.stringify({ token, issuer: issuer.issuer, claims })}\n` : `${token}\n`,
        );
      } catch (error) {
        if (error instanceof LocalAuthError) throw new CliError(error.message);
        throw error;
      }
    });
}

function collectRoles(value: string, previous: string[]): string[] {
  const roles = value
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  return [...previous, ...roles];
}

function parseLifetime(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new InvalidArgumentError(`not a lifetime in seconds (1 to ${MAX_TOKEN_LIFETIME_SECONDS})`);
  }
  return seconds;
}
