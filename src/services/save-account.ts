import { accountSchema, type Account } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { AccountRepository, DirectoryRepository } from '../domain/ports';

/** Stores an account and lets its customer tenants through the tenant gate. */
export async function saveAccount(
  deps: { accounts: AccountRepository; directory: DirectoryRepository },
  account: Account,
): Promise<Account> {
  const parsed = accountSchema.safeParse(account);
  if (!parsed.success) {
    throw new DomainError('invalid_input', `The account is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  for (const tenantId of parsed.data.customerTenantIds) {
    await deps.directory.allowTenant(tenantId, `customer tenant of ${parsed.data.accountId}`);
  }
  await deps.accounts.upsertAccount(parsed.data);
  return parsed.data;
}
