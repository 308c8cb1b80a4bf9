/**
 * The Fleetwire stack: composes one construct per bounded context and holds no resources of its own.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FleetwireEvents } from './events/events-construct.ts';
import { RuleTargetRegistry } from './events/rule-targets.ts';

/**
 * Everything Fleetwire deploys to one account and region. Environment-agnostic (no `env`, no lookups), so
 * that `cdk synth` needs neither credentials nor network.
 */
export class FleetwireStack extends Stack {
  /** The events context: the `fleetwire` bus, its archive and rules, the dead-letter queue. */
  public readonly events: FleetwireEvents;

  public constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The contexts that own rule targets (ingest, commands, api) are built before the events context and
    // register their functions, state machines and mutations here; none exists yet, and FLEETWIRE_RULES
    // lists only rules whose targets are deployed.
    const ruleTargets = new RuleTargetRegistry();

    this.events = new FleetwireEvents(this, 'Events', { targets: ruleTargets });

    new CfnOutput(this, 'EventBusName', {
      description: 'Name of the bus integrators subscribe to and publishers put Fleetwire events on',
      value: this.events.bus.eventBusName,
    });
    new CfnOutput(this, 'EventBusArn', {
      description: 'ARN of the Fleetwire event bus',
      value: this.events.bus.eventBusArn,
    });
  }
}
