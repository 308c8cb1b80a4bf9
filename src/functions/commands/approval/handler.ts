import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../../adapters/aws/client-config.ts';
import { DynamoDbCommandStore } from '../../../adapters/aws/dynamodb/command-store.ts';
import { createApprovalFunction } from './approval.ts';

const logger = new Logger({ serviceName: 'fleetwire-command-approval' });
const approval = createApprovalFunction(new DynamoDbCommandStore(new DynamoDBClient(awsClientConfig())));

/** The Lambda entry point of the workflow's approval step; the table comes from COMMANDS_TABLE. */
export const handler = async (event: unknown): Promise<unknown> => {
  try {
    return await approval(event);
  } catch (error) {
    // The event holds the task token: log the command, never the event.
    logger.error('storing the approval token failed', {
      commandId: (event as { commandId?: unknown } | null)?.commandId,
      error,
    });
    throw error;
  }
};
