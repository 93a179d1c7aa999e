import { z } from 'zod';

/** Roles kept in the people directory. Customers not listed there get their role from a channel link. */
export const directoryRoles = ['admin', 'manager', 'tam', 'customer'] as const;
export const directoryRoleSchema = z.enum(directoryRoles);
export type DirectoryRole = z.infer<typeof directoryRoleSchema>;

/** Every role a caller can have; `guest` is someone the directory does not know. */
export type Role = DirectoryRole | 'guest';

/** Entra ids are treated as opaque strings: the Agents Playground's ids are not well-formed GUIDs. */
export const entraIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'expected an Entra object or tenant id');

export const accountIdSchema = z
  .string()
  .trim()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export interface UserIdentity {
  readonly tenantId: string;
  readonly aadObjectId: string;
}

/** `tenantId:aadObjectId`, the one key by which a person is referred to elsewhere. */
export function personKey(identity: UserIdentity): string {
  return `${identity.tenantId}:${identity.aadObjectId}`;
}

export const personSchema = z.object({
  tenantId: entraIdSchema,
  aadObjectId: entraIdSchema,
  displayName: z.string().trim().min(1).max(120),
  email: z.string().trim().max(200).optional(),
  role: directoryRoleSchema,
  /** personKey of this person's manager (TAMs). */
  managerKey: z.string().max(210).optional(),
  /** Accounts this person works on (TAM) or belongs to (customer contact). */
  accountIds: z.array(accountIdSchema).max(500),
  timeZone: z.string().max(64).optional(),
});
export type Person = z.infer<typeof personSchema>;

export const accountSchema = z.object({
  accountId: accountIdSchema,
  name: z.string().trim().min(1).max(120),
  /** Short upper-case code used in readable ids such as ESC-CONTOSO-0042. */
  code: z
    .string()
    .trim()
    .min(2)
    .max(16)
    .regex(/^[A-Z0-9]+$/, 'upper-case letters and digits'),
  /** Tenants whose members may act as this account's customers in its linked channel. */
  customerTenantIds: z.array(entraIdSchema).max(20),
  /** personKey of the TAM who owns the account's new escalations; absent: its first TAM. */
  primaryTamKey: z.string().max(210).optional(),
  /** The account's IANA time zone: shared views show times in it, default support hours run in it (absent: UTC). */
  timeZone: z.string().max(64).optional(),
});
export type Account = z.infer<typeof accountSchema>;

/** A Teams channel (or group chat) that speaks for one account. */
export const channelLinkSchema = z.object({
  /** The channel's conversation id without the `;messageid=` suffix of a thread. */
  channelId: z.string().min(1).max(400),
  accountId: accountIdSchema,
  teamId: z.string().max(400).optional(),
  channelName: z.string().max(200).optional(),
  tenantId: entraIdSchema,
  linkedBy: z.string().max(210),
  linkedAt: z.string(),
});
export type ChannelLink = z.infer<typeof channelLinkSchema>;
