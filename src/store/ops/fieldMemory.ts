import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, SyncHashesTable } from '../schema.ts';
import { writeOrFoldCompiled } from '../foldedCommit.ts';
import { fixedStatement } from '../fixedStatement.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface FieldMemoryEntry {
  value: string;
  at: number;
}

/** What each side last held for a synced field, and the value both agreed on (side `agreed`). */
export interface FieldMemory {
  clickup?: FieldMemoryEntry;
  tradinggrid?: FieldMemoryEntry;
  agreed?: FieldMemoryEntry;
}

// Read by each status change in either direction: built and compiled once (fixedStatement.ts).
const fieldRows = fixedStatement((db, entity: string, entityId: string, field: string) =>
  db
    .selectFrom('sync_hashes')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .where('field', '=', field),
);

export async function getFieldMemory(db: Db, entity: string, entityId: string, field: string): Promise<FieldMemory> {
  const rows = (await db.executeQuery<Selectable<SyncHashesTable>>(fieldRows(db, entity, entityId, field))).rows;
  const out: FieldMemory = {};
  for (const r of rows) (out as Record<string, FieldMemoryEntry>)[r.side] = { value: r.hash, at: Number(r.synced_at) };
  return out;
}

const upsertField = fixedStatement(
  (db, entity: string, entityId: string, side: string, field: string, hash: string, at: number) =>
    db
      .insertInto('sync_hashes')
      .values({ entity, entity_id: entityId, side, field, hash, synced_at: at })
      .onConflict((oc) =>
        oc
          .columns(['entity', 'entity_id', 'side', 'field'])
          .doUpdateSet({ hash, synced_at: at })
          .where('sync_hashes.synced_at', '<=', at),
      ),
);

/** Remember what a side holds; an older time never overwrites a newer one (the guard is in the statement). */
export async function rememberField(
  db: Db,
  entity: string,
  entityId: string,
  field: string,
  side: 'clickup' | 'tradinggrid' | 'agreed',
  entry: FieldMemoryEntry,
): Promise<void> {
  await writeOrFoldCompiled(
    db,
    upsertField(db, entity, entityId, side, field, entry.value, entry.at),
    `sync_hashes:${entity}:${entityId}:${side}:${field}`,
  );
}
