import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import { checked, requeued, type JobPayload } from '../catalogue.ts';
import { decideCaseIntake, type IntakeConfig } from './decisions/caseIntake.ts';
import { getCase, saveCase } from '../../store/ops/cases.ts';
import { getCaseWithLink } from '../../store/ops/caseWithLink.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { recordStatusChange } from '../../store/ops/recordStatusChange.ts';
import { slaRuntime } from '../05-escalation/slaRuntime.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { takeWaitingJobs } from '../../store/ops/waitingJobs.ts';
import { toIncomingCase, toIncomingDocument } from './mapTradingGrid.ts';
import type { IncomingCase, IncomingDocument } from '../../core/intake.ts';
import type { CheckedJob } from '../../core/checkedJob.ts';
import { CASE_BACK_IN_FILTER, caseFilteredOut, linkedCaseFilter } from './mapping/effects.ts';
import { partnerEditsToTask } from '../02-status-sync/fieldEdits.ts';

export function intakeConfigFrom(ctx: SyncContext): IntakeConfig {
  const c = ctx.config;
  return {
    defaultListId: c.clickup.list_id,
    requireMapping: c.partners.require_mapping,
    partners: Object.fromEntries(
      Object.entries(c.partners.map).map(([id, m]) => [id, { name: m.name, listId: m.list_id }]),
    ),
    slaDueAt: slaRuntime(c).dueAtForNewCase,
    // Only a community case has a page on the Trading Grid side; an EDI-derived one (source mailbox) has none.
    ...(c.tradinggrid.driver === 'community'
      ? {
          caseUrl: (
            (base: string) => (id: string) =>
              `${base}/cases/${encodeURIComponent(id)}`
          )(c.tradinggrid.base_url.replace(/\/+$/, '')),
        }
      : {}),
  };
}

/**
 * Read a community case and its documents, then decide and commit (flow 1). `after`: jobs of the case queued
 * behind the intake's own (the task's first) in the same insert, so they keep that order on both stores.
 */
export async function intakeCommunityCase(
  ctx: SyncContext,
  caseId: string,
  after: readonly CheckedJob[] = [],
): Promise<JobOutcome> {
  const [c, docs] = await Promise.all([ctx.tg.getCase(caseId), ctx.tg.listCaseDocuments(caseId)]);
  if (!c.ok) return outcomeFromRemote(c.error, `reading Trading Grid case ${caseId}`);
  if (!docs.ok) return outcomeFromRemote(docs.error, `listing documents of case ${caseId}`);
  return intakeCase(ctx, toIncomingCase(c.value), docs.value.data.map(toIncomingDocument), after);
}

/** Decide flow 1 for a normalised case (any driver) and commit the record with its jobs (then `after`'s). */
export async function intakeCase(
  ctx: SyncContext,
  incoming: IncomingCase,
  documents: IncomingDocument[],
  after: readonly CheckedJob[] = [],
): Promise<JobOutcome> {
  const partner = await ctx.partners.get(incoming.partnerId);
  // An unknown partner is not a reason to lose the case: decide with what we have, the mapping check holds it.
  const partnerFacts = partner.ok ? partner.value : null;
  if (!partner.ok && partner.error.retryable)
    return outcomeFromRemote(partner.error, `reading partner ${incoming.partnerId}`);
  const db = ctx.store.db;
  const { record: existing, link } = await getCaseWithLink(db, incoming.id);
  const filtered = link ? null : await caseFilteredOut(ctx, incoming, partnerFacts);
  if (filtered) return filtered;
  // A linked case that left the case filter pauses (nothing to the task or the partner) until it matches again.
  const gate = link ? await linkedCaseFilter(ctx, incoming, partnerFacts) : { resumed: false };
  if ('outcome' in gate) return gate.outcome;
  const now = ctx.now();
  const config = intakeConfigFrom(ctx);
  const decision = decideCaseIntake({
    incoming,
    documents,
    partner: partnerFacts,
    existing,
    linked: link !== null,
    config,
    now,
  });
  // A partner edit of a case that has its task: the task fields it changed follow, per their direction.
  const held = decision.record.state === 'needs_mapping' && link === null;
  const edits =
    link && existing
      ? await partnerEditsToTask(ctx, existing, decision.record, documents, incoming.updatedAt, config.caseUrl)
      : null;
  return {
    status: 'done',
    commit: async (trx) => {
      await saveCase(trx, decision.record);
      // The SLA clock replays the partner-status history; a new case starts it at its opening instant.
      await recordStatusChange(
        trx,
        incoming.id,
        decision.record.partnerStatus,
        existing ? now : decision.record.openedAt,
      );
      const maxAttempts = ctx.config.dispatcher.max_attempts;
      if (held) {
        // Jobs for the task of a case held for its partner mapping (a partner comment) wait with the case:
        // queued as ready they would retry against a task that cannot come until they dead-lettered.
        await enqueueJobs(trx, checked(decision.jobs), now, maxAttempts);
        await enqueueJobs(trx, after, now, maxAttempts, 'waiting');
      } else {
        // A case taken up after its hold: what waited for its task goes behind the task's first job.
        const waited =
          existing?.state === 'needs_mapping' ? (await takeWaitingJobs(trx, `case:${incoming.id}`)).map(requeued) : [];
        await enqueueJobs(trx, [...checked(decision.jobs), ...waited, ...after], now, maxAttempts);
      }
      await edits?.(trx);
      if (gate.resumed)
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: incoming.id,
            action: CASE_BACK_IN_FILTER,
            after: { syncing: 'resumed' },
          },
          now,
        );
      if (decision.record.state !== existing?.state || decision.record.holdReason !== existing?.holdReason) {
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: incoming.id,
            action: existing ? 'state_changed' : 'case_received',
            before: existing ? { state: existing.state } : undefined,
            after: { state: decision.record.state, holdReason: decision.record.holdReason },
          },
          now,
        );
      }
    },
  };
}

/** `case.reintake`: a held case whose partner has been mapped since is decided again from its current state. */
export function reintakeHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'case.reintake'>> {
  return async ({ payload }) => {
    if (payload.source === 'community') return intakeCommunityCase(ctx, payload.caseId);
    const rec = await getCase(ctx.store.db, payload.caseId);
    if (!rec) return { status: 'done' };
    return intakeCase(
      ctx,
      {
        id: rec.id,
        source: rec.source,
        partnerId: rec.partnerId,
        kind: rec.kind,
        title: rec.title,
        description: rec.description,
        transactionRef: rec.transactionRef,
        value: rec.value,
        status: rec.partnerStatus,
        openedAt: rec.openedAt,
        updatedAt: rec.updatedAt,
      },
      [],
    );
  };
}
