import type { Logger } from '../domain/logger';
import { databaseDefinition, type Containers } from './containers';
import { fromEscapedDocumentId, isConflict, isNotFound, toDocumentId, type StoredDocument } from './documents';

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments'];
/** Names the id form the data was last brought to, so the full read runs once per data folder. */
const markerId = 'marker:document-ids';
const idForm = '2';

/**
 * Local data written before ids took their present form (`%XX` escapes, or characters that are now
 * encoded) is renamed at start-up: the document under its new id first, then the old one removed,
 * so an interrupted run is finished by the next. Every container is read in full, so this is for
 * the embedded store's local data only; an Azure Cosmos DB account never held the earlier form.
 */
export async function migrateDocumentIds(containers: Containers, logger: Logger): Promise<number> {
  const marker = containers.directory.item(markerId, markerId);
  const done = await marker.read<{ value?: string }>().then(
    (response) => response.resource?.value === idForm,
    (error: unknown) => {
      if (isNotFound(error)) return false;
      throw error;
    },
  );
  if (done) return 0;
  let renamed = 0;
  for (const layout of databaseDefinition.containers) {
    const container = containers[layout.id];
    const keyPath = layout.partitionKey.paths[0] ?? '/id';
    const { resources } = await container.items.query<StoredDocument>('SELECT * FROM c').fetchAll();
    for (const doc of resources) {
      const id = String(doc.id);
      if (id.startsWith('~')) continue;
      const newId = toDocumentId(fromEscapedDocumentId(id));
      if (newId === id) continue;
      const moved: Record<string, unknown> = { ...doc, id: newId };
      for (const key of systemProperties) delete moved[key];
      try {
        await container.items.create(moved);
      } catch (error) {
        // Already moved by an earlier, interrupted run: only the old document is left to remove.
        if (!isConflict(error)) throw error;
      }
      try {
        await container.item(id, partitionValue(doc, keyPath)).delete();
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      renamed += 1;
    }
  }
  await containers.directory.items.upsert({ id: markerId, pk: markerId, type: 'marker', schemaVersion: 1, name: 'document-ids', value: idForm });
  if (renamed > 0) logger.info('store.ids_migrated', { message: `Renamed ${renamed} local documents to the present id form.`, renamed });
  return renamed;
}

function partitionValue(doc: StoredDocument, keyPath: string): string {
  let current: unknown = doc;
  for (const segment of keyPath.split('/').filter(Boolean)) {
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return String(current);
}
