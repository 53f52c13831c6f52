import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { withConsoleTables, type ConsoleDatabase } from '../consoleSchema.ts';

const DAY = 86_400_000;

export interface PruneLimits {
  /** Rows per delete statement. */
  batchSize: number;
  /** Batches per table per call at most (the rest waits for the next run). */
  maxBatches: number;
}

/** Per table: days to keep (0: never prune). */
export interface PruneDays {
  jobs_done_days: number;
  inbound_events_days: number;
  audit_log_days: number;
  dead_letters_days: number;
  partner_messages_days: number;
  partner_page_hits_days: number;
  sync_hashes_days: number;
  timeline_days: number;
  partner_files_days: number;
}

export interface PruneResult {
  table: string;
  deleted: number;
  batches: number;
  /** True when the batch limit stopped it with rows left to prune. */
  more: boolean;
}

/**
 * Select a batch of keys, delete exactly those (guard re-checked in the delete), repeat. Every batch is
 * its own statement outside any transaction: a large prune never holds SQLite's write lock for longer
 * than one batch, and between batches the event loop lets other writers (the dispatcher) in.
 */
async function inBatches<K>(
  table: string,
  limits: PruneLimits,
  select: (n: number) => Promise<K[]>,
  del: (keys: K[]) => Promise<number>,
): Promise<PruneResult> {
  let deleted = 0;
  let batches = 0;
  for (;;) {
    if (batches >= limits.maxBatches) return { table, deleted, batches, more: (await select(1)).length > 0 };
    const keys = await select(limits.batchSize);
    if (keys.length === 0) return { table, deleted, batches, more: false };
    deleted += await del(keys);
    batches++;
    if (keys.length < limits.batchSize) return { table, deleted, batches, more: false };
    await new Promise((r) => setImmediate(r));
  }
}

/** Keys of one batch grouped by the column each delete statement fixes (so it can use a plain `IN`). */
function groupBy<K, G, V>(keys: readonly K[], group: (k: K) => G, value: (k: K) => V): Map<G, V[]> {
  const out = new Map<G, V[]>();
  for (const k of keys) {
    const g = group(k);
    const list = out.get(g);
    if (list) list.push(value(k));
    else out.set(g, [value(k)]);
  }
  return out;
}

const n = (r: { numDeletedRows: bigint }[]) => r.reduce((a, x) => a + Number(x.numDeletedRows), 0);

/** Done jobs finished (updated) before the cutoff. Ready, running and dead jobs are never touched. */
export function pruneDoneJobs(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  return inBatches(
    'jobs',
    limits,
    async (k) =>
      (
        await db
          .selectFrom('jobs')
          .select('id')
          .where('state', '=', 'done')
          .where('updated_at', '<', before)
          // Oldest first, in the order of the partial index on done jobs (migration 019): no sort, no scan.
          .orderBy('updated_at')
          .limit(k)
          .execute()
      ).map((r) => r.id),
    async (ids) =>
      n(
        await db
          .deleteFrom('jobs')
          .where('id', 'in', ids)
          .where('state', '=', 'done')
          .where('updated_at', '<', before)
          .execute(),
      ),
  );
}

/** Dead letters replayed before the cutoff; one not replayed yet is kept whatever its age. */
export function pruneReplayedDeadLetters(
  db: Kysely<Database>,
  before: number,
  limits: PruneLimits,
): Promise<PruneResult> {
  return inBatches(
    'dead_letters',
    limits,
    async (k) =>
      (
        await db
          .selectFrom('dead_letters')
          .select('id')
          .where('replayed_at', 'is not', null)
          .where('replayed_at', '<', before)
          .orderBy('replayed_at')
          .limit(k)
          .execute()
      ).map((r) => r.id),
    async (ids) =>
      n(
        await db
          .deleteFrom('dead_letters')
          .where('id', 'in', ids)
          .where('replayed_at', 'is not', null)
          .where('replayed_at', '<', before)
          .execute(),
      ),
  );
}

/** Audit entries before the cutoff, except those of a case still open (its whole history stays for the console). */
export function pruneAuditLog(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const notOpenCase = (eb: ExpressionBuilder<Database, 'audit_log'>) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('cases')
          .select('cases.id')
          .whereRef('cases.id', '=', 'audit_log.entity_id')
          .where('audit_log.entity', '=', 'case')
          .where('cases.resolved_at', 'is', null),
      ),
    );
  return inBatches<number>(
    'audit_log',
    limits,
    async (k) =>
      (
        await db
          .selectFrom('audit_log')
          .select('audit_log.id')
          .where('audit_log.at', '<', before)
          .where(notOpenCase)
          .orderBy('audit_log.at')
          .limit(k)
          .execute()
      ).map((r) => r.id),
    async (ids) =>
      n(
        await db
          .deleteFrom('audit_log')
          .where('audit_log.id', 'in', ids)
          .where('audit_log.at', '<', before)
          .where(notOpenCase)
          .execute(),
      ),
  );
}

/**
 * Inbound events received before the cutoff, except one that is an open case's source (the mailbox
 * case list joins them). Replay protection for ClickUp deliveries lasts as long as the row: see SECURITY.md.
 */
