import { Hono } from 'hono';
import { z } from 'zod';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { ClickUpClient } from '../../connectors/clickup/index.ts';
import type { Store } from '../../store/db.ts';
import type { CaseRecord } from '../../core/case.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getLink } from '../../store/ops/links.ts';
import { listDocuments } from '../../store/ops/documents.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { replayDeadLetter } from '../../store/ops/replayDeadLetter.ts';
import { searchCases } from '../../store/ops/searchCases.ts';
import { listCaseTimeline, recordTimeline } from '../../store/ops/timeline.ts';
import { listDeadLetterDetails } from '../../store/ops/listDeadLetterDetails.ts';
import { summarizeQueue } from '../../store/ops/summarizeQueue.ts';
import { computeScorecards } from '../../store/ops/computeScorecards.ts';
import { listSlaCases } from '../../store/ops/listSlaCases.ts';
import { tableExists } from '../../store/ops/tableExists.ts';
import { listRecentFlowRows } from '../../store/ops/flowRecords.ts';
import { listCursors } from '../../store/ops/cursors.ts';
import { summarizeInboundSources } from '../../store/ops/inboundSources.ts';
import type { AdminAuth, AdminEnv } from './auth.ts';
import type { ConnectorHealth } from './connectorHealth.ts';
import { managerOf, slaState } from './slaState.ts';
import { openApiDocument } from './openapi.ts';
import { readJsonBody } from '../rawBody.ts';
import { caseViewExtras, type CaseViewExtras } from '../../store/ops/caseViewExtras.ts';
import { countHeldByActor, listHeldChanges } from '../../store/ops/partnerChanges.ts';
import { mappingHolds, readMappingHealth } from '../../flows/02-status-sync/mappingHealth.ts';
import { listLinksOutside } from '../../store/ops/links.ts';
import { ourListIds } from '../../flows/shared/ourLists.ts';
import { settleHeldChanges } from '../../flows/shared/partnerGuard.ts';

export interface AdminApiDeps {
  store: Store;
  config: GridbridgeConfig;
  clickup: ClickUpClient;
  auth: AdminAuth;
  health: ConnectorHealth;
  now: () => number;
  /** New work was queued (a replay): wake the dispatcher. */
  wake: () => void;
  dispatcherCounters: () => Record<string, number>;
  inFlight: () => number;
  /** Flush buffered timeline entries before reading them. */
  flushTimeline: () => Promise<void>;
}

const CaseQuery = z.object({
  q: z.string().max(200).optional(),
  partner: z.string().max(200).optional(),
  kind: z.string().max(100).optional(),
  state: z.string().max(100).optional(),
  partner_status: z.string().max(100).optional(),
  sla: z.enum(['breached', 'at_risk', 'on_track', 'none', 'met', 'missed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const HeldSelectorBody = z.union([
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ actor: z.string().min(1).max(500) }),
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(100_000) }),
]);

const BulkReplay = z.union([
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(10_000) }),
]);

function badQuery(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
}

export function caseLinks(
  config: GridbridgeConfig,
  caseId: string,
  cuTaskId: string | null,
): { clickup: string | null; tradinggrid: string | null } {
  const tg = config.tradinggrid as { base_url?: string };
  return {
    clickup: cuTaskId ? `https://app.clickup.com/t/${encodeURIComponent(cuTaskId)}` : null,
    tradinggrid: tg.base_url ? `${tg.base_url.replace(/\/+$/, '')}/cases/${encodeURIComponent(caseId)}` : null,
  };
}

