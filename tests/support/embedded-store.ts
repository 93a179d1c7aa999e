import { CosmosClient } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { ensureContainers, type Containers } from '../../src/store/containers';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from './manual-clock';

/** The embedded Cosmos-compatible server with the app's containers, for store-level tests. */
export interface TestStore {
  readonly server: EmbeddedCosmos;
  readonly client: CosmosClient;
  readonly containers: Containers;
  close(): Promise<void>;
}

export async function startTestStore(options: { dataDir?: string; databaseId?: string; clock?: ManualClock } = {}): Promise<TestStore> {
  const logger = new JsonLogger('error', new ManualClock(), () => undefined);
  const server = await startEmbeddedCosmos({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), logger, ...(options.clock ? { clock: options.clock } : {}) });
  const client = new CosmosClient({ endpoint: server.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
  const { containers } = await ensureContainers(client, options.databaseId ?? 'test');
  return {
    server,
    client,
    containers,
    close: async () => {
      client.dispose();
      await server.close();
    },
  };
}
