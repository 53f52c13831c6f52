/**
 * The sandbox's in-memory Trading Grid: resources stored in the contract's own JSON shape (so a
 * response is one JSON.stringify), and the domain operations both the HTTP API and the
 * partner-side controls use. Every change emits a thin event through `emit`.
 */
import { createHash } from 'node:crypto';
import type {
  Case,
  CaseComment,
  CaseKind,
  ComplianceRequirement,
  Document,
  DocumentKind,
  Money,
  Notice,
  NoticeAudience,
  PartnerContact,
  PartnerRequest,
  PartnerStatus,
  PartnerTier,
  RequestKind,
  Scorecard,
  TradingGridEventType,
  TradingPartner,
  TransactionRef,
  EdiAddress,
} from '../../connectors/tradinggrid/events.ts';
import {
  CASE_KINDS,
  CASE_STATUSES,
  DECISION_OUTCOMES,
  PARTNER_STATUSES,
  PARTNER_TIERS,
  SETTABLE_CASE_STATUSES,
} from '../../connectors/tradinggrid/events.ts';

/** An expected refusal: becomes `{error:{code,message}}` with this HTTP status. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredDocument {
  meta: Document;
  content: Buffer;
}

export interface DocumentInput {
  name: string;
  kind: DocumentKind;
  contentType: string;
  content: Buffer;
}

export interface RaiseCaseInput {
  partnerId: string;
  kind: CaseKind;
  title: string;
  description?: string;
  transactionRef?: TransactionRef;
  value?: Money;
  documents?: DocumentInput[];
}

export interface RequestApprovalInput {
  partnerId: string;
  kind: RequestKind;
  summary: string;
  details?: string;
  value?: Money;
  documents?: DocumentInput[];
}

export interface AddPartnerInput {
  id?: string;
  name: string;
  tier: PartnerTier;
  status?: PartnerStatus;
  edi_addresses?: EdiAddress[];
  contacts?: PartnerContact[];
}

export interface ComplianceInput {
  partnerId?: string;
  title: string;
  category: string;
  dueAt: string;
}

export type Emit = (type: TradingGridEventType, data: { id: string } & Record<string, unknown>) => void;

const DOC_KINDS = new Set<string>([
  'invoice',
  'packing_list',
  'proof_of_delivery',
  'certificate',
  'claim_evidence',
  'corrected',
  'other',
]);
const CASE_KIND_SET = new Set<string>([
  'dispute',
  'shipment_exception',
  'document_mismatch',
  'compliance_issue',
  'edi_exception',
]);
const REQUEST_KIND_SET = new Set<string>(['pricing_exception', 'shipment_change', 'document_correction']);
const SETTABLE = new Set<string>(SETTABLE_CASE_STATUSES);
const PARTNER_STATUS_SET = new Set<string>(PARTNER_STATUSES);
const TIER_SET = new Set<string>(PARTNER_TIERS);
void CASE_STATUSES;

export function seedPartners(at: string): TradingPartner[] {
  const p = (id: string, name: string, tier: PartnerTier, ediId: string, contact: string): TradingPartner => ({
    id,
    name,
    tier,
    edi_addresses: [{ qualifier: 'ZZ', id: ediId, standard: 'X12' }],
    status: 'active',
    contacts: [
      {
        name: contact,
        email: `${contact.toLowerCase().replace(/\s+/g, '.')}@${id.slice(2).toLowerCase()}.example`,
        role: 'edi_coordinator',
      },
    ],
    created_at: at,
    updated_at: at,
  });
  return [
    p('P-ACME', 'Acme Retail', 'strategic', 'ACMERETAIL', 'Dana Whitfield'),
    p('P-GLOBEX', 'Globex Logistics', 'preferred', 'GLOBEXLOG', 'Hank Scorpio'),
    p('P-INITECH', 'Initech Supply', 'standard', 'INITECHSUP', 'Bill Lumbergh'),
    p('P-UMBRELLA', 'Umbrella Foods', 'standard', 'UMBRELLAFD', 'Alice Abernathy'),
  ];
}

/**
 * Monotonic ISO clock with microseconds (`2025-01-01T10:00:00.123456Z`): two changes never share
 * a timestamp, so `where_updated_after` is exact, and thousands of changes a second do not push
 * the clock ahead of real time.
 */
export function monotonicIso(now: () => number): () => string {
  let last = 0;
  return () => {
    const t = Math.max(Math.floor(now()) * 1000, last + 1);
    last = t;
    return new Date(Math.floor(t / 1000)).toISOString().slice(0, 23) + String(t % 1000).padStart(3, '0') + 'Z';
  };
}

