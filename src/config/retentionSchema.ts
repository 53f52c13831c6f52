import { z } from 'zod';

/** Days a row is kept after it stopped being needed; 0 keeps it for ever. */
const Days = (what: string, def: number) =>
  z
    .number({ error: `expected a whole number of days (0 keeps ${what} for ever)` })
    .int({ error: `expected a whole number of days (0 keeps ${what} for ever)` })
    .min(0, { error: `cannot be negative: a number of days, 0 keeps ${what} for ever` })
    .max(36_500, { error: 'at most 36500 days (100 years); use 0 to keep for ever' })
    .default(def)
    .describe(`days ${what} are kept (0: for ever)`);

/**
 * Retention: what the prune job (`store.prune`, src/sync/retention/) deletes, and when.
 * Defaults keep what the console and audits need: a year of audit log, three months of finished
 * messages and replayed dead letters, two weeks of done jobs. Rows still needed are never pruned
 * whatever the number: ready/running jobs, an open case's audit and sync hashes, unreplayed dead
 * letters, messages not yet sent.
 */
export const RetentionSection = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** When the prune job runs (croner syntax); hourly by default, off the hour. */
    cron: z.string().min(1).default('23 * * * *'),
    /** Rows deleted per statement: each batch is its own short write, so SQLite's write lock is held briefly. */
    batch_size: z
      .number({ error: 'expected a number of rows per delete' })
      .int()
      .min(1, { error: 'at least 1 row per batch' })
      .max(10_000, { error: 'at most 10000 rows per batch (a larger delete holds the SQLite write lock too long)' })
      .default(500),
    /** Batches per table per run at most: a big backlog is worked off over several runs. */
    max_batches: z.number().int().min(1).max(100_000).default(200),
    jobs_done_days: Days('done jobs', 14),
    inbound_events_days: Days(
      'inbound events (webhook deliveries, polled events, mailbox files) of cases no longer open',
      30,
    ),
    audit_log_days: Days('audit entries (entries of an open case are always kept)', 365),
    dead_letters_days: Days('replayed dead letters (unreplayed ones are always kept)', 90),
    partner_messages_days: Days('sent, digested or failed partner e-mails', 90),
    partner_page_hits_days: Days('partner page rate-limit windows', 1),
    sync_hashes_days: Days('sync hashes of cases resolved this long ago', 90),
    timeline_days: Days('console timeline entries (job runs; entries of an open case are always kept)', 90),
    partner_files_days: Days(
      'files kept for partner pages (kept while their case is open or a link to them is live)',
      90,
    ),
  })
  .prefault({});
export type RetentionConfig = z.infer<typeof RetentionSection>;

/** The tables the prune job works on, each with its key in `retention`. */
export const RETENTION_TABLES = [
  'jobs',
  'inbound_events',
  'audit_log',
  'dead_letters',
  'partner_messages',
  'partner_page_hits',
  'sync_hashes',
  'timeline',
  'partner_files',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];
