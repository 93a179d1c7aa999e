import assert from 'node:assert/strict';
import { canLinkChannel, resolveCaller, type CallerFacts } from '../../src/domain/caller';
import type { Account, ChannelLink, Person } from '../../src/domain/directory';

const identity = { tenantId: 't', aadObjectId: 'u' };
const account: Account = { accountId: 'contoso', name: 'Contoso', code: 'CONTOSO', customerTenantIds: ['t'] };
const link: ChannelLink = { channelId: 'c1', accountId: 'contoso', tenantId: 't', linkedBy: 't:admin', linkedAt: '2026-01-01T00:00:00Z' };
const tam: Person = { tenantId: 't', aadObjectId: 'u', displayName: 'Tam', role: 'tam', accountIds: ['fabrikam', 'contoso'] };

function facts(overrides: Partial<CallerFacts>): CallerFacts {
  return { identity, displayName: 'From Teams', scope: 'channel', ...overrides };
}

describe('resolveCaller', () => {
  it('keeps the directory role and name of a known person', () => {
    const caller = resolveCaller(facts({ person: tam }));
    assert.equal(caller.role, 'tam');
    assert.equal(caller.displayName, 'Tam');
    assert.deepEqual(caller.accountIds, ['contoso', 'fabrikam']);
  });

  it('gives a manager their own accounts and their reports\', without duplicates', () => {
    const manager: Person = { ...tam, role: 'manager', accountIds: ['contoso'] };
    const caller = resolveCaller(facts({ person: manager, reportsAccountIds: ['contoso', 'northwind'] }));
    assert.deepEqual(caller.accountIds, ['contoso', 'northwind']);
  });

  it('makes an unknown member of a linked channel from an allowed tenant a customer of that account', () => {
    const caller = resolveCaller(facts({ channelLink: link, channelAccount: account }));
    assert.equal(caller.role, 'customer');
    assert.deepEqual(caller.accountIds, ['contoso']);
  });

  it('does not make someone from another tenant a customer', () => {
    const caller = resolveCaller(facts({ identity: { tenantId: 'other', aadObjectId: 'u' }, channelLink: link, channelAccount: account }));
    assert.equal(caller.role, 'guest');
    assert.deepEqual(caller.accountIds, []);
  });

  it('treats an unknown person outside a linked channel as a guest', () => {
    assert.equal(resolveCaller(facts({ scope: 'personal' })).role, 'guest');
  });
});

describe('canLinkChannel', () => {
  it('lets admins link any account, TAMs and managers only their own, and nobody in personal chat', () => {
    const admin = resolveCaller(facts({ person: { ...tam, role: 'admin', accountIds: [] } }));
    const tamCaller = resolveCaller(facts({ person: tam }));
    const customer = resolveCaller(facts({ channelLink: link, channelAccount: account }));
    assert.equal(canLinkChannel(admin, 'northwind'), true);
    assert.equal(canLinkChannel(tamCaller, 'contoso'), true);
    assert.equal(canLinkChannel(tamCaller, 'northwind'), false);
    assert.equal(canLinkChannel(customer, 'contoso'), false);
    assert.equal(canLinkChannel(resolveCaller(facts({ person: tam, scope: 'personal' })), 'contoso'), false);
  });
});
