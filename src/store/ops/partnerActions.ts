import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { PartnerActionsTable } from '../partnerChannelTables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Store what a partner did on a page; false when an action with this id is already stored (a resubmitted form). */
export async function recordPartnerAction(db: Db, a: PartnerActionsTable): Promise<boolean> {
  const r = await db
    .insertInto('partner_actions')
    .values(a)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function getPartnerAction(db: Db, id: string): Promise<PartnerActionsTable | undefined> {
  return db.selectFrom('partner_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One partner's actions on one item, in the order they were taken. */
export async function listPartnerActions(
  db: Db,
  entity: string,
  entityId: string,
  partnerId: string,
): Promise<PartnerActionsTable[]> {
  return db
    .selectFrom('partner_actions')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .where('partner_id', '=', partnerId)
    .orderBy('at')
    .execute();
}

/** When the partner took `action` on the item, if they did. */
export async function findPartnerAction(
  db: Db,
  entity: string,
  entityId: string,
  partnerId: string,
  action: string,
): Promise<{ at: number } | undefined> {
  return db
    .selectFrom('partner_actions')
    .select('at')
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .where('partner_id', '=', partnerId)
    .where('action', '=', action)
    .executeTakeFirst();
}
