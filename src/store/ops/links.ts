import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, LinksTable } from '../schema.ts';
import { fixedStatement } from '../fixedStatement.ts';
import { fold, foldSink } from '../foldedCommit.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface Link {
  entity: string;
  entityId: string;
  cuTaskId: string;
  cuListId: string;
  /** ClickUp time up to which the catch-up has read the task's files (read by task only). */
  seenAt?: number | null;
}

type LinkValues = [
  entity: string,
  entityId: string,
  cuTaskId: string,
  cuListId: string,
  createdAt: number,
  seenAt: number | null,
];
const linkInsert = (db: Db, ...[entity, entityId, cuTaskId, cuListId, createdAt, seenAt]: LinkValues) =>
  db.insertInto('links').values({
    entity,
    entity_id: entityId,
    cu_task_id: cuTaskId,
    cu_list_id: cuListId,
    created_at: createdAt,
    cu_seen_at: seenAt,
  });
// Written once per task created: built and compiled once per dialect (fixedStatement.ts).
const insertLink = fixedStatement((db, ...v: LinkValues) => linkInsert(db, ...v));
const insertLinkUnlessPresent = fixedStatement((db, ...v: LinkValues) =>
  linkInsert(db, ...v)
    .onConflict((oc) => oc.columns(['entity', 'entity_id']).doNothing())
    .returning('entity'),
);

/**
 * Record that a Trading Grid entity is mirrored by a ClickUp task. Unique on both sides: recording the
 * same pair again is a no-op, a different task for the same entity is refused (returns the existing link).
 */
export async function recordLink(db: Db, link: Link, now: number): Promise<Link> {
  const values: LinkValues = [link.entity, link.entityId, link.cuTaskId, link.cuListId, now, link.seenAt ?? null];
  const sink = foldSink(db);
  if (sink) {
    // Folded into a job's completion (foldedCommit.ts): a plain insert, so an existing link (a conflict)
    // fails the statement and the ordinary path, which reads the existing link, runs the commit instead.
    fold(sink, insertLink(db, ...values), `links:${link.entity}:${link.entityId}`);
    return { ...link };
  }
  // The new link comes back from the insert itself; only a conflict needs a second look.
  const inserted = (await db.executeQuery(insertLinkUnlessPresent(db, ...values))).rows.length > 0;
  if (inserted) return { ...link };
  return (await getLink(db, link.entity, link.entityId))!;
}

export async function getLink(db: Db, entity: string, entityId: string): Promise<Link | null> {
  const r = await db
    .selectFrom('links')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .executeTakeFirst();
  return r && r.cu_task_id
    ? { entity: r.entity, entityId: r.entity_id, cuTaskId: r.cu_task_id, cuListId: r.cu_list_id }
    : null;
}

/** Remove the link of `entity`/`entityId` to the task `cuTaskId`; false when there was none (a repeat). */
export async function deleteLink(db: Db, entity: string, entityId: string, cuTaskId: string): Promise<boolean> {
  const gone = await db
    .deleteFrom('links')
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .where('cu_task_id', '=', cuTaskId)
    .executeTakeFirst();
  return Number(gone.numDeletedRows) > 0;
}

// Read for every ClickUp webhook and most ClickUp events: built and compiled once (fixedStatement.ts).
const linkByTask = fixedStatement((db, cuTaskId: string) =>
  db.selectFrom('links').selectAll().where('cu_task_id', '=', cuTaskId),
);

export async function getLinkByTask(db: Db, cuTaskId: string): Promise<Link | null> {
  const r = (await db.executeQuery<Selectable<LinksTable>>(linkByTask(db, cuTaskId))).rows[0];
  return r && r.cu_task_id
    ? {
        entity: r.entity,
        entityId: r.entity_id,
        cuTaskId: r.cu_task_id,
        cuListId: r.cu_list_id,
        seenAt: r.cu_seen_at === null ? null : Number(r.cu_seen_at),
      }
    : null;
}

/** The catch-up has read the task's files as of ClickUp time `at`; the mark only moves forward. */
export async function markTaskSeen(db: Db, cuTaskId: string, at: number): Promise<void> {
  await db
    .updateTable('links')
    .set({ cu_seen_at: at })
    .where('cu_task_id', '=', cuTaskId)
    .where((eb) => eb.or([eb('cu_seen_at', 'is', null), eb('cu_seen_at', '<', at)]))
    .execute();
}

/** The task now lives in `cuListId` (a person moved it); false when the link already said so. */
export async function setLinkList(db: Db, cuTaskId: string, cuListId: string): Promise<boolean> {
  const r = await db
    .updateTable('links')
    .set({ cu_list_id: cuListId })
    .where('cu_task_id', '=', cuTaskId)
    .where('cu_list_id', '!=', cuListId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Links whose task was moved to a list that is not one of `ourLists`: their syncing is paused. */
export async function listLinksOutside(db: Db, ourLists: readonly string[], limit = 500): Promise<Link[]> {
  let q = db.selectFrom('links').selectAll().where('cu_task_id', 'is not', null);
  if (ourLists.length > 0) q = q.where('cu_list_id', 'not in', [...ourLists]);
  const rows = await q.orderBy('entity').orderBy('entity_id').limit(limit).execute();
  return rows.map((r) => ({
    entity: r.entity,
    entityId: r.entity_id,
    cuTaskId: r.cu_task_id!,
    cuListId: r.cu_list_id,
  }));
}
