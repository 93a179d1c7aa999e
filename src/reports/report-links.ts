import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReportLinks } from '../domain/ports';
import { reportClaimSchema, type ReportClaim, type ReportLinkCheck } from '../domain/report-link';

/** Where the review's PDF is served; the token travels in the query string (kept out of telemetry and logs). */
export const reviewPdfPath = '/reports/review.pdf';

const version = 'v1';
const base64url = (bytes: Buffer): string => bytes.toString('base64url');

/**
 * Report links signed with HMAC-SHA256 under REPORT_LINK_SECRET: `v1.<payload>.<signature>`, the
 * payload the claim (account, month, viewer role, expiry) as base64url JSON. The signature covers
 * the version and the payload exactly as sent, and is compared in constant time; only a genuine
 * payload is read, so an altered one is refused before anything in it is believed.
 */
export class HmacReportLinks implements ReportLinks {
  private readonly base: string;

  constructor(
    private readonly secret: string,
    publicBaseUrl: string,
  ) {
    this.base = publicBaseUrl.replace(/\/+$/, '');
  }

  reviewPdf(claim: ReportClaim): string {
    return `${this.base}${reviewPdfPath}?token=${this.sign(claim)}`;
  }

  sign(claim: ReportClaim): string {
    const payload = base64url(Buffer.from(JSON.stringify(reportClaimSchema.parse(claim)), 'utf8'));
    return `${version}.${payload}.${this.signature(payload)}`;
  }

  check(token: string, now: Date): ReportLinkCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== version || token.length > 2000) return { kind: 'forged' };
    const [, payload = '', signature = ''] = parts;
    const expected = Buffer.from(this.signature(payload), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: 'forged' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { kind: 'forged' };
    }
    const claim = reportClaimSchema.safeParse(decoded);
    if (!claim.success) return { kind: 'forged' };
    if (claim.data.expiresAt * 1000 <= now.getTime()) return { kind: 'expired' };
    return { kind: 'valid', claim: claim.data };
  }

  private signature(payload: string): string {
    return base64url(createHmac('sha256', this.secret).update(`${version}.${payload}`).digest());
  }
}
