import { humanKind, type CaseRecord, type PartnerTier } from '../../../core/case.ts';
import type { IncomingCase, IncomingDocument, PartnerFacts } from '../../../core/intake.ts';
import type { Priority, TaskDraft } from '../../../core/taskDraft.ts';
import type { Job } from '../../catalogue.ts';

/** The slice of configuration flow 1 decides with. */
export interface IntakeConfig {
  defaultListId: string;
  requireMapping: boolean;
  partners: Record<string, { name?: string; listId?: string }>;
  /**
   * The SLA due date of a new case (ms epoch): business-time resolution target of its policy from the
   * opening instant (`computeSla` over the business calendar). Pure; passed in so this flow stays free of config.
   */
  slaDueAt: (subject: { kind: string; exception: string | null; tier: PartnerTier | null; openedAt: number }) => number;
  /** Link to the case on the Trading Grid side, for the task description. */
  caseUrl?: (caseId: string) => string;
}

export interface IntakeInput {
  incoming: IncomingCase;
  documents: readonly IncomingDocument[];
  partner: PartnerFacts | null;
  existing: CaseRecord | null;
  /** Whether a ClickUp task is already linked to this case. */
  linked: boolean;
  config: IntakeConfig;
  now: number;
}

/** The jobs flow 1 queues: the task once, one upload per partner document (jobs of one case run in order). */
export type IntakeJob = Job<'clickup.create_task' | 'clickup.upload_document'>;

export interface IntakeDecision {
  record: CaseRecord;
  jobs: IntakeJob[];
}

/** Strategic partners and larger amounts get attention first; EDI rejections block business, so they are high too. */
export function decidePriority(kind: string, tier: PartnerTier | null, valueAmount: number | null): Priority {
  if (tier === 'strategic' || (valueAmount !== null && valueAmount >= 50_000)) return 2;
  if (kind === 'edi_exception' || kind === 'compliance_issue') return 2;
  if (tier === 'standard' && (valueAmount === null || valueAmount < 1_000)) return 4;
  return 3;
}