/** Any ISO timestamp → the sandbox's fixed microsecond form, so stamps compare as strings. */
export function toSandboxIso(iso: string): string | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const micro = /(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? frac.slice(3, 6).padEnd(3, '0') : '000';
  return new Date(ms).toISOString().slice(0, 23) + micro + 'Z';
}

export class TradingGridState {
  readonly partners = new Map<string, TradingPartner>();
  readonly cases = new Map<string, Case>();
  readonly comments = new Map<string, CaseComment[]>();
  readonly caseDocuments = new Map<string, string[]>();
  readonly documents = new Map<string, StoredDocument>();
  readonly compliance = new Map<string, ComplianceRequirement>();
  readonly requests = new Map<string, PartnerRequest>();
  readonly notices = new Map<string, Notice>();
  readonly scorecards = new Map<string, Scorecard & { updated_at: string }>();
  private seq = 0;
  readonly stamp: () => string;

  constructor(
    private readonly emit: Emit,
    readonly idTag: string,
    now: () => number,
  ) {
    this.stamp = monotonicIso(now);
    const at = this.stamp();
    for (const p of seedPartners(at)) this.partners.set(p.id, p);
  }

  private nextId(prefix: string): string {
    return `${prefix}-${this.idTag}-${++this.seq}`;
  }

  private partner(id: string): TradingPartner {
    const p = this.partners.get(id);
    if (!p) throw new SandboxError(404, 'not_found', `trading partner ${id} not found`);
    return p;
  }

  getCase(id: string): Case {
    const c = this.cases.get(id);
    if (!c) throw new SandboxError(404, 'not_found', `case ${id} not found`);
    return c;
  }

  // ---- partner side ---------------------------------------------------------------------------

  raiseCase(input: RaiseCaseInput): Case {
    this.partner(input.partnerId);
    if (!CASE_KIND_SET.has(input.kind))
      throw new SandboxError(400, 'invalid_kind', `kind must be one of ${[...CASE_KIND_SET].join(', ')}`);
    if (!input.title) throw new SandboxError(400, 'invalid_title', 'title is required');
    const at = this.stamp();
    const c: Case = {
      id: this.nextId('CASE'),
      partner_id: input.partnerId,
      kind: input.kind,
      title: input.title,
      description: input.description ?? '',
      transaction_ref: input.transactionRef ?? null,
      ...(input.value ? { value: input.value } : {}),
      status: 'open',
      opened_at: at,
      updated_at: at,
    };
    this.cases.set(c.id, c);
    this.emit('case.opened', { id: c.id, partner_id: c.partner_id, kind: c.kind });
    for (const d of input.documents ?? []) this.addDocument({ caseId: c.id }, d, 'partner');
    return c;
  }

  /** A document on a case (or a request), from either side; sha256 computed here. */
  addDocument(to: { caseId?: string; requestId?: string }, d: DocumentInput, by: 'partner' | 'internal'): Document {
    if (to.caseId) this.getCase(to.caseId);
    if (to.requestId) this.getRequest(to.requestId);
    if (!d.name) throw new SandboxError(400, 'invalid_name', 'document name is required');
    if (!DOC_KINDS.has(d.kind))
      throw new SandboxError(400, 'invalid_kind', `document kind must be one of ${[...DOC_KINDS].join(', ')}`);
    const at = this.stamp();
    const meta: Document = {
      id: this.nextId('DOC'),
      case_id: to.caseId ?? null,
      request_id: to.requestId ?? null,
      name: d.name,
      content_type: d.contentType || 'application/octet-stream',
      size_bytes: d.content.length,
      sha256: createHash('sha256').update(d.content).digest('hex'),
      kind: d.kind,
      uploaded_by: by,
      created_at: at,
    };
    this.documents.set(meta.id, { meta, content: d.content });
    if (to.caseId) {
      let list = this.caseDocuments.get(to.caseId);
      if (!list) this.caseDocuments.set(to.caseId, (list = []));
      list.push(meta.id);
      this.getCase(to.caseId).updated_at = at;
    }
    if (to.requestId) this.getRequest(to.requestId).updated_at = at;
    this.emit('document.added', {
      id: meta.id,
      case_id: meta.case_id,
      request_id: meta.request_id,
      sha256: meta.sha256,
      uploaded_by: by,
    });
    return meta;
  }

