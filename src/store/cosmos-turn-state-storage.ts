import type { Container } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed, toDocumentId } from './documents';

/** One stored state object, with the `eTag` convention of the Bot Framework `Storage` interface. */
export type StateItem = Record<string, unknown> & { eTag?: string };
export type StateItems = Record<string, StateItem>;

/**
 * Bot turn state in Cosmos, shaped like the Bot Framework `Storage` interface (read/write/delete)
 * without depending on it. An item written with the `eTag` it was read with is replaced only if
 * nobody changed it since (Cosmos IfMatch); `*` or no eTag writes unconditionally.
 */
export class CosmosTurnStateStorage {
  constructor(private readonly container: Container) {}

  async read(keys: string[]): Promise<StateItems> {
    const results = await Promise.all(
      keys.map(async (key) => {
        const id = toDocumentId(key);
        try {
          const { resource } = await this.container.item(id, id).read<{ state?: Record<string, unknown>; _etag?: string }>();
          return resource ? ([key, { ...(resource.state ?? {}), eTag: resource._etag }] as const) : undefined;
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      }),
    );
    const items: StateItems = {};
    for (const entry of results) if (entry) items[entry[0]] = entry[1];
    return items;
  }

  async write(changes: StateItems): Promise<void> {
    await Promise.all(Object.entries(changes).map(([key, item]) => this.writeOne(key, item)));
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        const id = toDocumentId(key);
        try {
          await this.container.item(id, id).delete();
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }),
    );
  }

  private async writeOne(key: string, item: StateItem): Promise<void> {
    const { eTag, ...state } = item;
    const id = toDocumentId(key);
    const document = { id, type: 'turnState', schemaVersion: 1, key, state };
    if (!eTag || eTag === '*') {
      await this.container.items.upsert(document);
      return;
    }
    try {
      await this.container.item(id, id).replace(document, { accessCondition: { type: 'IfMatch', condition: eTag } });
    } catch (error) {
      if (isNotFound(error)) {
        try {
          await this.container.items.create(document);
          return;
        } catch (createError) {
          if (isConflict(createError)) throw eTagConflict(key);
          throw createError;
        }
      }
      if (isPreconditionFailed(error)) throw eTagConflict(key);
      throw error;
    }
  }
}

function eTagConflict(key: string): Error {
  const error = new Error(`Storage: error writing "${key}" due to eTag conflict.`);
  error.name = 'ETagConflictError';
  return error;
}
