import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../../../adapters/aws/client-config.ts';
import { DynamoDbAuditLog } from '../../../adapters/aws/dynamodb/audit-log.ts';
import { DynamoDbCommandStore } from '../../../adapters/aws/dynamodb/command-store.ts';
import { StepFunctionsCommandWorkflow } from '../../../adapters/aws/stepfunctions/command-workflow.ts';
import { createCommandApi } from './command-api.ts';

const logger = new Logger({ serviceName: 'fleetwire-command-api' });
const stateMachineArn = process.env.STATE_MACHINE_ARN;
if (!stateMachineArn)
  throw new Error('the command-api function needs the environment variable STATE_MACHINE_ARN');
const clientConfig = awsClientConfig();
const dynamodb = new DynamoDBClient(clientConfig);
const api = createCommandApi({
  commands: new DynamoDbCommandStore(dynamodb),
  audit: new DynamoDbAuditLog(dynamodb),
  workflow: new StepFunctionsCommandWorkflow(new SFNClient(clientConfig), stateMachineArn),
});

/**
 * The Lambda entry point behind the `CommandApi` data source (COMMANDS_TABLE, COMMAND_AUDIT_TABLE,
 * STATE_MACHINE_ARN); adapters are built once per container.
 */
export const handler = async (event: unknown): Promise<unknown> => {
  try {
    return await api(event);
  } catch (error) {
    logger.error('command API failed', {
      operation: (event as { operation?: unknown } | null)?.operation,
      error,
    });
    throw error;
  }
};
