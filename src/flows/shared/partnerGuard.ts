import type { Transaction } from 'kysely';
import type { SyncContext } from '../../sync/context.ts';
import type { Database } from '../../store/schema.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import {
  changeState,
  countRecentChanges,
  decideHeldChanges,
  recordChange,
  type HeldSelector,
} from '../../store/ops/partnerChanges.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getFieldMemory } from '../../store/ops/fieldMemory.ts';
import {
  decideBulkHold,
  heldEntityOf,
  PARTNER_VISIBLE_JOB_KINDS,
  type BulkGuardConfig,
} from '../../core/sharing/bulkGuard.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { checked, jobSchemas, requeued, type Job } from '../catalogue.ts';
import type { CheckedJob } from '../../core/checkedJob.ts';

/** The person behind a ClickUp change, as the guard counts them: "name (user id)". */
export function personOf(items: ReadonlyArray<{ user?: unknown }> | undefined): string | null {
  for (const i of items ?? []) {
    const u = i.user as { id?: unknown; username?: string; email?: string } | undefined;
    if (u && (u.id !== undefined || u.username || u.email))
      return `${u.username ?? u.email ?? 'user'}${u.id !== undefined ? ` (${String(u.id)})` : ''}`;
  }
  return null;
}

export function bulkGuardOf(config: Pick<GridbridgeConfig, 'guards'>): BulkGuardConfig {
  return { max: config.guards.bulk_changes.max_changes, windowMs: config.guards.bulk_changes.window_minutes * 60_000 };
}

/**
 * Enqueue a person's changes, holding the partner-visible ones past the bulk-change limit. Every
 * partner-visible change is counted per person (a redelivered webhook is not counted twice, and a held
 * change stays held). Changes without a person (the bridge's own, SLA) are never held.
 */
export async function enqueueGuarded(
  ctx: SyncContext,
  trx: Transaction<Database>,
  actor: string | null,
  jobs: readonly Job[],
): Promise<void> {
  const now = ctx.now();
  const g = bulkGuardOf(ctx.config);
  const go: Job[] = [];
  const held: Array<{ job: Job; reason: string }> = [];
  for (const job of jobs) {
    if (!actor || g.max <= 0 || !PARTNER_VISIBLE_JOB_KINDS.has(job.kind)) {
      go.push(job);
      continue;
    }
    const before = await changeState(trx, job.key);
    if (before) {
      if (before === 'sent' || before === 'released') go.push(job);
      continue;
    }
    const v = decideBulkHold(await countRecentChanges(trx, actor, now - g.windowMs), g, actor);
    await recordChange(trx, { actor, at: now, job, state: v.hold ? 'held' : 'sent', reason: v.hold ? v.reason : null });
    if (v.hold) held.push({ job, reason: v.reason });
    else go.push(job);
  }
  for (const h of held) {
    const on = heldEntityOf(h.job.kind, h.job.payload);
    await appendAudit(
      trx,
      {
        actor: 'gridbridge',
        entity: on.entity,
        entityId: on.id,
        action: 'held_bulk_change',
        after: { by: actor, kind: h.job.kind, reason: h.reason },
      },
      now,
    );
  }
  if (held.length > 0)
    ctx.logger.warn(
      { actor, held: held.length, kinds: [...new Set(held.map((h) => h.job.kind))] },
      `bulk-change guard: ${held.length} partner-visible change(s) by ${actor} held for an admin (gridbridge held list / the console)`,
    );
  await enqueueJobs(trx, checked(go), now, ctx.config.dispatcher.max_attempts);
}

/** Release (enqueue) or drop held changes; each is audited on its case with the admin who decided. */
export async function settleHeldChanges(
  db: { transaction(): { execute<T>(f: (trx: Transaction<Database>) => Promise<T>): Promise<T> } },
  sel: HeldSelector,
  to: 'released' | 'dropped',
  by: string,
  now: number,
  maxAttempts: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await decideHeldChanges(trx, sel, to, by, now);
    const go: CheckedJob[] = [];
    for (const r of rows) {
      let action = to === 'released' ? 'held_change_released' : 'held_change_dropped';
      if (to === 'released' && r.job.kind === 'tradinggrid.set_status' && r.caseId) {
        // A status the task has moved on from since is not sent late: it would be a step back.
        const p = jobSchemas['tradinggrid.set_status'].safeParse(r.job.payload);
        const onTask = (await getFieldMemory(trx, 'case', r.caseId, 'status')).clickup?.value;
        if (onTask !== undefined && onTask !== (p.success ? p.data.status : undefined))
          action = 'held_change_superseded';
      }
      if (action === 'held_change_released') go.push(requeued(r.job));
      const on = heldEntityOf(r.job.kind, r.job.payload);
      await appendAudit(
        trx,
        {
          actor: by,
          entity: on.entity,
          entityId: on.id,
          action,
          after: { heldId: r.id, by: r.actor, kind: r.job.kind },
        },
        now,
      );
    }
    await enqueueJobs(trx, go, now, maxAttempts);
    return rows.length;
  });
}
