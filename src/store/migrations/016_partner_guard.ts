import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

/**
 * The bulk-change guard: every partner-visible change a ClickUp user makes, counted per user and time window; the
 * ones over the bulk-change limit are kept here (with their job) until an admin releases or drops them.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const autoId = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey();
  const idType = dialect === 'sqlite' ? 'integer' : 'bigserial';
  await db.schema
    .createTable('partner_changes')
    .addColumn('id', idType, autoId)
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('job_key', 'text', (c) => c.notNull().unique())
    .addColumn('queue_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    /** sent (went straight out), held, released, dropped */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .execute();
  await db.schema.createIndex('partner_changes_actor').on('partner_changes').columns(['actor', 'at']).execute();
  await db.schema.createIndex('partner_changes_state').on('partner_changes').columns(['state', 'id']).execute();
}