function formatRef(i: IncomingCase): string {
  const r = i.transactionRef;
  if (!r) return '';
  const parts = [
    r.business ? `${r.business.type} ${r.business.value}` : null,
    r.standard ? r.standard.toUpperCase() : null,
    r.interchange ? `ICN ${r.interchange}` : null,
    r.group ? `GCN ${r.group}` : null,
    r.transaction ? `TCN ${r.transaction}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

function describe(i: IncomingCase, partnerName: string, docs: readonly IncomingDocument[], caseUrl?: string): string {
  const lines = [
    i.description.trim() || '_No description given by the partner._',
    '',
    '| | |',
    '|---|---|',
    `| Partner | ${partnerName} (${i.partnerId}) |`,
    `| Issue type | ${humanKind(i.kind)}${i.exception ? ` (${i.exception})` : ''} |`,
  ];
  const ref = formatRef(i);
  if (ref) lines.push(`| Transaction | ${ref} |`);
  if (i.value) lines.push(`| Value | ${i.value.amount.toFixed(2)} ${i.value.currency} |`);
  lines.push(`| Trading Grid case | ${caseUrl ? `[${i.id}](${caseUrl})` : i.id} |`);
  if (docs.length > 0) lines.push('', `Attachments from the partner: ${docs.map((d) => d.name).join(', ')}`);
  return lines.join('\n');
}

/**
 * The task a case gets: name, description, priority, due date, tags and the `clickup.fields` values. Also what a
 * linked task should show after the partner edits the case (flow 2 compares the drafts before and after the edit).
 */
export function caseTaskDraft(
  i: IncomingCase,
  o: {
    partnerName: string | null;
    tier: PartnerTier | null;
    slaDueAt: number | null;
    documents: readonly IncomingDocument[];
    caseUrl?: (caseId: string) => string;
  },
): TaskDraft {
  return {
    name: `${i.source === 'mailbox_test' ? '[TEST] ' : ''}[${o.partnerName ?? i.partnerId}] ${humanKind(i.kind)[0]!.toUpperCase()}${humanKind(i.kind).slice(1)}: ${i.title}`,
    markdown: describe(
      i,
      o.partnerName ?? i.partnerId,
      o.documents,
      i.source !== 'community' ? undefined : o.caseUrl?.(i.id),
    ),
    priority: decidePriority(i.kind, o.tier, i.value?.amount ?? null),
    dueAt: o.slaDueAt,
    tags: ['gridbridge', i.kind.replace(/_/g, '-'), ...(i.source === 'mailbox_test' ? ['edi-test'] : [])],
    fields: {
      partner: o.partnerName ?? i.partnerId,
      issue_type: humanKind(i.kind),
      transaction_ref: formatRef(i) || null,
      tg_case_id: i.id,
      value: i.value?.amount ?? null,
    },
  };
}

/** A stored case as the intake reads it (for drafts of a case already taken in). */
export function incomingOf(c: CaseRecord): IncomingCase {
  return {
    id: c.id,
    source: c.source,
    partnerId: c.partnerId,
    kind: c.kind,
    ...(c.exception ? { exception: c.exception } : {}),
    title: c.title,
    description: c.description,
    transactionRef: c.transactionRef,
    value: c.value,
    status: c.partnerStatus,
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
  };
}

/**
 * The SLA due date of a case as the intake decides it. A new case gets its policy's target from the instant it
 * was opened. A case already taken in keeps its due date (the SLA sweep may have moved it for pauses), unless
 * it is still open and the partner changed what selects its policy (its kind or exception): then the due date
 * is decided again by the same policy lookup, from the original opening instant (not the edit's), when the
 * new policy's target differs from the old one's. The tier is the same on both sides of that comparison, so a
 * partner lookup that failed this time does not move the date.
 */
export function decideSlaDueAt(
  i: { kind: string; exception?: string | null | undefined; openedAt: number },
  existing: {
    kind: string;
    exception?: string | null | undefined;
    slaDueAt: number | null;
    resolvedAt: number | null;
    state: CaseRecord['state'];
    openedAt: number;
  } | null,
  tier: PartnerTier | null,
  dueAt: IntakeConfig['slaDueAt'],
): number {
  const target = (kind: string, exception: string | null, openedAt: number) =>
    dueAt({ kind, exception, tier, openedAt });
  if (existing?.slaDueAt === null || existing?.slaDueAt === undefined)
    return target(i.kind, i.exception ?? null, i.openedAt);
  const open = existing.resolvedAt === null && existing.state !== 'closed';
  const reclassified = existing.kind !== i.kind || (existing.exception ?? null) !== (i.exception ?? null);
  if (!open || !reclassified) return existing.slaDueAt;
  const was = target(existing.kind, existing.exception ?? null, existing.openedAt);
  const now = target(i.kind, i.exception ?? null, existing.openedAt);
  return now === was ? existing.slaDueAt : now;
}

/**
 * Flow 1: a partner case arrives (or is re-read). Decide the case record and the effects: a ClickUp task
 * once, one upload per partner document, or a hold when the partner has no mapping. Pure.
 */
export function decideCaseIntake(input: IntakeInput): IntakeDecision {
  const { incoming: i, partner, existing, config, now } = input;
  const mapping = config.partners[i.partnerId];
  const partnerName = mapping?.name ?? partner?.name ?? null;
  // Test traffic is never held to a production SLA.
  const slaDueAt =
    i.source === 'mailbox_test' ? null : decideSlaDueAt(i, existing, partner?.tier ?? null, config.slaDueAt);
  const base: CaseRecord = {
    id: i.id,
    source: i.source,
    partnerId: i.partnerId,
    partnerName,
    partnerTier: partner?.tier ?? null,
    kind: i.kind,
    ...(i.exception ? { exception: i.exception } : {}),
    title: i.title,
    description: i.description,
    transactionRef: i.transactionRef,
    value: i.value,
    partnerStatus: existing?.partnerStatus ?? i.status,
    state: existing?.state === 'closed' ? 'closed' : 'active',
    holdReason: existing?.unlinked ? existing.holdReason : null,
    slaDueAt,
    openedAt: i.openedAt,
    resolvedAt: existing?.resolvedAt ?? null,
    updatedAt: now,
    ...(existing?.unlinked ? { unlinked: existing.unlinked } : {}),
    ...(existing?.replacesTask ? { replacesTask: existing.replacesTask } : {}),
  };

  if (config.requireMapping && !mapping && !input.linked) {
    const reason = `partner ${i.partnerId}${partner ? ` (${partner.name})` : ''} has no mapping: add it under partners.map in the config; held cases are taken up again when the bridge starts`;
    return { record: { ...base, state: 'needs_mapping', holdReason: reason }, jobs: [] };
  }

  const jobs: IntakeJob[] = [];
  const queueKey = `case:${i.id}`;
  // A case whose task a person deleted (and the config says leave it) gets no new task.
  if (!input.linked && !existing?.unlinked) {
    const task = caseTaskDraft(i, {
      partnerName,
      tier: partner?.tier ?? null,
      slaDueAt,
      documents: input.documents,
      caseUrl: config.caseUrl,
    });
    // A task that replaces a deleted one (sync.on_task_deleted: recreate) is a new effect, so a new key.
    const replaces = existing?.replacesTask;
    jobs.push({
      kind: 'clickup.create_task',
      key: replaces ? `cu.create_task:${i.id}:replaces:${replaces}` : `cu.create_task:${i.id}`,
      queueKey,
      // The payload repeats its kind, as these payloads always have.
      payload: {
        kind: 'clickup.create_task',
        caseId: i.id,
        listId: i.listId ?? mapping?.listId ?? config.defaultListId,
        task,
        ...(replaces ? { replaces } : {}),
      },
    });
  }
  for (const d of input.documents) {
    if (d.uploadedBy === 'partner')
      jobs.push({
        kind: 'clickup.upload_document',
        key: `cu.upload_document:${i.id}:${d.id}`,
        queueKey,
        payload: { kind: 'clickup.upload_document', caseId: i.id, documentId: d.id },
      });
  }
  return { record: base, jobs };
}
