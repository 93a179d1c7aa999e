import { formatCalendarDate, type CalendarDate } from '../domain/calendar-date';
import type { Contract, LedgerEntry } from '../domain/contract';
import { formatHours, type BucketStatus, type ContractStatus, type Verdict } from '../domain/contract-forecast';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';
import { contractVerbs } from '../domain/verbs';
import { describeWindow, supportHoursFormOf, type SupportHours } from '../domain/support-hours';

export { contractVerbs };

const verdicts: Record<Verdict, { label: string; color: string; bar: string }> = {
  'on-pace': { label: 'On pace', color: 'Good', bar: 'good' },
  'over-consuming': { label: 'Over-consuming', color: 'Attention', bar: 'attention' },
  'under-using': { label: 'Under-using', color: 'Warning', bar: 'warning' },
  'not-started': { label: 'Not started', color: 'Default', bar: 'accent' },
  ended: { label: 'Ended', color: 'Default', bar: 'accent' },
  'no-hours': { label: 'No hours', color: 'Default', bar: 'accent' },
};

export interface ContractCardModel {
  readonly accountName: string;
  readonly contract: Contract;
  readonly status: ContractStatus;
  readonly entries: readonly LedgerEntry[];
  readonly showCommercial: boolean;
  readonly canLog: boolean;
  readonly banner?: { readonly text: string; readonly style: 'good' | 'attention' | 'warning' | 'accent' };
  /** The correction form, open with these values and errors. */
  readonly correction?: { readonly values?: Readonly<Record<string, string>>; readonly errors?: Readonly<Record<string, string>> };
  /** Teams user ids whose clients refresh the card into their own view (a shared post). */
  readonly refreshUserIds?: readonly string[];
  /** When the SLA clocks run; `supportHoursDefault` when the contract sets none. */
  readonly supportHours?: SupportHours;
  readonly supportHoursDefault?: boolean;
  /** The reader may change the support hours (offers the form). */
  readonly canSetSupportHours?: boolean;
  /** Today, for the next holiday. */
  readonly today?: CalendarDate;
}

export const entriesShown = 5;

/** "Severity A around the clock; B and C in business hours". */
function clocksLine(hours: SupportHours): string {
  const groups = (['24x7', 'business'] as const)
    .map((kind) => ({ kind, severities: (['A', 'B', 'C'] as const).filter((s) => hours.clocks[s] === kind) }))
    .filter((g) => g.severities.length > 0);
  const names = (severities: readonly string[]): string => (severities.length === 1 ? severities[0] ?? '' : `${severities.slice(0, -1).join(', ')} and ${severities[severities.length - 1] ?? ''}`);
  return groups.map((g, i) => `${i === 0 ? (g.severities.length === 1 ? 'Severity ' : 'Severities ') : ''}${names(g.severities)} ${g.kind === '24x7' ? 'around the clock' : 'in business hours'}`).join('; ');
}

/** What the contract card says about the support hours, for everyone who may see the contract. */
function supportHoursModel(model: ContractCardModel): Record<string, unknown> {
  const hours = model.supportHours;
  if (!hours) return { show: false, window: '', clocks: '', holidays: '' };
  const upcoming = model.today ? hours.holidays.filter((d) => d >= (model.today ?? '')) : hours.holidays;
  const holidays =
    hours.holidays.length === 0
      ? 'No holidays.'
      : `${hours.holidays.length} holiday${hours.holidays.length === 1 ? '' : 's'}${upcoming[0] ? `; next ${formatCalendarDate(upcoming[0])}` : ''}.`;
  return { show: true, window: `${describeWindow(hours)}${model.supportHoursDefault ? ' (the default)' : ''}`, clocks: `${clocksLine(hours)}.`, holidays };
}

const clampWidth = (percent: number): number => Math.max(0, Math.min(100, Math.round(percent)));

function term(contract: Contract): string {
  return `${formatCalendarDate(contract.startDate)} – ${formatCalendarDate(contract.endDate)}`;
}

