/** Action.Execute verbs; the card templates in cards/ use these exact strings. */
export const verbs = {
  runCommand: 'command.run',
  linkChannel: 'channel.link',
} as const;

export type Verb = (typeof verbs)[keyof typeof verbs];
