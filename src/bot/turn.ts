import type { TurnContext } from 'botbuilder';
import type { Caller } from '../domain/caller';
import type { CommandId } from '../domain/commands';
import { identifyCaller } from '../services/identify-caller';
import type { ActivityFacts } from './activity-facts';
import type { BotDependencies } from './bot-dependencies';
import type { Reply } from './reply';
import { turnDependencies } from './turn-dependencies';

/** One turn's context: the activity's facts and the caller as the server knows them. */
export interface Turn {
  readonly context: TurnContext;
  readonly facts: ActivityFacts;
  readonly caller: Caller;
  readonly deps: BotDependencies;
}

/** A command's answer; where it may land is decided by the audience step (answer.ts). */
export type CommandHandler = (turn: Turn, argument: string) => Promise<Reply>;
export type CommandHandlers = Readonly<Record<CommandId, CommandHandler>>;

export async function startTurn(context: TurnContext, facts: ActivityFacts, base: BotDependencies): Promise<Turn> {
  // The turn's own dependencies: its store calls within the turn's budget.
  const deps = turnDependencies(context, base);
  const caller = await identifyCaller(deps, {
    identity: facts.identity,
    displayName: facts.displayName,
    scope: facts.scope,
    ...(facts.channelId ? { channelId: facts.channelId } : {}),
  });
  return { context, facts, caller, deps };
}
