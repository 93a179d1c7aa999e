import assert from 'node:assert/strict';
import { escalationListCard } from '../../src/cards/escalation-card';
import { CardTemplates } from '../../src/cards/card-templates';
import { compareUrgency } from '../../src/domain/escalation-sla';
import { sampleEscalation } from '../support/samples';

describe('urgency: most urgent first, and colours that say so', () => {
  // Opened at 09:00: a severity A owes its response at 10:00, a B at 11:00, a C at 13:00.
  const now = new Date('2026-03-02T11:05:00Z');
  const breachedB = sampleEscalation({ number: 1, severity: 'B' }); // response overdue by 5 min
  const aWithTime = sampleEscalation({ number: 2, severity: 'A', openedAt: '2026-03-02T10:15:00.000Z' }); // due 11:15: 10 min left
  const cLater = sampleEscalation({ number: 3, severity: 'C' }); // due 13:00
  const bSameDeadline = sampleEscalation({ number: 4, severity: 'B', openedAt: '2026-03-02T11:00:00.000Z' }); // due 13:00, like the C
  const resolved = sampleEscalation({ number: 5, severity: 'A', status: 'resolved' }); // nothing running

  it('puts what is overdue first, then the least time left, then severity, then the oldest', () => {
    const sorted = [resolved, cLater, bSameDeadline, aWithTime, breachedB].sort((a, b) => compareUrgency(a, b, now));
    assert.deepEqual(sorted.map((e) => e.number), [1, 2, 4, 3, 5]);
  });

  it('colours a deadline still running default, at risk amber, overdue red, met green', () => {
    const templates = CardTemplates.load();
    const atRisk = sampleEscalation({ number: 6, severity: 'A', openedAt: '2026-03-02T10:10:00.000Z' }); // 55 of 60 min used
    const card = escalationListCard(templates, {
      scope: 'Contoso Ltd',
      now,
      items: [breachedB, aWithTime, atRisk].map((escalation) => ({ escalation, accountName: 'Contoso Ltd' })),
      hidden: 0,
      canOpen: true,
    });
    const blocks: { text: string; color: string }[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const element = node as Record<string, unknown>;
      if (typeof element.text === 'string' && typeof element.color === 'string') blocks.push({ text: element.text, color: element.color });
      Object.values(element).forEach(walk);
    };
    walk(card);
    const byText = (pattern: RegExp): string | undefined => blocks.find((b) => pattern.test(b.text))?.color;
    assert.equal(byText(/overdue by 5 min/), 'Attention');
    assert.equal(byText(/due in 10 min/), 'Warning', '10 of 60 minutes left is at risk');
    assert.equal(byText(/due in 5 min/), 'Warning');
  });

  it('never colours an unmet deadline green while it runs', () => {
    const templates = CardTemplates.load();
    const fresh = sampleEscalation({ number: 7, severity: 'A', openedAt: '2026-03-02T11:00:00.000Z' }); // 55 min left
    const card = escalationListCard(templates, { scope: 'x', now, items: [{ escalation: fresh, accountName: 'Contoso Ltd' }], hidden: 0, canOpen: true });
    const json = JSON.stringify(card);
    assert.match(json, /Response due in 55 min/);
    assert.doesNotMatch(json, /"color":"Good"/);
  });
});
