import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Named positions and memos kept between runs (`tradinggrid.poll`, the ClickUp catch-up, its webhook health memo,
 * the mapping check's findings).
 */
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

/**
 * Save the cursor `name` as `value` over `expected` (its value as the caller last read it) in one guarded
 * statement (compareAndSetCursor). When another writer saved in between, `merge(theirs)` says what to save over
 * theirs instead, or null when theirs stands as it is (nothing written). A blind write here lets a writer that
 * read earlier put an older value over a newer one. After 10 collisions it throws, so the caller's job is tried
 * again: never lost silently. Returns the value the cursor holds after this save.
 */
export async function saveCursorOver(
  db: Db,
  name: string,
  expected: string | null,
  value: string,
  merge: (theirs: string | null) => string | null,
  now: number,
): Promise<string | null> {
  let seen = expected;
  let next = value;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await compareAndSetCursor(db, name, seen, next, now)) return next;
    seen = await readCursor(db, name);
    const merged = merge(seen);
    if (merged === null) return seen;
    next = merged;
  }
  throw new Error(`the cursor ${name} kept changing under this writer`);
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
