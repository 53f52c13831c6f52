import type { Kysely } from 'kysely';

/** The partner channel: e-mails to partners (idempotency records), page tokens, shared files, partner actions. */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('partner_messages')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('smtp_response', 'text')
    .addColumn('digest_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('partner_messages_entity')
    .on('partner_messages')
    .columns(['entity', 'entity_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('partner_messages_digest')
    .on('partner_messages')
    .columns(['partner_id', 'state', 'digest_key'])
    .execute();

  await db.schema
    .createTable('partner_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('partner_tokens_entity').on('partner_tokens').columns(['entity', 'entity_id']).execute();

  await db.schema
    .createTable('partner_files')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('partner_files_pk', ['case_id', 'sha256'])
    .execute();

  await db.schema
    .createTable('partner_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('partner_actions_entity')
    .on('partner_actions')
    .columns(['entity', 'entity_id', 'at'])
    .execute();
}
