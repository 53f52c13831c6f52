/**
 * The Trading Grid `community` contract as data: zod schemas and types for its resources and
 * webhook events, the event parser, and Standard Webhooks signature verification.
 * (docs/tradinggrid-contract.md; the OpenAPI document is generated from these schemas by contract.ts). Objects are loose: fields the remote adds later pass through.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { err, ok, type Result } from '../../core/result.ts';

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

export const PARTNER_TIERS = ['strategic', 'preferred', 'standard'] as const;
export const PARTNER_STATUSES = ['invited', 'registering', 'testing', 'active', 'inactive'] as const;
export const CASE_KINDS = [
  'dispute',
  'shipment_exception',
  'document_mismatch',
  'compliance_issue',
  'edi_exception',
] as const;
export const CASE_STATUSES = ['open', 'received', 'in_review', 'awaiting_documents', 'escalated', 'resolved'] as const;
/** Statuses the internal side may set with `POST /cases/{id}/status` (`open` is the partner's initial state). */
export const SETTABLE_CASE_STATUSES = ['received', 'in_review', 'awaiting_documents', 'resolved', 'escalated'] as const;
export const DOCUMENT_KINDS = [
  'invoice',
  'packing_list',
  'proof_of_delivery',
  'certificate',
  'claim_evidence',
  'corrected',
  'other',
] as const;
export const REQUEST_KINDS = ['pricing_exception', 'shipment_change', 'document_correction'] as const;
export const REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const DECISION_OUTCOMES = ['approved', 'rejected'] as const;

export type PartnerTier = (typeof PARTNER_TIERS)[number];
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];
export type CaseKind = (typeof CASE_KINDS)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type SettableCaseStatus = (typeof SETTABLE_CASE_STATUSES)[number];
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

const timestamp = z.string().min(1);
const money = z.looseObject({ amount: z.number(), currency: z.string().min(1) });

export const EdiAddressSchema = z.looseObject({ qualifier: z.string(), id: z.string(), standard: z.string() });
export const PartnerContactSchema = z.looseObject({
  name: z.string(),
  email: z.string().optional(),
  role: z.string().optional(),
  phone: z.string().optional(),
});

export const TradingPartnerSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  tier: z.enum(PARTNER_TIERS),
  edi_addresses: z.array(EdiAddressSchema),
  status: z.enum(PARTNER_STATUSES),
  contacts: z.array(PartnerContactSchema),
  created_at: timestamp,
  updated_at: timestamp,
});

/** Where a case points into EDI traffic; every part is optional because not every case comes from EDI. */
export const TransactionRefSchema = z.looseObject({
  standard: z.string().nullish(),
  interchange: z.string().nullish(),
  group: z.string().nullish(),
  transaction: z.string().nullish(),
  business: z.looseObject({ type: z.string(), value: z.string() }).nullish(),
});

export const CaseSchema = z.looseObject({
  id: z.string().min(1),
  partner_id: z.string().min(1),
  kind: z.enum(CASE_KINDS),
  title: z.string(),
  description: z.string().nullish(),
  transaction_ref: TransactionRefSchema.nullish(),
  value: money.nullish(),
  status: z.enum(CASE_STATUSES),
  opened_at: timestamp,
  updated_at: timestamp,
});

export const CaseCommentSchema = z.looseObject({
  id: z.string().min(1),
  case_id: z.string().min(1),
  body: z.string(),
  author: z.string().nullish(),
  /** Who wrote it: the partner or us (internal); lets the engine suppress its own echoes. */
  side: z.enum(['partner', 'internal']).optional(),
  created_at: timestamp,
});

export const DocumentSchema = z.looseObject({
  id: z.string().min(1),
  case_id: z.string().nullish(),
  request_id: z.string().nullish(),
  name: z.string(),
  content_type: z.string(),
  size_bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  kind: z.enum(DOCUMENT_KINDS),
  uploaded_by: z.enum(['partner', 'internal']),
  created_at: timestamp,
});

export const ComplianceRequirementSchema = z.looseObject({
  id: z.string().min(1),
  partner_id: z.string().nullish(),
  title: z.string(),
  category: z.string(),
  due_at: timestamp,
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
});

export const RequestDecisionSchema = z.looseObject({
  outcome: z.enum(DECISION_OUTCOMES),
  comment: z.string().nullish(),
  decided_by: z.string().nullish(),
  decided_at: timestamp,
});

export const PartnerRequestSchema = z.looseObject({
  id: z.string().min(1),
  partner_id: z.string().min(1),
  kind: z.enum(REQUEST_KINDS),
  summary: z.string(),
  details: z.string().nullish(),
  value: money.nullish(),
  status: z.enum(REQUEST_STATUSES),
  decision: RequestDecisionSchema.nullish(),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
});

