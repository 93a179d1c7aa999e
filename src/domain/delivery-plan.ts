import { z } from 'zod';
import { calendarDateSchema } from './calendar-date';

export const serviceTypes = ['Assessment', 'Workshop', 'Health check', 'Proactive remediation', 'Training', 'Onboarding', 'Advisory'] as const;
export const itemStatuses = ['planned', 'scheduled', 'in-delivery', 'delivered', 'cancelled'] as const;
export const healthValues = ['green', 'amber', 'red'] as const;
export const cadences = ['weekly', 'fortnightly', 'monthly'] as const;

export type ServiceType = (typeof serviceTypes)[number];
export type ItemStatus = (typeof itemStatuses)[number];
export type Health = (typeof healthValues)[number];
export type Cadence = (typeof cadences)[number];

export const planItemSchema = z.object({
  itemId: z.string(),
  type: z.enum(serviceTypes),
  title: z.string(),
  plannedHours: z.number(),
  dueDate: calendarDateSchema,
  owner: z.object({ key: z.string(), name: z.string() }),
  status: z.enum(itemStatuses),
  health: z.enum(healthValues),
  /** The last check-in note, internal to the provider. */
  note: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When it became delivered or cancelled (recorded from the service review on; older items have none). */
  deliveredAt: z.string().optional(),
  cancelledAt: z.string().optional(),
});
export type PlanItem = z.infer<typeof planItemSchema>;

/** The Service Delivery Plan of an account's contract, with its check-in schedule. */
export const deliveryPlanSchema = z.object({
  accountId: z.string(),
  contractId: z.string(),
  cadence: z.enum(cadences),
  /** The check-in owed next; each check-in moves it one cadence on. */
  nextCheckInDue: calendarDateSchema,
  lastCheckIn: z.object({ dueDate: calendarDateSchema, at: z.string(), by: z.string() }).optional(),
  items: z.array(planItemSchema).max(200),
  /** Numbers items ids (PI-1, PI-2 ...). */
  nextItemNumber: z.number().int().positive(),
  updatedAt: z.string(),
  /** The alert rules have seen the plan up to here. */
  alertCursor: z.string().optional(),
});
export type DeliveryPlan = z.infer<typeof deliveryPlanSchema>;

/** One recorded check-in: what the TAM reported per item. */
export const checkInSchema = z.object({
  accountId: z.string(),
  dueDate: calendarDateSchema,
  submittedAt: z.string(),
  by: z.object({ key: z.string(), name: z.string() }),
  items: z.array(
    z.object({
      itemId: z.string(),
      status: z.enum(itemStatuses),
      health: z.enum(healthValues),
      note: z.string().optional(),
      hoursDelivered: z.number(),
    }),
  ),
  summaryPostedAt: z.string().optional(),
});
export type CheckIn = z.infer<typeof checkInSchema>;

export function isActive(item: Pick<PlanItem, 'status'>): boolean {
  return item.status !== 'delivered' && item.status !== 'cancelled';
}

/**
 * The item with a new status, and the instant of the change where it delivers or cancels it. A
 * status it already had keeps its instant (or the lack of one: an older item's is not known); a move
 * out of delivered or cancelled clears it.
 */
export function withStatus(item: PlanItem, status: ItemStatus, at: Date): PlanItem {
  if (item.status === status) return item;
  const { deliveredAt: _delivered, cancelledAt: _cancelled, ...rest } = item;
  return {
    ...rest,
    status,
    ...(status === 'delivered' ? { deliveredAt: at.toISOString() } : {}),
    ...(status === 'cancelled' ? { cancelledAt: at.toISOString() } : {}),
  };
}
