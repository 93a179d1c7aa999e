import type { DefaultConversationState, DefaultTempState, DefaultUserState, TurnState } from '@microsoft/teams-ai';

/** Per-turn state kept by teams-ai in Cosmos; workflows keep their records in repositories. */
export type AppTurnState = TurnState<DefaultConversationState, DefaultUserState, DefaultTempState>;
