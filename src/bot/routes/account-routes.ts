import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { primaryTamCard } from '../../cards/account-cards';
import type { CommandId } from '../../domain/commands';
import { accountIdSchema, personKey } from '../../domain/directory';
import { accountVerbs } from '../../domain/verbs';
import { primaryTamView, setPrimaryTam, type PrimaryTamView } from '../../services/primary-tam';
import { accountCommand } from '../account-choice';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs } from '../verb-pipeline';

const accountKey = z.object({ accountId: accountIdSchema });
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The primary-TAM form: an admin's, so it is shown only to them. */
function primaryReply(turn: Turn, view: PrimaryTamView, extra: { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>>; banner?: string } = {}): Reply {
  return privateReply([view.account.accountId], () =>
    primaryTamCard(turn.deps.cards, {
      accountId: view.account.accountId,
      accountName: view.account.name,
      tams: view.tams.map((t) => ({ key: personKey(t), name: t.displayName })),
      ...(view.primary ? { primaryKey: personKey(view.primary) } : {}),
      ...extra,
    }),
  );
}

export const accountCommands = {
  primary: accountCommand('primary', 'account', async (turn, accountId) => primaryReply(turn, await primaryTamView(turn.deps, turn.caller, accountId))),
} satisfies Partial<Record<CommandId, CommandHandler>>;

const definitions = [
  defineVerb({
    verb: accountVerbs.setPrimaryTam,
    key: accountKey,
    handle: async (turn, key, data) => {
      const view = await setPrimaryTam(turn.deps, turn.caller, key.accountId, text(data.tam));
      return primaryReply(turn, view, { banner: `${view.primary?.displayName ?? 'Nobody'} is the primary TAM of ${view.account.name} now: new escalations are theirs.` });
    },
    show: async (turn, key, shown) =>
      primaryReply(turn, await primaryTamView(turn.deps, turn.caller, key.accountId), {
        ...(shown.values ? { values: shown.values } : {}),
        ...(shown.errors ? { errors: shown.errors } : {}),
        ...(shown.banner && !shown.errors ? { banner: shown.banner.text } : {}),
      }),
  }),
];

/** The primary TAM of an account: who owns its new escalations. */
export function registerAccountRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);
}
