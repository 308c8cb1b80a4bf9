/**
 * The events bounded context in AWS: the buses, archives and rules of `src/domain/events/rules.ts`, built
 * from the same definitions the local bus runs, plus the dead-letter queue their targets fail over to.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  FLEETWIRE_ARCHIVES,
  FLEETWIRE_BUS_NAME,
  FLEETWIRE_BUSES,
  FLEETWIRE_RULES,
  type ArchiveDefinition,
  type EventPattern,
  type RuleDefinition,
  type RuleTargetDefinition,
} from '../../domain/events/rules.ts';
import { ruleTargetInputFor } from './rule-target-input.ts';
import { describeRuleTarget, type RuleTargetDelivery, type RuleTargetResolver } from './rule-targets.ts';

/** The bus AWS gives every account; rules and archives may name it without defining it. */
const DEFAULT_BUS_NAME = 'default';

/**
 * Retries stop after this long by default. A telemetry update or command request delivered later than
 * this is worse than none (dashboards would jump back to an old state, a vehicle would unlock long after
 * the user gave up); such an event waits in the dead-letter queue, and in the archive, instead.
 */
const DEFAULT_MAX_EVENT_AGE = Duration.minutes(15);

/**
 * Enough to ride out throttling and a briefly failing target (EventBridge backs off between attempts);
 * whichever of this and `DEFAULT_MAX_EVENT_AGE` is reached first sends the event to the dead-letter queue.
 */
const DEFAULT_RETRY_ATTEMPTS = 10;

/** Properties of {@link FleetwireEvents}. */
export interface FleetwireEventsProps {
  /** Builds each rule's targets; a rule naming a target it cannot build fails the synthesis. */
  readonly targets: RuleTargetResolver;
  /** @default FLEETWIRE_RULES */
  readonly rules?: readonly RuleDefinition[];
  /** @default FLEETWIRE_ARCHIVES */
  readonly archives?: readonly ArchiveDefinition[];
  /** Retries of a failed delivery before it goes to the dead-letter queue (0–185). @default 10 */
  readonly retryAttempts?: number;
  /** Age after which an undelivered event goes to the dead-letter queue (1 min–24 h). @default 15 minutes */
  readonly maxEventAge?: Duration;
}

/**
 * The Fleetwire buses (`FLEETWIRE_BUSES`), their archives and rules, and one dead-letter queue for every
 * target delivery that EventBridge gives up on.
 */
