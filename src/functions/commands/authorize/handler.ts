import { Logger } from '@aws-lambda-powertools/logger';
import { createAuthorizeFunction } from './authorize.ts';

const logger = new Logger({ serviceName: 'fleetwire-command-authorize' });
const authorize = createAuthorizeFunction();

/** The Lambda entry point of the workflow's authorize step: pure policy, no AWS calls. */
export const handler = async (event: unknown): Promise<unknown> => {
  try {
    return await authorize(event);
  } catch (error) {
    // Parameters can hold anything a client typed: log the failure, not the event.
    logger.error('authorize failed', { error });
    throw error;
  }
};
