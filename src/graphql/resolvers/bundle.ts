/**
 * Resolver bundling, shared by the CDK api construct and the local AppSync engine so both run the same
 * code. AppSync takes one ES module per resolver and resolves only `@aws-appsync/utils` imports itself, so
 * a resolver's imports of `lib/` are inlined and `@aws-appsync/utils` is left as an import: AppSync provides
 * it in AWS, the local engine provides its own implementation (`src/local/appsync/utils`).
 */
import { buildSync } from 'esbuild';

/** AppSync refuses resolver code over 32 KB. */
export const MAX_RESOLVER_CODE_BYTES = 32 * 1024;

/**
 * The code to deploy for a resolver file: one ES module, `lib/` inlined, nothing transpiled (the APPSYNC_JS
 * runtime supports the syntax the files use, and the lint keeps it so). Synchronous, because CDK synthesis
 * is. Use it as `appsync.Code.fromInline(bundleResolver(resolverPath(definition)))`.
 *
 * @throws Error naming the file when esbuild cannot bundle it, or when the bundle is over 32 KB.
 */
export function bundleResolver(path: string): string {
  const result = buildSync({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'esnext',
    external: ['@aws-appsync/utils', '@aws-appsync/utils/*'],
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for the resolver ${path}`);
  if (output.contents.byteLength > MAX_RESOLVER_CODE_BYTES) {
    throw new Error(
      `The resolver ${path} bundles to ${output.contents.byteLength} bytes; AppSync takes at most ${MAX_RESOLVER_CODE_BYTES}.`,
    );
  }
  return output.text;
}