function bucketModel(b: BucketStatus, endDate: CalendarDate): Record<string, unknown> {
  const v = verdicts[b.verdict];
  const used = b.percentUsed === null ? 0 : clampWidth(b.percentUsed);
  const remaining = b.remainingHours >= 0 ? `${formatHours(b.remainingHours)} left` : `${formatHours(-b.remainingHours)} over`;
  const forecast = b.exhaustedOn
    ? `Used up on ${formatCalendarDate(b.exhaustedOn)}.`
    : b.projectedExhaustion
      ? `At this pace it runs out on ${formatCalendarDate(b.projectedExhaustion)}${b.projectedExhaustion < endDate ? '' : ', after the end date'}.`
      : b.usedHours > 0
        ? 'No recent use: it lasts past the end date.'
        : 'Nothing used yet.';
  return {
    name: b.name,
    verdictLabel: v.label,
    verdictColor: v.color,
    barStyle: v.bar,
    usedWidth: used,
    leftWidth: 100 - used,
    headline: `${formatHours(b.usedHours)} of ${formatHours(b.purchasedHours)} used · ${remaining}`,
    pace: b.percentUsed === null ? 'No hours purchased.' : `${Math.round(b.percentUsed)}% used`,
    burn: `Last 30 days ${formatHours(b.last30DaysHours)} (${formatHours(b.burnPerDay30)}/day) · last 90 days ${formatHours(b.last90DaysHours)} (${formatHours(b.burnPerDay90)}/day)`,
    forecast,
    reason: b.reason,
  };
}

function entryLine(entry: LedgerEntry): Record<string, string> {
  const hours = entry.hours > 0 ? `+${formatHours(entry.hours)}` : `−${formatHours(-entry.hours)}`;
  const text =
    entry.source === 'reversal'
      ? `Correction: ${entry.reason ?? ''}`
      : [entry.note ?? '', entry.reference ? `(${entry.reference})` : ''].filter(Boolean).join(' ');
  return { date: formatCalendarDate(entry.date), bucket: entry.bucket, hours, who: entry.loggedBy.name, text };
}

export function contractCard(templates: CardTemplates, model: ContractCardModel): AdaptiveCardJson {
  const { contract, status } = model;
  const key = { accountId: contract.accountId };
  const renewal =
    status.phase === 'ended'
      ? { text: `Ended ${formatCalendarDate(contract.endDate)}`, color: 'Attention' }
      : { text: `Renewal in ${status.daysToRenewal} days`, color: status.daysToRenewal <= 30 ? 'Attention' : status.daysToRenewal <= 90 ? 'Warning' : 'Default' };
  const commercialLines = contract.commercial
    ? [
        { label: 'Contract value', value: `${contract.commercial.value.toLocaleString('en-GB')} ${contract.commercial.currency}` },
        ...(contract.commercial.costRatePerHour !== undefined
          ? [
              { label: 'Cost rate', value: `${contract.commercial.costRatePerHour} ${contract.commercial.currency}/h` },
              { label: 'Value of hours used', value: `${Math.round(status.totalUsedHours * contract.commercial.costRatePerHour).toLocaleString('en-GB')} ${contract.commercial.currency}` },
            ]
          : []),
      ]
    : [];
  // Most recently logged first: what a person just did is what they look for.
  const byLogging = [...model.entries].sort((a, b) => a.loggedAt.localeCompare(b.loggedAt));
  const reversed = new Set(model.entries.filter((e) => e.reverses).map((e) => e.reverses));
  const correctable = byLogging.filter((e) => e.source !== 'reversal' && !reversed.has(e.entryId)).slice(-20).reverse();
  const correcting = !!model.correction && model.canLog;
  const actions = correcting
    ? []
    : [
        ...(model.canLog
          ? [
              { title: 'Log hours', verb: contractVerbs.refresh, data: { ...key, mode: 'log' }, style: 'positive' },
              ...(correctable.length > 0 ? [{ title: 'Correct an entry', verb: contractVerbs.refresh, data: { ...key, mode: 'correct' }, style: 'default' }] : []),
            ]
          : []),
        ...(model.canSetSupportHours ? [{ title: 'Support hours', verb: contractVerbs.refresh, data: { ...key, mode: 'hours' }, style: 'default' }] : []),
        { title: 'Refresh', verb: contractVerbs.refresh, data: { ...key, mode: 'view' }, style: 'default' },
      ];
  return templates.render('contract', {
    refresh: {
      action: { type: 'Action.Execute', title: 'Refresh', verb: contractVerbs.refresh, data: { ...key, mode: 'view' } },
      userIds: (model.refreshUserIds ?? []).slice(0, 60),
    },
    banner: { show: !!model.banner, text: model.banner?.text ?? '', style: model.banner?.style ?? 'default' },
    accountName: model.accountName,
    contractType: contract.contractType,
    term: term(contract),
    elapsedText:
      status.phase === 'not-started'
        ? `Starts ${formatCalendarDate(contract.startDate)}`
        : `Term ${Math.round(status.termElapsedPercent)}% elapsed (day ${status.elapsedDays} of ${status.termDays})`,
    elapsedWidth: clampWidth(status.termElapsedPercent),
    renewalText: renewal.text,
    renewalColor: renewal.color,
    buckets: status.buckets.map((b) => bucketModel(b, contract.endDate)),
    commercial: { show: model.showCommercial && commercialLines.length > 0, lines: commercialLines },
    entries: byLogging.slice(-entriesShown).reverse().map(entryLine),
    supportHours: supportHoursModel(model),
    form: {
      show: correcting,
      entryId: model.correction?.values?.entryId ?? correctable[0]?.entryId ?? '',
      reason: model.correction?.values?.reason ?? '',
      entryIdError: model.correction?.errors?.entryId ?? '',
      reasonError: model.correction?.errors?.reason ?? '',
      choices: correctable.map((e) => ({ title: `${formatCalendarDate(e.date)} · ${e.bucket} · ${formatHours(e.hours)} · ${e.loggedBy.name}`, value: e.entryId })),
      key,
      cancel: { ...key, mode: 'view' },
    },
    actions,
  });
}

