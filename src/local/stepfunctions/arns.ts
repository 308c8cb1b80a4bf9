/** The account every local state machine and execution belongs to. */
export const SFN_ACCOUNT_ID = '000000000000';

/** The parts of a state machine or execution ARN. */
export type ParsedSfnArn =
  | {
      readonly kind: 'stateMachine';
      readonly region: string;
      readonly account: string;
      readonly name: string;
    }
  | {
      readonly kind: 'execution';
      readonly region: string;
      readonly account: string;
      readonly stateMachineName: string;
      readonly name: string;
    };

/** `arn:aws:states:REGION:000000000000:stateMachine:NAME`. */
export function stateMachineArn(region: string, name: string): string {
  return `arn:aws:states:${region}:${SFN_ACCOUNT_ID}:stateMachine:${name}`;
}

/** `arn:aws:states:REGION:000000000000:execution:MACHINE:NAME`. */
export function executionArn(region: string, stateMachineName: string, name: string): string {
  return `arn:aws:states:${region}:${SFN_ACCOUNT_ID}:execution:${stateMachineName}:${name}`;
}

/** Splits a Step Functions ARN, or undefined when it is not a state machine or execution ARN. */
export function parseSfnArn(arn: string): ParsedSfnArn | undefined {
  const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, region = '', account = '', kind, rest = ''] = match;
  if (kind === 'stateMachine') {
    return rest.includes(':') ? undefined : { kind: 'stateMachine', region, account, name: rest };
  }
  const parts = rest.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { kind: 'execution', region, account, stateMachineName: parts[0], name: parts[1] };
}

/**
 * Why a state machine or execution name is refused, or undefined when AWS accepts it: 1 to 80 characters,
 * no white space, brackets, wildcards, the punctuation AWS lists, or control characters.
 */
export function invalidNameReason(name: string): string | undefined {
  if (name.length < 1 || name.length > 80) return 'must be between 1 and 80 characters';
  if (/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u.test(name)) {
    return 'contains characters that are not allowed';
  }
  return undefined;
}
