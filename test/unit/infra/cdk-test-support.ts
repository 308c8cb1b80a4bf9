/**
 * Helpers shared by the infra tests: the feature flags of `cdk.json` (so tests synthesize what `cdk synth`
 * synthesizes) and the findings of CDK's built-in CloudFormation validation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

/** The `context` of the repository's `cdk.json`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8'));
  if (!isRecord(cdkJson) || !isRecord(cdkJson.context)) {
    throw new Error('cdk.json has no context object');
  }
  return { ...cdkJson.context };
}

/**
 * The `cdk.json` context with asset bundling skipped: `aws:cdk:bundling-stacks: []` is how the CDK CLI
 * tells an app which stacks need their assets built (`cdk deploy A` bundles only A's); an empty list skips
 * esbuild. fleetwire-stack.test.ts bundles the functions for real.
 */
export function unbundledContext(): Record<string, unknown> {
  return { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] };
}

/**
 * An app for construct tests: the `cdk.json` flags, no bundling, and no CloudFormation validation (seconds
 * per synth; fleetwire-stack.test.ts runs it on the real stack).
 */
export function constructTestApp(): App {
  return new App({ context: unbundledContext(), builtinCloudFormationValidation: false });
}

/** One finding of a validation plugin, as `validation-report.json` records it. */
export interface ValidationFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
}

/** Every finding in the `validation-report.json` that synthesis wrote into `assemblyDirectory`. */
export function validationFindings(assemblyDirectory: string): ValidationFinding[] {
  const report: unknown = JSON.parse(readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8'));
  if (!isRecord(report) || !Array.isArray(report.pluginReports)) {
    throw new Error('validation-report.json has no pluginReports');
  }
  return report.pluginReports.flatMap((pluginReport: unknown) => {
    if (!isRecord(pluginReport) || !Array.isArray(pluginReport.violations)) {
      return [];
    }
    return pluginReport.violations.filter(isRecord).map((violation) => ({
      plugin: String(pluginReport.pluginName),
      rule: String(violation.ruleName),
      severity: String(violation.severity),
      description: String(violation.description),
    }));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
