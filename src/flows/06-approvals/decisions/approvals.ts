import type { Job } from '../../catalogue.ts';
import type { Money, PartnerTier } from '../../../core/case.ts';
import type { Priority } from '../../../core/taskDraft.ts';
import { shareComment, shareFile, type SharingRules } from '../../../core/sharing/rules.ts';

/** Flow 6: a partner request becomes an approval task; the decision taken in ClickUp goes back once. Pure. */

export type RequestKind = 'pricing_exception' | 'shipment_change' | 'document_correction';
export type Outcome = 'approved' | 'rejected';

export interface RequestFacts {
  id: string;
  partnerId: string;
  partnerName: string;
  partnerTier: PartnerTier | null;
  kind: RequestKind;
  summary: string;
  details: string;
  value: Money | null;
  documents: string[];
  status: 'pending' | 'approved' | 'rejected';
  /** The partner took the request back (the contract shows it as rejected by the partner). */
  withdrawn: boolean;
}

/** A partner request as Trading Grid shows it: the fields the flow reads (the contract's `PartnerRequest` fits). */
export interface RequestSeen {
  id: string;
  partner_id: string;
  kind: RequestKind;
  summary: string;
  details?: string | null;
  value?: unknown;
  status: RequestFacts['status'];
  decision?: { decided_by?: string | null } | null;
}

/** The contract has no withdrawn status: a partner's own rejection with `withdrawn_at` is a withdrawal. */
export function isWithdrawn(r: RequestSeen): boolean {
  return (
    Boolean((r as unknown as Record<string, unknown>).withdrawn_at) ||
    (r.status !== 'pending' && r.decision?.decided_by === 'partner')
  );
}

/** A request's value as money: a bare number is US dollars; anything without an amount is no value. */
export function requestValue(value: unknown): Money | null {
  if (typeof value === 'number') return { amount: value, currency: 'USD' };
  const v = value as { amount?: unknown; currency?: string } | null | undefined;
  return v && typeof v.amount === 'number' ? { amount: v.amount, currency: v.currency ?? 'USD' } : null;
}

/**
 * What the flow decides on about a request. The partner's name: the config's map first, then the
 * partner as read (`partner`, null when it could not be read), then its id.
 */
export function requestFactsOf(
  r: RequestSeen,
  partner: { name: string; tier: PartnerTier } | null,
  mappedName: string | undefined,
): RequestFacts {
  return {
    id: r.id,
    partnerId: r.partner_id,
    partnerName: mappedName ?? partner?.name ?? r.partner_id,
    partnerTier: partner?.tier ?? null,
    kind: r.kind,
    summary: r.summary,
    details: r.details ?? '',
    value: requestValue(r.value),
    documents: [],
    status: r.status,
    withdrawn: isWithdrawn(r),
  };
}

export interface PostedDecision {
  revision: number;
  outcome: Outcome;
  by: string | null;
  at: number;
}

/** What the bridge remembers of one request. */
export interface ApprovalRecord {
  requestId: string;
  partnerId: string;
  partnerName: string;
  kind: RequestKind;
  state: 'open' | 'decided' | 'withdrawn';
  /** Every decision sent to the partner, in order; the last one is what the partner knows. */
  posted: PostedDecision[];
  rule: string | null;
  /** The request's own words, kept when no community request can be read back (a partner-page request). */
  summary?: string;
  /** Where the request came from when not the community API: it has no Trading Grid request to decide. */
  origin?: 'partner_page' | 'edi';
  /** A request read from the partner's 860 / ORDCHG: what the 865 / ORDRSP answering it must quote. */
  edi?: EdiRequestOrigin;
}

/** The partner document a request came in as, and the order change it asks for (edi/partnerDocuments.ts ChangeRequest). */
export interface EdiRequestOrigin {
  standard: 'x12' | 'edifact';
  setId: string;
  /** The partner's address (qualifier:id) and ours, as in its interchange. */
  partner: string;
  us: string;
  interchange: string | null;
  group: string | null;
  transaction: string | null;
  request: {
    po: string;
    changeNumber: string | null;
    poDate: string | null;
    purpose: string;
    currency: string | null;
    lines: Array<{
      line: string;
      change: string;
      product: string | null;
      quantity: number | null;
      unit: string | null;
      unitPrice: number | null;
    }>;
    notes: string[];
  };
}

export interface ApprovalRule {
  kinds?: RequestKind[];
  minValue?: number;
  maxValue?: number;
  tiers?: PartnerTier[];
  assignees: number[];
  priority?: Priority;
  label?: string;
}

