import type { Kysely } from 'kysely';

/**
 * State of the group flows (4 onboarding, 6 approvals, 8 rollouts): one JSON record per flow entity,
 * with a version for guarded updates and a small secondary key (e.g. a notice id → its rollout).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flow_records')
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('lookup', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('flow_records_pk', ['flow', 'id'])
    .execute();
  await db.schema.createIndex('flow_records_state').on('flow_records').columns(['flow', 'state']).execute();
  await db.schema.createIndex('flow_records_lookup').on('flow_records').columns(['flow', 'lookup']).execute();
}
