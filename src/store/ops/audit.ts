import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { writeOrFold } from '../foldedCommit.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

/** Appends an audit row (folded into a job's completion statement when written by its commit on PostgreSQL). */
export async function appendAudit(db: Db, e: AuditEntry, now: number): Promise<void> {
  await writeOrFold(
    db,
    db.insertInto('audit_log').values({
      at: now,
      actor: e.actor,
      entity: e.entity,
      entity_id: e.entityId,
      action: e.action,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    }),
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
