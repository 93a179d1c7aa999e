import type { Caller } from '../domain/caller';
import { calendarDateOf } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { LedgerEntry } from '../domain/contract';
import { canLogHours } from '../domain/contract-access';
import { personKey } from '../domain/directory';
import { DomainError } from '../domain/errors';
import { fingerprintOf } from '../domain/fingerprint';
import { escalationIdPattern } from '../domain/escalation';
import { readLogHoursForm, validateLogHours, type LogHoursField, type ValidLogHours } from '../domain/log-hours-input';
import type { ContractRepository, EscalationRepository } from '../domain/ports';

export interface LogHoursDeps {
  readonly contracts: ContractRepository;
  readonly escalations: EscalationRepository;
  readonly clock: Clock;
}

export type LogHoursResult =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Partial<Record<LogHoursField, string>>> }
  | { readonly kind: 'logged' | 'duplicate'; readonly entry: LedgerEntry };

/** The same entry by the same person within this window is logged once (double click, retry). */
export const logRepeatWindowInMs = 10 * 60_000;

/**
 * Appends one manual ledger entry after checking who may log, the entry itself, and that a
 * referenced escalation exists on this account. Invalid input writes nothing.
 */
export async function logHours(
  deps: LogHoursDeps,
  caller: Caller,
  accountId: string,
  data: Readonly<Record<string, unknown>>,
  options: { readonly fromLedgerVersion?: number } = {},
): Promise<LogHoursResult> {
  if (!canLogHours(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can log hours.');
  const contract = await deps.contracts.getContract(accountId);
  if (!contract) throw new DomainError('not_found', 'This account has no contract to log hours against.');
  const now = deps.clock.now();
  const form = readLogHoursForm(data);
  const checked = validateLogHours(form, contract, calendarDateOf(now));
  // Every error at once: the reference is looked up even when other fields are wrong.
  const reference = form.reference.trim().toUpperCase();
  const unknownReference = escalationIdPattern.test(reference) && !(await deps.escalations.get(accountId, reference));
  const errors = { ...(checked.ok ? {} : checked.errors), ...(unknownReference ? { reference: `There is no escalation ${reference} on this account.` } : {}) };
  if (!checked.ok || Object.keys(errors).length > 0) return { kind: 'invalid', errors };
  const valid = checked.entry;

  const actor = { key: personKey(caller.identity), name: caller.displayName };
  // Keyed on the ledger the form was made from: a resend of that form logs nothing new, while the
  // same hours logged again from a fresh form are a new entry. Older forms fall back to a window.
  // A repeat is found by the batch itself: its entry's id is there already, and nothing is written.
  if (options.fromLedgerVersion !== undefined) {
    const entryId = `m-${fingerprintOf([accountId, contract.contractId, actor.key, valid, `v${options.fromLedgerVersion}`])}`;
    return appendEntry(deps, accountId, entryId, contract.contractId, valid, actor, now);
  }
  const window = Math.floor(now.getTime() / logRepeatWindowInMs);
  const idFor = (w: number): string => `m-${fingerprintOf([accountId, contract.contractId, actor.key, valid, w])}`;
  // The window before this one may hold a repeat from less than a window ago; this one's is the batch's to find.
  const earlier = await deps.contracts.getEntry(accountId, idFor(window - 1));
  if (earlier && now.getTime() - new Date(earlier.loggedAt).getTime() < logRepeatWindowInMs) return { kind: 'duplicate', entry: earlier };
  return appendEntry(deps, accountId, idFor(window), contract.contractId, valid, actor, now);
}

async function appendEntry(
  deps: LogHoursDeps,
  accountId: string,
  entryId: string,
  contractId: string,
  valid: ValidLogHours,
  actor: { key: string; name: string },
  now: Date,
): Promise<LogHoursResult> {
  const entry: LedgerEntry = {
    entryId,
    accountId,
    contractId,
    date: valid.date,
    bucket: valid.bucket,
    hours: valid.hours,
    source: valid.reference ? 'escalation' : 'manual',
    ...(valid.reference ? { reference: valid.reference } : {}),
    note: valid.note,
    loggedBy: actor,
    loggedAt: now.toISOString(),
  };
  // Counted in the contract's summary in the same batch; the alert rules look at the contract again.
  if (!(await deps.contracts.createEntry(entry))) {
    const existing = await deps.contracts.getEntry(accountId, entry.entryId);
    if (existing) return { kind: 'duplicate', entry: existing };
  }
  return { kind: 'logged', entry };
}

/**
 * Corrects an entry the only way an append-only ledger allows: a new entry with the opposite
 * hours, saying who and why. An entry is reversed at most once; a reversal is not reversed.
 */
export async function reverseLedgerEntry(
  deps: LogHoursDeps,
  caller: Caller,
  accountId: string,
  input: { entryId: string; reason: string },
): Promise<{ kind: 'reversed' | 'duplicate'; entry: LedgerEntry }> {
  if (!canLogHours(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can correct hours.');
  const reason = input.reason.trim();
  if (!reason) throw new DomainError('invalid_input', 'Say why the entry is corrected.', { reason: 'Say why the entry is corrected.' });
  if (reason.length > 500) throw new DomainError('invalid_input', 'The reason can be at most 500 characters.', { reason: 'The reason can be at most 500 characters.' });
  const original = await deps.contracts.getEntry(accountId, input.entryId);
  if (!original) throw new DomainError('invalid_input', 'Choose an entry of this contract.', { entryId: 'Choose an entry of this contract.' });
  if (original.source === 'reversal') throw new DomainError('invalid_input', 'A correction cannot itself be reversed; log a new entry instead.', { entryId: 'A correction cannot itself be reversed.' });
  const now = deps.clock.now();
  const reversal: LedgerEntry = {
    entryId: `r-${original.entryId}`,
    accountId,
    contractId: original.contractId,
    date: original.date,
    bucket: original.bucket,
    hours: -original.hours,
    source: 'reversal',
    reverses: original.entryId,
    reversedSource: original.source,
    ...(original.reference ? { reference: original.reference } : {}),
    reason,
    loggedBy: { key: personKey(caller.identity), name: caller.displayName },
    loggedAt: now.toISOString(),
  };
  if (await deps.contracts.createEntry(reversal)) return { kind: 'reversed', entry: reversal };
  const existing = await deps.contracts.getEntry(accountId, reversal.entryId);
  return { kind: 'duplicate', entry: existing ?? reversal };
}
