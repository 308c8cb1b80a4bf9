/**
 * How a rule target's definition shapes the event it delivers (`inputPath` or `inputTransformer` in
 * `src/domain/events/rules.ts`), as CDK's `RuleTargetInput`.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type { InputTransformer, RuleTargetDefinition } from '../../domain/events/rules.ts';

/**
 * An input transformer passed to CloudFormation exactly as defined.
 *
 * CDK's own `RuleTargetInput.fromObject`/`fromText` cannot express a raw template: they derive the variable
 * names from `EventField` paths and re-render the template, so the deployed `InputTemplate` would differ
 * from the one the local bus applies. Subclassing `RuleTargetInput` is CDK's supported extension point and
 * keeps both byte-identical.
 */
export class LiteralInputTransformer extends events.RuleTargetInput {
  public constructor(private readonly transformer: InputTransformer) {
    super();
  }

  /** Renders into the rule target's `InputTransformer`. */
  public override bind(): events.RuleTargetInputProperties {
    const { inputPathsMap, inputTemplate } = this.transformer;
    return {
      inputTemplate,
      // A fresh object: CDK's property type is mutable and the definition is shared with the local runtime.
      inputPathsMap: inputPathsMap === undefined ? undefined : { ...inputPathsMap },
    };
  }
}

/**
 * The `RuleTargetInput` for a target definition: its `inputPath`, its input transformer, or `undefined` for
 * "send the whole event".
 *
 * @throws Error when the definition sets both `inputPath` and `inputTransformer` (EventBridge refuses that).
 */
export function ruleTargetInputFor(
  ruleName: string,
  definition: RuleTargetDefinition,
): events.RuleTargetInput | undefined {
  if (definition.inputPath !== undefined && definition.inputTransformer !== undefined) {
    throw new Error(
      `Rule '${ruleName}', target '${definition.id}': set at most one of inputPath and inputTransformer.`,
    );
  }
  if (definition.inputPath !== undefined) {
    return events.RuleTargetInput.fromEventPath(definition.inputPath);
  }
  if (definition.inputTransformer !== undefined) {
    return new LiteralInputTransformer(definition.inputTransformer);
  }
  return undefined;
}
