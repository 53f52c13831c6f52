import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { PartnerMessagesTable } from '../partnerChannelTables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function getPartnerMessage(db: Db, key: string): Promise<PartnerMessagesTable | undefined> {
  return db.selectFrom('partner_messages').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Queue a message; false when one with this key is already stored (the idempotency record of its sending). */
export async function insertPartnerMessage(db: Db, m: PartnerMessagesTable): Promise<boolean> {
  const r = await db
    .insertInto('partner_messages')
    .values(m)
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The messages about one item, oldest first; `states` limits them (e.g. only those that went out). */
export async function listPartnerMessages(
  db: Db,
  entity: string,
  entityId: string,
  states?: readonly string[],
): Promise<PartnerMessagesTable[]> {
  let q = db.selectFrom('partner_messages').selectAll().where('entity', '=', entity).where('entity_id', '=', entityId);
  if (states) q = q.where('state', 'in', [...states]);
  return q.orderBy('created_at').execute();
}

/** The messages held for the digest `digestKey` that are still to be sent, oldest first. */
export async function listDigestMembers(db: Db, digestKey: string): Promise<PartnerMessagesTable[]> {
  return db
    .selectFrom('partner_messages')
    .selectAll()
    .where('digest_key', '=', digestKey)
    .where('state', 'in', ['queued', 'sending', 'failed'])
    .orderBy('created_at')
    .execute();
}

/** Handed to the SMTP server (one more attempt), before the hand-over; the subject is kept when known. */
export async function markPartnerMessagesSending(
  db: Db,
  keys: readonly string[],
  subject: string | null,
): Promise<void> {
  await db
    .updateTable('partner_messages')
    .set((eb) => ({ state: 'sending', attempts: eb('attempts', '+', 1), ...(subject ? { subject } : {}) }))
    .where('key', 'in', [...keys])
    .execute();
}

/** The SMTP server refused: queued again for a retry, or failed for good. */
export async function markPartnerMessagesFailed(
  db: Db,
  keys: readonly string[],
  retryable: boolean,
  answer: string,
): Promise<void> {
  await db
    .updateTable('partner_messages')
    .set({ state: retryable ? 'queued' : 'failed', smtp_response: answer.slice(0, 2000) })
    .where('key', 'in', [...keys])
    .execute();
}

/** Sent (or `digested`: went out inside a digest), with the server's answer. */
export async function markPartnerMessagesSent(
  db: Db,
  keys: readonly string[],
  state: 'sent' | 'digested',
  response: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('partner_messages')
    .set({ state, smtp_response: response, sent_at: now })
    .where('key', 'in', [...keys])
    .execute();
}

/** The message sent with this Message-ID (what a delivery report names), if it is one of ours. */
export async function findPartnerMessageByMessageId(
  db: Db,
  messageId: string,
): Promise<PartnerMessagesTable | undefined> {
  return db.selectFrom('partner_messages').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

/** A delivery report said the message never arrived: `bounced`, with what the report said. */
export async function markPartnerMessagesBounced(db: Db, keys: readonly string[], answer: string): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable('partner_messages')
    .set({ state: 'bounced', smtp_response: answer.slice(0, 2000) })
    .where('key', 'in', [...keys])
    .execute();
}

/** The latest bounce of an address (any case), if one was reported: mail to it is not sent again by itself. */
export async function findBouncedAddress(
  db: Db,
  recipient: string,
): Promise<Pick<PartnerMessagesTable, 'key' | 'smtp_response' | 'sent_at' | 'created_at'> | undefined> {
  return db
    .selectFrom('partner_messages')
    .select(['key', 'smtp_response', 'sent_at', 'created_at'])
    .where((eb) => eb(eb.fn('lower', ['recipient']), '=', recipient.toLowerCase()))
    .where('state', '=', 'bounced')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every message that went out inside the digest `digestKey` (whatever their state now). */
export async function listMessagesOfDigest(db: Db, digestKey: string): Promise<PartnerMessagesTable[]> {
  return db.selectFrom('partner_messages').selectAll().where('digest_key', '=', digestKey).execute();
}
