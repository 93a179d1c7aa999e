import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export interface CosmosConnection {
  readonly endpoint: string;
  /** Account key; when absent a managed identity (or the developer's Azure login) is used. */
  readonly key?: string;
  readonly managedIdentityClientId?: string;
  /** The embedded local server: no endpoint discovery, no credentials. */
  readonly embedded?: boolean;
  /** Per-request timeout so a hung store turns into a clear error within a turn's time limit. */
  readonly requestTimeoutInMs?: number;
}

export function createCosmosClient(connection: CosmosConnection): CosmosClient {
  const options: CosmosClientOptions = {
    endpoint: connection.endpoint,
    userAgentSuffix: 'tam-assistant',
    connectionPolicy: {
      // A plain-http endpoint is a local emulator or the embedded server of another process: it has
      // no other regions to discover.
      enableEndpointDiscovery: !connection.embedded && !connection.endpoint.startsWith('http://'),
      requestTimeout: connection.requestTimeoutInMs ?? 5_000,
      // Bounded so that a turn still answers within Teams' ~15 s invoke limit when the store is
      // throttled or unavailable: the user is told to try again instead of waiting.
      retryOptions: { maxRetryAttemptCount: 3, fixedRetryIntervalInMilliseconds: 200, maxWaitTimeInSeconds: 4 },
    },
  };
  if (connection.embedded) return new CosmosClient({ ...options, key: 'embedded' });
  if (connection.key) return new CosmosClient({ ...options, key: connection.key });
  const credential: TokenCredential = connection.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: connection.managedIdentityClientId })
    : new DefaultAzureCredential();
  return new CosmosClient({ ...options, aadCredentials: credential });
}
