import type { ConversationScope } from '../domain/caller';
import type { CommandSpec } from '../domain/commands';
import type { Role } from '../domain/directory';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';

export const roleLabels: Record<Role, string> = {
  admin: 'Admin',
  manager: 'Manager',
  tam: 'Technical Account Manager',
  customer: 'Customer',
  guest: 'Not in the directory yet',
};

const scopeLabels: Record<ConversationScope, string> = {
  personal: 'personal chat',
  channel: 'channel',
  groupChat: 'group chat',
};

interface RoleWelcome {
  readonly intro: string;
  readonly highlights: readonly { readonly title: string; readonly text: string }[];
}

const welcomes: Record<Role, RoleWelcome> = {
  tam: {
    intro: 'I run the daily work of your accounts with you, right here in Teams.',
    highlights: [
      { title: 'Escalations', text: 'Customers open them from their channel; you triage and work them with a live SLA clock.' },
      { title: 'Contracts', text: 'Hours purchased, used and where each bucket is heading, at a glance.' },
      { title: 'Delivery plans and check-ins', text: 'What was promised, what is due, and a check-in card when it is time.' },
    ],
  },
  manager: {
    intro: 'I tell you when something needs you before you have to ask, across the accounts of your TAMs.',
    highlights: [
      { title: 'Alerts', text: 'SLAs slipping, contracts burning too fast, missed check-ins: as they happen or in a daily digest.' },
      { title: 'Everything a TAM sees', text: 'Escalations, contracts and delivery plans of your team’s accounts.' },
    ],
  },
  customer: {
    intro: 'I am your support team’s assistant.',
    highlights: [
      { title: 'Escalations', text: 'Open one here, follow its status and SLA clock live, add notes.' },
      { title: 'Your contract and plan', text: 'See the hours you have used and what is planned for you.' },
    ],
  },
  admin: {
    intro: 'You run TAM Assistant for your organisation.',
    highlights: [
      { title: 'Directory', text: 'People, their roles, managers and accounts.' },
      { title: 'Channel links', text: 'Link a customer channel to its account with "link <account>".' },
    ],
  },
  guest: {
    intro: 'I am TAM Assistant, the support team’s assistant. I do not know you yet: ask your TAM or an admin to add you, then say "help".',
    highlights: [],
  },
};

export interface WelcomeCardModel {
  readonly name: string;
  readonly role: Role;
  readonly scope: ConversationScope;
}

export function welcomeCard(templates: CardTemplates, model: WelcomeCardModel): AdaptiveCardJson {
  const welcome = welcomes[model.role];
  return templates.render('welcome', {
    name: model.name,
    roleLabel: roleLabels[model.role],
    intro: welcome.intro,
    highlights: welcome.highlights,
    hint:
      model.scope === 'personal'
        ? 'Type "help" at any time, or use the buttons.'
        : 'In this channel, @mention me with a command, for example "@TAM Assistant help".',
  });
}

export interface HelpCardModel {
  readonly name: string;
  readonly role: Role;
  readonly scope: ConversationScope;
  readonly commands: readonly CommandSpec[];
}

export function helpCard(templates: CardTemplates, model: HelpCardModel): AdaptiveCardJson {
  return templates.render('help', {
    name: model.name,
    roleLabel: roleLabels[model.role],
    scopeLabel: scopeLabels[model.scope],
    commands: model.commands.map((c) => ({ id: c.id, usage: c.usage, description: c.description, title: c.title })),
    footer:
      model.scope === 'personal'
        ? 'Type a command or press its button.'
        : 'Press a button, or @mention me followed by the command.',
  });
}

export interface WhoamiCardModel {
  readonly name: string;
  readonly role: Role;
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly accounts: readonly string[];
  readonly scope: ConversationScope;
  /** Name of the account this channel is linked to, if any (channels only). */
  readonly channelAccount?: string;
}

export function whoamiCard(templates: CardTemplates, model: WhoamiCardModel): AdaptiveCardJson {
  const facts = [
    { label: 'Name', value: model.name },
    { label: 'Role', value: roleLabels[model.role] },
    // Everyone in a shared conversation would see the list: it is shown in personal chat only.
    ...(model.scope === 'personal' ? [{ label: 'Accounts', value: model.accounts.length > 0 ? model.accounts.join(', ') : 'None' }] : []),
    { label: 'Tenant', value: model.tenantId },
    { label: 'User id', value: model.aadObjectId },
  ];
  if (model.scope !== 'personal') {
    facts.push({ label: 'This channel', value: model.channelAccount ? `Linked to ${model.channelAccount}` : 'Not linked to an account' });
  }
  return templates.render('whoami', {
    facts,
    note:
      model.role === 'guest'
        ? 'You are not in the people directory. Ask your TAM or an admin to add you.'
        : 'Your role comes from the people directory, and for customers from the channel they speak in.',
  });
}

export type NoticeStyle = 'good' | 'attention' | 'warning' | 'emphasis';

export interface NoticeCardModel {
  readonly title: string;
  /** Shown as plain text: never rendered as markdown, so it may hold what a user typed. */
  readonly text: string;
  readonly style?: NoticeStyle;
  readonly reference?: string;
  readonly suggestions?: readonly { readonly title: string; readonly command: string; readonly argument?: string }[];
  /** Buttons that confirm an action (e.g. moving a channel), before the suggestions. */
  readonly confirms?: readonly { readonly title: string; readonly verb: string; readonly data: Readonly<Record<string, string>> }[];
}

export function noticeCard(templates: CardTemplates, model: NoticeCardModel): AdaptiveCardJson {
  return templates.render('notice', {
    title: model.title,
    text: model.text,
    style: model.style ?? 'emphasis',
    reference: model.reference ?? '',
    confirms: (model.confirms ?? []).map((c) => ({ title: c.title, verb: c.verb, data: { ...c.data } })),
    suggestions: (model.suggestions ?? []).map((s) => ({ title: s.title, data: { command: s.command, ...(s.argument ? { argument: s.argument } : {}) } })),
  });
}

export interface LinkChannelCardModel {
  readonly account: string;
  readonly accountError?: string;
  readonly choices: readonly string[];
}

export function linkChannelCard(templates: CardTemplates, model: LinkChannelCardModel): AdaptiveCardJson {
  return templates.render('link-channel', {
    account: model.account,
    accountError: model.accountError ?? '',
    choices: model.choices.join(', '),
  });
}
