import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the prune job's time-column reads (src/store/ops/pruneRetention.ts). Without them each
 * batch's `WHERE <time> < cutoff ORDER BY … LIMIT n` scans the whole table, so a prune costs more as the
 * table it is meant to keep small grows. (The console's timeline already has `timeline_at`, partner page
 * hits `partner_page_hits_window`.) Done jobs get a partial index (only rows in state 'done' are in
 * it): the hot ready/running rows pay nothing for it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('jobs_done_updated')
    .on('jobs')
    .column('updated_at')
    .where(sql.ref('state'), '=', 'done')
    .execute();
  await db.schema.createIndex('inbound_events_received').on('inbound_events').column('received_at').execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('dead_letters_replayed').on('dead_letters').column('replayed_at').execute();
  await db.schema
    .createIndex('partner_messages_finished')
    .on('partner_messages')
    .columns(['state', 'created_at'])
    .execute();
  await db.schema.createIndex('partner_files_created').on('partner_files').column('created_at').execute();
}