export const NoticeAudienceSchema = z.looseObject({
  partner_ids: z.array(z.string()).optional(),
  tiers: z.array(z.enum(PARTNER_TIERS)).optional(),
  all: z.boolean().optional(),
});

export const NoticeAcknowledgementSchema = z.looseObject({
  partner_id: z.string().min(1),
  acknowledged_at: timestamp,
  contact: z.string().nullish(),
});

export const NoticeSchema = z.looseObject({
  id: z.string().min(1),
  title: z.string(),
  body: z.string(),
  effective_at: timestamp,
  audience: NoticeAudienceSchema,
  acknowledgements: z.array(NoticeAcknowledgementSchema),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
});

export const ScorecardSchema = z.looseObject({
  period: z.string().min(1),
  avg_resolution_hours: z.number().nonnegative(),
  open_cases: z.number().int().nonnegative(),
  overdue_tasks: z.number().int().nonnegative(),
  sla_met_pct: z.number().min(0).max(100),
});

export const ErrorBodySchema = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string().optional() }),
});

/** `{total_count, data}` list envelope around one resource schema. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ total_count: z.number().int().nonnegative(), data: z.array(item) });
}

export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
});

export type EdiAddress = z.infer<typeof EdiAddressSchema>;
export type PartnerContact = z.infer<typeof PartnerContactSchema>;
export type TradingPartner = z.infer<typeof TradingPartnerSchema>;
export type TransactionRef = z.infer<typeof TransactionRefSchema>;
export type Case = z.infer<typeof CaseSchema>;
export type CaseComment = z.infer<typeof CaseCommentSchema>;
export type Document = z.infer<typeof DocumentSchema>;
export type ComplianceRequirement = z.infer<typeof ComplianceRequirementSchema>;
export type RequestDecision = z.infer<typeof RequestDecisionSchema>;
export type PartnerRequest = z.infer<typeof PartnerRequestSchema>;
export type NoticeAudience = z.infer<typeof NoticeAudienceSchema>;
export type NoticeAcknowledgement = z.infer<typeof NoticeAcknowledgementSchema>;
export type Notice = z.infer<typeof NoticeSchema>;
export type Scorecard = z.infer<typeof ScorecardSchema>;
export type Money = z.infer<typeof money>;

// ---------------------------------------------------------------------------------------------
// Events: thin `{id, type, occurred_at, data:{id, ...}}`. `data.id` is always the id of the
// resource to fetch (for comments and documents the extra `case_id` says where it belongs).
// ---------------------------------------------------------------------------------------------

export const TRADING_GRID_EVENT_TYPES = [
  'case.opened',
  'case.updated',
  'case.comment_added',
  'document.added',
  'trading_partner.created',
  'trading_partner.status_changed',
  'compliance_requirement.created',
  'request.created',
  'notice.acknowledged',
] as const;
export type TradingGridEventType = (typeof TRADING_GRID_EVENT_TYPES)[number];

const id = z.string().min(1);
const eventData = {
  'case.opened': z.looseObject({ id, partner_id: id.optional(), kind: z.enum(CASE_KINDS).optional() }),
  'case.updated': z.looseObject({
    id,
    partner_id: id.optional(),
    status: z.enum(CASE_STATUSES).optional(),
    changed: z.array(z.string()).optional(),
  }),
  /** `id` is the comment id; `case_id` its case. */
  'case.comment_added': z.looseObject({ id, case_id: id, side: z.enum(['partner', 'internal']).optional() }),
  /** `id` is the document id; `case_id` or `request_id` where it is attached. */
  'document.added': z.looseObject({
    id,
    case_id: id.nullish(),
    request_id: id.nullish(),
    sha256: z.string().optional(),
    uploaded_by: z.enum(['partner', 'internal']).optional(),
  }),
  'trading_partner.created': z.looseObject({ id }),
  'trading_partner.status_changed': z.looseObject({
    id,
    status: z.enum(PARTNER_STATUSES).optional(),
    previous_status: z.enum(PARTNER_STATUSES).optional(),
  }),
  'compliance_requirement.created': z.looseObject({ id, partner_id: id.nullish() }),
  'request.created': z.looseObject({ id, partner_id: id.optional(), kind: z.enum(REQUEST_KINDS).optional() }),
  /** `id` is the notice id; the acknowledgement itself rides along. */
  'notice.acknowledged': z.looseObject({
    id,
    partner_id: id,
    acknowledged_at: timestamp.optional(),
    contact: z.string().nullish(),
  }),
} as const;

function eventSchema<T extends TradingGridEventType>(type: T) {
  return z.looseObject({
    id,
    type: z.literal(type),
    occurred_at: z.iso.datetime({ offset: true }),
    data: eventData[type],
  });
}

