/**
 * Every Action.Execute verb the bot handles, in one place: the card renderers, the routes and the
 * card templates in cards/ all use these exact strings (a test fails when a template names another).
 */
export const commandVerbs = {
  run: 'command.run',
} as const;

export const channelVerbs = {
  link: 'channel.link',
  move: 'channel.move',
} as const;

export const escalationVerbs = {
  create: 'escalation.create',
  acknowledge: 'escalation.acknowledge',
  update: 'escalation.update',
  changeSeverity: 'escalation.changeSeverity',
  resolve: 'escalation.resolve',
  close: 'escalation.close',
  reopen: 'escalation.reopen',
  assign: 'escalation.assign',
  refresh: 'escalation.refresh',
  show: 'escalation.show',
} as const;

/** The verbs that change an escalation straight away, without showing it first. */
export const escalationLifecycleVerbs = [
  escalationVerbs.acknowledge,
  escalationVerbs.update,
  escalationVerbs.changeSeverity,
  escalationVerbs.resolve,
  escalationVerbs.close,
  escalationVerbs.reopen,
] as const;

export const accountVerbs = {
  setPrimaryTam: 'account.setPrimaryTam',
} as const;

export const contractVerbs = {
  logHours: 'contract.logHours',
  reverseEntry: 'contract.reverseEntry',
  setSupportHours: 'contract.setSupportHours',
  refresh: 'contract.refresh',
} as const;

export const deliveryVerbs = {
  addItem: 'plan.addItem',
  updateItem: 'plan.updateItem',
  refresh: 'plan.refresh',
  submitCheckIn: 'checkin.submit',
  postSummary: 'checkin.postSummary',
} as const;

export const alertVerbs = {
  acknowledge: 'alert.acknowledge',
  snooze: 'alert.snooze',
  saveSettings: 'alerts.saveSettings',
  /** The alerts list again, in place: open ones or all (the toggle and Refresh). */
  show: 'alerts.show',
} as const;

export const portfolioVerbs = {
  /** The next page of the portfolio, after the cursor the card carries. */
  more: 'portfolio.more',
} as const;

export const reviewVerbs = {
  /** Posts the customer view of a month's review to the account's channel. */
  post: 'review.post',
} as const;

type ValuesOf<T> = T[keyof T];
export type Verb =
  | ValuesOf<typeof commandVerbs>
  | ValuesOf<typeof channelVerbs>
  | ValuesOf<typeof escalationVerbs>
  | ValuesOf<typeof accountVerbs>
  | ValuesOf<typeof contractVerbs>
  | ValuesOf<typeof deliveryVerbs>
  | ValuesOf<typeof alertVerbs>
  | ValuesOf<typeof portfolioVerbs>
  | ValuesOf<typeof reviewVerbs>;

export const allVerbs: readonly Verb[] = [
  ...Object.values(commandVerbs),
  ...Object.values(channelVerbs),
  ...Object.values(escalationVerbs),
  ...Object.values(accountVerbs),
  ...Object.values(contractVerbs),
  ...Object.values(deliveryVerbs),
  ...Object.values(alertVerbs),
  ...Object.values(portfolioVerbs),
  ...Object.values(reviewVerbs),
];

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (allVerbs as readonly string[]).includes(value);
}
