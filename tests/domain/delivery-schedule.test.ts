import assert from 'node:assert/strict';
import type { DeliveryPlan, PlanItem } from '../../src/domain/delivery-plan';
import { checkInState, dueAfterCheckIn, isLate, itemsForCheckIn, nextDueDate } from '../../src/domain/delivery-schedule';

function item(itemId: string, overrides: Partial<PlanItem> = {}): PlanItem {
  return {
    itemId,
    type: 'Workshop',
    title: itemId,
    plannedHours: 8,
    dueDate: '2026-03-20',
    owner: { key: 'k', name: 'Alex' },
    status: 'planned',
    health: 'green',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('check-in schedule', () => {
  it('is due on its date, and overdue only once three full days have passed', () => {
    const plan = { nextCheckInDue: '2026-03-10' };
    assert.equal(checkInState(plan, '2026-03-09'), 'not-due');
    assert.equal(checkInState(plan, '2026-03-10'), 'due');
    assert.equal(checkInState(plan, '2026-03-13'), 'due');
    assert.equal(checkInState(plan, '2026-03-14'), 'overdue');
  });

  it('steps weekly, fortnightly and monthly, keeping the day of the month where it can', () => {
    assert.equal(nextDueDate('2026-03-10', 'weekly'), '2026-03-17');
    assert.equal(nextDueDate('2026-03-10', 'fortnightly'), '2026-03-24');
    assert.equal(nextDueDate('2026-01-31', 'monthly'), '2026-02-28');
    assert.equal(nextDueDate('2028-01-31', 'monthly'), '2028-02-29');
    assert.equal(nextDueDate('2026-12-15', 'monthly'), '2027-01-15');
  });

  it('skips periods missed entirely after a late check-in', () => {
    assert.equal(dueAfterCheckIn('2026-02-01', 'weekly', '2026-02-20'), '2026-02-22');
    assert.equal(dueAfterCheckIn('2026-02-25', 'monthly', '2026-03-02'), '2026-03-25');
  });

  it('calls an item late when its due date passed and it is neither delivered nor cancelled', () => {
    assert.equal(isLate(item('a', { dueDate: '2026-03-01' }), '2026-03-02'), true);
    assert.equal(isLate(item('b', { dueDate: '2026-03-02' }), '2026-03-02'), false);
    assert.equal(isLate(item('c', { dueDate: '2026-03-01', status: 'delivered' }), '2026-03-02'), false);
    assert.equal(isLate(item('d', { dueDate: '2026-03-01', status: 'cancelled' }), '2026-03-02'), false);
  });

  it('asks at a check-in about work under way, due soon, late or not green', () => {
    const plan: Pick<DeliveryPlan, 'items' | 'cadence'> = {
      cadence: 'weekly',
      items: [
        item('late', { dueDate: '2026-02-20' }),
        item('soon', { dueDate: '2026-03-08' }),
        item('far', { dueDate: '2026-06-01' }),
        item('far-red', { dueDate: '2026-06-01', health: 'red' }),
        item('in-delivery', { dueDate: '2026-06-01', status: 'in-delivery' }),
        item('done', { dueDate: '2026-03-03', status: 'delivered' }),
      ],
    };
    assert.deepEqual(itemsForCheckIn(plan, '2026-03-02').map((i) => i.itemId), ['late', 'soon', 'far-red', 'in-delivery']);
  });
});
