import type { TurnContext } from 'botbuilder';
import type { Caller } from '../domain/caller';
import type { CommandId } from '../domain/commands';
import { escalationLifecycleVerbs } from '../domain/verbs';
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
  // A card action on an escalation reads it whatever the verb: that read goes out beside the
  // caller's (the turn keeps it, and the verb's own read of it waits for this one). A lifecycle
  // action needs none when this process holds the version its change is tried on first.
  const named = escalationNamed(context.activity.value);
  if (named && lifecycleVerbs.has(verbOf(context.activity.value))) deps.escalations.readAheadForChange(named.accountId, named.escalationId);
  else if (named) void deps.escalations.get(named.accountId, named.escalationId).catch(() => undefined);
  const caller = await identifyCaller(deps, {
    identity: facts.identity,
    displayName: facts.displayName,
    scope: facts.scope,
    ...(facts.channelId ? { channelId: facts.channelId } : {}),
  });
  return { context, facts, caller, deps };
}

const lifecycleVerbs: ReadonlySet<string> = new Set(escalationLifecycleVerbs);

function verbOf(value: unknown): string {
  const verb = (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
  return typeof verb === 'string' ? verb : '';
}

/** The escalation an Action.Execute's data names, if it names one. */
function escalationNamed(value: unknown): { accountId: string; escalationId: string } | undefined {
  const data = (value as { action?: { data?: unknown } } | undefined)?.action?.data as Record<string, unknown> | undefined;
  const accountId = data?.accountId;
  const escalationId = data?.escalationId;
  return typeof accountId === 'string' && typeof escalationId === 'string' && accountId.length > 0 && accountId.length <= 200 && escalationId.length > 0 && escalationId.length <= 200
    ? { accountId, escalationId }
    : undefined;
}