export interface ApprovalsFlowConfig {
  listId: string;
  rules: ApprovalRule[];
  defaultAssignees: number[];
  dueHours: number;
}

export interface ApprovalTaskDraft {
  name: string;
  markdown: string;
  assignees: number[];
  priority: Priority;
  dueAt: number;
  fields: Record<string, string | number | null>;
}

export const humanRequestKind = (k: string): string => k.replace(/_/g, ' ');

/** The first rule whose kind, value range and partner tier all match; no rule → default approvers, normal priority. */
export function routeApproval(
  r: Pick<RequestFacts, 'kind' | 'value' | 'partnerTier'>,
  rules: readonly ApprovalRule[],
  defaults: number[],
): { assignees: number[]; priority: Priority; rule: string | null } {
  const amount = r.value?.amount ?? null;
  for (const [i, rule] of rules.entries()) {
    if (rule.kinds && !rule.kinds.includes(r.kind)) continue;
    if (rule.tiers && (r.partnerTier === null || !rule.tiers.includes(r.partnerTier))) continue;
    if (rule.minValue !== undefined && (amount === null || amount < rule.minValue)) continue;
    if (rule.maxValue !== undefined && (amount === null || amount >= rule.maxValue)) continue;
    return {
      assignees: rule.assignees.length > 0 ? rule.assignees : defaults,
      priority: rule.priority ?? 3,
      rule: rule.label ?? `rule ${i + 1}`,
    };
  }
  return { assignees: defaults, priority: 3, rule: null };
}

function describe(r: RequestFacts, rule: string | null): string {
  const lines = [
    r.details.trim() || '_No details given by the partner._',
    '',
    '| | |',
    '|---|---|',
    `| Partner | ${r.partnerName} (${r.partnerId})${r.partnerTier ? `, ${r.partnerTier}` : ''} |`,
    `| Request | ${humanRequestKind(r.kind)} |`,
  ];
  if (r.value) lines.push(`| Value | ${r.value.amount.toFixed(2)} ${r.value.currency} |`);
  lines.push(`| Trading Grid request | ${r.id} |`);
  if (r.documents.length > 0) lines.push(`| Documents | ${r.documents.join(', ')} |`);
  if (rule) lines.push(`| Routed by | ${rule} |`);
  lines.push(
    '',
    'Decide by moving the task to approved or rejected (or the Decision field). The decision goes to the partner; a comment goes with it only when it is marked for the partner (sharing.approvals.comments, e.g. starting with "@partner"); all other comments stay internal.',
  );
  return lines.join('\n');
}

/** The jobs flow 6's decisions queue. */
export type ApprovalJob = Job<'approval.create_task' | 'approval.post_decision' | 'approval.close_task'>;

const queue = (requestId: string) => `request:${requestId}`;

/** A request arrives (or its event repeats): remember it and ask for its task once; a withdrawn one is closed. */
export function decideApprovalIntake(input: {
  request: RequestFacts;
  existing: ApprovalRecord | null;
  config: ApprovalsFlowConfig;
  now: number;
}): { record: ApprovalRecord; jobs: ApprovalJob[] } {
  const { request: r, existing, config, now } = input;
  if (existing) {
    if (r.withdrawn && existing.state === 'open') return decideWithdrawal(existing);
    return { record: existing, jobs: [] };
  }
  const route = routeApproval(r, config.rules, config.defaultAssignees);
  const record: ApprovalRecord = {
    requestId: r.id,
    partnerId: r.partnerId,
    partnerName: r.partnerName,
    kind: r.kind,
    state: r.withdrawn ? 'withdrawn' : 'open',
    posted: [],
    rule: route.rule,
  };
  if (r.withdrawn) return { record, jobs: [] };
  const task: ApprovalTaskDraft = {
    name: `[${r.partnerName}] Approve ${humanRequestKind(r.kind)}: ${r.summary}`,
    markdown: describe(r, route.rule),
    assignees: route.assignees,
    priority: route.priority,
    dueAt: now + config.dueHours * 3_600_000,
    fields: {
      partner: r.partnerName,
      request_id: r.id,
      request_type: humanRequestKind(r.kind),
      value: r.value?.amount ?? null,
    },
  };
  return {
    record,
    jobs: [
      {
        kind: 'approval.create_task',
        key: `approval.create_task:${r.id}`,
        queueKey: queue(r.id),
        payload: { requestId: r.id, listId: config.listId, task },
      },
    ],
  };
}

