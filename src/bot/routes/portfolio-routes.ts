import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { noticeCard } from '../../cards/conversation-cards';
import { portfolioCard } from '../../cards/portfolio-card';
import { calendarDateOf } from '../../domain/calendar-date';
import type { CommandId } from '../../domain/commands';
import { portfolioVerbs } from '../../domain/verbs';
import { loadPortfolio, mayViewPortfolio, portfolioCursorPattern, rowsAfter } from '../../services/portfolio';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { plainReply, privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Outcome } from '../verb-pipeline';

const moreKey = z.object({ after: z.string().regex(portfolioCursorPattern) });

const titles = { mine: 'Your portfolio', team: 'Your team\'s portfolio', all: 'All accounts' } as const;

/**
 * A page of the caller's portfolio. Lists across accounts are the caller's alone: the reply names
 * the accounts it shows, so in a channel or group chat the audience step sends it to their
 * personal chat and leaves a line saying so.
 */
async function portfolioReply(turn: Turn, after?: string): Promise<Reply | Outcome> {
  if (!mayViewPortfolio(turn.caller)) return { kind: 'refused', message: 'The portfolio is not available to you: it shows the accounts of TAMs, their managers and admins.' };
  const portfolio = await loadPortfolio(turn.deps, turn.caller);
  const { before, rows } = rowsAfter(portfolio, after);
  if (portfolio.rows.length === 0) {
    return plainReply(noticeCard(turn.deps.cards, { title: 'No accounts yet', text: 'You have no accounts yet. Ask an admin to assign you some.', style: 'warning' }));
  }
  const page = portfolioCard(turn.deps.cards, {
    title: titles[portfolio.scope],
    subtitle: `${turn.caller.displayName} · ${portfolio.rows.length} account${portfolio.rows.length === 1 ? '' : 's'}`,
    rows: rows.map((r) => ({ accountId: r.accountId, name: r.name, cursor: r.sortKey, ...(r.health ? { health: r.health } : {}), showCommercial: r.showCommercial })),
    before,
    total: portfolio.rows.length,
    today: calendarDateOf(turn.deps.clock.now()),
  });
  const shown = rows.slice(0, page.shown).map((r) => r.accountId);
  return privateReply(shown, () => page.card);
}

async function commandReply(turn: Turn): Promise<Reply> {
  const result = await portfolioReply(turn);
  if ('render' in result) return result;
  return plainReply(noticeCard(turn.deps.cards, { title: 'Not here', text: result.kind === 'refused' ? result.message : 'That did not work.', style: 'warning' }));
}

export const portfolioCommands = {
  portfolio: (turn: Turn) => commandReply(turn),
} satisfies Partial<Record<CommandId, CommandHandler>>;

/** The portfolio's "More": the next page, posted below the one pressed. */
export function registerPortfolioRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, [
    defineVerb({
      verb: portfolioVerbs.more,
      key: moreKey,
      landing: 'message',
      handle: (turn, key) => portfolioReply(turn, key.after),
    }),
  ]);
}
