/**
 * Bodies of the `/_sandbox/...` control routes, built from the Trading Grid contract's own enums and
 * schemas (src/connectors/tradinggrid/events.ts). Both spellings a test or the demo uses are accepted
 * (`partner_id` / `partnerId`); a body that does not parse is a 400 naming the field.
 */
import { z } from 'zod';
import {
  CASE_KINDS,
  DOCUMENT_KINDS,
  EdiAddressSchema,
  PARTNER_STATUSES,
  PARTNER_TIERS,
  PartnerContactSchema,
  REQUEST_KINDS,
  TransactionRefSchema,
} from '../../connectors/tradinggrid/events.ts';
import { describeIssue } from '../shared/faults.ts';
import { SandboxError } from './state.ts';

const partner = { partner_id: z.string().optional(), partnerId: z.string().optional() };
const money = z.looseObject({ amount: z.number(), currency: z.string().min(1) });
const documents = z
  .array(
    z.looseObject({
      name: z.string().optional(),
      kind: z.enum(DOCUMENT_KINDS).optional(),
      content_type: z.string().optional(),
      contentType: z.string().optional(),
      content_base64: z.string().optional(),
      content: z.string().optional(),
    }),
  )
  .optional();

export const RaiseCaseBody = z.looseObject({
  ...partner,
  kind: z.enum(CASE_KINDS),
  title: z.string(),
  description: z.string().optional(),
  transaction_ref: TransactionRefSchema.optional(),
  transactionRef: TransactionRefSchema.optional(),
  value: money.optional(),
  documents,
});

export const CommentBody = z.looseObject({ body: z.string(), author: z.string().optional() });

export const RequestApprovalBody = z.looseObject({
  ...partner,
  kind: z.enum(REQUEST_KINDS),
  summary: z.string(),
  details: z.string().optional(),
  value: money.optional(),
  documents,
});

export const AcknowledgeBody = z.looseObject({ ...partner, contact: z.string().optional() });

export const AddPartnerBody = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  tier: z.enum(PARTNER_TIERS),
  status: z.enum(PARTNER_STATUSES).optional(),
  edi_addresses: z.array(EdiAddressSchema).optional(),
  contacts: z.array(PartnerContactSchema).optional(),
});

export const PartnerStatusBody = z.looseObject({ status: z.enum(PARTNER_STATUSES) });

export const ComplianceBody = z.looseObject({
  ...partner,
  title: z.string(),
  category: z.string(),
  due_at: z.string().optional(),
  dueAt: z.string().optional(),
});

export const WebhookBody = z.looseObject({ url: z.string().nullish() });

/** Parse a control body with its schema, or throw a 400 `invalid_request` that names the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new SandboxError(400, 'invalid_request', describeIssue(r.error));
}
