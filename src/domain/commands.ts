import type { ConversationScope } from './caller';
import type { Role } from './directory';

export const commandIds = ['help', 'whoami', 'link', 'escalate', 'escalations', 'escalation', 'contract', 'logHours', 'plan', 'checkin', 'alerts', 'primary', 'portfolio', 'review'] as const;
export type CommandId = (typeof commandIds)[number];

export interface CommandSpec {
  readonly id: CommandId;
  /** The words that start the command, e.g. `log hours`. */
  readonly keyword: string;
  /** What a person types, e.g. `link <account>`. */
  readonly usage: string;
  readonly title: string;
  readonly description: string;
  readonly roles: readonly Role[];
  readonly scopes: readonly ConversationScope[];
  /** Takes an argument after the keyword; a button for it opens a form instead of running it. */
  readonly argument?: { readonly name: string; readonly label: string; readonly placeholder: string };
  /**
   * Listed in the Teams app's command menu of its scopes (manifest/manifest.json), which holds at
   * most 12 a scope; false: only in `help` and typed.
   */
  readonly inMenu?: false;
}

const everyone: readonly Role[] = ['admin', 'manager', 'tam', 'customer', 'guest'];
const everywhere: readonly ConversationScope[] = ['personal', 'channel', 'groupChat'];

export const commandCatalog: readonly CommandSpec[] = [
  {
    id: 'help',
    keyword: 'help',
    usage: 'help',
    title: 'Help',
    description: 'What I can do for you here.',
    roles: everyone,
    scopes: everywhere,
  },
  {
    id: 'whoami',
    keyword: 'whoami',
    usage: 'whoami',
    title: 'Who am I',
    description: 'Your role, your accounts and your tenant.',
    roles: everyone,
    scopes: everywhere,
  },
  {
    id: 'link',
    keyword: 'link',
    usage: 'link <account>',
    title: 'Link this channel',
    description: 'Link this channel to a customer account so its members can work with you here.',
    roles: ['admin', 'manager', 'tam'],
    scopes: ['channel', 'groupChat'],
    argument: { name: 'account', label: 'Account id', placeholder: 'e.g. contoso' },
  },
  {
    id: 'escalate',
    keyword: 'escalate',
    usage: 'escalate',
    title: 'Open an escalation',
    description: 'Open a support escalation: severity, product, impact, and a live SLA clock.',
    roles: ['manager', 'tam', 'customer'],
    scopes: everywhere,
  },
  {
    id: 'escalations',
    keyword: 'escalations',
    usage: 'escalations [account]',
    title: 'Open escalations',
    description: 'Open escalations, most urgent first.',
    roles: ['manager', 'tam', 'customer'],
    scopes: everywhere,
  },
  {
    id: 'escalation',
    keyword: 'escalation',
    usage: 'escalation <id>',
    title: 'Show an escalation',
    description: 'One escalation\'s card, e.g. "escalation ESC-ACME-0042".',
    roles: ['admin', 'manager', 'tam', 'customer'],
    scopes: everywhere,
    argument: { name: 'id', label: 'Escalation id', placeholder: 'ESC-ACME-0042' },
  },
  {
    id: 'contract',
    keyword: 'contract',
    usage: 'contract [account]',
    title: 'Contract status',
    description: 'Hours purchased, used and left per bucket, burn rate, forecast and renewal.',
    roles: ['admin', 'manager', 'tam', 'customer'],
    scopes: everywhere,
  },
  {
    id: 'logHours',
    keyword: 'log hours',
    usage: 'log hours [account]',
    title: 'Log hours',
    description: 'Log hours against a bucket of the contract.',
    roles: ['manager', 'tam'],
    scopes: everywhere,
  },
  {
    id: 'plan',
    keyword: 'plan',
    usage: 'plan [account]',
    title: 'Delivery plan',
    description: 'The service delivery plan: what is due next, what is late, hours planned and delivered.',
    roles: ['admin', 'manager', 'tam', 'customer'],
    scopes: everywhere,
  },
  {
    id: 'checkin',
    keyword: 'checkin',
    usage: 'checkin [account]',
    title: 'Check-in',
    description: 'Record the delivery check-in: status, health, notes and hours delivered per item.',
    roles: ['manager', 'tam'],
    scopes: everywhere,
  },
  {
    id: 'alerts',
    keyword: 'alerts',
    usage: 'alerts',
    title: 'Alerts',
    description: 'Recent alerts and how you get them: at once or in a daily digest.',
    roles: ['manager', 'tam'],
    scopes: ['personal'],
  },
  {
    id: 'portfolio',
    keyword: 'portfolio',
    usage: 'portfolio',
    title: 'Portfolio',
    description: 'Your accounts worst first: health score, what costs it most, escalations, hours, renewal and margin. Private: asked in a channel, it comes to our chat.',
    roles: ['admin', 'manager', 'tam'],
    scopes: everywhere,
  },
  {
    id: 'review',
    keyword: 'review',
    usage: 'review [account] [YYYY-MM]',
    title: 'Service review',
    description: 'The month\'s service review (default: the last complete month): escalations and SLA attainment, hours, delivery, check-ins, renewal, highlights and risks, with a PDF.',
    roles: ['admin', 'manager', 'tam', 'customer'],
    scopes: everywhere,
  },
  {
    id: 'primary',
    keyword: 'primary',
    usage: 'primary <account>',
    title: 'Primary TAM',
    description: 'Who owns an account\'s new escalations from the moment they open; choose another.',
    roles: ['admin'],
    scopes: ['personal'],
    argument: { name: 'account', label: 'Account id', placeholder: 'e.g. contoso' },
    // An admin's rare task: it gave its place in the full personal menu to `review`.
    inMenu: false,
  },
];

export function commandSpec(id: CommandId): CommandSpec {
  const spec = commandCatalog.find((c) => c.id === id);
  if (!spec) throw new Error(`unknown command ${id}`);
  return spec;
}

/** The commands a person with this role may use in this kind of conversation. */
export function commandsFor(role: Role, scope: ConversationScope): CommandSpec[] {
  return commandCatalog.filter((c) => c.roles.includes(role) && c.scopes.includes(scope));
}

export function mayUse(command: CommandSpec, role: Role, scope: ConversationScope): boolean {
  return command.roles.includes(role) && command.scopes.includes(scope);
}
