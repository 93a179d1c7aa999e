import type { Escalation, EscalationStatus, Severity } from '../domain/escalation';
import { products } from '../domain/escalation';
import { statusLabel, type EscalationActionName } from '../domain/escalation-lifecycle';
import { escalationVerbs } from '../domain/verbs';
import { breachRisk, slaClocks, type SlaClock } from '../domain/escalation-sla';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';
import { formatAt } from './time-text';
import { entitlementGapText, type Entitlement } from '../domain/entitlement';
import { formatHours } from '../domain/contract-forecast';

export { escalationVerbs };

/** Whose view of the card: what is shown and which actions are offered. */
export type EscalationView = 'customer' | 'provider' | 'manager' | 'readonly';

/** A form opened on the card; `view` is the plain card. */
export const escalationModes = ['view', 'note', 'update', 'severity', 'resolve', 'reopen', 'assign'] as const;
export type EscalationMode = (typeof escalationModes)[number];

export interface EscalationForm {
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
}

export interface EscalationCardModel {
  readonly escalation: Escalation;
  readonly accountName: string;
  readonly now: Date;
  readonly view: EscalationView;
  /** What the reader may do now (domain: availableEscalationActions). */
  readonly actions: ReadonlySet<EscalationActionName>;
  readonly mode?: EscalationMode;
  readonly form?: EscalationForm;
  readonly banner?: { readonly text: string; readonly style: 'attention' | 'warning' | 'good' | 'accent' };
  /** Teams user ids whose clients refresh the card into their own view (at most 60). */
  readonly refreshUserIds?: readonly string[];
  /** Whom it may be handed to (the account's TAMs), for the assign form. */
  readonly assignees?: readonly { readonly key: string; readonly name: string }[];
  /** The zone the reader's times are shown in, named beside each (default UTC). */
  readonly timeZone?: string;
}

const severityStyles: Record<Severity, string> = { A: 'attention', B: 'warning', C: 'accent' };
const statusColors: Record<EscalationStatus, string> = {
  new: 'Attention',
  acknowledged: 'Accent',
  investigating: 'Accent',
  mitigated: 'Warning',
  resolved: 'Good',
  closed: 'Default',
  reopened: 'Attention',
};
/** A deadline still running is never green: only a met one is. Overdue and missed are red, at risk amber. */
const clockColors: Record<SlaClock['state'], string> = { running: 'Default', 'at-risk': 'Warning', overdue: 'Attention', met: 'Good', missed: 'Attention' };

export const timelineShown = 5;
const descriptionShown = 1500;

