import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { PSEUDONYM_KEY_ALIAS, VIN_VAULT_KEY_ALIAS } from '../../../src/adapters/aws/kms.ts';
import {
  FleetwireKeys,
  PSEUDONYM_KEY_ENV,
  VIN_VAULT_KEY_ENV,
} from '../../../src/infra/keys/keys-construct.ts';
import { cdkJsonContext } from './cdk-test-support.ts';

interface Statement {
  readonly Action: string | string[];
  readonly Effect: string;
  readonly Resource: unknown;
}

/** Every IAM statement of the policies attached to `fn`'s role. */
function statementsOf(template: Template, stack: Stack, fn: lambda.Function): Statement[] {
  const roleRef = JSON.stringify(stack.resolve(fn.role?.roleName));
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map(
      (policy) =>
        (policy as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } })
          .Properties,
    )
    .filter((properties) => JSON.stringify(properties.Roles).includes(roleRef))
    .flatMap((properties) => properties.PolicyDocument.Statement);
}

function inlineFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => undefined;'),
  });
}

describe('FleetwireKeys', () => {
  let stack: Stack;
  let keys: FleetwireKeys;
  let pseudonymizer: lambda.Function;
  let registrar: lambda.Function;
  let dispatcher: lambda.Function;
  let template: Template;

  beforeAll(() => {
    const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
    stack = new Stack(app, 'KeysTest');
    keys = new FleetwireKeys(stack, 'Keys');
    pseudonymizer = inlineFunction(stack, 'Pseudonymizer');
    registrar = inlineFunction(stack, 'Registrar');
    dispatcher = inlineFunction(stack, 'Dispatcher');
    keys.grantGenerateMac(pseudonymizer);
    keys.grantVaultEncrypt(registrar);
    keys.grantVaultDecrypt(dispatcher);
    template = Template.fromStack(stack);
  });

  const cfn = (value: string): unknown => stack.resolve(value);

  it('creates an HMAC_256 key for GenerateMac, not rotated (KMS cannot rotate HMAC keys), retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        EnableKeyRotation: false,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('creates a symmetric, yearly rotated VIN-vault key, retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        EnableKeyRotation: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('names the keys by the aliases the adapters default to', () => {
    template.resourceCountIs('AWS::KMS::Alias', 2);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: PSEUDONYM_KEY_ALIAS,
      TargetKeyId: cfn(keys.pseudonymKey.keyArn),
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: VIN_VAULT_KEY_ALIAS,
      TargetKeyId: cfn(keys.vinVaultKey.keyArn),
    });
    expect(PSEUDONYM_KEY_ALIAS).toBe('alias/fleetwire-pseudonym');
    expect(VIN_VAULT_KEY_ALIAS).toBe('alias/fleetwire-vin-vault');
  });

  it('grants exactly kms:GenerateMac on the pseudonym key, and nothing on the vault key', () => {
    expect(statementsOf(template, stack, pseudonymizer)).toEqual([
      { Action: 'kms:GenerateMac', Effect: 'Allow', Resource: cfn(keys.pseudonymKey.keyArn) },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [PSEUDONYM_KEY_ENV]: cfn(keys.pseudonymKey.keyArn) } },
    });
  });

  it('grants the vault key for encryption and decryption separately', () => {
    expect(statementsOf(template, stack, registrar)).toEqual([
      { Action: 'kms:Encrypt', Effect: 'Allow', Resource: cfn(keys.vinVaultKey.keyArn) },
    ]);
    expect(statementsOf(template, stack, dispatcher)).toEqual([
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: cfn(keys.vinVaultKey.keyArn) },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [VIN_VAULT_KEY_ENV]: cfn(keys.vinVaultKey.keyArn) } },
    });
  });
});

describe('FleetwireKeys with a retained pseudonym key', () => {
  it('aliases the existing key instead of creating one, so vehicle ids survive a redeployment', () => {
    const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'KeysReuse');
    const retainedArn = 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';
    const existing = kms.Key.fromKeyArn(stack, 'Retained', retainedArn);
    const keys = new FleetwireKeys(stack, 'Keys', {
      existingPseudonymKey: existing,
      pseudonymKeyAlias: 'alias/fleetwire-dev-pseudonym',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/fleetwire-dev-pseudonym',
      TargetKeyId: retainedArn,
    });
    expect(keys.pseudonymKey).toBe(existing);
  });
});
