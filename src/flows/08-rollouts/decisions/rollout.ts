import type { Job } from '../../catalogue.ts';
import type { PartnerTier } from '../../../core/case.ts';
import type { TaskGroupPlan } from '../../shared/taskGroupJobs.ts';

/** Flow 8: a process change is published to partners, acknowledgements tracked, go-live gated. Pure. */

export type Audience = { all: true } | { tiers: PartnerTier[] } | { partner_ids: string[] };

/** `all`, `tier:strategic,preferred`, or a list of partner ids `P-1, P-2`; empty → the default. */
export function parseAudience(text: string | null | undefined, fallback = 'all'): Audience {
  const t = (text ?? '').trim() || fallback;
  if (t.toLowerCase() === 'all') return { all: true };
  if (t.toLowerCase().startsWith('tier:'))
    return {
      tiers: t
        .slice(5)
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean) as PartnerTier[],
    };
  return {
    partner_ids: t
      .split(/[,\s]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  };
}

export interface RolloutRecord {
  rolloutId: string;
  taskId: string;
  title: string;
  body: string;
  audience: Audience;
  noticeId: string | null;
  recipients: string[];
  partnerNames: Record<string, string>;
  /** Partner id → acknowledged at (ISO). */
  acks: Record<string, string>;
  reminders: Record<string, { count: number; lastAt: number }>;
  stepsDone: string[];
  gateOpen: boolean;
}

export interface GateConfig {
  thresholdPct: number;
  planKeys: string[];
  gateStep: string;
}

export function ackFigures(r: Pick<RolloutRecord, 'recipients' | 'acks'>): {
  count: number;
  total: number;
  pct: number;
} {
  const count = r.recipients.filter((p) => r.acks[p]).length;
  const total = r.recipients.length;
  return { count, total, pct: total === 0 ? 100 : Math.round((count / total) * 1000) / 10 };
}

/** Go-live readiness opens when enough partners acknowledged and every other plan step is done. */
export function gateStatus(r: RolloutRecord, g: GateConfig): { open: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const f = ackFigures(r);
  if (f.pct < g.thresholdPct)
    reasons.push(`${f.count}/${f.total} partners acknowledged (${f.pct}% < ${g.thresholdPct}%)`);
  const open = g.planKeys.filter((k) => k !== g.gateStep && !r.stepsDone.includes(k));
  if (open.length > 0) reasons.push(`internal tasks open: ${open.join(', ')}`);
  return { open: reasons.length === 0, reasons };
}

/** The jobs flow 8's decisions queue. */
export type RolloutJob = Job<'rollout.open_gate' | 'rollout.sync_acks' | 'rollout.reblock'>;

const q = (r: RolloutRecord) => `rollout:${r.rolloutId}`;

function withGate(r: RolloutRecord, g: GateConfig, jobs: RolloutJob[]): { record: RolloutRecord; jobs: RolloutJob[] } {
  const s = gateStatus(r, g);
  if (s.open && !r.gateOpen) {
    return {
      record: { ...r, gateOpen: true },
      jobs: [
        ...jobs,
        {
          kind: 'rollout.open_gate',
          key: `rollout.open_gate:${r.rolloutId}`,
          queueKey: q(r),
          payload: { rolloutId: r.rolloutId },
        },
      ],
    };
  }
  return { record: r, jobs };
}

/** A partner acknowledged (or the event repeated): counted once; the task's figures follow; the gate may open. */
export function decideAck(
  r: RolloutRecord,
  partnerId: string,
  at: string,
  g: GateConfig,
): { record: RolloutRecord; jobs: RolloutJob[] } | null {
  if (r.acks[partnerId] || !r.recipients.includes(partnerId)) return null;
  const record = { ...r, acks: { ...r.acks, [partnerId]: at } };
  const n = ackFigures(record).count;
  return withGate(record, g, [
    {
      kind: 'rollout.sync_acks',
      key: `rollout.sync_acks:${r.rolloutId}:${n}`,
      queueKey: q(r),
      payload: { rolloutId: r.rolloutId },
    },
  ]);
}

/**
 * A plan step changed. A finished step is recorded once (the gate may open). The gate step finished
 * while the gate is still closed is put back, with the reasons.
 */
