import type { DirectoryRepository } from '../domain/ports';

/** Decides whether activities from a tenant may reach any handler at all. */
export class TenantGate {
  private readonly providerTenantIds: ReadonlySet<string>;

  constructor(
    private readonly directory: DirectoryRepository,
    providerTenantIds: readonly string[],
  ) {
    this.providerTenantIds = new Set(providerTenantIds);
  }

  async isAllowed(tenantId: string | undefined): Promise<boolean> {
    if (!tenantId) return false;
    if (this.providerTenantIds.has(tenantId)) return true;
    return this.directory.isTenantAllowed(tenantId);
  }
}
