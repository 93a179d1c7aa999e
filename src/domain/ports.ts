import type { Account, ChannelLink, Person, UserIdentity } from './directory';
import type { StoredConversationReference } from './conversation-reference';

/** People, channel links and the tenant allow-list. */
export interface DirectoryRepository {
  getPerson(identity: UserIdentity): Promise<Person | undefined>;
  upsertPerson(person: Person): Promise<void>;
  /** TAMs (and others) whose managerKey is this person's key. */
  listReports(manager: UserIdentity): Promise<Person[]>;
  getChannelLink(channelId: string): Promise<ChannelLink | undefined>;
  upsertChannelLink(link: ChannelLink): Promise<void>;
  /** True when the tenant belongs to the provider or to any account's customer tenants. */
  isTenantAllowed(tenantId: string): Promise<boolean>;
  allowTenant(tenantId: string, reason: string): Promise<void>;
  /** Named one-off facts about the store itself, e.g. that the demo world was seeded. */
  getMarker(name: string): Promise<string | undefined>;
  setMarker(name: string, value: string): Promise<void>;
}

export interface AccountRepository {
  getAccount(accountId: string): Promise<Account | undefined>;
  upsertAccount(account: Account): Promise<void>;
  listAccounts(): Promise<Account[]>;
}

/** What saving a conversation reference did: a new conversation, a retired one back, or a refresh. */
export type ConversationSaveOutcome = 'created' | 'revived' | 'updated';

export interface ConversationReferenceRepository {
  save(reference: StoredConversationReference): Promise<ConversationSaveOutcome>;
  get(conversationId: string): Promise<StoredConversationReference | undefined>;
  /** The personal chat between the bot and this user, if the app is installed for them. */
  getPersonal(identity: UserIdentity): Promise<StoredConversationReference | undefined>;
  retire(conversationId: string, reason: string, at: Date): Promise<void>;
}