/**
 * The approval task changed (or its webhook repeated). `observed` is what the task says now. The first
 * decision is posted; the same decision again is nothing (a repeat or our own echo); a different one is
 * posted as a numbered revision. Going back to pending after a decision changes nothing on the partner side.
 */
export function decideApprovalChange(input: {
  record: ApprovalRecord;
  observed: Outcome | null;
  by: string | null;
  now: number;
}): { record: ApprovalRecord; jobs: ApprovalJob[] } | null {
  const { record, observed, by, now } = input;
  if (record.state === 'withdrawn' || observed === null) return null;
  const last = record.posted.at(-1);
  if (last && last.outcome === observed) return null;
  const revision = record.posted.length;
  const posted: PostedDecision = { revision, outcome: observed, by, at: now };
  return {
    record: { ...record, state: 'decided', posted: [...record.posted, posted] },
    jobs: [
      {
        kind: 'approval.post_decision',
        key: `approval.post_decision:${record.requestId}:${revision}`,
        queueKey: queue(record.requestId),
        payload: {
          requestId: record.requestId,
          partnerId: record.partnerId,
          revision,
          outcome: observed,
          previous: last?.outcome ?? null,
          by,
        },
      },
    ],
  };
}

/** The partner withdrew: close the task once, and never post a decision for it. */
export function decideWithdrawal(record: ApprovalRecord): { record: ApprovalRecord; jobs: ApprovalJob[] } {
  if (record.state === 'withdrawn') return { record, jobs: [] };
  return {
    record: { ...record, state: 'withdrawn' },
    jobs: [
      {
        kind: 'approval.close_task',
        key: `approval.close_task:${record.requestId}`,
        queueKey: queue(record.requestId),
        payload: { requestId: record.requestId },
      },
    ],
  };
}

/** The decision as ClickUp shows it: by status name, or by the drop-down option's label. */
export function observeOutcome(
  value: string | null | undefined,
  names: { approved: string; rejected: string },
): Outcome | null {
  const v = (value ?? '').trim().toLowerCase();
  if (!v) return null;
  if (v === names.approved.trim().toLowerCase()) return 'approved';
  if (v === names.rejected.trim().toLowerCase()) return 'rejected';
  return null;
}

/** Marks comments the bridge wrote on a task, so they are never sent to the partner as the approver's. */
export const BRIDGE_COMMENT_PREFIX = 'gridbridge:';

/**
 * The approver's comments for the partner: only those the sharing rule lets through (marker removed);
 * the bridge's own notes never. Returns the text sent with the decision, the ids included (so a comment
 * is never sent twice), and the rule that let them through.
 */
export function approverComments(
  comments: ReadonlyArray<{ id?: string; text: string; by: string | null }>,
  rules: SharingRules,
): { text: string; ids: string[]; rule: string | null } {
  const lines: string[] = [];
  const ids: string[] = [];
  let rule: string | null = null;
  for (const c of comments) {
    const v = shareComment(rules, 'approvals', {
      text: c.text,
      byBridge: c.text.trim().startsWith(BRIDGE_COMMENT_PREFIX),
    });
    if (!v.share) continue;
    lines.push(c.by ? `${c.by}: ${v.text}` : v.text);
    if (c.id) ids.push(c.id);
    rule ??= v.rule;
  }
  return { text: lines.join('\n'), ids, rule };
}

export interface ApprovalFile {
  id: string;
  name: string;
}

/**
 * The files on an approval task when its decision goes out: each is shared only when `sharing.approvals.files`
 * says so (name prefix, the task's checkbox, or all); the rest stay internal. The partner's own documents,
 * which the bridge attached (`partnerOwn`, by name on the task), are neither: the partner has them.
 */
export function decideApprovalFiles(
  rules: SharingRules,
  files: readonly ApprovalFile[],
  facts: { checkbox: boolean | null; partnerOwn: ReadonlySet<string> },
): {
  shared: Array<ApprovalFile & { rule: string }>;
  kept: Array<ApprovalFile & { reason: string }>;
} {
  const shared: Array<ApprovalFile & { rule: string }> = [];
  const kept: Array<ApprovalFile & { reason: string }> = [];
  for (const f of files) {
    if (facts.partnerOwn.has(f.name)) continue;
    const v = shareFile(rules, 'approvals', { name: f.name, checkbox: facts.checkbox });
    if (v.share) shared.push({ ...f, rule: v.rule });
    else kept.push({ ...f, reason: v.reason });
  }
  return { shared, kept };
}
