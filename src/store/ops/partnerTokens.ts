import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { PartnerTokensTable } from '../partnerChannelTables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One page link by its id. */
export async function getPartnerToken(db: Db, jti: string): Promise<PartnerTokensTable | undefined> {
  return db.selectFrom('partner_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
}

/** Record a page link handed out; one with the same id already stored is kept as it is (same link, same expiry). */
export async function savePartnerToken(
  db: Db,
  t: Omit<PartnerTokensTable, 'revoked_at' | 'revoked_by' | 'last_used_at'>,
): Promise<void> {
  await db
    .insertInto('partner_tokens')
    .values({ ...t, revoked_at: null, revoked_by: null, last_used_at: null })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/** The page links handed out for one item, oldest first. */
export async function listPartnerTokens(db: Db, entity: string, entityId: string): Promise<PartnerTokensTable[]> {
  return db
    .selectFrom('partner_tokens')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .execute();
}

export async function markPartnerTokenUsed(db: Db, jti: string, now: number): Promise<void> {
  await db.updateTable('partner_tokens').set({ last_used_at: now }).where('jti', '=', jti).execute();
}

export async function revokePartnerToken(db: Db, jti: string, by: string, now: number): Promise<void> {
  await db.updateTable('partner_tokens').set({ revoked_at: now, revoked_by: by }).where('jti', '=', jti).execute();
}
