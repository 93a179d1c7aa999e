import { alertVerbs } from '../cards/alert-cards';
import { contractVerbs } from '../cards/contract-card';
import { deliveryVerbs } from '../cards/delivery-cards';
import { escalationVerbs } from '../cards/escalation-card';

/** Action.Execute verbs; the card templates in cards/ use these exact strings. */
export const verbs = {
  runCommand: 'command.run',
  linkChannel: 'channel.link',
  ...Object.fromEntries(Object.entries(escalationVerbs).map(([name, verb]) => [`escalation.${name}`, verb])),
  ...Object.fromEntries(Object.entries(contractVerbs).map(([name, verb]) => [`contract.${name}`, verb])),
  ...Object.fromEntries(Object.entries(deliveryVerbs).map(([name, verb]) => [`delivery.${name}`, verb])),
  ...Object.fromEntries(Object.entries(alertVerbs).map(([name, verb]) => [`alert.${name}`, verb])),
} as const;

export { escalationVerbs };

/** Message-extension command ids, as declared in manifest/manifest.json. */
export const messageExtensionCommands = {
  escalateMessage: 'escalateMessage',
} as const;
