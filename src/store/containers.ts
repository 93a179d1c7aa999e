import type { Container, CosmosClient, Database } from '@azure/cosmos';

/**
 * Container layout. Domain data is partitioned by account so that one account's records share
 * a logical partition; the directory, conversation references, outbox and leases have their own.
 * A container left over from an older layout (e.g. `botstate`) is ignored, never deleted.
 */
export const containerDefinitions = {
  accounts: { id: 'accounts', partitionKey: { paths: ['/accountId'] } },
  directory: { id: 'directory', partitionKey: { paths: ['/pk'] } },
  conversations: { id: 'conversations', partitionKey: { paths: ['/id'] } },
  outbox: { id: 'outbox', partitionKey: { paths: ['/id'] } },
  leases: { id: 'leases', partitionKey: { paths: ['/id'] } },
} as const;

export type ContainerName = keyof typeof containerDefinitions;
export type Containers = Readonly<Record<ContainerName, Container>>;

/** Creates the database and containers when missing, and returns handles to them. */
export async function ensureContainers(client: CosmosClient, databaseId: string): Promise<{ database: Database; containers: Containers }> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  const entries = await Promise.all(
    (Object.keys(containerDefinitions) as ContainerName[]).map(async (name) => {
      const { container } = await database.containers.createIfNotExists({
        ...containerDefinitions[name],
        partitionKey: { paths: [...containerDefinitions[name].partitionKey.paths] },
      });
      return [name, container] as const;
    }),
  );
  return { database, containers: Object.fromEntries(entries) as Record<ContainerName, Container> };
}
