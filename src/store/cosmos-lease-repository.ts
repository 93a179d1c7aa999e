import { ScopedRepository } from './store-container';
import type { LeaseRepository } from '../domain/ports';
import { createDocument, isNotFound, isPreconditionFailed } from './documents';

interface LeaseDocument {
  id: string;
  holder: string;
  expiresAt: string;
  _etag?: string;
}

/**
 * A lease document per name. Taking it (new, expired, or already ours) is one conditional write,
 * so two instances racing for it cannot both win; a holder that dies loses it when it expires.
 */
export class CosmosLeaseRepository extends ScopedRepository implements LeaseRepository {

  async acquire(name: string, holder: string, now: Date, ttlInMs: number): Promise<boolean> {
    const next = { id: name, type: 'lease', schemaVersion: 1, holder, expiresAt: new Date(now.getTime() + ttlInMs).toISOString() };
    let current: LeaseDocument | undefined;
    try {
      current = (await this.container.item(name, name).read<LeaseDocument>()).resource;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) {
      return createDocument(this.container, next);
    }
    if (current.holder !== holder && new Date(current.expiresAt).getTime() > now.getTime()) return false;
    try {
      await this.container.item(name, name).replace(next, { accessCondition: { type: 'IfMatch', condition: current._etag ?? '' } });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }
}
