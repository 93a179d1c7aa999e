import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import { CosmosContractRepository } from '../../src/store/cosmos-contract-repository';
import { CosmosDeliveryPlanRepository } from '../../src/store/cosmos-delivery-plan-repository';
import type { DeliveryPlan } from '../../src/domain/delivery-plan';
import { startTestStore, type TestStore } from '../support/embedded-store';

const contract: Contract = {
  contractId: 'C-1',
  accountId: 'contoso',
  contractType: 'Unified Enterprise',
  startDate: '2026-01-01',
  endDate: '2026-12-31',
  buckets: [
    { name: 'Proactive', purchasedHours: 120 },
    { name: 'Reactive', purchasedHours: 40 },
  ],
};

function entry(id: string, hours: number, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    entryId: id,
    accountId: 'contoso',
    contractId: 'C-1',
    date: '2026-03-02',
    bucket: 'Reactive',
    hours,
    source: 'manual',
    loggedBy: { key: 't:alex', name: 'Alex Wilber' },
    loggedAt: `2026-03-02T09:00:00.${id.padStart(3, '0').slice(-3)}Z`,
    ...extra,
  };
}

describe('the ledger and its summary, written together', () => {
  let store: TestStore;
  let contracts: CosmosContractRepository;

  beforeEach(async () => {
    store = await startTestStore();
    contracts = new CosmosContractRepository(store.containers.accounts);
    await contracts.upsertContract(contract);
  });

  afterEach(async () => {
    await store.close();
  });

  const reactiveHours = async (): Promise<number | undefined> => (await contracts.getContract('contoso'))?.ledgerSummary?.days.reactive?.['2026-03-02'];

  it('counts each entry once: one already there is left out, the others go in', async () => {
    assert.equal(await contracts.createEntry(entry('1', 2)), true);
    assert.deepEqual(await contracts.createEntries('contoso', [entry('2', 1), entry('1', 2), entry('3', 0.5)]), [true, false, true]);
    const stored = await contracts.getContract('contoso');
    assert.equal(stored?.ledgerSummary?.entries, 3);
    assert.equal(await reactiveHours(), 3.5);
    assert.equal(stored?.ledgerVersion, 2, 'each batch tells the alert rules the ledger changed');
    assert.equal((await contracts.listEntries('contoso', 'C-1')).length, 3);
  });

  it('loses no entry when many are logged at once (each batch re-reads a contract changed under it)', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => contracts.createEntry(entry(String(i + 10), 0.25))));
    assert.ok(results.every(Boolean));
    const stored = await contracts.getContract('contoso');
    assert.equal(stored?.ledgerSummary?.entries, 12);
    assert.equal(await reactiveHours(), 3);
  });

  it('builds the summary of a contract stored without one from its ledger, once', async () => {
    // As an earlier version stored them: the contract alone, its entries beside it.
    const { resource } = await store.containers.accounts.item('contract', 'contoso').read<Record<string, unknown>>();
    const { ledgerSummary: _dropped, ...bare }: Record<string, unknown> = resource ?? {};
    void _dropped;
    await store.containers.accounts.item('contract', 'contoso').replace(bare);
    for (const e of [entry('1', 2), entry('2', 3)]) await store.containers.accounts.items.create({ id: `ledger:${e.entryId}`, type: 'ledgerEntry', schemaVersion: 1, ...e });

    assert.equal(await reactiveHours(), 5);
    const { resource: after } = await store.containers.accounts.item('contract', 'contoso').read<{ ledgerSummary?: { entries: number } }>();
    assert.equal(after?.ledgerSummary?.entries, 2, 'it is written back');
    assert.equal(await contracts.createEntry(entry('3', 1)), true);
    assert.equal(await reactiveHours(), 6);
  });

  it('writes more entries than one batch holds in batches of at most 100 operations', async () => {
    const many = Array.from({ length: 150 }, (_, i) => entry(String(100 + i), 0.25, { date: '2026-03-03' }));
    const results = await contracts.createEntries('contoso', many);
    assert.equal(results.filter(Boolean).length, 150);
    const stored = await contracts.getContract('contoso');
    assert.equal(stored?.ledgerSummary?.days.reactive?.['2026-03-03'], 37.5);
    assert.equal(stored?.ledgerSummary?.entries, 150);
  });
});