export function pruneInboundEvents(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const notOpenCase = (eb: ExpressionBuilder<Database, 'inbound_events'>) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('cases')
          .select('cases.id')
          .whereRef('cases.id', '=', 'inbound_events.event_id')
          .where('cases.resolved_at', 'is', null),
      ),
    );
  return inBatches(
    'inbound_events',
    limits,
    async (k) =>
      await db
        .selectFrom('inbound_events')
        .select(['inbound_events.source', 'inbound_events.event_id'])
        .where('inbound_events.received_at', '<', before)
        .where(notOpenCase)
        .orderBy('inbound_events.received_at')
        .limit(k)
        .execute(),
    async (keys) => {
      // Grouped by source so each delete is `source = ? AND event_id IN (…)` (no row-value IN, which SQLite takes only with a subquery).
      const bySource = groupBy(
        keys,
        (k) => k.source,
        (k) => k.event_id,
      );
      let d = 0;
      for (const [source, ids] of bySource)
        d += n(
          await db
            .deleteFrom('inbound_events')
            .where('inbound_events.source', '=', source)
            .where('inbound_events.event_id', 'in', ids)
            .where('inbound_events.received_at', '<', before)
            .where(notOpenCase)
            .execute(),
        );
      return d;
    },
  );
}

/** Partner e-mails that went out, were digested or failed for good before the cutoff; queued and sending ones stay. */
export function prunePartnerMessages(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const finished = ['sent', 'digested', 'failed'];
  return inBatches(
    'partner_messages',
    limits,
    async (k) =>
      (
        await db
          .selectFrom('partner_messages')
          .select('key')
          .where('state', 'in', finished)
          .where('created_at', '<', before)
          .orderBy('created_at')
          .limit(k)
          .execute()
      ).map((r) => r.key),
    async (keys) =>
      n(
        await db
          .deleteFrom('partner_messages')
          .where('key', 'in', keys)
          .where('state', 'in', finished)
          .where('created_at', '<', before)
          .execute(),
      ),
  );
}

/** Rate-limit windows (one-minute numbers) that ended before the cutoff. */
export function prunePartnerPageHits(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const window = Math.floor(before / 60_000);
  return inBatches(
    'partner_page_hits',
    limits,
    async (k) =>
      await db
        .selectFrom('partner_page_hits')
        .select(['key', 'window'])
        .where('window', '<', window)
        .orderBy('window')
        .limit(k)
        .execute(),
    async (keys) => {
      const byWindow = groupBy(
        keys,
        (k) => Number(k.window),
        (k) => k.key,
      );
      let d = 0;
      for (const [w, ks] of byWindow)
        d += n(await db.deleteFrom('partner_page_hits').where('window', '=', w).where('key', 'in', ks).execute());
      return d;
    },
  );
}

/** Sync hashes of cases resolved before the cutoff (an open case's, or a reopened one's, stay). */
export function pruneClosedCaseHashes(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const closedCase = (eb: ExpressionBuilder<Database, 'sync_hashes'>) =>
    eb.and([
      eb('sync_hashes.entity', '=', 'case'),
      eb.exists(
        eb
          .selectFrom('cases')
          .select('cases.id')
          .whereRef('cases.id', '=', 'sync_hashes.entity_id')
          .where('cases.resolved_at', 'is not', null)
          .where('cases.resolved_at', '<', before),
      ),
    ]);
  return inBatches(
    'sync_hashes',
    limits,
    async (k) =>
      await db
        .selectFrom('sync_hashes')
        .select(['sync_hashes.entity_id', 'sync_hashes.side', 'sync_hashes.field'])
        .where(closedCase)
        .orderBy('sync_hashes.entity_id')
        .limit(k)
        .execute(),
    async (keys) => {
      const byCase = groupBy(
        keys,
        (k) => k.entity_id,
        (k) => k,
      );
      let d = 0;
      for (const [caseId, ks] of byCase) {
        const whole = (
          await db
            .selectFrom('sync_hashes')
            .select((eb) => eb.fn.countAll<number>().as('c'))
            .where('entity', '=', 'case')
            .where('entity_id', '=', caseId)
            .executeTakeFirst()
        )?.c;
        // Usually a batch takes all of a case's hashes at once; otherwise delete exactly the selected ones.
        if (Number(whole) === ks.length)
          d += n(
            await db.deleteFrom('sync_hashes').where('sync_hashes.entity_id', '=', caseId).where(closedCase).execute(),
          );
        else
          for (const k of ks)
            d += n(
              await db
                .deleteFrom('sync_hashes')
                .where('sync_hashes.entity_id', '=', caseId)
                .where('sync_hashes.side', '=', k.side)
                .where('sync_hashes.field', '=', k.field)
                .where(closedCase)
                .execute(),
            );
      }
      return d;
    },
  );
}

/**
 * The console's timeline (one row per job run, the largest table under steady load) before the cutoff,
 * except entries of a case still open: its whole history stays on its console page.
 */