export interface LogHoursCardModel {
  readonly accountName: string;
  readonly contract: Contract;
  readonly status: ContractStatus;
  readonly today: CalendarDate;
  /** The ledger version the form is made from, sent back with it. */
  readonly ledgerVersion?: number;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
}

const logFields = ['bucket', 'hours', 'date', 'note', 'reference'] as const;

export function logHoursCard(templates: CardTemplates, model: LogHoursCardModel): AdaptiveCardJson {
  const values = model.values ?? {};
  const errors = model.errors ?? {};
  const maxDate = model.today < model.contract.endDate ? model.today : model.contract.endDate;
  return templates.render('log-hours', {
    accountName: model.accountName,
    contractType: model.contract.contractType,
    term: term(model.contract),
    formError: model.formError ?? '',
    bucketChoices: model.status.buckets.map((b) => ({
      title: `${b.name} (${b.remainingHours >= 0 ? `${formatHours(b.remainingHours)} left` : `${formatHours(-b.remainingHours)} over`})`,
      value: b.name,
    })),
    bucket: values.bucket ?? model.contract.buckets[0]?.name ?? '',
    hours: values.hours ?? '',
    date: values.date ?? maxDate,
    minDate: model.contract.startDate,
    maxDate,
    note: values.note ?? '',
    reference: values.reference ?? '',
    errors: Object.fromEntries(logFields.map((f) => [f, errors[f] ?? ''])),
    key: { accountId: model.contract.accountId, ...(model.ledgerVersion !== undefined ? { ledgerVersion: String(model.ledgerVersion) } : {}) },
    cancel: { accountId: model.contract.accountId, mode: 'view' },
  });
}

export interface SupportHoursCardModel {
  readonly accountName: string;
  readonly contract: Contract;
  /** The hours in force, which the form starts from. */
  readonly hours: SupportHours;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
}

const supportHoursInputs = ['timeZone', 'days', 'opensAt', 'closesAt', 'holidays', 'clockA', 'clockB', 'clockC'] as const;

/** The support-hours form: the hours in force, or what the person typed with each error beside its field. */
export function supportHoursCard(templates: CardTemplates, model: SupportHoursCardModel): AdaptiveCardJson {
  const current = supportHoursFormOf(model.hours);
  const values = model.values ?? {};
  const errors = model.errors ?? {};
  return templates.render('support-hours', {
    accountName: model.accountName,
    contractType: model.contract.contractType,
    formError: model.formError ?? '',
    ...Object.fromEntries(supportHoursInputs.map((f) => [f, values[f] ?? current[f]])),
    errors: Object.fromEntries(supportHoursInputs.map((f) => [f, errors[f] ?? ''])),
    key: { accountId: model.contract.accountId },
    cancel: { accountId: model.contract.accountId, mode: 'view' },
  });
}