export function decideStepChange(
  r: RolloutRecord,
  step: string,
  finished: boolean,
  g: GateConfig,
  now: number,
): { record: RolloutRecord; jobs: RolloutJob[] } | null {
  if (!finished || r.stepsDone.includes(step)) return null;
  if (step === g.gateStep && !gateStatus(r, g).open) {
    return {
      record: r,
      jobs: [
        {
          kind: 'rollout.reblock',
          key: `rollout.reblock:${r.rolloutId}:${now}`,
          queueKey: q(r),
          payload: { rolloutId: r.rolloutId, reasons: gateStatus(r, g).reasons },
        },
      ],
    };
  }
  return withGate({ ...r, stepsDone: [...r.stepsDone, step] }, g, []);
}

/** Partners to remind at this slot: not acknowledged, not reminded within `minHours`, under `max` reminders. */
export function decideReminders(r: RolloutRecord, now: number, o: { minHours: number; max: number }): string[] {
  if (!r.noticeId) return [];
  return r.recipients.filter((p) => {
    if (r.acks[p]) return false;
    const rem = r.reminders[p];
    if (!rem) return true;
    return rem.count < o.max && now - rem.lastAt >= o.minHours * 3_600_000;
  });
}

/**
 * Who the notice reached. The community API may answer with its recipients; when it does not, the audience
 * is resolved against the partner directory (`directory`, read only then). A partner the audience names
 * by id and who is reached by e-mail is a recipient even when the community API does not know it.
 * `byMail`: the recipients to send the notice to by e-mail.
 */
export function decideRecipients(
  audience: Audience,
  fromNotice: readonly string[] | undefined,
  directory: ReadonlyArray<{ id: string; tier: string }>,
  reachedByMail: (partnerId: string) => boolean,
): { recipients: string[]; byMail: string[] } {
  const a = audience as { all?: boolean; tiers?: string[]; partner_ids?: string[] };
  const recipients = fromNotice
    ? [...fromNotice]
    : directory.filter((p) => a.all || a.tiers?.includes(p.tier) || a.partner_ids?.includes(p.id)).map((p) => p.id);
  for (const id of a.partner_ids ?? []) if (!recipients.includes(id) && reachedByMail(id)) recipients.push(id);
  return { recipients, byMail: recipients.filter(reachedByMail) };
}

/** The plan part of the rollouts config (what `flows.rollouts` says about the task group). */
export interface RolloutPlanConfig {
  listId: string;
  keyField: string;
  gateStep: string;
  thresholdPct: number;
  steps: ReadonlyArray<{
    key: string;
    name: string;
    assignees: number[];
    due_days: number;
    checklist: string[];
    depends_on: string[];
  }>;
}

const DAY = 86_400_000;

/** The internal plan under the rollout task once its notice is out: one subtask per configured step, the gate step explained. */
export function buildRolloutPlan(
  r: Pick<RolloutRecord, 'rolloutId' | 'taskId' | 'title'>,
  noticeId: string,
  c: RolloutPlanConfig,
  now: number,
): TaskGroupPlan {
  return {
    entity: 'rollout',
    groupId: r.rolloutId,
    listId: c.listId,
    keyField: c.keyField,
    fieldNames: {},
    parent: { existingTaskId: r.taskId, name: r.title, markdown: '', assignees: [], dueAt: null, tags: [], fields: {} },
    steps: c.steps.map((s) => ({
      key: s.key,
      name: `${s.name}: ${r.title}`,
      assignees: s.assignees,
      dueAt: now + s.due_days * DAY,
      checklist: s.checklist,
      dependsOn: s.depends_on,
      fields: {},
      markdown:
        s.key === c.gateStep
          ? `Stays blocked until ${c.thresholdPct}% of partners acknowledged notice ${noticeId} and the other tasks are done.`
          : `${s.name} for "${r.title}".`,
    })),
    onBuilt: { kind: 'rollout.sync_acks', payload: { rolloutId: r.rolloutId } },
  };
}

/** Reminders sent at `now` to `partners`: each one's count goes up by one. */
export function recordReminders(
  reminders: RolloutRecord['reminders'],
  partners: readonly string[],
  now: number,
): RolloutRecord['reminders'] {
  const next = { ...reminders };
  for (const p of partners) next[p] = { count: (next[p]?.count ?? 0) + 1, lastAt: now };
  return next;
}
