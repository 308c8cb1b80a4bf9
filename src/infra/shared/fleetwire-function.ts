/**
 * How every Fleetwire Lambda function is built (ingest, the API's data sources): esbuild from node_modules
 * (never Docker), ESM, arm64, Powertools settings, a log group of its own kept a month.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root, which the resolver manifest's function entries are relative to. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCK_FILE = fileURLToPath(new URL('../../../package-lock.json', import.meta.url));

/** Powertools metrics namespace of every function, so every Fleetwire metric is in one place. */
const POWERTOOLS_METRICS_NAMESPACE = 'Fleetwire';

/**
 * ESM output needs a real `require` for CommonJS dependencies (ioredis) that require Node built-ins at run
 * time; esbuild's shim throws "Dynamic require … is not supported" without it.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __fleetwireCreateRequire } from 'node:module'; " +
  'const require = __fleetwireCreateRequire(import.meta.url);';

/** What differs between Fleetwire's functions. */
export interface FleetwireFunctionOptions {
  readonly description: string;
  /** The handler module, absolute or relative to {@link PROJECT_ROOT}. */
  readonly entry: string;
  /** The log group's construct id; default `<id>LogGroup`. */
  readonly logGroupId?: string;
  /** Powertools' service name, also the function's log identity. */
  readonly serviceName: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly runtime: lambda.Runtime;
  /**
   * The VPC to run in. Functions that need no VPC resource stay out of one: a function that must reach a
   * service on the internet (command dispatch calling the Fleet API) cannot run in the state cache's
   * isolated subnets, which have no route out.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /** The subnets, with {@link vpc}. @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly environment?: Readonly<Record<string, string>>;
}

/** A Node.js function bundled locally, with a log group of its own kept a month. */
export function fleetwireFunction(
  scope: Construct,
  id: string,
  options: FleetwireFunctionOptions,
): nodejs.NodejsFunction {
  if (Stack.of(scope).bundlingRequired) {
    assertLocalEsbuild();
  }
  const logGroup = new logs.LogGroup(scope, options.logGroupId ?? `${id}LogGroup`, {
    // Failures only (the handlers never log per request); a month is enough to investigate.
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new nodejs.NodejsFunction(scope, id, {
    description: options.description,
    entry: resolve(PROJECT_ROOT, options.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: LOCK_FILE,
    runtime: options.runtime,
    // Billed ≈ 20% less per GB-second than x86.
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    logGroup,
    environment: {
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: options.serviceName,
      POWERTOOLS_METRICS_NAMESPACE,
      // Stack traces of the rare failure logs point at the TypeScript sources.
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: {
      // esbuild from node_modules: no Docker, no network.
      forceDockerBundling: false,
      format: nodejs.OutputFormat.ESM,
      // What the tests run on; newer runtimes run it unchanged.
      target: 'node20',
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // The tested SDK versions, tree-shaken into one file that loads faster than the runtime's SDK.
      bundleAwsSDK: true,
      externalModules: [],
    },
  });
}

/** AppSync gives a Lambda resolver at most 30 s; the functions answer far sooner or not at all. */
export const API_FUNCTION_TIMEOUT = Duration.seconds(10);

/**
 * CDK falls back to Docker when it finds no esbuild, which cannot work on machines without Docker and
 * would pull images over the network; fail with the actual cause instead.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error(
      'Fleetwire functions are bundled with the esbuild of node_modules, which is missing: run `npm ci`.',
    );
  }
}
