import { createHash, timingSafeEqual } from 'node:crypto';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { resolveSecret, type SecretSource } from '../../config/load.ts';
import { parsePasswordHash } from './password.ts';

export type AdminRole = 'admin' | 'read_only';

/** Who may sign in to the console and the admin API, with secrets resolved. */
export interface AdminCredentials {
  tokens: Array<{ name: string; role: AdminRole; token: string }>;
  users: Array<{ name: string; role: AdminRole; passwordHash: string }>;
}

/** Resolve `admin.tokens` and `admin.users`; a secret that cannot be read is a problem, the rest still works. */
export function resolveAdminCredentials(
  admin: GridbridgeConfig['admin'],
  src?: SecretSource,
): { credentials: AdminCredentials; problems: string[] } {
  const problems: string[] = [];
  const credentials: AdminCredentials = { tokens: [], users: [] };
  admin.tokens.forEach((t, i) => {
    const r = resolveSecret(t.token, `admin.tokens[${i}].token`, src);
    if (!r.ok) problems.push(`${r.problem.path}: ${r.problem.message}`);
    else if (r.value.length < 16)
      problems.push(
        `admin.tokens[${i}].token: an admin token must be at least 16 characters (use e.g. \`openssl rand -hex 24\`)`,
      );
    else credentials.tokens.push({ name: t.name, role: t.role, token: r.value });
  });
  admin.users.forEach((u, i) => {
    const r = resolveSecret(u.password_hash, `admin.users[${i}].password_hash`, src);
    if (!r.ok) problems.push(`${r.problem.path}: ${r.problem.message}`);
    else if (!parsePasswordHash(r.value))
      problems.push(
        `admin.users[${i}].password_hash: not a scrypt hash; make one with \`gridbridge admin hash-password\``,
      );
    else credentials.users.push({ name: u.name, role: u.role, passwordHash: r.value.trim() });
  });
  return { credentials, problems };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The token entry matching `presented`, compared in constant time over digests (length does not leak). */
export function matchToken(
  credentials: AdminCredentials,
  presented: string,
): AdminCredentials['tokens'][number] | null {
  const p = digest(presented);
  let found: AdminCredentials['tokens'][number] | null = null;
  for (const t of credentials.tokens) if (timingSafeEqual(digest(t.token), p)) found = t;
  return found;
}