  addComment(caseId: string, body: string, author: string | undefined, side: 'partner' | 'internal'): CaseComment {
    const c = this.getCase(caseId);
    if (typeof body !== 'string' || body.length === 0)
      throw new SandboxError(400, 'invalid_body', 'comment body is required');
    const at = this.stamp();
    const cm: CaseComment = {
      id: this.nextId('CMT'),
      case_id: caseId,
      body,
      author: author ?? (side === 'partner' ? this.partner(c.partner_id).name : 'internal'),
      side,
      created_at: at,
    };
    let list = this.comments.get(caseId);
    if (!list) this.comments.set(caseId, (list = []));
    list.push(cm);
    c.updated_at = at;
    this.emit('case.comment_added', { id: cm.id, case_id: caseId, side });
    return cm;
  }

  requestApproval(input: RequestApprovalInput): PartnerRequest {
    this.partner(input.partnerId);
    if (!REQUEST_KIND_SET.has(input.kind))
      throw new SandboxError(400, 'invalid_kind', `kind must be one of ${[...REQUEST_KIND_SET].join(', ')}`);
    const at = this.stamp();
    const r: PartnerRequest = {
      id: this.nextId('REQ'),
      partner_id: input.partnerId,
      kind: input.kind,
      summary: input.summary,
      details: input.details ?? '',
      ...(input.value ? { value: input.value } : {}),
      status: 'pending',
      decision: null,
      created_at: at,
      updated_at: at,
    };
    this.requests.set(r.id, r);
    this.emit('request.created', { id: r.id, partner_id: r.partner_id, kind: r.kind });
    for (const d of input.documents ?? []) this.addDocument({ requestId: r.id }, d, 'partner');
    return r;
  }

  /**
   * The partner takes a pending request back. The contract has no `withdrawn` status nor an event
   * for it: the request becomes `rejected` with a partner decision and `withdrawn_at`, and a
   * later decision from us is refused with 409 `request_closed`.
   */
  withdrawRequest(id: string): PartnerRequest {
    const r = this.getRequest(id);
    if (r.status !== 'pending') throw new SandboxError(409, 'request_closed', `request ${id} is already ${r.status}`);
    const at = this.stamp();
    r.status = 'rejected';
    r.decision = { outcome: 'rejected', comment: 'withdrawn by partner', decided_by: 'partner', decided_at: at };
    (r as Record<string, unknown>).withdrawn_at = at;
    r.updated_at = at;
    return r;
  }

  acknowledgeNotice(noticeId: string, partnerId: string, contact?: string): Notice {
    const n = this.getNotice(noticeId);
    this.partner(partnerId);
    const recipients = (n as { recipients?: string[] }).recipients ?? [];
    if (!recipients.includes(partnerId))
      throw new SandboxError(
        409,
        'not_in_audience',
        `partner ${partnerId} is not in the audience of notice ${noticeId}`,
      );
    if (n.acknowledgements.some((a) => a.partner_id === partnerId)) return n;
    const at = this.stamp();
    const ack = {
      partner_id: partnerId,
      acknowledged_at: at,
      contact: contact ?? this.partner(partnerId).contacts[0]?.name ?? null,
    };
    n.acknowledgements.push(ack);
    n.updated_at = at;
    this.emit('notice.acknowledged', { id: n.id, partner_id: partnerId, acknowledged_at: at, contact: ack.contact });
    return n;
  }

  addPartner(input: AddPartnerInput): TradingPartner {
    if (!input.name) throw new SandboxError(400, 'invalid_name', 'name is required');
    if (!TIER_SET.has(input.tier))
      throw new SandboxError(400, 'invalid_tier', `tier must be one of ${PARTNER_TIERS.join(', ')}`);
    if (input.status && !PARTNER_STATUS_SET.has(input.status))
      throw new SandboxError(400, 'invalid_status', `status must be one of ${PARTNER_STATUSES.join(', ')}`);
    if (input.id && this.partners.has(input.id))
      throw new SandboxError(409, 'already_exists', `trading partner ${input.id} already exists`);
    const at = this.stamp();
    const p: TradingPartner = {
      id: input.id ?? this.nextId('P'),
      name: input.name,
      tier: input.tier,
      edi_addresses: input.edi_addresses ?? [],
      status: input.status ?? 'invited',
      contacts: input.contacts ?? [],
      created_at: at,
      updated_at: at,
    };
    this.partners.set(p.id, p);
    this.emit('trading_partner.created', { id: p.id });
    return p;
  }

