import type { Logger } from './logger';

/** What one turn's store calls have cost so far: operations and request units (RU). */
export class RequestMeter {
  operations = 0;
  requestCharge = 0;

  add(requestCharge: number | undefined): void {
    this.operations += 1;
    if (typeof requestCharge === 'number' && Number.isFinite(requestCharge)) this.requestCharge += requestCharge;
  }
}

/**
 * Who store calls are made for. A turn's calls carry the turn's budget (`signal`: every call is
 * abandoned when it fires, however many times the store client would retry) and its meter; the
 * dispatcher, the sweep and work started in the background carry neither.
 */
export interface StoreScope {
  readonly signal?: AbortSignal;
  readonly meter?: RequestMeter;
  /**
   * The point reads of an account's records this turn has made, reused while nothing was written:
   * a record the turn has read (or written) is not read again. Any write, or a condition that
   * failed, forgets them, so a conditional write never goes on a stale read twice.
   */
  readonly reads?: Map<string, unknown>;
  readonly logger?: Logger;
}

/** How long one turn's store calls may take in all, leaving time to answer within Teams' limits. */
export const turnStoreBudgetInMs = 5_000;
