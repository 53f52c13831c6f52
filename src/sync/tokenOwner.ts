import type { MappingSection } from '../config/mappingSchema.ts';
import type { AuthorizedUser } from '../connectors/clickup/users.ts';

export interface TokenOwnerVerdict {
  /** True only when the token acts as the declared dedicated integration user. */
  ok: boolean;
  /** 'dedicated' (declared and matching), 'wrong_user' (declared, another user), 'person' (the mapping assigns cases to it), 'undeclared'. */
  kind: 'dedicated' | 'wrong_user' | 'person' | 'undeclared';
  detail: string;
}

const who = (u: AuthorizedUser) => `${u.username ?? `user ${u.id}`}${u.email ? ` <${u.email}>` : ''}`;
const same = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Whose changes does the bridge take for its own? Every change the token's user makes is skipped as an echo
 * of the bridge's writes (mapping.integration_user.ignore_own_changes): with the personal token of a person,
 * that person's own edits in ClickUp never reach a partner. ClickUp has no service accounts, so the bridge
 * cannot tell a person from a dedicated user by itself: the configuration declares the dedicated user
 * (mapping.integration_user.email), and a user the mapping assigns cases to is a person for certain.
 */
export function tokenOwnerVerdict(
  me: AuthorizedUser,
  mapping: Pick<MappingSection, 'users' | 'assign' | 'integration_user'>,
): TokenOwnerVerdict {
  const declared = (mapping.integration_user as { email?: string }).email;
  const consequence = `${who(me)}'s own changes in ClickUp are taken for the bridge's echoes and never reach a partner`;
  if (declared && same(declared, me.email))
    return { ok: true, kind: 'dedicated', detail: `acts as the dedicated integration user ${who(me)}` };
  if (declared) {
    return {
      ok: false,
      kind: 'wrong_user',
      detail: `clickup.token acts as ${who(me)}, not the integration user ${declared} (mapping.integration_user.email): ${consequence}; use the integration user's token`,
    };
  }
  // A person the mapping assigns cases to: named directly (email, id) or through a mapping.users alias.
  const refs = new Set<string>();
  for (const rule of mapping.assign) for (const u of rule.users) refs.add(u);
  const overrides = mapping.users.overrides;
  const names = (ref: string): string[] => (overrides[ref] !== undefined ? [ref, String(overrides[ref])] : [ref]);
  const assigned = [...refs]
    .flatMap(names)
    .some((r) => same(r, me.email) || r === String(me.id) || same(r, me.username));
  if (assigned) {
    return {
      ok: false,
      kind: 'person',
      detail: `clickup.token acts as ${who(me)}, a person mapping.assign gives cases to: ${consequence}. Give the bridge a dedicated ClickUp user (docs/CLICKUP.md, "The integration user") and set mapping.integration_user.email`,
    };
  }
  return {
    ok: false,
    kind: 'undeclared',
    detail: `clickup.token acts as ${who(me)}; if that is a person, ${consequence}. Use a dedicated ClickUp user for the bridge and declare it with mapping.integration_user.email (docs/CLICKUP.md, "The integration user")`,
  };
}