export function pruneTimeline(db: Kysely<Database>, before: number, limits: PruneLimits): Promise<PruneResult> {
  const c = withConsoleTables(db);
  const notOpenCase = (eb: ExpressionBuilder<ConsoleDatabase, 'timeline'>) =>
    eb.or([
      eb('timeline.case_id', 'is', null),
      eb.not(
        eb.exists(
          eb
            .selectFrom('cases')
            .select('cases.id')
            .whereRef('cases.id', '=', 'timeline.case_id')
            .where('cases.resolved_at', 'is', null),
        ),
      ),
    ]);
  return inBatches<number>(
    'timeline',
    limits,
    async (k) =>
      (
        await c
          .selectFrom('timeline')
          .select('timeline.id')
          .where('timeline.at', '<', before)
          .where(notOpenCase)
          .orderBy('timeline.at')
          .limit(k)
          .execute()
      ).map((r) => Number(r.id)),
    async (ids) =>
      n(
        await c
          .deleteFrom('timeline')
          .where('timeline.id', 'in', ids)
          .where('timeline.at', '<', before)
          .where(notOpenCase)
          .execute(),
      ),
  );
}

/**
 * Files kept for partner pages (their bytes are in the row: the largest table by size) stored before the
 * cutoff, unless a link could still serve them: the record is an open case, or it has a link that is
 * neither expired nor revoked.
 */
export function prunePartnerFiles(
  db: Kysely<Database>,
  before: number,
  limits: PruneLimits,
  now: number,
): Promise<PruneResult> {
  const unneeded = (eb: ExpressionBuilder<Database, 'partner_files'>) =>
    eb.and([
      eb.not(
        eb.exists(
          eb
            .selectFrom('cases')
            .select('cases.id')
            .whereRef('cases.id', '=', 'partner_files.case_id')
            .where('cases.resolved_at', 'is', null),
        ),
      ),
      eb.not(
        eb.exists(
          eb
            .selectFrom('partner_tokens')
            .select('partner_tokens.jti')
            .whereRef('partner_tokens.entity_id', '=', 'partner_files.case_id')
            .where('partner_tokens.revoked_at', 'is', null)
            .where('partner_tokens.expires_at', '>', now),
        ),
      ),
    ]);
  return inBatches(
    'partner_files',
    limits,
    async (k) =>
      await db
        .selectFrom('partner_files')
        .select(['partner_files.case_id', 'partner_files.sha256'])
        .where('partner_files.created_at', '<', before)
        .where(unneeded)
        .orderBy('partner_files.created_at')
        .limit(k)
        .execute(),
    async (keys) => {
      const byRecord = groupBy(
        keys,
        (k) => k.case_id,
        (k) => k.sha256,
      );
      let d = 0;
      for (const [record, shas] of byRecord)
        d += n(
          await db
            .deleteFrom('partner_files')
            .where('partner_files.case_id', '=', record)
            .where('partner_files.sha256', 'in', shas)
            .where('partner_files.created_at', '<', before)
            .where(unneeded)
            .execute(),
        );
      return d;
    },
  );
}

/** One pass over every table with a retention; a table whose days are 0 is skipped. */
export async function pruneRetention(
  db: Kysely<Database>,
  days: PruneDays,
  limits: PruneLimits,
  now: number,
): Promise<PruneResult[]> {
  const steps: Array<[number, (db: Kysely<Database>, before: number, l: PruneLimits) => Promise<PruneResult>]> = [
    [days.jobs_done_days, pruneDoneJobs],
    [days.inbound_events_days, pruneInboundEvents],
    [days.audit_log_days, pruneAuditLog],
    [days.dead_letters_days, pruneReplayedDeadLetters],
    [days.partner_messages_days, prunePartnerMessages],
    [days.partner_page_hits_days, prunePartnerPageHits],
    [days.sync_hashes_days, pruneClosedCaseHashes],
    [days.timeline_days, pruneTimeline],
    [days.partner_files_days, (d, before, l) => prunePartnerFiles(d, before, l, now)],
  ];
  const out: PruneResult[] = [];
  for (const [d, step] of steps) if (d > 0) out.push(await step(db, now - d * DAY, limits));
  return out;
}

/** The tables whose sizes `doctor` and /metrics show (those that grow with use). */
export const COUNTED_TABLES = [
  'jobs',
  'inbound_events',
  'audit_log',
  'dead_letters',
  'partner_messages',
  'partner_page_hits',
  'sync_hashes',
  'cases',
  'links',
  'documents',
  'mailbox_processed_files',
  'timeline',
  'partner_files',
] as const;

/** Row count per table (exact `count(*)`: callers read it rarely — doctor once, /metrics through a cache). */
export async function countTableRows(
  db: Kysely<Database>,
  tables: readonly (typeof COUNTED_TABLES)[number][] = COUNTED_TABLES,
): Promise<Array<{ table: string; rows: number }>> {
  const out: Array<{ table: string; rows: number }> = [];
  const c = withConsoleTables(db);
  for (const t of tables) {
    const r = await c
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('c'))
      .executeTakeFirst();
    out.push({ table: t, rows: Number(r?.c ?? 0) });
  }
  return out;
}
