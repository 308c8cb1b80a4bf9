import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLEETWIRE_BUS_NAME, FLEETWIRE_RULES } from '../../../src/domain/events/rules.ts';
import { addFleetwireStacks, DEFAULT_STACK_NAME } from '../../../src/infra/fleetwire-app.ts';
import type { FleetwireStack } from '../../../src/infra/fleetwire-stack.ts';
import { cdkJsonContext, validationFindings } from './cdk-test-support.ts';

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
    template.resourceCountIs('AWS::Events::Rule', FLEETWIRE_RULES.length);
  });
});

describe('addFleetwireStacks', () => {
  // Building constructs is cheap; only synthesis is slow, and these tests do not synthesize.
  it('takes the stack name from the stackName context value', () => {
    const app = new App({ context: { ...cdkJsonContext(), stackName: 'Fleetwire-dev' } });
    const stack = addFleetwireStacks(app);
    expect(stack.stackName).toBe('Fleetwire-dev');
    expect(stack.node.id).toBe('Fleetwire-dev');
  });

  it.each([[''], [42]])('refuses the stackName %j', (stackName) => {
    const app = new App({ context: { ...cdkJsonContext(), stackName } });
    expect(() => addFleetwireStacks(app)).toThrow("Context value 'stackName' must be a non-empty string");
  });
});