function caseRow(
  config: GridbridgeConfig,
  r: CaseRecord,
  cuTaskId: string | null,
  now: number,
  extras?: CaseViewExtras,
) {
  const e = extras?.escalation ?? null;
  return {
    id: r.id,
    title: r.title,
    partnerId: r.partnerId,
    partnerName: r.partnerName,
    kind: r.kind,
    source: r.source,
    partnerStatus: r.partnerStatus,
    bridgeState: r.state,
    holdReason: r.holdReason,
    clickupTaskId: cuTaskId,
    clickupStatus: extras?.clickupStatus ?? (r as CaseRecord & { clickupStatus?: string | null }).clickupStatus ?? null,
    escalation: e
      ? {
          level: e.level,
          manager: e.manager,
          taskId: e.taskId,
          taskUrl: e.taskId ? `https://app.clickup.com/t/${encodeURIComponent(e.taskId)}` : null,
          dueAt: e.dueAt,
          why: e.explanation,
        }
      : null,
    sla: slaState(r, now),
    slaDueAt: r.slaDueAt,
    openedAt: r.openedAt,
    resolvedAt: r.resolvedAt,
    updatedAt: r.updatedAt,
    links: caseLinks(config, r.id, cuTaskId),
  };
}

/** The admin JSON API under /api: the console's data and actions, also for scripts (bearer token). */
export function adminApi(d: AdminApiDeps): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();
  const db = d.store.db;

  api.get('/openapi.json', (c) => c.json(openApiDocument()));
  api.post('/session', (c) => d.auth.signIn(c));

  api.use('*', d.auth.authenticate());
  api.get('/session', (c) => {
    const p = c.get('principal');
    return c.json({ actor: p.actor, role: p.role, via: p.via, csrfToken: p.csrfToken, expiresAt: p.expiresAt });
  });
  api.post('/session/sign-out', (c) => d.auth.signOut(c));

  api.get('/overview', async (c) => {
    const now = d.now();
    const [q, open, breached, atRisk, held, heldChanges, outside] = await Promise.all([
      summarizeQueue(db, now),
      searchCases(db, { state: 'active', limit: 1 }, now),
      searchCases(db, { sla: 'breached', limit: 1 }, now),
      searchCases(db, { sla: 'at_risk', limit: 1 }, now),
      searchCases(db, { state: 'needs_mapping', limit: 1 }, now),
      countHeldByActor(db),
      listLinksOutside(db, [...ourListIds(d.config)], 50),
    ]);
    // Tasks a person moved out of our lists: their records are paused until the task is moved back.
    const pausedTasks = outside.map((l) => ({
      entity: l.entity,
      id: l.entityId,
      cuTaskId: l.cuTaskId,
      listId: l.cuListId,
    }));
    return c.json({
      openCases: open.total,
      breached: breached.total,
      atRisk: atRisk.total,
      held: held.total,
      heldChanges: heldChanges.reduce((n, x) => n + x.n, 0),
      pausedTasks,
      deadLetters: q.deadLettersOpen,
      queueDue: q.due,
      oldestDueAgeMs: q.oldestDueAgeMs,
    });
  });

  api.get('/cases', async (c) => {
    const p = CaseQuery.safeParse(c.req.query());
    if (!p.success) return c.json({ error: badQuery(p.error) }, 400);
    const now = d.now();
    const s = p.data;
    const r = await searchCases(
      db,
      {
        q: s.q,
        partnerId: s.partner,
        kind: s.kind,
        state: s.state,
        partnerStatus: s.partner_status,
        sla: s.sla,
        limit: s.limit,
        offset: s.offset,
      },
      now,
    );
    const extras = await caseViewExtras(
      db,
      r.rows.map((x) => x.record.id),
    );
    return c.json({
      total: r.total,
      limit: s.limit,
      offset: s.offset,
      cases: r.rows.map((x) => caseRow(d.config, x.record, x.cuTaskId, now, extras.get(x.record.id))),
    });
  });

  api.get('/cases/:id', async (c) => {
    const id = c.req.param('id');
    const rec = await getCase(db, id);
    if (!rec) return c.json({ error: `no case ${id}` }, 404);
    const [link, docs, extras] = await Promise.all([
      getLink(db, 'case', id),
      listDocuments(db, id),
      caseViewExtras(db, [id]),
    ]);
    return c.json({
      case: caseRow(d.config, rec, link?.cuTaskId ?? null, d.now(), extras.get(id)),
      record: rec,
      documents: docs.map((x) => ({
        name: x.name,
        kind: x.kind,
        sha256: x.sha256,
        origin: x.origin,
        sizeBytes: Number(x.size_bytes),
        onTradingGrid: !!x.tg_document_id,
        onClickUp: !!x.cu_attachment_id,
        createdAt: Number(x.created_at),
      })),
    });
  });

  api.get('/cases/:id/timeline', async (c) => {
    await d.flushTimeline();
    const id = c.req.param('id');
    return c.json({ caseId: id, items: await listCaseTimeline(db, id) });
  });

  api.get('/dead-letters', async (c) => {
    const all = c.req.query('all') === 'true';
    return c.json({ deadLetters: await listDeadLetterDetails(db, { includeReplayed: all, limit: 500 }) });
  });
  api.get('/dead-letters/:id{[0-9]+}', async (c) => {
    const [dl] = await listDeadLetterDetails(db, { id: Number(c.req.param('id')) });
    return dl ? c.json(dl) : c.json({ error: `no dead letter ${c.req.param('id')}` }, 404);
  });

  const replayOne = async (id: number, actor: string) => {
    const now = d.now();
    const r = await replayDeadLetter(db, id, now);
    if (r.ok) {
      const [dl] = await listDeadLetterDetails(db, { id });
      await appendAudit(
        db,
        { actor, entity: 'dead_letter', entityId: String(id), action: 'replayed', after: { jobId: r.jobId } },
        now,
      );
      await recordTimeline(db, [
        {
          caseId: dl?.caseId ?? null,
          at: now,
          kind: 'replay',
          detail: `dead letter #${id} (${dl?.kind ?? 'job'}) replayed by ${actor}`,
          status: 'info',
          jobId: r.jobId,
        },
      ]);
    }
    return r;
  };

  api.post('/dead-letters/:id{[0-9]+}/replay', d.auth.requireAdmin(), async (c) => {
    const id = Number(c.req.param('id'));
    const r = await replayOne(id, c.get('principal').actor);
    if (!r.ok) return c.json({ error: r.reason }, /no dead letter/.test(r.reason) ? 404 : 409);
    d.wake();
    return c.json({ replayed: id, jobId: r.jobId });
  });

  api.post('/dead-letters/replay', d.auth.requireAdmin(), async (c) => {
    const read = await readJsonBody(c, d.config.server.body_limit_bytes);
    if (!read.ok)
      return c.json(
        { error: read.status === 400 ? 'body must be JSON: {"all": true} or {"ids": [1, 2]}' : read.error },
        read.status,
      );
    const p = BulkReplay.safeParse(read.value);
    if (!p.success)
      return c.json({ error: `body must be {"all": true} or {"ids": [1, 2]}: ${badQuery(p.error)}` }, 400);
    const ids = 'all' in p.data ? (await listDeadLetterDetails(db, { limit: 100_000 })).map((x) => x.id) : p.data.ids;
    const results: Array<{ id: number; ok: boolean; jobId?: number; reason?: string }> = [];
    for (const id of ids) {
      const r = await replayOne(id, c.get('principal').actor);
      results.push(r.ok ? { id, ok: true, jobId: r.jobId } : { id, ok: false, reason: r.reason });
    }
    if (results.some((r) => r.ok)) d.wake();
    return c.json({
      replayed: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      results,
    });
  });

  // Bulk-change guard: changes held for an admin, released (sent) or dropped here or with `gridbridge held`.
  api.get('/held-changes', async (c) =>
    c.json({
      guard: {
        maxChanges: d.config.guards.bulk_changes.max_changes,
        windowMinutes: d.config.guards.bulk_changes.window_minutes,
      },
      held: await listHeldChanges(db),
    }),
  );
  for (const to of ['released', 'dropped'] as const) {
    api.post(`/held-changes/${to === 'released' ? 'release' : 'drop'}`, d.auth.requireAdmin(), async (c) => {
      const read = await readJsonBody(c, d.config.server.body_limit_bytes);
      const p = read.ok ? HeldSelectorBody.safeParse(read.value) : null;
      if (!p?.success)
        return c.json({ error: 'body must be {"all": true}, {"actor": "Name (id)"} or {"ids": [1, 2]}' }, 400);
      const n = await settleHeldChanges(
        db,
        p.data,
        to,
        c.get('principal').actor,
        d.now(),
        d.config.dispatcher.max_attempts,
      );
      if (to === 'released' && n > 0) d.wake();
      return c.json({ [to]: n });
    });
  }

  api.get('/sla', async (c) => {
    const now = d.now();
    const rows = await listSlaCases(db, now);
    const extras = await caseViewExtras(
      db,
      rows.map((r) => r.record.id),
    );
    // The escalation lives in sla_escalations, not on the record: the manager comes from its top rung.
    const manager = (r: (typeof rows)[number]) => extras.get(r.record.id)?.escalation?.manager ?? managerOf(r.record);
    const group = (key: (r: (typeof rows)[number]) => string) => {
      const m = new Map<string, { key: string; atRisk: number; breached: number }>();
      for (const r of rows) {
        const k = key(r);
        const g = m.get(k) ?? { key: k, atRisk: 0, breached: 0 };
        if (r.breached) g.breached++;
        else g.atRisk++;
        m.set(k, g);
      }
      return [...m.values()].sort(
        (a, b) => b.breached - a.breached || b.atRisk - a.atRisk || a.key.localeCompare(b.key),
      );
    };
    return c.json({
      now,
      byPartner: group((r) =>
        r.record.partnerName ? `${r.record.partnerName} (${r.record.partnerId})` : r.record.partnerId,
      ),
      byManager: group(manager),
      cases: rows.map((r) => ({
        ...caseRow(d.config, r.record, r.cuTaskId, now, extras.get(r.record.id)),
        manager: manager(r),
      })),
    });
  });

  // GET /api/scorecards (flow 7's period scorecards) is served by routes/scorecards.ts behind the same auth.
  api.get('/scorecards/trend', async (c) => {
    const weeks = Math.min(52, Math.max(1, Number(c.req.query('weeks') ?? 12) || 12));
    return c.json(await computeScorecards(db, d.now(), weeks));
  });

  api.get('/rollouts', async (c) => {
    if (!(await tableExists(db, d.store.dialect, 'flow_records')))
      return c.json({
        available: false,
        reason: 'no data yet: onboarding and rollout flows (4 and 8) have not stored anything',
        onboarding: [],
        rollouts: [],
      });
    const rows = await listRecentFlowRows(db, ['onboarding', 'rollout'], 500);
    const summarize = (r: (typeof rows)[number]) => {
      let data: FlowRecordSummaryData = {};
      try {
        data = JSON.parse(r.data) as FlowRecordSummaryData;
      } catch {
        /* shown without details */
      }
      const count = (v: unknown): number | null =>
        Array.isArray(v)
          ? v.length
          : typeof v === 'number'
            ? v
            : v && typeof v === 'object'
              ? Object.keys(v).length
              : null;
      return {
        id: r.id,
        state: r.state,
        updatedAt: Number(r.updated_at),
        title: data.title ?? data.name ?? data.partnerName ?? r.id,
        partner: data.partnerName ?? data.partnerId ?? null,
        acknowledged:
          Array.isArray(data.recipients) && data.acks && typeof data.acks === 'object'
            ? data.recipients.filter((p) => data.acks?.[p]).length
            : count(data.acknowledged ?? data.acknowledgements ?? data.acks),
        expected: count(data.recipients ?? data.partners ?? data.audience?.partnerIds ?? data.expected),
        // Flow 8: who acknowledged and who is still silent; flow 4: which milestones are closed.
        perPartner: Array.isArray(data.recipients)
          ? data.recipients.map((p: string) => ({
              partnerId: p,
              partner: data.partnerNames?.[p] ?? p,
              acknowledgedAt: data.acks?.[p] ?? null,
            }))
          : null,
        milestones: Array.isArray(data.milestones)
          ? data.milestones.map((m) => ({ name: String(m.name ?? m.title ?? ''), done: !!(m.done ?? m.completed) }))
          : data.milestones && typeof data.milestones === 'object'
            ? Object.keys(data.milestones).map((k) => ({
                name: k,
                done: Array.isArray(data.closed) && data.closed.includes(k),
              }))
            : null,
        stepsDone: Array.isArray(data.closed)
          ? data.closed.length
          : Array.isArray(data.stepsDone)
            ? data.stepsDone.length
            : null,
        clickupTaskId: typeof data.taskId === 'string' ? data.taskId : null,
      };
    };
    return c.json({
      available: true,
      onboarding: rows.filter((r) => r.flow === 'onboarding').map(summarize),
      rollouts: rows.filter((r) => r.flow === 'rollout').map(summarize),
    });
  });

  api.get('/health', async (c) => {
    const now = d.now();
    const [queue, webhook, cursors, lastEvents, tokenOwner, mapping, heldBy] = await Promise.all([
      summarizeQueue(db, now),
      d.health.webhookStatus().catch((e) => ({
        checkedAt: now,
        ok: false,
        detail: `webhook check failed: ${(e as Error).message}`,
        webhooks: [],
      })),
      listCursors(db),
      summarizeInboundSources(db),
      d.health.tokenOwner?.().catch(() => null) ?? null,
      readMappingHealth(db),
      mappingHolds(db),
    ]);
    const cursor = (re: RegExp) =>
      cursors.filter((x) => re.test(x.name)).map((x) => ({ name: x.name, at: Number(x.updated_at) }));
    return c.json({
      now,
      clickup: { rateLimit: d.health.rateLimit(), webhook, tokenOwner },
      // Statuses, fields and options the mapping names that a case list lacks now, and the changes they hold.
      mapping: {
        checked: mapping.checked,
        drift: mapping.drift,
        held: heldBy.filter((x) => x.kind === 'list').reduce((n, x) => n + x.n, 0),
        unmapped: heldBy.filter((x) => x.kind === 'unmapped_status').map((x) => ({ status: x.name, held: x.n })),
      },
      tradinggrid: { lastPoll: cursor(/poll|tradinggrid|tg/i), lastMailboxScan: cursor(/mailbox|sftp|ac_csv/i) },
      inbound: lastEvents.map((e) => ({
        source: e.source,
        lastReceivedAt: e.last === null ? null : Number(e.last),
        total: Number(e.n),
      })),
      queue,
      dispatcher: { inFlight: d.inFlight(), counters: d.dispatcherCounters() },
      history: d.health.samples,
    });
  });

  return api;
}

/**
 * What GET /rollouts reads of a flow record's `data` (flows 4 and 8 write it; a field an older row lacks is
 * shown as null). Read as declared, not validated: each field is checked where it is used.
 */
interface FlowRecordSummaryData {
  title?: string;
  name?: string;
  partnerName?: string;
  partnerId?: string;
  recipients?: string[];
  /** Partner id → when it acknowledged (ISO time). */
  acks?: Record<string, string | undefined>;
  acknowledged?: unknown;
  acknowledgements?: unknown;
  partners?: unknown;
  audience?: { partnerIds?: unknown };
  expected?: unknown;
  partnerNames?: Record<string, string | undefined>;
  milestones?: Array<{ name?: string; title?: string; done?: boolean; completed?: boolean }> | Record<string, unknown>;
  closed?: string[];
  stepsDone?: unknown[];
  taskId?: unknown;
}
