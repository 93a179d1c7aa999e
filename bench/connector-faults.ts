/**
 * `npx tsx bench/connector-faults.ts`: how long a message turn takes to answer its HTTP request
 * when the Bot Connector hangs, answers 500, or answers 429 with Retry-After: 3600, at the
 * production reply deadline (7 s from the turn's start). Real server, embedded store, fake
 * connector on loopback; prints one row per fault and command.
 */
import { botAdded, channelMessage, installationUpdate, personalMessage } from '../tests/support/activities';
import type { ConnectorFault } from '../tests/support/fake-connector';
import { demo, TestBot } from '../tests/support/test-bot';
import { realTimer } from '../src/notify/rate-limits';

const faults: readonly (ConnectorFault | undefined)[] = [undefined, { kind: 'hang' }, { kind: '500' }, { kind: '429', retryAfterInSeconds: 3600 }];
const label = (fault: ConnectorFault | undefined): string => (fault ? (fault.kind === '429' ? '429, Retry-After: 3600' : fault.kind) : 'none (healthy)');

async function main(): Promise<void> {
  const rows: string[] = ['| Connector fault | Command | HTTP status | Answered in | Connector requests | Reply |', '|---|---|---|---|---|---|'];
  for (const fault of faults) {
    const bot = await TestBot.start({ timer: realTimer });
    try {
      await bot.post(installationUpdate(bot.serviceUrl, demo.users.alex, 'add'));
      await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
      const commands = [
        ['`help`, personal chat', personalMessage(bot.serviceUrl, demo.users.alex, 'help')],
        ['`@bot contract`, Contoso channel', channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'contract')],
      ] as const;
      for (const [name, activity] of commands) {
        bot.connector.reset();
        if (fault) bot.connector.breakWith(fault);
        const started = performance.now();
        const res = await bot.post(activity);
        const ms = performance.now() - started;
        const queued = bot.logs.filter((l) => l.event === 'reply.queued').length;
        const fate = bot.connector.sent().length > 0 ? 'sent' : queued > 0 ? 'queued in the outbox' : 'lost';
        rows.push(`| ${label(fault)} | ${name} | ${res.status} | ${(ms / 1000).toFixed(2)} s | ${bot.connector.calls.length} | ${fate} |`);
        bot.logs.length = 0;
      }
    } finally {
      bot.connector.heal();
      await bot.close();
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
