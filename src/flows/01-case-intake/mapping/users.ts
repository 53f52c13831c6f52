import type { CaseKind, PartnerTier } from '../../../core/case.ts';

/** A workspace member as ClickUp lists it. */
export interface Member {
  id: number;
  email: string | null;
  username?: string | null;
}

export interface UserMap {
  /** name or e-mail → ClickUp e-mail or user id */
  overrides: Readonly<Record<string, string | number>>;
  partner_contacts: Readonly<Record<string, string | number>>;
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * One user reference (e-mail, override name, numeric id) → ClickUp user id, through the explicit
 * overrides first, then the members' e-mails. `null` when nobody matches: the caller reports it.
 */
export function resolveUser(
  ref: string | number,
  map: UserMap,
  members: readonly Member[],
  table: 'overrides' | 'partner_contacts' = 'overrides',
): { id: number; via: 'id' | 'override' | 'email' } | null {
  const overrides = Object.fromEntries(Object.entries(map[table]).map(([k, v]) => [norm(k), v]));
  let target: string | number = ref;
  let via: 'id' | 'override' | 'email' = 'email';
  const o = typeof ref === 'string' ? overrides[norm(ref)] : undefined;
  if (o !== undefined) {
    target = o;
    via = 'override';
  }
  if (typeof target === 'number' || /^\d+$/.test(target)) {
    const id = Number(target);
    return members.some((m) => m.id === id) ? { id, via: via === 'override' ? 'override' : 'id' } : null;
  }
  const m = members.find((x) => x.email !== null && norm(x.email) === norm(String(target)));
  return m ? { id: m.id, via } : null;
}

/** Several references → ids (deduplicated) and the ones nobody matched, in order. */
export function resolveUsers(
  refs: readonly (string | number)[],
  map: UserMap,
  members: readonly Member[],
): { ids: number[]; unknown: string[] } {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const r of refs) {
    const hit = resolveUser(r, map, members);
    if (hit) {
      if (!ids.includes(hit.id)) ids.push(hit.id);
    } else unknown.push(String(r));
  }
  return { ids, unknown };
}

export interface AssignRule {
  match: { partners?: readonly string[]; tiers?: readonly PartnerTier[]; kinds?: readonly CaseKind[] };
  users: readonly string[];
}

/** The users a new case task is assigned to: the first rule whose match fits (absent keys match anything). */
export function assigneesFor(
  rules: readonly AssignRule[],
  c: { partnerId: string; tier: PartnerTier | null; kind: CaseKind },
): readonly string[] {
  const rule = rules.find(
    (r) =>
      (!r.match.partners || r.match.partners.includes(c.partnerId)) &&
      (!r.match.tiers || (c.tier !== null && r.match.tiers.includes(c.tier))) &&
      (!r.match.kinds || r.match.kinds.includes(c.kind)),
  );
  return rule?.users ?? [];
}
