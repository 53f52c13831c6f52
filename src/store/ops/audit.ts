import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { writeOrFoldCompiled } from '../foldedCommit.ts';
import { fixedStatement } from '../fixedStatement.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

const insertAudit = fixedStatement(
  (
    db,
    at: number,
    actor: string,
    entity: string,
    entityId: string,
    action: string,
    before: string | null,
    after: string | null,
  ) => db.insertInto('audit_log').values({ at, actor, entity, entity_id: entityId, action, before, after }),
);

/** Appends an audit row (folded into a job's completion statement when written by its commit on PostgreSQL). */
export async function appendAudit(db: Db, e: AuditEntry, now: number): Promise<void> {
  await writeOrFoldCompiled(
    db,
    insertAudit(
      db,
      now,
      e.actor,
      e.entity,
      e.entityId,
      e.action,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
    ),
  );
}

export async function listAudit(db: Db, entity: string, entityId: string) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();
}

/** The audit entries of one item whose action is one of `actions`, in the order they were written. */
export async function listAuditActions(db: Db, entity: string, entityId: string, actions: readonly string[]) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .where('action', 'in', [...actions])
    .orderBy('id')
    .execute();
}
