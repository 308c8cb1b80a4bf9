import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import appsync from '@aws-appsync/eslint-plugin';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { bundleResolver, MAX_RESOLVER_CODE_BYTES } from '../../../src/graphql/resolvers/bundle.ts';
import { RESOLVERS, RESOLVERS_DIRECTORY, resolverPath } from '../../../src/graphql/resolvers/manifest.ts';

/** The plugin's flat configs (its typings allow legacy shapes too). */
const configs = appsync.configs as unknown as Record<'base' | 'recommended', Linter.Config>;

const formatted = (results: ESLint.LintResult[]) =>
  results.flatMap((result) =>
    result.messages.map((m) => `${result.filePath}:${m.line} ${m.ruleId}: ${m.message}`),
  );

describe('APPSYNC_JS lint (@aws-appsync/eslint-plugin, recommended rules)', () => {
  it('passes on every resolver file and helper, with the repository configuration', async () => {
    const eslint = new ESLint({ cwd: join(RESOLVERS_DIRECTORY, '../../..') });
    const results = await eslint.lintFiles([join(RESOLVERS_DIRECTORY, '**/*.js')]);
    expect(results.length).toBeGreaterThanOrEqual(RESOLVERS.length);
    expect(formatted(results)).toEqual([]);
  }, 60_000);

  it('would catch what the APPSYNC_JS runtime refuses', async () => {
    // A throwaway project with the same rules, so the check does not depend on files in the repository.
    const directory = mkdtempSync(join(tmpdir(), 'appsync-lint-'));
    writeFileSync(
      join(directory, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { allowJs: true, noEmit: true, types: [] }, include: ['*.js'] }),
    );
    writeFileSync(
      join(directory, 'bad.js'),
      [
        'export function request(ctx) { try { return ctx.args; } catch { return null; } }',
        'function depth(n) { return n > 0 ? depth(n - 1) : 0; }',
        'const byName = (a, b) => a - b;',
        'export function response(ctx) { [2, 1].sort(byName); const c = "b".localeCompare("a"); return "x" in ctx ? depth(c) : /x/.test("x"); }',
      ].join('\n'),
    );
    const eslint = new ESLint({
      cwd: directory,
      overrideConfigFile: true,
      overrideConfig: [
        {
          ...configs.recommended,
          files: ['**/*.js'],
          languageOptions: {
            ...configs.recommended.languageOptions,
            parserOptions: { project: './tsconfig.json', tsconfigRootDir: directory },
          },
        },
      ],
    });
    const rules = (await eslint.lintFiles(['bad.js'])).flatMap((r) => r.messages.map((m) => m.ruleId));
    expect(new Set(rules)).toEqual(
      new Set([
        '@aws-appsync/no-try',
        '@aws-appsync/no-recursion',
        '@aws-appsync/no-function-passing',
        '@aws-appsync/no-in-operator',
        '@aws-appsync/no-regex',
        '@aws-appsync/no-disallowed-methods',
      ]),
    );
  }, 60_000);
});

describe('resolver bundles (what CDK deploys and the local engine runs)', () => {
  const bundles = RESOLVERS.map(
    (resolver) => [resolver.file, bundleResolver(resolverPath(resolver))] as const,
  );

  it.each(bundles)('%s is one module under 32 KB that imports only @aws-appsync/utils', (_file, code) => {
    expect(Buffer.byteLength(code)).toBeLessThan(MAX_RESOLVER_CODE_BYTES);
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(new Set(imports)).toEqual(new Set(['@aws-appsync/utils']));
    expect(code).toMatch(/export \{[^}]*\brequest\b[^}]*\bresponse\b[^}]*\}/s);
  });

  it('still satisfy the runtime rules once bundled (esbuild adds nothing APPSYNC_JS refuses)', async () => {
    const eslint = new ESLint({
      overrideConfigFile: true,
      overrideConfig: [{ ...configs.base, files: ['**/*.js'] }],
    });
    const messages: string[] = [];
    for (const [file, code] of bundles) {
      const results = await eslint.lintText(code, { filePath: file });
      messages.push(...formatted(results));
    }
    expect(messages).toEqual([]);
  });
});
