import type { DefaultConversationState, DefaultTempState, DefaultUserState, TurnState } from '@microsoft/teams-ai';

/** teams-ai's turn state, held in memory for one turn and never stored; workflows keep their records in repositories. */
export type AppTurnState = TurnState<DefaultConversationState, DefaultUserState, DefaultTempState>;
