import { z } from 'zod';
import { isRuleKind, RULE_KINDS } from './caseKinds.ts';

/**
 * A case's category, for routing rules that match `category`. The Trading Grid contract gives a case no
 * category, so the customer names categories in config, each by what a case does carry: its kind (or the
 * EDI exception of an EDI-derived case, as in routing rules) and the business document type of its
 * transaction reference (`transaction_ref.business.type`, e.g. `invoice`, `purchase_order`). The first
 * category whose every key matches is the case's; a case matching none has no category (a rule with
 * `category` then does not match it).
 */
export const caseCategorySchema = z.strictObject({
  name: z.string().min(1),
  match: z
    .strictObject({
      kind: z
        .array(
          z.string().refine(isRuleKind, {
            message: `unknown kind; expected a case kind or EDI exception: ${RULE_KINDS.join(', ')}`,
          }),
        )
        .min(1, { message: 'kind: list at least one value, or leave the key out' })
        .optional(),
      /** `transaction_ref.business.type` of the case, compared without regard to case. */
      document_type: z
        .array(z.string().min(1))
        .min(1, { message: 'document_type: list at least one value, or leave the key out' })
        .optional(),
    })
    .refine((m) => m.kind !== undefined || m.document_type !== undefined, {
      message: 'a category needs `kind` and/or `document_type` to say which cases are in it',
    }),
});
export type CaseCategory = z.infer<typeof caseCategorySchema>;

export const caseCategoriesSchema = z.array(caseCategorySchema).superRefine((cats, ctx) => {
  const seen = new Set<string>();
  cats.forEach((c, i) => {
    if (seen.has(c.name))
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: `category "${c.name}" is declared twice; the first would always win`,
      });
    seen.add(c.name);
  });
});
export type CaseCategories = z.infer<typeof caseCategoriesSchema>;

/** What a category looks at. */
export interface CategoryFacts {
  kind: string;
  exception?: string | null;
  documentType?: string | null;
}

/** The first declared category the case is in, or null. Pure. */
export function categorizeCase(facts: CategoryFacts, categories: CaseCategories): string | null {
  for (const c of categories) {
    const m = c.match;
    if (m.kind && ![facts.exception, facts.kind].some((k) => !!k && m.kind!.includes(k))) continue;
    if (m.document_type) {
      const t = facts.documentType?.toLowerCase();
      if (!t || !m.document_type.some((d) => d.toLowerCase() === t)) continue;
    }
    return c.name;
  }
  return null;
}

/** Routing rules naming a category nobody declared: each is a rule that can never match. */
export function unknownRuleCategories(
  rules: ReadonlyArray<{ match?: { category?: readonly string[] | undefined } }> | undefined,
  categories: CaseCategories,
): Array<{ rule: number; item: number; category: string }> {
  const known = new Set(categories.map((c) => c.name));
  const out: Array<{ rule: number; item: number; category: string }> = [];
  (rules ?? []).forEach((r, i) =>
    (r.match?.category ?? []).forEach((cat, j) => {
      if (!known.has(cat)) out.push({ rule: i, item: j, category: cat });
    }),
  );
  return out;
}
