import type { BusinessCalendar } from '../../../core/calendar/businessCalendar.ts';
import type { CaseRecord } from '../../../core/case.ts';
import type { RoutingRules } from './routing/routingRules.ts';
import { categorizeCase, type CaseCategories } from './routing/caseCategories.ts';
import type { Job } from '../../catalogue.ts';
import { computeSla, type SlaResult, type SlaState } from './sla/computeSla.ts';
import { decideSlaActions } from './sla/decideSlaActions.ts';
import { selectSlaPolicy, type SlaConfig } from './sla/slaPolicy.ts';

/** What earlier sweeps recorded for a case (the store's case_sla row). */
export interface StoredSla {
  state: string;
  dueAt: number | null;
  reminders: readonly number[];
  escalationLevel: number;
}

export interface SweepCaseInput {
  record: CaseRecord;
  /** Partner-status changes (any order). */
  history: ReadonlyArray<{ status: string; from: Date }>;
  stored: StoredSla | null;
  /** Whether the case has its ClickUp task yet (reminders, escalations and due dates need it). */
  hasTask: boolean;
  sla: SlaConfig;
  routing: RoutingRules;
  /** Config `categories`: where a case's category (for routing rules) comes from; none: no category. */
  categories?: CaseCategories;
  calendar: BusinessCalendar;
  now: Date;
  /** The sweep's time slot: keys due-date writes, so each sweep writes a moved date at most once. */
  slot: number;
}

/**
 * The jobs a sweep queues: the SLA jobs (handlers in ../handlers/sla*.ts) and the case-sync job
 * `tradinggrid.set_status` (src/flows/02-status-sync/effectHandlers.ts), reused with an SLA key.
 */
export type SlaJob = Job<'sla.remind' | 'sla.escalate' | 'sla.due_date' | 'tradinggrid.set_status'>;

export interface SweepCaseDecision {
  sla: SlaResult;
  policySource: string;
  /** The case_sla row to store (fields absent: unchanged). */
  update: {
    state: SlaState;
    policy: string;
    share: number;
    dueAt?: number;
    reminders?: number[];
    escalationLevel?: number;
  };
  jobs: SlaJob[];
  /** Rungs of the escalation ladder reached by this sweep (stored with the jobs). */
  escalations: Array<{
    level: number;
    manager: string | null;
    ruleIndex: number | null;
    explanation: string;
    dueAt: number | null;
  }>;
}

/**
 * Flow 5 for one case in one sweep: the SLA clock, then the core's decisions turned into keyed jobs and
 * the record of what was enqueued. Pure. Exactly-once comes from both sides: the stored row makes the
 * next sweep decide nothing new, and the job keys (`sla.remind:<case>:<threshold>`,
 * `sla.escalate:<case>:<level>`) make a repeated enqueue a no-op.
 */
export function decideSweepForCase(input: SweepCaseInput): SweepCaseDecision {
  const { record: r, stored, now } = input;
  const exception = r.exception ?? null;
  const subject = {
    kind: r.kind,
    exception,
    tier: r.partnerTier,
    category: categorizeCase(
      { kind: r.kind, exception, documentType: r.transactionRef?.business?.type ?? null },
      input.categories ?? [],
    ),
    value: r.value,
  };
  const choice = selectSlaPolicy(subject, input.sla);
  const sla = computeSla(
    {
      openedAt: new Date(r.openedAt),
      statusHistory: input.history,
      resolvedAt: r.resolvedAt === null ? null : new Date(r.resolvedAt),
    },
    choice.policy,
    input.calendar,
    now,
    { pauseStatuses: input.sla.pause_statuses },
  );
  // Before the first sweep the task carries the intake's due date: no write unless it moved.
  const writtenDue = stored ? stored.dueAt : r.slaDueAt;
  const intents = decideSlaActions({
    case: { ...subject, partnerStatus: r.partnerStatus },
    sla,
    policy: choice.policy,
    alreadyDone: {
      reminders: stored?.reminders ?? [],
      escalationLevel: stored?.escalationLevel ?? 0,
      dueAt: writtenDue === null ? null : new Date(writtenDue),
      state: (stored?.state as SlaState | undefined) ?? null,
    },
    now,
    routing: input.routing,
    calendar: input.calendar,
  });
  const update: SweepCaseDecision['update'] = { state: sla.state, policy: choice.source, share: sla.share };
  const jobs: SlaJob[] = [];
  const escalations: SweepCaseDecision['escalations'] = [];
  const q = `case:${r.id}`;
  let escalatedLevel = 0;
  for (const i of intents) {
    if (i.kind === 'set_sla_state') continue; // in `update` always
    if (!input.hasTask) continue; // decided again once the task exists
    switch (i.kind) {
      case 'update_due_date':
        update.dueAt = i.dueAt.getTime();
        jobs.push({
          kind: 'sla.due_date',
          key: `sla.due_date:${r.id}:${input.slot}`,
          queueKey: q,
          payload: { caseId: r.id, dueAt: i.dueAt.getTime() },
        });
        break;
      case 'remind':
        update.reminders = [...new Set([...(stored?.reminders ?? []), ...i.covers])].sort((a, b) => a - b);
        jobs.push({
          kind: 'sla.remind',
          key: `sla.remind:${r.id}:${i.threshold}`,
          queueKey: q,
          payload: { caseId: r.id, threshold: i.threshold, covers: i.covers, share: i.share, dueAt: i.dueAt.getTime() },
        });
        break;
      case 'escalate':
        update.escalationLevel = i.level;
        escalatedLevel = i.level;
        escalations.push({
          level: i.level,
          manager: i.routeTo.manager || null,
          ruleIndex: i.ruleIndex,
          explanation: i.explanation,
          dueAt: i.dueAt?.getTime() ?? null,
        });
        jobs.push({
          kind: 'sla.escalate',
          key: `sla.escalate:${r.id}:${i.level}`,
          queueKey: q,
          payload: {
            caseId: r.id,
            level: i.level,
            fromLevel: i.fromLevel,
            routeTo: i.routeTo,
            ruleIndex: i.ruleIndex,
            explanation: i.explanation,
            priority: i.priority,
            dueAt: i.dueAt?.getTime() ?? null,
            title: r.title,
            partner: r.partnerName ?? r.partnerId,
          },
        });
        break;
      case 'set_partner_status':
        jobs.push({
          kind: 'tradinggrid.set_status',
          key: `sla.partner_status:${r.id}:escalated:${escalatedLevel}`,
          queueKey: q,
          payload: {
            caseId: r.id,
            status: 'escalated',
            at: now.getTime(),
            note: `Escalated (level ${escalatedLevel}): the case is past its agreed resolution time and a manager is on it.`,
          },
        });
        break;
    }
  }
  return { sla, policySource: choice.source, update, jobs, escalations };
}
