import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Named positions and memos kept between runs (`tradinggrid.poll`, the ClickUp catch-up, its webhook health memo). */
export async function readCursor(db: Db, name: string): Promise<string | null> {
  const r = await db.selectFrom('cursors').select('value').where('name', '=', name).executeTakeFirst();
  return r ? r.value : null;
}

/** Set the cursor `name` to `value` (created or overwritten). */
export async function writeCursor(db: Db, name: string, value: string, now: number): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/**
 * Set the cursor `name` to `value` only if it still holds `expected` (null: only if it does not exist yet), in
 * one guarded statement: false when another writer changed it since `expected` was read, and nothing is written.
 */
export async function compareAndSetCursor(
  db: Db,
  name: string,
  expected: string | null,
  value: string,
  now: number,
): Promise<boolean> {
  if (expected === null) {
    const r = await db
      .insertInto('cursors')
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await db
    .updateTable('cursors')
    .set({ value, updated_at: now })
    .where('name', '=', name)
    .where('value', '=', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Create the cursor `name` at `value` when it does not exist yet; an existing one is left as it is. */
export async function initCursor(db: Db, name: string, value: string, now: number): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** Every cursor, by name (the admin API's sync state). */
export async function listCursors(db: Db): Promise<Array<{ name: string; value: string; updated_at: number }>> {
  return db.selectFrom('cursors').select(['name', 'value', 'updated_at']).orderBy('name').execute();
}
