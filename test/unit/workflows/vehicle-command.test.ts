import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  DISPATCH_RETRIES,
  renderVehicleCommandDefinition,
  VEHICLE_COMMAND_ASL_PATH,
  VEHICLE_COMMAND_SUBSTITUTION_KEYS,
  VehicleCommandDefinitionError,
  type VehicleCommandSubstitutions,
} from '../../../src/workflows/vehicle-command.ts';

/** asl-validator ships no types: its default export, as documented. */
const validator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

const text = readFileSync(VEHICLE_COMMAND_ASL_PATH, 'utf8');
type State = Record<string, unknown> & { Type: string };
const definition = JSON.parse(text) as { States: Record<string, State> };
const states = Object.entries(definition.States);

const SUBSTITUTIONS: VehicleCommandSubstitutions = {
  CommandsTable: 'fleetwire-commands',
  AuditTable: 'fleetwire-command-audit',
  VehiclesTable: 'fleetwire-vehicles',
  EventBusName: 'fleetwire',
  AuthorizeFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:authorize',
  ApprovalFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:approval',
  DispatchFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dispatch',
  ApprovalTimeoutSeconds: '900',
};

describe('vehicle-command.asl.json', () => {
  it('is valid ASL, before and after substitution', () => {
    expect(validator(definition)).toMatchObject({ isValid: true, errors: [] });
    expect(validator(JSON.parse(renderVehicleCommandDefinition(SUBSTITUTIONS)))).toMatchObject({
      isValid: true,
      errors: [],
    });
  });

  it('uses every substitution of the contract and no other', () => {
    const used = new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual([...VEHICLE_COMMAND_SUBSTITUTION_KEYS].sort());
    expect(renderVehicleCommandDefinition(SUBSTITUTIONS)).not.toMatch(/\$\{/);
  });

  it('is JSONPath only, and never reads $$.State (the local engine does not provide it)', () => {
    expect(text).not.toMatch(/QueryLanguage|JSONata|\$\$\.State/);
  });

  it('writes the audit log only with conditional puts, and takes a retried put that already landed as written', () => {
    const puts = states.filter(([, state]) => state.Resource === 'arn:aws:states:::dynamodb:putItem');
    expect(puts.length).toBeGreaterThanOrEqual(7);
    for (const [name, state] of puts) {
      const parameters = state.Parameters as { TableName: string; ConditionExpression: string };
      expect(parameters.TableName, name).toBe('${AuditTable}');
      expect(parameters.ConditionExpression, name).toBe('attribute_not_exists(entryId)');
      expect(state.Catch, name).toEqual([
        expect.objectContaining({
          ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
          ResultPath: null,
          Next: state.Next,
        }),
      ]);
    }
  });

  it('checks FailedEntryCount after every PutEvents', () => {
    const puts = states.filter(([, state]) => state.Resource === 'arn:aws:states:::events:putEvents');
    expect(puts.length).toBe(6);
    for (const [name, state] of puts) {
      const check = definition.States[String(state.Next)]!;
      expect(check.Type, name).toBe('Choice');
      expect(JSON.stringify(check.Choices)).toContain('"Next":"EventNotPublished"');
    }
  });

  it("retries the Fleet API's errors as DISPATCH_RETRIES says", () => {
    const retries = definition.States.Dispatch!.Retry as {
      ErrorEquals: string[];
      IntervalSeconds: number;
      BackoffRate: number;
      MaxAttempts: number;
    }[];
    for (const [error, policy] of Object.entries(DISPATCH_RETRIES)) {
      const retrier = retries.find((r) => r.ErrorEquals.includes(error));
      expect(retrier, error).toMatchObject({
        IntervalSeconds: policy.intervalSeconds,
        BackoffRate: policy.backoffRate,
        MaxAttempts: policy.maxAttempts,
      });
    }
  });

  it('waits for the approval with the task token and the substituted timeout, and ends a timeout as a denial', () => {
    const wait = definition.States.WaitForApproval!;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(JSON.stringify(wait.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    expect(wait.TimeoutSecondsPath).toBe('$.authorization.approvalTimeoutSeconds');
    expect(wait.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'PrepareApprovalTimeout' }),
    ]);
    expect(definition.States.CommandDenied).toMatchObject({ Type: 'Fail', Error: 'CommandDenied' });
  });

  it('refuses substitutions that cannot make a valid machine', () => {
    expect(() => renderVehicleCommandDefinition({ ...SUBSTITUTIONS, ApprovalTimeoutSeconds: '0' })).toThrow(
      VehicleCommandDefinitionError,
    );
    expect(() => renderVehicleCommandDefinition({ ...SUBSTITUTIONS, EventBusName: '' })).toThrow(
      VehicleCommandDefinitionError,
    );
    const quoted = renderVehicleCommandDefinition({ ...SUBSTITUTIONS, EventBusName: 'a"b' });
    expect(() => JSON.parse(quoted) as unknown).not.toThrow();
  });
});
