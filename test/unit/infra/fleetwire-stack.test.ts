import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLEETWIRE_BUS_NAME, FLEETWIRE_RULES } from '../../../src/domain/events/rules.ts';
import { TESLA_TOPICS } from '../../../src/domain/tesla/index.ts';
import { addFleetwireStacks, DEFAULT_STACK_NAME } from '../../../src/infra/fleetwire-app.ts';
import {
  API_OUTPUT_IDS,
  STREAM_OUTPUT_IDS,
  type FleetwireStack,
} from '../../../src/infra/fleetwire-stack.ts';
import { cdkJsonContext, unbundledContext, validationFindings } from './cdk-test-support.ts';

describe('the Fleetwire CDK app', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'fleetwire-cdk-'));
  let stack: FleetwireStack;
  let assembly: CloudAssembly;
  let connectAttempts: number;

  // The same path as `cdk synth`: the cdk.json flags, the app's stacks, one synthesis with validation.
  beforeAll(() => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    try {
      const app = new App({ context: cdkJsonContext(), outdir });
      stack = addFleetwireStacks(app);
      assembly = app.synth();
      connectAttempts = connect.mock.calls.length;
    } finally {
      connect.mockRestore();
    }
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  // How long synthesis takes is measured by `npm run bench` (bench/synth.bench.ts), not asserted here.
  it('synthesizes without network, credentials or lookups', () => {
    expect(connectAttempts).toBe(0);
    // A lookup (VPC, hosted zone, AMI…) would appear here, and the CLI would then call AWS to resolve it.
    expect(assembly.manifest.missing ?? []).toEqual([]);
    const artifact = assembly.getStackArtifact(stack.artifactId);
    expect(artifact.environment).toMatchObject({ account: 'unknown-account', region: 'unknown-region' });
  });

  it('passes CloudFormation validation with no findings', () => {
    expect(validationFindings(assembly.directory)).toEqual([]);
  });

  it('names the stack Fleetwire by default', () => {
    expect(stack.stackName).toBe(DEFAULT_STACK_NAME);
    expect(assembly.stacks.map((artifact) => artifact.stackName)).toEqual([DEFAULT_STACK_NAME]);
  });

  it('outputs the bus name and ARN', () => {
    const template = Template.fromStack(stack);
    template.hasOutput('EventBusName', { Value: stack.resolve(stack.events.bus.eventBusName) });
    template.hasOutput('EventBusArn', { Value: stack.resolve(stack.events.bus.eventBusArn) });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: FLEETWIRE_BUS_NAME });
    // The rules on the bus; the detector ticker's schedule runs on the default bus.
    const busRules = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (rule) => (rule as { Properties: { EventBusName?: unknown } }).Properties.EventBusName !== undefined,
    );
    expect(busRules).toHaveLength(FLEETWIRE_RULES.length);
  });

  it('composes storage, keys, state cache and ingest, and outputs the stream names and queue URLs', () => {
    const template = Template.fromStack(stack);
    for (const topic of TESLA_TOPICS) {
      template.hasOutput(STREAM_OUTPUT_IDS[topic], {
        Value: stack.resolve(stack.ingest.streams[topic].streamName),
      });
    }
    template.hasOutput('PoisonQueueUrl', { Value: stack.resolve(stack.ingest.poisonQueue.queueUrl) });
    template.hasOutput('OnFailureQueueUrl', { Value: stack.resolve(stack.ingest.onFailureQueue.queueUrl) });
    // The storage context's tables, and the commands context's commands and audit tables.
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', stack.storage.tables.size + 2);
    template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 1);
    // The ingest function publishes on the events context's bus.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ EVENT_BUS_NAME: stack.resolve(stack.events.bus.eventBusName) }),
      },
    });
  });

  it('composes the API: user pool, GraphQL API targetable by the rules, and the URLs and ids dashboards need', () => {
    const template = Template.fromStack(stack);
    template.hasOutput(API_OUTPUT_IDS.graphqlUrl, { Value: stack.resolve(stack.api.graphqlUrl) });
    template.hasOutput(API_OUTPUT_IDS.realtimeUrl, { Value: stack.resolve(stack.api.realtimeUrl) });
    template.hasOutput(API_OUTPUT_IDS.userPoolId, { Value: stack.resolve(stack.api.userPool.userPoolId) });
    template.hasOutput(API_OUTPUT_IDS.userPoolClientId, {
      Value: stack.resolve(stack.api.dashboardClient.userPoolClientId),
    });
    template.resourceCountIs('AWS::AppSync::GraphQLApi', 1);
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    // The API's Lambda data sources read the stack's own tables and cache.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REDIS_URL: stack.resolve(stack.stateCache.redisUrl) }) },
      Role: stack.resolve(stack.api.stateReader.role?.roleArn),
    });
    // Every rule target naming a GraphQL mutation is one the API registered for EventBridge.
    const mutationTargets = FLEETWIRE_RULES.flatMap((rule) => rule.targets).flatMap((definition) =>
      definition.target.kind === 'graphqlMutation' ? [definition.target.field] : [],
    );
    for (const field of mutationTargets) {
      expect(Object.keys(stack.api.mutationTargets.operations)).toContain(field);
    }
  });

  /** The bundle in a function's code asset, in the synthesized assembly. */
  const bundleOf = (fn: { functionName: string }): string => {
    const ref = stack.resolve(fn.functionName) as { Ref: string };
    const resource = Template.fromStack(stack).toJSON().Resources[ref.Ref] as {
      Properties: { Handler: string; Code: { S3Key: string } };
    };
    expect(resource.Properties.Handler).toBe('index.handler');
    const assetDir = join(
      assembly.directory,
      `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`,
    );
    return join(assetDir, 'index.mjs');
  };

  /**
   * Whether importing `bundle` in a fresh Node process yields a `handler` function. Importing builds the
   * adapters, and ioredis then dials REDIS_URL: a closed loopback port, so nothing leaves the machine; the
   * process exits as soon as the import has resolved.
   */
  const expectLoadableHandler = (bundle: string, env: Readonly<Record<string, string>> = {}): void => {
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    // The AWS SDK is inside rather than left to the runtime.
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/from\s*["']@aws-sdk\//);
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler); process.exit(0);`,
      ],
      {
        encoding: 'utf8',
        timeout: 15_000,
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', REDIS_URL: 'redis://127.0.0.1:1', ...env },
      },
    );
    expect(loaded.status, loaded.stderr).toBe(0);
    expect(loaded.stdout.trim()).toBe('function');
  };

  // The tests that run esbuild (the others skip bundling through `aws:cdk:bundling-stacks`): the handlers
  // build offline, and each bundle loads in Node as an ES module.
  it('bundles the ingest handler locally into an ES module that loads', () => {
    expectLoadableHandler(bundleOf(stack.ingest.function), {
      POISON_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/poison',
    });
  });

  it("bundles the API's state reader and vehicle registrar into ES modules that load", () => {
    expectLoadableHandler(bundleOf(stack.api.stateReader));
    expectLoadableHandler(bundleOf(stack.api.vehicleRegistrar));
  });

  it('bundles the command workflow functions and the CommandApi function into ES modules that load', () => {
    const { commands } = stack;
    expectLoadableHandler(bundleOf(commands.authorizeFunction));
    expectLoadableHandler(bundleOf(commands.approvalFunction));
    expectLoadableHandler(bundleOf(commands.dispatchFunction), {
      FLEET_API_BASE_URL: 'https://fleet-api.prd.na.vn.cloud.tesla.com',
    });
    expectLoadableHandler(bundleOf(commands.commandApi), {
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:fleetwire-vehicle-command',
    });
  });
});

describe('addFleetwireStacks', () => {
  // Building constructs is cheap and these tests do not synthesize; bundling, which a NodejsFunction runs as
  // it is built, is skipped the way the CDK CLI skips it for stacks it does not deploy.
  const context = unbundledContext;

  it('takes the stack name from the stackName context value', () => {
    const app = new App({ context: { ...context(), stackName: 'Fleetwire-dev' } });
    const stack = addFleetwireStacks(app);
    expect(stack.stackName).toBe('Fleetwire-dev');
    expect(stack.node.id).toBe('Fleetwire-dev');
  });

  it.each([[''], [42]])('refuses the stackName %j', (stackName) => {
    const app = new App({ context: { ...context(), stackName } });
    expect(() => addFleetwireStacks(app)).toThrow("Context value 'stackName' must be a non-empty string");
  });
});
