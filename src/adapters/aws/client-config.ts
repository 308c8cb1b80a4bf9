import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Where the AWS SDK clients should send their calls. */
export interface AwsEndpointOptions {
  /** A local edge such as `http://127.0.0.1:4566`; AWS itself when absent. */
  readonly endpoint?: string;
  readonly region?: string;
}

/** Credentials the local edge accepts; it checks that requests are signed, not by whom. */
const LOCAL_CREDENTIALS = { accessKeyId: 'fleetwire-local', secretAccessKey: 'fleetwire-local' };

/**
 * The configuration every Fleetwire SDK v3 client is built with. Against the local edge it pins the
 * endpoint, a region and dummy credentials, and forces HTTP/1.1 (the Kinesis client speaks HTTP/2 by
 * default, which kinesalite cannot). In AWS it defers to the standard provider chain.
 */
export function awsClientConfig(options: AwsEndpointOptions = {}) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!endpoint) return { region };
  return {
    region,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 30_000 }),
    maxAttempts: 3,
  };
}
