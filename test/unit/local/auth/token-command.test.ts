import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTokenCommand } from '../../../../src/cli/commands/token.ts';
import { CliError } from '../../../../src/cli/cli-error.ts';
import { LocalJwtIssuer } from '../../../../src/local/auth/issuer.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `fleetwire token <args>` in process; answers what it printed, or what it threw. */
async function token(args: string[]): Promise<{ stdout: string; error?: unknown }> {
  const program = new Command('fleetwire')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerTokenCommand(program);
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'fleetwire', 'token', ...args]);
    return { stdout };
  } catch (error) {
    return { stdout, error };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('fleetwire token', () => {
  it("prints a token the data dir's server accepts, for the issuer the server recorded", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-token-'));
    dirs.push(dataDir);
    const server = LocalJwtIssuer.open({ dataDir, baseUrl: 'http://127.0.0.1:4123' });
    const { stdout, error } = await token([
      '--tenant',
      'acme',
      '--role',
      'dispatcher',
      '--user',
      'ana',
      '--data-dir',
      dataDir,
    ]);
    expect(error).toBeUndefined();
    const printed = stdout.trim();
    expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const verification = await server.verifyToken(printed);
    expect(verification).toMatchObject({
      ok: true,
      claims: {
        iss: 'http://127.0.0.1:4123/us-east-1_fleetwire',
        'cognito:username': 'ana',
        'cognito:groups': ['dispatcher'],
        'custom:tenantId': 'acme',
      },
    });
    const claims = decodeJwt(printed);
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
  });

  it('takes several roles, a lifetime and --json', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-token-'));
    dirs.push(dataDir);
    const { stdout } = await token([
      '--tenant',
      'acme',
      '--role',
      'admin,auditor',
      '--role',
      'viewer',
      '--expires-in',
      '60',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    const printed = JSON.parse(stdout) as { token: string; issuer: string; claims: Record<string, unknown> };
    expect(printed.claims['cognito:groups']).toEqual(['admin', 'auditor', 'viewer']);
    expect(printed.claims['cognito:username']).toBe('acme-admin');
    expect(decodeJwt(printed.token).exp! - decodeJwt(printed.token).iat!).toBe(60);
    expect(printed.issuer).toBe('http://127.0.0.1:4000/us-east-1_fleetwire');
  });

  it('refuses unknown roles, bad tenants and bad lifetimes with a one-line error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetwire-token-'));
    dirs.push(dataDir);
    const role = await token(['--tenant', 'acme', '--role', 'root', '--data-dir', dataDir]);
    expect(role.error).toBeInstanceOf(CliError);
    expect((role.error as CliError).message).toMatch(
      /not a role: "root" \(one of admin, dispatcher, viewer, auditor\)/,
    );
    const tenant = await token(['--tenant', 'a b', '--role', 'admin', '--data-dir', dataDir]);
    expect((tenant.error as CliError).message).toMatch(/not a tenant id/);
    const lifetime = await token([
      '--tenant',
      'acme',
      '--role',
      'admin',
      '--expires-in',
      '100000',
      '--data-dir',
      dataDir,
    ]);
    expect(lifetime.error).toBeInstanceOf(CommanderError);
    const missing = await token(['--role', 'admin', '--data-dir', dataDir]);
    expect(missing.error).toBeInstanceOf(CommanderError);
  });
});
