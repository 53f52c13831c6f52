import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
const cursor = (mailbox: string) => `mailbox:${mailbox}:last_inbound_at`;

/** When the mailbox last received a file (ISO), kept in the cursors table. */
export async function getMailboxLastInbound(db: Db, mailbox: string): Promise<string | null> {
  return (
    (await db.selectFrom('cursors').select('value').where('name', '=', cursor(mailbox)).executeTakeFirst())?.value ??
    null
  );
}

export async function setMailboxLastInbound(db: Db, mailbox: string, at: string, now: number): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ name: cursor(mailbox), value: at, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: at, updated_at: now }))
    .execute();
}