interface ActionModel {
  title: string;
  verb: string;
  data: Record<string, string>;
  style: 'default' | 'positive' | 'destructive';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function escalationCard(templates: CardTemplates, model: EscalationCardModel): AdaptiveCardJson {
  const e = model.escalation;
  const key = { escalationId: e.escalationId, accountId: e.accountId };
  // Actions carry the version they were offered on: a repeat of the same press changes nothing.
  const versioned = { ...key, version: String(e.version) };
  const action = (title: string, verb: string, style: ActionModel['style'] = 'default', extra: Record<string, string> = {}): ActionModel => ({
    title,
    verb,
    data: { ...versioned, ...extra },
    style,
  });
  const open = (mode: EscalationMode, title: string, style: ActionModel['style'] = 'default'): ActionModel =>
    action(title, escalationVerbs.refresh, style, { mode });
  const mode = model.mode ?? 'view';
  const may = model.actions;
  const provider = model.view === 'provider' || model.view === 'manager';

  const actions: ActionModel[] = [];
  if (mode === 'view') {
    if (may.has('acknowledge')) actions.push(action('Acknowledge', escalationVerbs.acknowledge, 'positive'));
    if (may.has('update')) actions.push(open('update', 'Update'));
    else if (may.has('note')) actions.push(open('note', 'Add note'));
    if (may.has('changeSeverity')) actions.push(open('severity', 'Change severity'));
    if (may.has('resolve')) actions.push(open('resolve', 'Resolve'));
    if (may.has('close')) actions.push(action('Close', escalationVerbs.close));
    if (may.has('reopen')) actions.push(open('reopen', 'Reopen'));
    actions.push(action('Refresh', escalationVerbs.refresh, 'default', { mode: 'view' }));
  }

  const zone = model.timeZone ?? 'UTC';
  const clocks = slaClocks(e, model.now, { timeZone: zone });
  const risk = breachRisk(e, model.now, { timeZone: zone });
  const facts = [
    { label: 'Opened by', value: `${e.openedBy.name}, ${formatAt(e.openedAt, zone)}` },
    { label: 'Owner', value: ownerText(e) },
    { label: 'Product', value: e.product },
    ...(e.supportCaseId ? [{ label: 'Support case', value: e.supportCaseId }] : []),
    ...(provider && e.contactPhone ? [{ label: 'Phone (24x7)', value: e.contactPhone }] : []),
    ...(e.sourceMessage?.author ? [{ label: 'From a message by', value: e.sourceMessage.author }] : []),
  ];
  const recent = e.timeline.slice(-timelineShown).reverse();
  const ownerActions = mode === 'view' && may.has('assign') ? [action('Assign', escalationVerbs.refresh, 'default', { mode: 'assign' })] : [];

  return templates.render('escalation', {
    refresh: {
      action: { type: 'Action.Execute', title: 'Refresh', verb: escalationVerbs.refresh, data: { ...key, mode: 'view' } },
      userIds: (model.refreshUserIds ?? []).slice(0, 60),
    },
    banner: { show: !!model.banner, text: model.banner?.text ?? '', style: model.banner?.style ?? 'default' },
    severity: e.severity,
    severityStyle: severityStyles[e.severity],
    escalationId: e.escalationId,
    accountName: model.accountName,
    statusLabel: statusLabel(e.status),
    statusColor: statusColors[e.status],
    title: e.title,
    clocks: [clocks.response, ...(clocks.update ? [clocks.update] : [])].map((c) => ({ text: c.text, color: clockColors[c.state], detail: c.detail })),
    risk: {
      show: model.view === 'manager' && risk.state !== 'ok',
      text: risk.text,
      color: risk.state === 'breached' ? 'Attention' : 'Warning',
    },
    coverage: coverageLine(e, provider),
    facts,
    ownerActions,
    description: truncate(e.description, descriptionShown),
    showImpact: !!e.businessImpact,
    businessImpact: e.businessImpact ?? '',
    showResolution: !!e.resolution && (e.status === 'resolved' || e.status === 'closed'),
    resolution: e.resolution ?? '',
    // Why a TAM handed it over is the team's business: customers see that it was, not why.
    timeline: recent.map((t) => ({ when: formatAt(t.at, zone), summary: t.summary, text: model.view === 'customer' && t.kind === 'assigned' ? '' : (t.text ?? '') })),
    olderEntries: Math.max(0, (e.timelineMoved ?? 0) + e.timeline.length - timelineShown),
    form: formModel(mode, model, versioned),
    actions,
  });
}

/**
 * An escalation opened without cover: TAMs and managers see why, to confirm coverage; the
 * customer is told that their TAM will (the contract's state is not theirs to read here).
 */
function coverageLine(e: Escalation, provider: boolean): { show: boolean; text: string; color: string; weight: string } {
  if (!e.outsideEntitlement) return { show: false, text: '', color: 'Default', weight: 'Default' };
  return provider
    ? { show: true, text: `Outside entitlement: ${entitlementGapText[e.outsideEntitlement.gap]}. Confirm coverage with the customer.`, color: 'Warning', weight: 'Bolder' }
    : { show: true, text: 'Your TAM will confirm coverage.', color: 'Default', weight: 'Default' };
}

/** "Alex Wilber · not yet acknowledged": somebody is responsible from the first minute. */
function ownerText(e: Escalation): string {
  if (!e.owner) return 'Not yet assigned';
  return e.status === 'new' || e.status === 'reopened' ? `${e.owner.name} · not yet acknowledged` : e.owner.name;
}

function formModel(mode: EscalationMode, model: EscalationCardModel, key: Record<string, string>): Record<string, unknown> {
  const values = model.form?.values ?? {};
  const errors = model.form?.errors ?? {};
  const base = {
    show: mode !== 'view',
    showStatus: false,
    showSeverity: false,
    status: values.status || 'keep',
    severity: values.severity ?? model.escalation.severity,
    statusError: errors.status ?? '',
    severityError: errors.severity ?? '',
    showAssignee: false,
    assignee: values.assignee ?? '',
    assigneeChoices: (model.assignees ?? []).filter((a) => a.key !== model.escalation.owner?.key).map((a) => ({ title: a.name, value: a.key })),
    assigneeError: errors.assignee ?? '',
  };
  const cancel = { title: 'Cancel', verb: escalationVerbs.refresh, data: { ...key, mode: 'view' }, style: 'default' };
  const submit = (title: string, verb: string) => ({ title, verb, data: key, style: 'positive' });
  const text = (id: string, label: string, placeholder: string) => ({
    textId: id,
    textLabel: label,
    placeholder,
    text: values[id] ?? '',
    textError: errors[id] ?? '',
  });
  switch (mode) {
    case 'view':
      return { ...base, title: '', ...text('note', 'Note', ''), actions: [] };
    case 'note':
      return { ...base, title: 'Add a note', ...text('note', 'Note', 'What the team should know'), actions: [submit('Add note', escalationVerbs.update), cancel] };
    case 'update':
      return {
        ...base,
        title: 'Post an update',
        showStatus: true,
        ...text('note', 'Update for the customer', 'What was done, what is next'),
        actions: [submit('Post update', escalationVerbs.update), cancel],
      };
    case 'severity':
      return {
        ...base,
        title: 'Change severity',
        showSeverity: true,
        ...text('reason', 'Reason', 'Why the severity changes'),
        actions: [submit('Change severity', escalationVerbs.changeSeverity), cancel],
      };
    case 'resolve':
      return { ...base, title: 'Resolve', ...text('resolution', 'Resolution', 'What fixed it'), actions: [submit('Resolve', escalationVerbs.resolve), cancel] };
    case 'reopen':
      return { ...base, title: 'Reopen', ...text('reason', 'Reason', 'Why it is not fixed'), actions: [submit('Reopen', escalationVerbs.reopen), cancel] };
    case 'assign':
      if (base.assigneeChoices.length === 0) {
        return { ...base, title: 'No other TAM works on this account to hand it to.', ...text('reason', 'Reason', ''), textId: '', actions: [cancel] };
      }
      return { ...base, title: 'Hand it over', showAssignee: true, ...text('reason', 'Reason', 'Why they take it on'), actions: [submit('Assign', escalationVerbs.assign), cancel] };
  }
}

export interface IntakeCardModel {
  /** Shown when the account is implied (a linked channel). */
  readonly accountName?: string;
  /** Offered when the person chooses the account (personal chat). */
  readonly accountChoices?: readonly { readonly title: string; readonly value: string }[];
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
  /** In a message-extension dialog, which needs Action.Submit. */
  readonly dialog?: boolean;
  readonly sourceLink?: string;
  /** Carried through the submit unchanged (e.g. the source message's link). */
  readonly submitData?: Readonly<Record<string, string>>;
  /** The account's Reactive cover, when the account is known: hours left, or why there is none. */
  readonly entitlement?: Entitlement;
}

const intakeFields = ['title', 'description', 'severity', 'product', 'businessImpact', 'supportCaseId', 'contactPhone', 'accountId'] as const;

export function escalationIntakeCard(templates: CardTemplates, model: IntakeCardModel): AdaptiveCardJson {
  const values = model.values ?? {};
  const errors = model.errors ?? {};
  const choices = model.accountChoices ?? [];
  return templates.render('escalation-intake', {
    accountName: model.accountName ?? '',
    chooseAccount: choices.length > 0,
    accountChoices: choices,
    productChoices: [...products],
    formError: model.formError ?? '',
    errors: Object.fromEntries(intakeFields.map((f) => [f, errors[f] ?? ''])),
    ...Object.fromEntries(intakeFields.map((f) => [f, values[f] ?? (f === 'severity' ? 'B' : '')])),
    ...intakeEntitlement(model.entitlement),
    dialog: !!model.dialog,
    sourceLink: model.sourceLink ?? '',
    submitData: { ...(model.submitData ?? {}) },
  });
}

/** "Reactive hours left: 12.5 h", or that the escalation is opened anyway and the TAM confirms coverage. */
function intakeEntitlement(entitlement: Entitlement | undefined): { entitlementText: string; entitlementColor: string } {
  if (!entitlement) return { entitlementText: '', entitlementColor: 'Default' };
  if (entitlement.covered) return { entitlementText: `Reactive hours left: ${formatHours(entitlement.reactiveHoursLeft)}`, entitlementColor: 'Default' };
  return {
    entitlementText: `Reactive hours left: ${entitlement.reactiveHoursLeft !== undefined ? formatHours(entitlement.reactiveHoursLeft) : 'none'} (${entitlementGapText[entitlement.gap]}). You can still open an escalation; your TAM will confirm coverage.`,
    entitlementColor: 'Warning',
  };
}

export interface EscalationListModel {
  readonly scope: string;
  readonly now: Date;
  readonly items: readonly { readonly escalation: Escalation; readonly accountName: string }[];
  /** Listed beyond what the card shows. */
  readonly hidden: number;
  readonly canOpen: boolean;
  /** The zone the reader's times are shown in (default UTC). */
  readonly timeZone?: string;
}

export function escalationListCard(templates: CardTemplates, model: EscalationListModel): AdaptiveCardJson {
  return templates.render('escalation-list', {
    scope: model.scope,
    count: model.items.length,
    hidden: model.hidden,
    canOpen: model.canOpen,
    items: model.items.map(({ escalation: e, accountName }) => {
      const clocks = slaClocks(e, model.now, { timeZone: model.timeZone ?? 'UTC' });
      const running = clocks.update ?? clocks.response;
      return {
        severity: e.severity,
        severityStyle: severityStyles[e.severity],
        escalationId: e.escalationId,
        title: truncate(e.title, 80),
        accountName,
        statusLabel: statusLabel(e.status),
        owner: e.owner?.name ?? 'nobody yet',
        clock: running.text,
        clockColor: clockColors[running.state],
        open: { escalationId: e.escalationId, accountId: e.accountId },
      };
    }),
  });
}
