import type { TurnContext } from 'botbuilder';
import type { StoreScope } from '../domain/store-scope';
import { TenantGate } from '../services/tenant-gate';
import type { BotDependencies } from './bot-dependencies';

const dependenciesKey = Symbol('turnDependencies');

/** The dependencies of one turn: the same, with every store call made for the turn's scope. */
export function dependenciesForTurn(deps: BotDependencies, scope: StoreScope): BotDependencies {
  const repositories = deps.repositoriesFor(scope);
  return {
    ...deps,
    ...repositories,
    tenantGate: new TenantGate(repositories.directory, deps.providerTenantIds),
  };
}

export function setTurnDependencies(context: TurnContext, deps: BotDependencies): void {
  context.turnState.set(dependenciesKey, deps);
}

/** The turn's own dependencies, or `fallback` for a context that was not started as a turn. */
export function turnDependencies(context: TurnContext, fallback: BotDependencies): BotDependencies {
  return context.turnState.get<BotDependencies | undefined>(dependenciesKey) ?? fallback;
}