describe('a check-in with its hours, in one batch', () => {
  let store: TestStore;
  let contracts: CosmosContractRepository;
  let plans: CosmosDeliveryPlanRepository;

  beforeEach(async () => {
    store = await startTestStore();
    contracts = new CosmosContractRepository(store.containers.accounts);
    plans = new CosmosDeliveryPlanRepository(store.containers.accounts);
    await contracts.upsertContract(contract);
    await plans.createPlan({ accountId: 'contoso', contractId: 'C-1', cadence: 'monthly', nextCheckInDue: '2026-03-02', items: [], nextItemNumber: 1, updatedAt: '2026-03-01T00:00:00.000Z' });
  });

  afterEach(async () => {
    await store.close();
  });

  const checkIn = (dueDate: string) => ({ accountId: 'contoso', dueDate, submittedAt: '2026-03-02T09:00:00.000Z', by: { key: 't:alex', name: 'Alex Wilber' }, items: [] });
  const moveOn = (plan: DeliveryPlan): DeliveryPlan => ({ ...plan, nextCheckInDue: '2026-04-02' });

  it('counts hours logged meanwhile and its own, each once, when the contract changed between its read and its batch', async () => {
    const part = contracts.ledgerPart('contoso', [entry('10', 3, { entryId: 'd-2026-03-02-PI-1', source: 'delivery' })]);
    let raced = false;
    const racing = {
      prepare: async () => {
        const operations = await part.prepare();
        // Somebody logs hours after this attempt read the contract: its ETag is out of date.
        if (!raced) {
          raced = true;
          await contracts.createEntries('contoso', [entry('11', 2)]);
        }
        return operations;
      },
      settle: (statuses: readonly number[]) => part.settle(statuses),
    };
    assert.equal(await plans.recordCheckIn(checkIn('2026-03-02'), moveOn, racing), true);
    const stored = await contracts.getContract('contoso');
    assert.equal(stored?.ledgerSummary?.entries, 2);
    assert.equal(stored?.ledgerSummary?.days.reactive?.['2026-03-02'], 5);
    assert.equal((await plans.getPlan('contoso'))?.nextCheckInDue, '2026-04-02');
  });

  it('writes nothing for a check-in recorded already: no hours, no plan change', async () => {
    assert.equal(await plans.recordCheckIn(checkIn('2026-03-02'), moveOn), true);
    const again = contracts.ledgerPart('contoso', [entry('12', 4, { entryId: 'd-2026-03-02-PI-2', source: 'delivery' })]);
    assert.equal(await plans.recordCheckIn(checkIn('2026-03-02'), (p) => ({ ...p, nextCheckInDue: '2026-05-02' }), again), false);
    assert.equal((await contracts.getContract('contoso'))?.ledgerSummary?.entries ?? 0, 0);
    assert.equal(await contracts.getEntry('contoso', 'd-2026-03-02-PI-2'), undefined);
    assert.equal((await plans.getPlan('contoso'))?.nextCheckInDue, '2026-04-02');
  });

  it('gives up at once, with its status, when the check-in or the plan is refused for good (not a race to try again)', async () => {
    const part = contracts.ledgerPart('contoso', [entry('13', 1, { entryId: 'd-2026-03-02-PI-3', source: 'delivery' })]);
    // The store refuses the check-in (a partition full): the ledger's operations come back 424.
    const batch = sinon.stub(store.containers.accounts.items, 'batch').resolves({ code: 207, result: [{ statusCode: 403 }, { statusCode: 424 }, { statusCode: 424 }, { statusCode: 424 }] } as never);
    try {
      await assert.rejects(plans.recordCheckIn(checkIn('2026-03-02'), moveOn, part), (error: { code?: number }) => error.code === 403);
      assert.equal(batch.callCount, 1);
    } finally {
      batch.restore();
    }
  });
});
