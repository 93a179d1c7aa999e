import { z } from 'zod';
import { limits, products, severities, type Product, type Severity } from './escalation';
import { cleanUserText } from './user-text';

/** What a person entered on the intake card, as typed (strings, possibly missing). */
export interface IntakeForm {
  readonly title: string;
  readonly description: string;
  readonly severity: string;
  readonly product: string;
  readonly businessImpact: string;
  readonly supportCaseId: string;
  readonly contactPhone: string;
}

export interface ValidIntake {
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly product: Product;
  readonly businessImpact?: string;
  readonly supportCaseId?: string;
  readonly contactPhone?: string;
}

export type IntakeField = keyof IntakeForm;

const text = cleanUserText;

/** Reads the card's data into form fields without trusting any of it. */
export function readIntakeForm(data: Readonly<Record<string, unknown>>): IntakeForm {
  return {
    title: text(data.title),
    description: text(data.description),
    severity: text(data.severity),
    product: text(data.product),
    businessImpact: text(data.businessImpact),
    supportCaseId: text(data.supportCaseId),
    contactPhone: text(data.contactPhone),
  };
}

const optional = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} can be at most ${max} characters.`)
    .transform((v) => (v === '' ? undefined : v));

const intakeSchema = z
  .object({
    title: z.string().trim().min(1, 'Give the escalation a title.').max(limits.title, `The title can be at most ${limits.title} characters.`),
    description: z
      .string()
      .trim()
      .min(1, 'Describe what is happening.')
      .max(limits.description, `The description can be at most ${limits.description} characters.`),
    severity: z.enum(severities, { message: 'Choose severity A, B or C.' }),
    product: z.enum(products, { message: 'Choose the product from the list.' }),
    businessImpact: optional(limits.businessImpact, 'Business impact'),
    supportCaseId: optional(limits.supportCaseId, 'The support case number').refine((v) => v === undefined || /^[A-Za-z0-9-]+$/.test(v), {
      message: 'A support case number has only letters, digits and dashes.',
    }),
    contactPhone: optional(limits.contactPhone, 'The phone number').refine((v) => v === undefined || /^\+?[0-9][0-9 ().-]{5,}$/.test(v), {
      message: 'Give a phone number with digits, e.g. +44 20 7946 0958.',
    }),
  })
  .superRefine((v, ctx) => {
    if (v.severity === 'A' && !v.businessImpact) {
      ctx.addIssue({ code: 'custom', path: ['businessImpact'], message: 'Severity A needs the business impact.' });
    }
    if (v.severity === 'A' && !v.contactPhone) {
      ctx.addIssue({ code: 'custom', path: ['contactPhone'], message: 'Severity A needs a phone number where you can be reached 24x7.' });
    }
  });

export type IntakeResult =
  | { readonly ok: true; readonly intake: ValidIntake }
  | { readonly ok: false; readonly errors: Readonly<Partial<Record<IntakeField, string>>> };

/** Checks an intake form; every problem comes back beside the field it belongs to. */
export function validateIntake(form: IntakeForm): IntakeResult {
  const result = intakeSchema.safeParse(form);
  if (result.success) {
    const v = result.data;
    return {
      ok: true,
      intake: {
        title: v.title,
        description: v.description,
        severity: v.severity,
        product: v.product,
        ...(v.businessImpact ? { businessImpact: v.businessImpact } : {}),
        ...(v.supportCaseId ? { supportCaseId: v.supportCaseId } : {}),
        ...(v.contactPhone ? { contactPhone: v.contactPhone } : {}),
      },
    };
  }
  const errors: Partial<Record<IntakeField, string>> = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0] as IntakeField | undefined;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return { ok: false, errors };
}