export const TradingGridEventSchema = z.discriminatedUnion('type', [
  eventSchema('case.opened'),
  eventSchema('case.updated'),
  eventSchema('case.comment_added'),
  eventSchema('document.added'),
  eventSchema('trading_partner.created'),
  eventSchema('trading_partner.status_changed'),
  eventSchema('compliance_requirement.created'),
  eventSchema('request.created'),
  eventSchema('notice.acknowledged'),
]);

export type TradingGridEvent = z.infer<typeof TradingGridEventSchema>;
/** The event of one type, e.g. `TradingGridEventOf<'case.opened'>`. */
export type TradingGridEventOf<T extends TradingGridEventType> = Extract<TradingGridEvent, { type: T }>;

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(TRADING_GRID_EVENT_TYPES);

/** zod issues → "data.id: expected string, received undefined; occurred_at: ..." */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], max = 5): string {
  const parts = issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  if (issues.length > max) parts.push(`and ${issues.length - max} more`);
  return parts.join('; ');
}

/** Validate a parsed webhook body; the reason names the path and what was expected. */
export function parseTradingGridEvent(json: unknown): Result<TradingGridEvent, { reason: string }> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err({
      reason: `(root): expected an event object {id, type, occurred_at, data}, received ${json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json}`,
    });
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string')
    return err({
      reason: `type: expected one of ${TRADING_GRID_EVENT_TYPES.join(', ')}, received ${type === undefined ? 'nothing' : typeof type}`,
    });
  if (!EVENT_TYPE_SET.has(type))
    return err({
      reason: `type: unknown event type "${type.slice(0, 60)}"; expected one of ${TRADING_GRID_EVENT_TYPES.join(', ')}`,
    });
  const r = TradingGridEventSchema.safeParse(json);
  if (r.success) return ok(r.data);
  return err({ reason: `${type} event: ${describeZodIssues(r.error.issues)}` });
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks verification.
// Own implementation on node:crypto rather than the `standardwebhooks` package's verify: that one
// turns a Buffer body into a UTF-8 string before signing (not byte-exact for invalid UTF-8), reads
// the wall clock itself (no injectable now), and hashes in pure JS. The sandbox signs with the
// package, so the tests cross-check two independent implementations.
// ---------------------------------------------------------------------------------------------

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === name) {
        v = headers[k];
        break;
      }
    }
  }
  return Array.isArray(v) ? v.join(' ') : v;
}

/** Decode a `whsec_<base64>` secret (the prefix is optional) into the HMAC key. */
export function decodeWebhookSecret(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty or not base64');
  return key;
}

/** HMAC-SHA256 of `id.timestamp.body` over the raw bytes, base64 (the part after `v1,`). */
export function computeWebhookSignature(
  key: Buffer,
  msgId: string,
  timestampSec: string | number,
  rawBody: Buffer | string,
): string {
  return createHmac('sha256', key).update(`${msgId}.${timestampSec}.`).update(rawBody).digest('base64');
}

/**
 * Check a Trading Grid webhook the Standard Webhooks way on the raw body bytes, before any JSON
 * parsing: `webhook-id`, `webhook-timestamp` within `toleranceSec` (default 300) of now, and one of
 * the space-separated `v1,<base64>` signatures matching (constant-time compare).
 */
export function verifyTradingGridWebhook(
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  opts: { toleranceSec?: number; nowSec?: number } = {},
): WebhookVerification {
  const msgId = headerValue(headers, 'webhook-id');
  const ts = headerValue(headers, 'webhook-timestamp');
  const sigHeader = headerValue(headers, 'webhook-signature');
  const missing = [!msgId && 'webhook-id', !ts && 'webhook-timestamp', !sigHeader && 'webhook-signature'].filter(
    Boolean,
  );
  if (missing.length > 0) return { ok: false, reason: `missing header ${missing.join(', ')}` };
  if (!/^\d{1,12}$/.test(ts!)) return { ok: false, reason: 'webhook-timestamp is not integer seconds' };
  const tsNum = Number(ts);
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSec ?? 300;
  if (now - tsNum > tolerance)
    return { ok: false, reason: `webhook-timestamp too old (${now - tsNum}s > ${tolerance}s)` };
  if (tsNum - now > tolerance)
    return { ok: false, reason: `webhook-timestamp too far in the future (${tsNum - now}s > ${tolerance}s)` };
  let key: Buffer;
  try {
    key = decodeWebhookSecret(secret);
  } catch {
    return { ok: false, reason: 'webhook secret is not configured correctly (expected whsec_<base64>)' };
  }
  const expected = Buffer.from(computeWebhookSignature(key, msgId!, ts!, rawBody), 'base64');
  let sawV1 = false;
  for (const part of sigHeader!.split(' ')) {
    const comma = part.indexOf(',');
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue;
    sawV1 = true;
    const given = Buffer.from(part.slice(comma + 1), 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: sawV1 ? 'no matching v1 signature' : 'webhook-signature has no v1 signature' };
}
