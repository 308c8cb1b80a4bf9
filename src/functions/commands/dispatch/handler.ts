import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../../../adapters/aws/client-config.ts';
import { KmsVinVault } from '../../../adapters/aws/kms.ts';
import { FleetApiClient } from '../../../adapters/http/fleet-api-client.ts';
import { createDispatchFunction } from './dispatch.ts';

const logger = new Logger({ serviceName: 'fleetwire-command-dispatch' });
const clientConfig = awsClientConfig();
const baseUrl = process.env.FLEET_API_BASE_URL;
if (!baseUrl) throw new Error('the dispatch function needs the environment variable FLEET_API_BASE_URL');

/** How long a token read from Secrets Manager is reused: a rotated token is picked up within this. */
const TOKEN_TTL_MS = 5 * 60_000;
let cached: { token: string; until: number } | undefined;

/**
 * The Fleet API token: `FLEET_API_TOKEN` when set (offline), else the secret `FLEET_API_TOKEN_SECRET_ARN`,
 * cached per container so that a burst of commands reads it once.
 */
async function fleetApiToken(): Promise<string> {
  const direct = process.env.FLEET_API_TOKEN;
  if (direct) return direct;
  if (cached && cached.until > Date.now()) return cached.token;
  const secretId = process.env.FLEET_API_TOKEN_SECRET_ARN;
  if (!secretId) {
    throw new Error('the dispatch function needs FLEET_API_TOKEN_SECRET_ARN (or FLEET_API_TOKEN offline)');
  }
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error('the Fleet API token secret has no string value');
  cached = { token: SecretString.trim(), until: Date.now() + TOKEN_TTL_MS };
  return cached.token;
}

const secrets = new SecretsManagerClient(clientConfig);
const dispatch = createDispatchFunction({
  vault: new KmsVinVault(new KMSClient(clientConfig), new DynamoDBClient(clientConfig)),
  fleetApi: new FleetApiClient({ baseUrl, token: fleetApiToken }),
});

/**
 * The Lambda entry point of the workflow's dispatch step: VIN vault (VIN_VAULT_TABLE, VIN_VAULT_KEY_ID) and
 * Fleet API (FLEET_API_BASE_URL). Nothing logged here may contain the VIN: the errors never do.
 */
export const handler = async (event: unknown, context: { getRemainingTimeInMillis(): number }) => {
  try {
    return await dispatch(event, context);
  } catch (error) {
    logger.warn('dispatch failed', {
      commandId: (event as { commandId?: unknown } | null)?.commandId,
      error,
    });
    throw error;
  }
};
