import { accountVerbs, allVerbs, alertVerbs, channelVerbs, commandVerbs, contractVerbs, deliveryVerbs, escalationVerbs, portfolioVerbs, reviewVerbs } from '../domain/verbs';

/** Action.Execute verbs (one module, domain/verbs.ts, shared with the card renderers). */
export const verbs = {
  runCommand: commandVerbs.run,
  linkChannel: channelVerbs.link,
  moveChannel: channelVerbs.move,
  ...Object.fromEntries(Object.entries(escalationVerbs).map(([name, verb]) => [`escalation.${name}`, verb])),
  ...Object.fromEntries(Object.entries(accountVerbs).map(([name, verb]) => [`account.${name}`, verb])),
  ...Object.fromEntries(Object.entries(contractVerbs).map(([name, verb]) => [`contract.${name}`, verb])),
  ...Object.fromEntries(Object.entries(deliveryVerbs).map(([name, verb]) => [`delivery.${name}`, verb])),
  ...Object.fromEntries(Object.entries(alertVerbs).map(([name, verb]) => [`alert.${name}`, verb])),
  ...Object.fromEntries(Object.entries(portfolioVerbs).map(([name, verb]) => [`portfolio.${name}`, verb])),
  ...Object.fromEntries(Object.entries(reviewVerbs).map(([name, verb]) => [`review.${name}`, verb])),
} as const;

export { accountVerbs, allVerbs, alertVerbs, channelVerbs, commandVerbs, contractVerbs, deliveryVerbs, escalationVerbs, portfolioVerbs, reviewVerbs };

/** Message-extension command ids, as declared in manifest/manifest.json. */
export const messageExtensionCommands = {
  escalateMessage: 'escalateMessage',
} as const;
