import type { Container, ContainerDefinition, CosmosClient, Database, IndexingPolicy } from '@azure/cosmos';
import { z } from 'zod';
import definition from './cosmos-database.json';
import { isNotFound } from './documents';

const pathSchema = z.object({ path: z.string() });
const containerSchema = z.object({
  id: z.enum(['accounts', 'directory', 'conversations', 'outbox', 'leases']),
  partitionKey: z.object({ paths: z.array(z.string()).length(1), kind: z.literal('Hash'), version: z.literal(2) }),
  defaultTtl: z.number().int().optional(),
  indexingPolicy: z.object({
    indexingMode: z.literal('consistent'),
    automatic: z.boolean(),
    includedPaths: z.array(pathSchema),
    excludedPaths: z.array(pathSchema),
    compositeIndexes: z.array(z.array(z.object({ path: z.string(), order: z.enum(['ascending', 'descending']) }))).optional(),
  }),
});

/**
 * The database as one data file (cosmos-database.json): containers, partition keys (hash v2),
 * indexing policies, default TTL and throughput. The app creates exactly this, or checks it; the
 * infrastructure provisions the same file. A container left over from an older layout (e.g.
 * `botstate`) is ignored, never deleted.
 */
export const databaseDefinition = z
  .object({ throughput: z.object({ autoscaleMaxThroughput: z.number().int().min(1000) }), containers: z.array(containerSchema) })
  .parse(definition);

export type ContainerName = z.infer<typeof containerSchema>['id'];
export type Containers = Readonly<Record<ContainerName, Container>>;
export type ContainerLayout = z.infer<typeof containerSchema>;

/**
 * `create`: make what is missing (an account key, the emulator, the embedded store). `check`: a
 * managed identity's data-plane role cannot create databases or containers, so they are only
 * checked, and start-up stops naming what is missing.
 */
export type Provisioning = 'create' | 'check';

export interface EnsureOptions {
  readonly provisioning: Provisioning;
  /** A provisioned-throughput account gets the database's autoscale throughput; serverless takes none. */
  readonly provisionedThroughput?: boolean;
}

/** The store is not as the app needs it; each line says what is wrong and how to put it right. */
export class StoreLayoutError extends Error {
  override readonly name = 'StoreLayoutError';
  constructor(readonly problems: readonly string[]) {
    super(`The Cosmos DB database is not ready:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

function containerBody(layout: ContainerLayout): ContainerDefinition {
  return {
    id: layout.id,
    partitionKey: { paths: [...layout.partitionKey.paths], kind: layout.partitionKey.kind, version: layout.partitionKey.version } as ContainerDefinition['partitionKey'],
    indexingPolicy: layout.indexingPolicy,
    ...(layout.defaultTtl !== undefined ? { defaultTtl: layout.defaultTtl } : {}),
  };
}

/**
 * Creates or checks the database and its containers, and returns handles to them with the
 * warnings worth a log line (an index policy that differs from the definition).
 */
export async function ensureContainers(
  client: CosmosClient,
  databaseId: string,
  options: EnsureOptions = { provisioning: 'create' },
): Promise<{ database: Database; containers: Containers; warnings: string[] }> {
  if (options.provisioning === 'check') return checkContainers(client, databaseId);
  const { database } = await client.databases.createIfNotExists({
    id: databaseId,
    ...(options.provisionedThroughput ? { maxThroughput: databaseDefinition.throughput.autoscaleMaxThroughput } : {}),
  });
  const entries = await Promise.all(
    databaseDefinition.containers.map(async (layout) => {
      const { container } = await database.containers.createIfNotExists(containerBody(layout));
      return [layout.id, container] as const;
    }),
  );
  return { database, containers: Object.fromEntries(entries) as Record<ContainerName, Container>, warnings: [] };
}

const provisionHint = 'provision it from src/store/cosmos-database.json (the infrastructure does), or start once with COSMOS_KEY so the app creates it';

async function checkContainers(client: CosmosClient, databaseId: string): Promise<{ database: Database; containers: Containers; warnings: string[] }> {
  const database = client.database(databaseId);
  try {
    await database.read();
  } catch (error) {
    if (isNotFound(error)) throw new StoreLayoutError([`The database "${databaseId}" does not exist: ${provisionHint}. A managed identity's data-plane role cannot create it.`]);
    throw error;
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const entries = await Promise.all(
    databaseDefinition.containers.map(async (layout) => {
      const container = database.container(layout.id);
      try {
        const { resource } = await container.read();
        const paths = resource?.partitionKey?.paths ?? [];
        if (paths.join() !== layout.partitionKey.paths.join()) {
          problems.push(`The container "${layout.id}" has the partition key ${paths.join(', ') || 'none'}, not ${layout.partitionKey.paths.join(', ')}: a partition key cannot be changed; recreate the container.`);
        }
        if ((resource?.defaultTtl ?? undefined) !== layout.defaultTtl) {
          problems.push(`The container "${layout.id}" has defaultTtl ${String(resource?.defaultTtl ?? 'unset')}, not ${String(layout.defaultTtl ?? 'unset')}: set it as in src/store/cosmos-database.json.`);
        }
        if (!sameIndexing(resource?.indexingPolicy, layout)) warnings.push(`The container "${layout.id}" has another indexing policy than src/store/cosmos-database.json: queries may cost more.`);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        problems.push(`The container "${layout.id}" (partition key ${layout.partitionKey.paths.join(', ')}) does not exist: ${provisionHint}.`);
      }
      return [layout.id, container] as const;
    }),
  );
  if (problems.length > 0) throw new StoreLayoutError(problems);
  return { database, containers: Object.fromEntries(entries) as Record<ContainerName, Container>, warnings };
}

function sameIndexing(actual: IndexingPolicy | undefined, layout: ContainerLayout): boolean {
  if (!actual) return false;
  const paths = (list: readonly { path?: string }[] | undefined): string => (list ?? []).map((p) => p.path ?? '').filter((p) => p !== '/"_etag"/?').sort().join('|');
  return paths(actual.includedPaths) === paths(layout.indexingPolicy.includedPaths) && paths(actual.excludedPaths) === paths(layout.indexingPolicy.excludedPaths);
}
