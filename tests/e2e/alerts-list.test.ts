import assert from 'node:assert/strict';
import { personalMessage } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';
import type { Alert } from '../../src/domain/alert';

describe('the alerts list: the most pressing first, and it says what it leaves out', function () {
  this.timeout(60_000);
  let bot: TestBot;

  before(async () => {
    bot = await TestBot.start();
  });

  after(async () => {
    await bot.close();
  });

  it('puts an open critical alert above newer normal ones, and counts those that do not fit', async () => {
    const alex = `${demo.tenantId}:${demo.users.alex.aadObjectId}`;
    const alert = (n: number, severity: Alert['severity'], minute: number): Alert => ({
      alertId: `test:${n}`,
      accountId: 'contoso',
      rule: severity === 'critical' ? 'sla-breached' : 'plan-item-late',
      subject: { kind: 'plan', itemId: `PI-${n}` },
      severity,
      title: `${severity === 'critical' ? 'Critical' : 'Normal'} alert ${n}`,
      detail: 'd',
      raisedAt: new Date(Date.UTC(2026, 2, 2, 8, minute)).toISOString(),
      recipients: [alex],
      status: 'open',
      reminders: 0,
    });
    await bot.running.repositories.alerts.create(alert(0, 'critical', 0));
    for (let n = 1; n <= 12; n++) await bot.running.repositories.alerts.create(alert(n, 'normal', n));
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'alerts'));
    const text = cardText(onlyCard(bot.connector.sent()));
    assert.ok(text.indexOf('Critical alert 0') >= 0 && text.indexOf('Critical alert 0') < text.indexOf('Normal alert 12'), 'the critical one, though oldest, comes first');
    assert.match(text, /\d+ more not shown/);
  });
});