  setPartnerStatus(id: string, status: string): TradingPartner {
    const p = this.partner(id);
    if (!PARTNER_STATUS_SET.has(status))
      throw new SandboxError(400, 'invalid_status', `status must be one of ${PARTNER_STATUSES.join(', ')}`);
    if (p.status === status) return p;
    const previous = p.status;
    p.status = status as PartnerStatus;
    p.updated_at = this.stamp();
    this.emit('trading_partner.status_changed', { id, status, previous_status: previous });
    return p;
  }

  addComplianceRequirement(input: ComplianceInput): ComplianceRequirement {
    if (input.partnerId) this.partner(input.partnerId);
    if (!input.title || !input.category || !input.dueAt)
      throw new SandboxError(400, 'invalid_requirement', 'title, category and due_at are required');
    const at = this.stamp();
    const r: ComplianceRequirement = {
      id: this.nextId('CR'),
      partner_id: input.partnerId ?? null,
      title: input.title,
      category: input.category,
      due_at: input.dueAt,
      created_at: at,
      updated_at: at,
    };
    this.compliance.set(r.id, r);
    this.emit('compliance_requirement.created', { id: r.id, partner_id: r.partner_id });
    return r;
  }

  // ---- internal side (the contract's write API) -----------------------------------------------

  /** The partner edits its case (kind, value, title, description): one case.updated naming the changed fields. */
  editCase(
    id: string,
    patch: {
      kind?: Case['kind'];
      value?: { amount: number; currency: string } | null;
      title?: string;
      description?: string;
    },
  ): Case {
    const c = this.getCase(id) as Case & Record<string, unknown>;
    const changed: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || JSON.stringify(c[k]) === JSON.stringify(v)) continue;
      c[k] = v;
      changed.push(k);
    }
    if (changed.length === 0) return c;
    c.updated_at = this.stamp();
    this.emit('case.updated', { id, partner_id: c.partner_id, status: c.status, changed, side: 'partner' });
    return c;
  }

  /**
   * The internal side changes case fields (`POST /cases/{id}/fields`): the body is checked as the contract
   * says (closed, at least one field); one case.updated (side internal) names what changed.
   */
  setCaseFields(id: string, body: Record<string, unknown>): Case {
    const c = this.getCase(id) as Case & Record<string, unknown>;
    const known = new Set(['title', 'description', 'kind', 'value']);
    const extra = Object.keys(body).filter((k) => !known.has(k));
    if (extra.length > 0)
      throw new SandboxError(400, 'invalid_field', `not a writable case field: ${extra.join(', ')}`);
    if (Object.keys(body).length === 0) throw new SandboxError(400, 'invalid_body', 'at least one field');
    if (body.title !== undefined && (typeof body.title !== 'string' || !body.title.trim()))
      throw new SandboxError(400, 'invalid_title', 'title must be a non-empty string');
    if (body.description !== undefined && typeof body.description !== 'string')
      throw new SandboxError(400, 'invalid_description', 'description must be a string');
    if (body.kind !== undefined && !(CASE_KINDS as readonly unknown[]).includes(body.kind))
      throw new SandboxError(400, 'invalid_kind', `kind must be one of ${CASE_KINDS.join(', ')}`);
    const v = body.value as { amount?: unknown; currency?: unknown } | undefined;
    if (
      v !== undefined &&
      (typeof v !== 'object' ||
        v === null ||
        typeof v.amount !== 'number' ||
        !Number.isFinite(v.amount) ||
        typeof v.currency !== 'string' ||
        !v.currency ||
        Object.keys(v).some((k) => k !== 'amount' && k !== 'currency'))
    )
      throw new SandboxError(400, 'invalid_value', 'value must be {amount: number, currency: string}');
    const changed: string[] = [];
    for (const k of known) {
      const next = body[k];
      if (next === undefined || JSON.stringify(c[k]) === JSON.stringify(next)) continue;
      c[k] = next;
      changed.push(k);
    }
    if (changed.length === 0) return c;
    c.updated_at = this.stamp();
    this.emit('case.updated', { id, partner_id: c.partner_id, status: c.status, changed, side: 'internal' });
    return c;
  }

  setCaseStatus(id: string, status: unknown, note: unknown): Case {
    const c = this.getCase(id);
    if (typeof status !== 'string' || !SETTABLE.has(status))
      throw new SandboxError(400, 'invalid_status', `status must be one of ${SETTABLE_CASE_STATUSES.join(', ')}`);
    if (note !== undefined && note !== null && typeof note !== 'string')
      throw new SandboxError(400, 'invalid_note', 'note must be a string');
    if (c.status === status && !note) return c;
    c.status = status as Case['status'];
    c.updated_at = this.stamp();
    if (note) (c as Record<string, unknown>).status_note = note;
    this.emit('case.updated', {
      id,
      partner_id: c.partner_id,
      status: c.status,
      changed: ['status'],
      side: 'internal',
    });
    return c;
  }

  getRequest(id: string): PartnerRequest {
    const r = this.requests.get(id);
    if (!r) throw new SandboxError(404, 'not_found', `request ${id} not found`);
    return r;
  }

  decideRequest(id: string, body: { outcome?: unknown; comment?: unknown; decided_by?: unknown }): PartnerRequest {
    const r = this.getRequest(id);
    if (typeof body.outcome !== 'string' || !(DECISION_OUTCOMES as readonly string[]).includes(body.outcome)) {
      throw new SandboxError(400, 'invalid_outcome', `outcome must be one of ${DECISION_OUTCOMES.join(', ')}`);
    }
    if (r.status !== 'pending') {
      if ((r as Record<string, unknown>).withdrawn_at)
        throw new SandboxError(409, 'request_closed', `request ${id} was withdrawn by the partner`);
      if (r.decision?.outcome === body.outcome) return r; // same decision again: no change
      throw new SandboxError(409, 'request_already_decided', `request ${id} is already ${r.status}`);
    }
    const at = this.stamp();
    r.status = body.outcome as PartnerRequest['status'];
    r.decision = {
      outcome: body.outcome as 'approved' | 'rejected',
      comment: typeof body.comment === 'string' ? body.comment : null,
      decided_by: typeof body.decided_by === 'string' ? body.decided_by : 'internal',
      decided_at: at,
    };
    r.updated_at = at;
    return r;
  }

  getNotice(id: string): Notice {
    const n = this.notices.get(id);
    if (!n) throw new SandboxError(404, 'not_found', `notice ${id} not found`);
    return n;
  }

  /** Publish a notice; the audience resolves to the partners it reaches now (`recipients`). */
  publishNotice(body: { title?: unknown; body?: unknown; effective_at?: unknown; audience?: unknown }): Notice {
    if (typeof body.title !== 'string' || !body.title)
      throw new SandboxError(400, 'invalid_title', 'title is required');
    if (typeof body.body !== 'string') throw new SandboxError(400, 'invalid_body', 'body is required');
    if (typeof body.effective_at !== 'string' || !Number.isFinite(Date.parse(body.effective_at)))
      throw new SandboxError(400, 'invalid_effective_at', 'effective_at must be an ISO timestamp');
    const aud = (body.audience ?? {}) as NoticeAudience;
    if (typeof aud !== 'object' || (!aud.all && !aud.partner_ids?.length && !aud.tiers?.length)) {
      throw new SandboxError(400, 'invalid_audience', 'audience needs partner_ids, tiers or all:true');
    }
    for (const id of aud.partner_ids ?? []) this.partner(id);
    const recipients = [...this.partners.values()]
      .filter((p) => aud.all || aud.partner_ids?.includes(p.id) || aud.tiers?.includes(p.tier))
      .map((p) => p.id);
    const at = this.stamp();
    const n: Notice & { recipients: string[] } = {
      id: this.nextId('NTC'),
      title: body.title,
      body: body.body,
      effective_at: body.effective_at,
      audience: aud,
      acknowledgements: [],
      recipients,
      created_at: at,
      updated_at: at,
    };
    this.notices.set(n.id, n);
    return n;
  }

  putScorecard(partnerId: string, body: Record<string, unknown>): Scorecard {
    this.partner(partnerId);
    const num = (k: string) => {
      const v = body[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new SandboxError(400, 'invalid_scorecard', `${k} must be a non-negative number`);
      return v;
    };
    if (typeof body.period !== 'string' || !body.period)
      throw new SandboxError(400, 'invalid_scorecard', 'period is required');
    const sc = {
      period: body.period,
      avg_resolution_hours: num('avg_resolution_hours'),
      open_cases: num('open_cases'),
      overdue_tasks: num('overdue_tasks'),
      sla_met_pct: Math.min(100, num('sla_met_pct')),
      updated_at: this.stamp(),
    };
    this.scorecards.set(partnerId, sc);
    return sc;
  }
}
