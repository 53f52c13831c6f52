import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * Per-case SLA state (what the sweep has decided and enqueued), the escalation ladder, the
 * partner-status history the SLA clock replays, and the indexes the sweep and the scorecards read.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const autoId = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey();
  const idType = dialect === 'sqlite' ? 'integer' : 'bigserial';

  await db.schema
    .createTable('case_sla')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint')
    .addColumn('share', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('reminders', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('escalation_task_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_sla_state').on('case_sla').columns(['state']).execute();

  await db.schema
    .createTable('sla_escalations')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('manager', 'text')
    .addColumn('rule_index', 'integer')
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text')
    .addColumn('list_id', 'text')
    .addColumn('due_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('task_created_at', 'bigint')
    .addPrimaryKeyConstraint('sla_escalations_pk', ['case_id', 'level'])
    .execute();

  await db.schema
    .createTable('case_status_history')
    .addColumn('id', idType, autoId)
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_status_history_case')
    .on('case_status_history')
    .columns(['case_id', 'at', 'id'])
    .execute();

  // The sweep walks open cases by id in pages. Partial (open cases only), so it stays small and the
  // planner does not prefer it over the covering cases_scorecard for the scorecards' open snapshot.
  await db.schema
    .createIndex('cases_sweep')
    .on('cases')
    .columns(['state', 'id'])
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();
  // One covering index serves the three ranges of the scorecard queries (bench/metrics.ts): NULLs sort
  // first, so `resolved_at IS NULL` is a range of it too, and no table row is read.
  await db.schema
    .createIndex('cases_scorecard')
    .on('cases')
    .columns(['resolved_at', 'partner_id', 'opened_at', 'sla_due_at', 'partner_status'])
    .execute();
}
