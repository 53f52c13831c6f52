import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { withConsoleTables, type AdminSessionsTable } from '../consoleSchema.ts';

export type AdminSession = AdminSessionsTable;

export async function createAdminSession(db: Kysely<Database>, s: AdminSession): Promise<void> {
  await withConsoleTables(db).insertInto('admin_sessions').values(s).execute();
}

/** A live session by the hash of its id; an expired one is not returned. */
export async function findAdminSession(
  db: Kysely<Database>,
  idHash: string,
  now: number,
): Promise<AdminSession | null> {
  const r = await withConsoleTables(db)
    .selectFrom('admin_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return r
    ? { ...r, created_at: Number(r.created_at), expires_at: Number(r.expires_at), last_seen_at: Number(r.last_seen_at) }
    : null;
}

/** Sliding expiry: a used session lives `ttlMs` more (never beyond `maxUntil`). */
export async function touchAdminSession(
  db: Kysely<Database>,
  idHash: string,
  now: number,
  expiresAt: number,
): Promise<void> {
  await withConsoleTables(db)
    .updateTable('admin_sessions')
    .set({ last_seen_at: now, expires_at: expiresAt })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteAdminSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await withConsoleTables(db).deleteFrom('admin_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteExpiredAdminSessions(db: Kysely<Database>, now: number): Promise<number> {
  const r = await withConsoleTables(db).deleteFrom('admin_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** End every console session, or those of one actor (`gridbridge admin revoke-sessions`). */
export async function revokeAdminSessions(db: Kysely<Database>, actor?: string): Promise<number> {
  let q = withConsoleTables(db).deleteFrom('admin_sessions');
  if (actor) q = q.where('actor', '=', actor);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}
