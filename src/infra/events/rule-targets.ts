/**
 * Rule targets: how a named target of `src/domain/events/rules.ts` becomes an EventBridge target in CDK.
 * The definitions name targets (`{ kind: 'function', name: 'ingest' }`); the stack that builds the
 * functions, state machines and GraphQL API maps those names to constructs through a
 * {@link RuleTargetResolver}.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { RuleDefinition, RuleTarget, RuleTargetDefinition } from '../../domain/events/rules.ts';

/** What every target must carry so that a failed delivery is retried, then kept rather than lost. */
export interface RuleTargetDelivery {
  readonly deadLetterQueue: sqs.IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/** Everything a {@link RuleTargetFactory} needs to build one target of one rule. */
export interface RuleTargetRequest {
  readonly rule: RuleDefinition;
  readonly definition: RuleTargetDefinition;
  /**
   * The definition's `inputPath` or input transformer, already as CDK input; `undefined` sends the whole
   * event. Each target type takes it under its own property (`event`, `input`, `variables`).
   */
  readonly input: events.RuleTargetInput | undefined;
  readonly delivery: RuleTargetDelivery;
}

/** Builds the EventBridge target for one rule target definition. */
export type RuleTargetFactory = (request: RuleTargetRequest) => events.IRuleTarget;

/** Maps a named target of the rule definitions to the factory that builds it in this app. */
export interface RuleTargetResolver {
  /** The factory for `target`, or `undefined` when this app does not deploy it. */
  factoryFor(target: RuleTarget): RuleTargetFactory | undefined;
}

/** The GraphQL API whose mutations rules may call, and the operation document of each mutation field. */
export interface GraphqlMutationTargets {
  /** Must allow IAM authorization: EventBridge signs its calls with the rule's role. */
  readonly api: appsync.IGraphqlApi;
  /** Mutation field name → the GraphQL operation EventBridge sends, e.g. `mutation Publish($x: …) { … }`. */
  readonly operations: Readonly<Record<string, string>>;
  /**
   * The role EventBridge calls the API with, already granted the mutations it may call. Without it, CDK
   * creates a role granted every mutation of the API (`types/Mutation/*`).
   *
   * @default - CDK's role per API, granted `appsync:GraphQL` on every mutation
   */
  readonly role?: iam.IRole;
}

/** The constructs a {@link RuleTargetRegistry} can target, by the names the rule definitions use. */
export interface RuleTargetRegistryProps {
  readonly functions?: Readonly<Record<string, lambda.IFunction>>;
  readonly stateMachines?: Readonly<Record<string, sfn.IStateMachine>>;
  readonly graphql?: GraphqlMutationTargets;
}

/**
 * The standard {@link RuleTargetResolver}: Lambda functions, Step Functions state machines and AppSync
 * mutations, each looked up by name. The CDK target classes add the resource permissions themselves (Lambda
 * permission, `grantStartExecution`, `grantMutation`, the dead-letter queue's policy), so no IAM is written
 * here.
 */
export class RuleTargetRegistry implements RuleTargetResolver {
  private readonly functions: ReadonlyMap<string, lambda.IFunction>;
  private readonly stateMachines: ReadonlyMap<string, sfn.IStateMachine>;
  private readonly graphql: GraphqlMutationTargets | undefined;
  private readonly graphqlOperations: ReadonlyMap<string, string>;

  public constructor(props: RuleTargetRegistryProps = {}) {
    // Maps rather than record lookups, so that a target named `constructor` or `toString` is not "found".
    this.functions = new Map(Object.entries(props.functions ?? {}));
    this.stateMachines = new Map(Object.entries(props.stateMachines ?? {}));
    this.graphql = props.graphql;
    this.graphqlOperations = new Map(Object.entries(props.graphql?.operations ?? {}));
  }

  public factoryFor(target: RuleTarget): RuleTargetFactory | undefined {
    switch (target.kind) {
      case 'function': {
        const handler = this.functions.get(target.name);
        if (handler === undefined) {
          return undefined;
        }
        return ({ input, delivery }) =>
          new eventsTargets.LambdaFunction(handler, { event: input, ...delivery });
      }
      case 'stateMachine': {
        const machine = this.stateMachines.get(target.name);
        if (machine === undefined) {
          return undefined;
        }
        return ({ input, delivery }) => new eventsTargets.SfnStateMachine(machine, { input, ...delivery });
      }
      case 'graphqlMutation': {
        const api = this.graphql?.api;
        const graphQLOperation = this.graphqlOperations.get(target.field);
        if (api === undefined || graphQLOperation === undefined) {
          return undefined;
        }
        // AppSync takes the shaped event as the operation's variables, not as the request body.
        const eventRole = this.graphql?.role;
        return ({ input, delivery }) =>
          new eventsTargets.AppSync(api, { graphQLOperation, variables: input, eventRole, ...delivery });
      }
    }
  }
}

/** A target as a person reads it in an error message, e.g. `function 'ingest'`. */
export function describeRuleTarget(target: RuleTarget): string {
  switch (target.kind) {
    case 'function':
      return `function '${target.name}'`;
    case 'stateMachine':
      return `state machine '${target.name}'`;
    case 'graphqlMutation':
      return `GraphQL mutation '${target.field}'`;
  }
}
