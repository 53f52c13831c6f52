import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secretBox.ts';
import { withSecretTables } from '../secretTables.ts';
import { appendAudit } from './audit.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Seal and keep a secret under `name` (upsert). An unchanged value is not rewritten; a change is
 * audited by name and key id only, never by value.
 */
export async function storeSecret(
  db: Db,
  box: SecretBox,
  name: string,
  value: string,
  actor: string,
  now: number,
): Promise<{ changed: boolean }> {
  const s = withSecretTables(db);
  const prev = await s.selectFrom('secrets').select(['key_id', 'sealed']).where('name', '=', name).executeTakeFirst();
  if (prev) {
    try {
      if (box.open(prev.sealed, name) === value && prev.key_id === box.currentKeyId) return { changed: false };
    } catch {
      // unreadable (old key gone, altered): overwrite it with the value we have now
    }
  }
  const sealed = box.seal(value, name);
  await s
    .insertInto('secrets')
    .values({ name, key_id: box.currentKeyId, sealed, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ key_id: box.currentKeyId, sealed, updated_at: now }))
    .execute();
  await appendAudit(
    db,
    {
      actor,
      entity: 'setting',
      entityId: `secret:${name}`,
      action: prev ? 'secret_replaced' : 'secret_stored',
      before: prev ? { keyId: prev.key_id } : undefined,
      after: { keyId: box.currentKeyId },
    },
    now,
  );
  return { changed: true };
}

/**
 * Keep a secret under `name` only when none is kept yet (insert, never overwrite), then return the one
 * kept: of several instances generating a value at the same moment, the first insert wins and every one
 * reads that value back (a plain upsert would let the last writer replace a key others already use).
 */
export async function keepFirstSecret(
  db: Kysely<Database>,
  box: SecretBox,
  name: string,
  value: string,
  actor: string,
  now: number,
): Promise<string> {
  const s = withSecretTables(db);
  const r = await s
    .insertInto('secrets')
    .values({ name, key_id: box.currentKeyId, sealed: box.seal(value, name), updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0)
    await appendAudit(
      db,
      {
        actor,
        entity: 'setting',
        entityId: `secret:${name}`,
        action: 'secret_stored',
        after: { keyId: box.currentKeyId },
      },
      now,
    );
  const kept = await readSecret(db, box, name);
  if (kept === null) throw new Error(`secret ${name} vanished right after it was kept`);
  return kept;
}

/** The plaintext of a stored secret, or null when none is stored. Throws SecretBoxError when it cannot be opened. */
export async function readSecret(db: Db, box: SecretBox, name: string): Promise<string | null> {
  const row = await withSecretTables(db)
    .selectFrom('secrets')
    .select('sealed')
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? box.open(row.sealed, name) : null;
}

/** Names and key ids of the stored secrets (no values): what `secrets status` shows. */
export async function listSecretKeys(db: Db): Promise<Array<{ name: string; keyId: string; updatedAt: number }>> {
  const rows = await withSecretTables(db)
    .selectFrom('secrets')
    .select(['name', 'key_id', 'updated_at'])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ name: r.name, keyId: r.key_id, updatedAt: Number(r.updated_at) }));
}

export interface RotationReport {
  rotated: string[];
  alreadyCurrent: string[];
  /** Rows no configured key opens, with the reason (left untouched). */
  unreadable: Array<{ name: string; reason: string }>;
}

/**
 * Re-seal every stored secret not sealed with the box's current key. Each row is one guarded update
 * (`WHERE name = ? AND sealed = <what was read>`), so a concurrent writer is never overwritten and the
 * rotation can run while instances keep reading with the old key listed in `previous_keys`.
 */
export async function rotateSecrets(db: Db, box: SecretBox, actor: string, now: number): Promise<RotationReport> {
  const s = withSecretTables(db);
  const rows = await s.selectFrom('secrets').select(['name', 'key_id', 'sealed']).orderBy('name').execute();
  const report: RotationReport = { rotated: [], alreadyCurrent: [], unreadable: [] };
  for (const row of rows) {
    if (row.key_id === box.currentKeyId && box.keyIdOf(row.sealed) === box.currentKeyId) {
      report.alreadyCurrent.push(row.name);
      continue;
    }
    let plain: string;
    try {
      plain = box.open(row.sealed, row.name);
    } catch (e) {
      report.unreadable.push({ name: row.name, reason: (e as Error).message });
      continue;
    }
    const sealed = box.seal(plain, row.name);
    const r = await s
      .updateTable('secrets')
      .set({ key_id: box.currentKeyId, sealed, updated_at: now })
      .where('name', '=', row.name)
      .where('sealed', '=', row.sealed)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) {
      report.rotated.push(row.name);
      await appendAudit(
        db,
        {
          actor,
          entity: 'setting',
          entityId: `secret:${row.name}`,
          action: 'secret_rotated',
          before: { keyId: row.key_id },
          after: { keyId: box.currentKeyId },
        },
        now,
      );
    }
  }
  return report;
}
