import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { BatchStatuses } from './batch-statuses';
import { PlainHttpClient } from './plain-http-client';
import { QueryPlanCache } from './query-plan-cache';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export interface CosmosConnection {
  readonly endpoint: string;
  /** Account key; when absent a managed identity (or the developer's Azure login) is used. */
  readonly key?: string;
  readonly managedIdentityClientId?: string;
  /** The embedded local server: no endpoint discovery, no credentials. */
  readonly embedded?: boolean;
  /**
   * Per-request timeout. It does not bound a call: with endpoint discovery on, the client retries a
   * timed-out request many times. A turn is bounded by the abort signal of its store budget.
   */
  readonly requestTimeoutInMs?: number;
  /** Endpoint discovery (other regions); by default on for an https endpoint, off otherwise. */
  readonly endpointDiscovery?: boolean;
}

export function createCosmosClient(connection: CosmosConnection): CosmosClient {
  const options: CosmosClientOptions = {
    endpoint: connection.endpoint,
    userAgentSuffix: 'tam-assistant',
    // The gateway's query plans, asked for before every query, are kept: the same query gets the same
    // plan. Under it, a failed batch's status is kept for the error the SDK throws without it; and
    // under that, plain requests (all the app makes) go out on Node's client alone.
    httpClient: new QueryPlanCache(new BatchStatuses(new PlainHttpClient(createDefaultHttpClient()))),
    connectionPolicy: {
      // A plain-http endpoint is a local emulator or the embedded server of another process: it has
      // no other regions to discover.
      enableEndpointDiscovery: connection.endpointDiscovery ?? (!connection.embedded && !connection.endpoint.startsWith('http://')),
      requestTimeout: connection.requestTimeoutInMs ?? 5_000,
      // On 429 the service says how long to wait (x-ms-retry-after-ms): that is waited for, never
      // a fixed interval of ours, which would hammer a throttled account. Bounded in count and
      // total wait so that a turn still answers within Teams' ~15 s invoke limit.
      retryOptions: { maxRetryAttemptCount: 3, maxWaitTimeInSeconds: 4 },
    },
  };
  if (connection.embedded) return new CosmosClient({ ...options, key: 'embedded' });
  if (connection.key) return new CosmosClient({ ...options, key: connection.key });
  const credential: TokenCredential = connection.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: connection.managedIdentityClientId })
    : new DefaultAzureCredential();
  return new CosmosClient({ ...options, aadCredentials: credential });
}
