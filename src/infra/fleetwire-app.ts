/**
 * Builds the Fleetwire CDK app's stacks. Kept apart from `app.ts` (the `cdk.json` entry point) so tests can
 * build the very same stacks into an app of their own.
 */
import type { App } from 'aws-cdk-lib';
import { FleetwireStack } from './fleetwire-stack.ts';

/** The stack name when the `stackName` context value is not set. */
export const DEFAULT_STACK_NAME = 'Fleetwire';

/**
 * Adds the Fleetwire stack to `app`. Its name (also its construct id, so that `cdk deploy <name>` selects
 * it) comes from the `stackName` context value, e.g. `cdk synth -c stackName=Fleetwire-dev`.
 *
 * @throws Error when `stackName` is set to something other than a non-empty string.
 */
export function addFleetwireStacks(app: App): FleetwireStack {
  const configured: unknown = app.node.tryGetContext('stackName');
  if (configured !== undefined && (typeof configured !== 'string' || configured.length === 0)) {
    throw new Error(
      `Context value 'stackName' must be a non-empty string, got ${JSON.stringify(configured)}.`,
    );
  }
  const stackName = configured ?? DEFAULT_STACK_NAME;
  return new FleetwireStack(app, stackName, {
    stackName,
    description: 'Fleetwire: fleet telemetry and commands for Tesla Fleet Telemetry',
  });
}