export class FleetwireEvents extends Construct {
  /** The `fleetwire` bus every Fleetwire event travels on. */
  public readonly bus: events.EventBus;
  /** Every bus this construct created, by name. */
  public readonly buses: ReadonlyMap<string, events.EventBus>;
  /** The archives, by definition name. */
  public readonly archives: ReadonlyMap<string, events.Archive>;
  /** The rules, by definition name. */
  public readonly rules: ReadonlyMap<string, events.Rule>;
  /** Where events go that could not be delivered to a rule target within the retry policy. */
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: FleetwireEventsProps) {
    super(scope, id);

    const buses = new Map<string, events.EventBus>();
    for (const definition of FLEETWIRE_BUSES) {
      buses.set(
        definition.name,
        new events.EventBus(this, `Bus-${definition.name}`, {
          eventBusName: definition.name,
          description: definition.description,
        }),
      );
    }
    const fleetwireBus = buses.get(FLEETWIRE_BUS_NAME);
    if (fleetwireBus === undefined) {
      throw new Error(`FLEETWIRE_BUSES must define the '${FLEETWIRE_BUS_NAME}' bus.`);
    }
    this.bus = fleetwireBus;
    this.buses = buses;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SQS-managed SSE rather than a customer key: EventBridge can then write without a key policy, and
      // the events are no more sensitive here than on the bus (no real VIN ever travels on it).
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows, to leave time to inspect and redrive a failure.
      retentionPeriod: Duration.days(14),
    });

    const busNamed = this.busResolver(buses);
    this.archives = this.buildArchives(props.archives ?? FLEETWIRE_ARCHIVES, busNamed);
    this.rules = this.buildRules(props, busNamed, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
      maxEventAge: props.maxEventAge ?? DEFAULT_MAX_EVENT_AGE,
    });
  }

  /** Looks a bus up by the name the definitions use; the default bus is imported, not created. */
  private busResolver(
    buses: ReadonlyMap<string, events.EventBus>,
  ): (name: string, user: string) => events.IEventBus {
    let defaultBus: events.IEventBus | undefined;
    return (name, user) => {
      const bus = buses.get(name);
      if (bus !== undefined) {
        return bus;
      }
      if (name === DEFAULT_BUS_NAME) {
        defaultBus ??= events.EventBus.fromEventBusName(this, 'DefaultBus', DEFAULT_BUS_NAME);
        return defaultBus;
      }
      throw new Error(
        `${user} is on bus '${name}', which is neither in FLEETWIRE_BUSES nor AWS's default bus.`,
      );
    };
  }

  private buildArchives(
    definitions: readonly ArchiveDefinition[],
    busNamed: (name: string, user: string) => events.IEventBus,
  ): ReadonlyMap<string, events.Archive> {
    const archives = new Map<string, events.Archive>();
    for (const definition of definitions) {
      if (archives.has(definition.name)) {
        throw new Error(`Archive '${definition.name}' is defined twice.`);
      }
      const bus = busNamed(definition.eventBus, `Archive '${definition.name}'`);
      const archive = bus.archive(definition.name, {
        archiveName: definition.name,
        description: definition.description,
        // CDK's `eventPattern` is required, but an empty pattern is rendered as no `EventPattern` at all,
        // which is what the definition means: EventBridge then archives every event on the bus (whatever
        // account sent it), exactly as the local archive does. A stand-in pattern such as
        // `{ account: [<this account>] }` would silently drop events put by other accounts.
        eventPattern: definition.pattern === undefined ? {} : toCdkEventPattern(definition.pattern),
        // 0 is "keep forever" in both EventBridge and the definitions; CDK's default is the same.
        retention: definition.retentionDays === 0 ? undefined : Duration.days(definition.retentionDays),
      });
      archives.set(definition.name, archive);
    }
    return archives;
  }

  private buildRules(
    props: FleetwireEventsProps,
    busNamed: (name: string, user: string) => events.IEventBus,
    delivery: RuleTargetDelivery,
  ): ReadonlyMap<string, events.Rule> {
    const rulesScope = new Construct(this, 'Rules');
    const rules = new Map<string, events.Rule>();
    for (const definition of props.rules ?? FLEETWIRE_RULES) {
      if (rules.has(definition.name)) {
        // Also the construct id, so it must be unique in this construct, not only per bus.
        throw new Error(`Rule '${definition.name}' is defined twice.`);
      }
      const rule = new events.Rule(rulesScope, definition.name, {
        // The local bus names its rules the same, so the console, logs and `aws events` match the code.
        ruleName: definition.name,
        description: definition.description,
        eventBus: busNamed(definition.eventBus, `Rule '${definition.name}'`),
        eventPattern: toCdkEventPattern(definition.pattern),
      });
      const cfnRule = rule.node.defaultChild as events.CfnRule;
      const targetIds = new Set<string>();
      definition.targets.forEach((targetDefinition, index) => {
        if (targetIds.has(targetDefinition.id)) {
          throw new Error(`Rule '${definition.name}' has two targets with id '${targetDefinition.id}'.`);
        }
        targetIds.add(targetDefinition.id);
        rule.addTarget(this.buildTarget(props.targets, definition, targetDefinition, delivery));
        // CDK numbers targets `Target0`, `Target1`, … in the order they are added (every target is in this
        // stack's account and region, so each one adds exactly one entry), and its target classes offer no
        // way to name them. The definition's id is what the local bus reports and what `aws events
        // remove-targets` takes, and it does not shift when another target is removed.
        cfnRule.addPropertyOverride(`Targets.${index}.Id`, targetDefinition.id);
      });
      rules.set(definition.name, rule);
    }
    return rules;
  }

  private buildTarget(
    resolver: RuleTargetResolver,
    rule: RuleDefinition,
    definition: RuleTargetDefinition,
    delivery: RuleTargetDelivery,
  ): events.IRuleTarget {
    const factory = resolver.factoryFor(definition.target);
    if (factory === undefined) {
      throw new Error(
        `Rule '${rule.name}', target '${definition.id}': ${describeRuleTarget(definition.target)} is not ` +
          "deployed by this app. Register it in the stack's RuleTargetResolver, or leave the rule out of " +
          'FLEETWIRE_RULES until its target exists.',
      );
    }
    return factory({ rule, definition, input: ruleTargetInputFor(rule.name, definition), delivery });
  }
}

/**
 * The definition's pattern as CDK's `EventPattern`. CDK types only the envelope fields it knows (and calls
 * `detail-type` `detailType`), but renders any key verbatim, so the JSON of the definition reaches
 * CloudFormation unchanged. The copy matters: CDK merges patterns in place, and the definitions are shared.
 */
function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  return structuredClone(pattern) as events.EventPattern;
}
