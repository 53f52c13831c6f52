import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withConsoleTables } from '../consoleSchema.ts';
import { PARTNER_SEND_FAILURES, PARTNER_VISIBLE_ACTIONS } from '../../core/sharing/rules.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface TimelineEntry {
  caseId: string | null;
  at: number;
  kind: 'event' | 'decision' | 'call' | 'retry' | 'error' | 'dead_letter' | 'replay' | 'operator';
  detail: string;
  status: 'done' | 'retry' | 'fail' | 'lease_lost' | 'wait' | 'info';
  durationMs?: number | null;
  jobId?: number | null;
}

/** Rows per insert: powers of two up to 64 (see `timelineChunks`). */
const LARGEST_CHUNK = 64;

/**
 * Sizes of the inserts for `n` entries: as many of 64 as fit, then the rest as powers of two (100 → 64, 32,
 * 4). Each row count is its own SQL text and its own prepared statement, kept in the SQLite statement cache
 * outside the JS heap with a size that grows with its rows: one insert per batch size made a statement for
 * every size a batch ever had (the recorder's batches reach 500 rows under a backlog; 500 such statements held
 * ~84 MB). With these sizes there are at most 7 timeline statements, the largest of 64 rows.
 */
export function timelineChunks(n: number): number[] {
  const out: number[] = [];
  let left = n;
  while (left >= LARGEST_CHUNK) {
    out.push(LARGEST_CHUNK);
    left -= LARGEST_CHUNK;
  }
  for (let size = LARGEST_CHUNK / 2; size >= 1; size /= 2) {
    if (left >= size) {
      out.push(size);
      left -= size;
    }
  }
  return out;
}

/** Append entries to the console's timeline (inserts of a few fixed sizes, in one transaction). */
export async function recordTimeline(db: Db, entries: readonly TimelineEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    case_id: e.caseId,
    at: e.at,
    kind: e.kind,
    detail: e.detail,
    status: e.status,
    duration_ms: e.durationMs ?? null,
    job_id: e.jobId ?? null,
  }));
  const insertAll = async (tx: Db) => {
    let at = 0;
    for (const size of timelineChunks(rows.length)) {
      await withConsoleTables(tx)
        .insertInto('timeline')
        .values(rows.slice(at, at + size))
        .execute();
      at += size;
    }
  };
  if (db.isTransaction || rows.length === 1) await insertAll(db);
  else await db.transaction().execute(insertAll);
}

function ruleOf(after: string | null): string | null {
  try {
    const r = (JSON.parse(after ?? 'null') as { rule?: unknown } | null)?.rule;
    return typeof r === 'string' ? r : null;
  } catch {
    return null;
  }
}

export interface CaseTimelineItem {
  at: number;
  kind: string;
  detail: string;
  status: string;
  durationMs: number | null;
  jobId: number | null;
  source: 'timeline' | 'audit' | 'dead_letter';
}

/**
 * Everything known about one case, in order: job runs recorded by the dispatcher (event received, decision,
 * call with status and duration, retry, error), decisions from the audit log, and dead letters.
 */
export async function listCaseTimeline(db: Db, caseId: string, limit = 1000): Promise<CaseTimelineItem[]> {
  const cdb = withConsoleTables(db);
  const [runs, audit, dead] = await Promise.all([
    cdb
      .selectFrom('timeline')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('at')
      .orderBy('id')
      .limit(limit)
      .execute(),
    cdb
      .selectFrom('audit_log')
      .selectAll()
      .where('entity', '=', 'case')
      .where('entity_id', '=', caseId)
      .orderBy('id')
      .limit(limit)
      .execute(),
    cdb
      .selectFrom('dead_letters')
      .selectAll()
      .where('queue_key', '=', `case:${caseId}`)
      .orderBy('id')
      .limit(limit)
      .execute(),
  ]);
  const items: CaseTimelineItem[] = [
    ...runs.map((r) => ({
      at: Number(r.at),
      kind: r.kind,
      detail: r.detail,
      status: r.status,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      jobId: r.job_id === null ? null : Number(r.job_id),
      source: 'timeline' as const,
    })),
    // Writes the partner sees stand apart from internal events, with the rule that let them through.
    ...audit.map((a) => {
      const failed = PARTNER_SEND_FAILURES.has(a.action);
      const sent = failed || PARTNER_VISIBLE_ACTIONS.has(a.action);
      const rule = sent ? ruleOf(a.after) : null;
      return {
        at: Number(a.at),
        kind: sent ? 'sent_to_partner' : 'decision',
        detail: `${a.action} by ${a.actor}${rule ? ` — allowed by ${rule}` : ''}${a.after ? `: ${a.after}` : ''}`,
        status: failed ? 'fail' : 'info',
        durationMs: null,
        jobId: null,
        source: 'audit' as const,
      };
    }),
    ...dead.map((d) => ({
      at: Number(d.failed_at),
      kind: 'dead_letter',
      detail: `dead letter #${d.id} (${d.kind}) after ${d.attempts} attempt(s): ${d.error.split('\n')[0]}${d.replayed_at ? ` — replayed ${new Date(Number(d.replayed_at)).toISOString()}` : ''}`,
      status: d.replayed_at ? 'info' : 'fail',
      durationMs: null,
      jobId: Number(d.job_id),
      source: 'dead_letter' as const,
    })),
  ];
  // Stable: equal times keep the order they were read in (timeline before audit for the same commit).
  return items
    .map((x, i) => [x, i] as const)
    .sort((a, b) => a[0].at - b[0].at || a[1] - b[1])
    .map(([x]) => x);
}
