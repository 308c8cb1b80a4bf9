/**
 * Loads a resolver the way AppSync runs it: the bundle CDK deploys (`bundleResolver`), evaluated in a
 * context of its own with no Node.js globals (no `process`, `require`, `Buffer`, timers or `eval`), where
 * `import … from '@aws-appsync/utils'` receives the local implementation. A resolver that works here but
 * reaches for Node.js would fail in AppSync; here it fails too.
 */
import { createContext, Script } from 'node:vm';
import { transformSync } from 'esbuild';
import { bundleResolver } from '../../../graphql/resolvers/bundle.ts';
import { resolverPath, type ResolverDefinition } from '../../../graphql/resolvers/manifest.ts';
import { appSyncUtilsModule } from '../utils/index.ts';

/** A resolver's two handlers. */
export interface LoadedResolver {
  readonly definition: ResolverDefinition;
  request(ctx: unknown): unknown;
  response(ctx: unknown): unknown;
}

/** Where resolver code's `console.log` goes (CloudWatch in AWS). */
export type ResolverConsole = Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;

function requireForResolver(specifier: string): unknown {
  if (specifier === '@aws-appsync/utils') return appSyncUtilsModule;
  throw new Error(
    `A resolver may import only @aws-appsync/utils offline (and lib/ files, which are bundled in); it imports ${specifier}`,
  );
}

/**
 * Bundles and evaluates one resolver file.
 *
 * @throws Error naming the file when it does not bundle or does not export `request` and `response`.
 */
export function loadResolver(
  definition: ResolverDefinition,
  resolverConsole: ResolverConsole,
): LoadedResolver {
  // The deployed ES module, turned into CommonJS so that its one import can be handed in without a loader.
  const esm = bundleResolver(resolverPath(definition));
  const { code } = transformSync(esm, { format: 'cjs', loader: 'js', target: 'esnext', logLevel: 'silent' });
  const context = createContext(
    { console: resolverConsole },
    { name: definition.file, codeGeneration: { strings: false, wasm: false } },
  );
  const wrapper = new Script(`(function (require, module, exports) {\n${code}\n})`, {
    filename: definition.file,
  }).runInContext(context) as (
    require: (id: string) => unknown,
    module: { exports: unknown },
    exports: unknown,
  ) => void;
  const module: { exports: Record<string, unknown> } = { exports: {} };
  wrapper(requireForResolver, module, module.exports);
  const { request, response } = module.exports;
  if (typeof request !== 'function' || typeof response !== 'function') {
    throw new Error(`The resolver ${definition.file} must export the functions request and response.`);
  }
  return {
    definition,
    request: request as LoadedResolver['request'],
    response: response as LoadedResolver['response'],
  };
}
