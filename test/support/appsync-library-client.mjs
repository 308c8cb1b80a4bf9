// A GraphQL client of the local AppSync server built from AWS's own AppSync client library
// (aws-appsync-auth-link + aws-appsync-subscription-link on Apollo Client), configured exactly as for an
// AppSync API with Cognito user pool auth. Run in a child process with NODE_EXTRA_CA_CERTS naming the
// server's certificate (how a developer trusts it) and, on Node 20, --experimental-websocket (Node 22 has
// WebSocket built in; the library uses the global one, as in a browser).
//
// Environment: APPSYNC_URL (https://…/graphql), TOKEN, QUERY, SUBSCRIPTION, COUNT (data messages to wait for).
// Prints one JSON line per event: {"query": …}, {"data": …}, {"error": …}; exits 0 after COUNT data messages.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createAuthLink } from 'aws-appsync-auth-link';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';

const url = process.env.APPSYNC_URL;
const region = 'us-east-1';
const auth = { type: 'AMAZON_COGNITO_USER_POOLS', jwtToken: async () => process.env.TOKEN };
const client = new ApolloClient({
  link: ApolloLink.from([
    createAuthLink({ url, region, auth }),
    createSubscriptionHandshakeLink({ url, region, auth }, new HttpLink({ uri: url })),
  ]),
  cache: new InMemoryCache(),
});
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

try {
  const result = await client.query({ query: gql(process.env.QUERY), fetchPolicy: 'no-cache' });
  print({ query: result.data ?? null, ...(result.error ? { error: String(result.error.message) } : {}) });
} catch (error) {
  print({ error: String(error?.message ?? error) });
}

const wanted = Number(process.env.COUNT ?? 1);
let received = 0;
const subscription = client.subscribe({ query: gql(process.env.SUBSCRIPTION) }).subscribe({
  next(value) {
    if (value.error) {
      print({ error: String(value.error.message ?? value.error) });
      process.exit(1);
    }
    print({ data: value.data });
    received += 1;
    if (received >= wanted) {
      subscription.unsubscribe();
      // Let the link send `stop` before the process goes.
      setTimeout(() => process.exit(0), 300);
    }
  },
  error(error) {
    print({ error: String(error?.message ?? JSON.stringify(error)) });
    process.exit(1);
  },
});
setTimeout(
  () => {
    print({ error: `timed out after ${received} of ${wanted} data messages` });
    process.exit(2);
  },
  Number(process.env.TIMEOUT_MS ?? 15_000),
);
