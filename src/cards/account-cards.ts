import type { AdaptiveCardJson, CardTemplates } from './card-templates';

export interface PrimaryTamCardModel {
  readonly accountId: string;
  readonly accountName: string;
  readonly tams: readonly { readonly key: string; readonly name: string }[];
  readonly primaryKey?: string;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly banner?: string;
}

/** Who owns the account's new escalations, and the form an admin changes it with. */
export function primaryTamCard(templates: CardTemplates, model: PrimaryTamCardModel): AdaptiveCardJson {
  const primary = model.tams.find((t) => t.key === model.primaryKey);
  return templates.render('primary-tam', {
    banner: model.banner ?? '',
    accountName: model.accountName,
    current: primary?.name ?? 'nobody (the account has no TAM)',
    tam: model.values?.tam ?? primary?.key ?? '',
    choices: model.tams.map((t) => ({ title: t.name, value: t.key })),
    tamError: model.errors?.tam ?? '',
    key: { accountId: model.accountId },
  });
}
