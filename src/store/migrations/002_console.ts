import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

/** Operations console: the case timeline (every job run with status and duration) and admin sessions. */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const autoId = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey();
  const idType = dialect === 'sqlite' ? 'integer' : 'bigserial';

  await db.schema
    .createTable('timeline')
    .addColumn('id', idType, autoId)
    .addColumn('case_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer')
    .addColumn('job_id', 'bigint')
    .execute();
  await db.schema.createIndex('timeline_case').on('timeline').columns(['case_id', 'at', 'id']).execute();
  await db.schema.createIndex('timeline_at').on('timeline').columns(['at']).execute();

  await db.schema
    .createTable('admin_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_sessions_expiry').on('admin_sessions').columns(['expires_at']).execute();
}
