import { z } from 'zod';
import type { Role } from './directory';
import { reviewMonthSchema } from './review-month';

/** How long a signed report link may be used. */
export const reportLinkLifetimeInMs = 24 * 60 * 60_000;

/** The roles a report link is made for; the role decides the view (TAMs and managers: theirs, with the margin). */
export const reportRoles = ['customer', 'tam', 'manager', 'admin'] as const;
export type ReportRole = (typeof reportRoles)[number];

/** What a signed link grants: one account's review of one month, in one role's view, until it expires. */
export const reportClaimSchema = z.object({
  accountId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
  month: reviewMonthSchema,
  role: z.enum(reportRoles),
  /** Epoch seconds. */
  expiresAt: z.number().int().positive(),
});
export type ReportClaim = z.infer<typeof reportClaimSchema>;

/** The role a link is made for, from the caller's; undefined for someone who gets no review. */
export function reportRoleOf(role: Role): ReportRole | undefined {
  return role === 'guest' ? undefined : role;
}

/** TAMs and managers get the provider's view of a review; everyone else the customer's. */
export function seesProviderView(role: ReportRole): boolean {
  return role === 'tam' || role === 'manager';
}

/** A link checked: what it grants, or why not (an altered or made-up one is forged; a genuine old one expired). */
export type ReportLinkCheck = { readonly kind: 'valid'; readonly claim: ReportClaim } | { readonly kind: 'forged' } | { readonly kind: 'expired' };
