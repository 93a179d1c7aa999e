import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import type { ReportLinks } from '../domain/ports';
import { seesProviderView } from '../domain/report-link';
import { reviewForClaim, type ReviewDeps } from '../services/service-review';
import type { ReviewPdfRenderer } from './review-pdf';

/** An answer of GET /reports/...: a PDF, or a short text that says why not and holds no data. */
export interface ReportResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
  readonly filename?: string;
}

export interface ReviewReportDeps {
  readonly links: ReportLinks;
  readonly reviews: ReviewDeps;
  readonly renderer: ReviewPdfRenderer;
  readonly clock: Clock;
  readonly logger: Logger;
}

const text = (status: number, body: string): ReportResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });

/**
 * Serves a signed link to a review's PDF: a forged or altered token gets 403 and an expired one
 * 410, both before anything is read; a genuine one the PDF of that account's month in the view of
 * the role it was made for. The token is never logged.
 */
export function reviewReport(deps: ReviewReportDeps): (token: string | undefined) => Promise<ReportResponse> {
  return async (token) => {
    const check = token ? deps.links.check(token, deps.clock.now()) : { kind: 'forged' as const };
    if (check.kind === 'forged') {
      deps.logger.warn('report.refused', { status: 403, reason: 'no valid signature' });
      return text(403, 'This link is not valid. Ask for the review again in Teams for a new one.');
    }
    if (check.kind === 'expired') {
      deps.logger.info('report.refused', { status: 410, reason: 'expired' });
      return text(410, 'This link has expired: links to a review work for 24 hours. Ask for the review again in Teams for a new one.');
    }
    const { claim } = check;
    try {
      const review = await reviewForClaim(deps.reviews, claim);
      const pdf = await deps.renderer.render(review, { providerView: seesProviderView(claim.role) });
      deps.logger.info('report.served', { accountId: claim.accountId, month: claim.month, role: claim.role, bytes: pdf.length });
      return { status: 200, contentType: 'application/pdf', body: pdf, filename: `service-review-${claim.accountId}-${claim.month}.pdf` };
    } catch (error) {
      deps.logger.error('report.failed', { accountId: claim.accountId, month: claim.month, error });
      return text(503, 'The review could not be made just now. Please try again in a moment.');
    }
  };
}
