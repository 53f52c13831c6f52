/**
 * The Trading Grid `community` contract as an OpenAPI 3.1 document (docs/tradinggrid-contract.md is
 * its prose). Component schemas are generated from the very zod schemas the driver parses answers
 * with (events.ts), and the request bodies from the schemas below, which the driver's writes must
 * satisfy (checked over real HTTP in contract.test.ts), so the document cannot drift from the code.
 */
import { z } from 'zod';
import {
  CASE_KINDS,
  CaseCommentSchema,
  CaseSchema,
  ComplianceRequirementSchema,
  DECISION_OUTCOMES,
  DOCUMENT_KINDS,
  DocumentSchema,
  EdiAddressSchema,
  ErrorBodySchema,
  NoticeAudienceSchema,
  NoticeSchema,
  PARTNER_STATUSES,
  PARTNER_TIERS,
  PartnerContactSchema,
  PartnerRequestSchema,
  SETTABLE_CASE_STATUSES,
  ScorecardSchema,
  TokenResponseSchema,
  TradingGridEventSchema,
  TradingPartnerSchema,
  pageSchema,
} from './events.ts';

// Request bodies: what a conforming server must accept. Strict, so a field the driver starts
// sending without the contract saying so fails the contract test.
export const TokenRequestSchema = z.strictObject({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});
export const CaseStatusInputSchema = z.strictObject({
  status: z.enum(SETTABLE_CASE_STATUSES),
  note: z.string().optional(),
});
/**
 * The case fields the internal side may change (`POST /cases/{id}/fields`): only the fields sent change,
 * at least one; `value` replaces the whole amount and currency. A mapping with direction `both` or
 * `to_tradinggrid` is what sends one (docs/tradinggrid-contract.md).
 */
export const CaseFieldsInputSchema = z
  .strictObject({
    title: z.string().min(1).optional(),
    description: z.string().optional(),
    kind: z.enum(CASE_KINDS).optional(),
    value: z.strictObject({ amount: z.number(), currency: z.string().min(1) }).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });
export const CommentInputSchema = z.strictObject({ body: z.string().min(1), author: z.string().optional() });
export const NewTradingPartnerSchema = z.strictObject({
  name: z.string().min(1),
  tier: z.enum(PARTNER_TIERS),
  status: z.enum(PARTNER_STATUSES).optional(),
  edi_addresses: z.array(EdiAddressSchema).optional(),
  contacts: z.array(PartnerContactSchema).optional(),
});
export const PartnerStatusInputSchema = z.strictObject({ status: z.enum(PARTNER_STATUSES) });
export const DecisionInputSchema = z.strictObject({
  outcome: z.enum(DECISION_OUTCOMES),
  comment: z.string().optional(),
  decided_by: z.string().optional(),
});
export const NewNoticeSchema = z.strictObject({
  title: z.string().min(1),
  body: z.string(),
  effective_at: z.string().min(1),
  audience: NoticeAudienceSchema,
});
/** multipart/form-data fields of a document upload (`file` is the binary part). */
export const DocumentUploadFieldsSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(DOCUMENT_KINDS),
  file: z.string(),
});

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const RESPONSES = {
  TradingPartner: TradingPartnerSchema,
  TradingPartnerPage: pageSchema(TradingPartnerSchema),
  Case: CaseSchema,
  CasePage: pageSchema(CaseSchema),
  CaseComment: CaseCommentSchema,
  CaseCommentPage: pageSchema(CaseCommentSchema),
  Document: DocumentSchema,
  DocumentPage: pageSchema(DocumentSchema),
  ComplianceRequirement: ComplianceRequirementSchema,
  ComplianceRequirementPage: pageSchema(ComplianceRequirementSchema),
  PartnerRequest: PartnerRequestSchema,
  PartnerRequestPage: pageSchema(PartnerRequestSchema),
  Notice: NoticeSchema,
  NoticePage: pageSchema(NoticeSchema),
  Scorecard: ScorecardSchema,
  TokenResponse: TokenResponseSchema,
  Error: ErrorBodySchema,
  Event: TradingGridEventSchema,
} as const;

const REQUESTS = {
  TokenRequest: TokenRequestSchema,
  CaseStatusInput: CaseStatusInputSchema,
  CaseFieldsInput: CaseFieldsInputSchema,
  CommentInput: CommentInputSchema,
  NewTradingPartner: NewTradingPartnerSchema,
  PartnerStatusInput: PartnerStatusInputSchema,
  ScorecardInput: ScorecardSchema,
  DecisionInput: DecisionInputSchema,
  NewNotice: NewNoticeSchema,
  DocumentUpload: DocumentUploadFieldsSchema,
} as const;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });

const ERRORS = {
  '401': {
    description: 'missing, unknown or expired access token: fetch a new token once, then fail as a credential error',
    content: jsonContent('Error'),
  },
  '429': {
    description: 'rate limited; wait `Retry-After` seconds',
    headers: { 'Retry-After': { schema: { type: 'integer', minimum: 0 } } },
    content: jsonContent('Error'),
  },
  default: {
    description:
      'any other error (4xx, 5xx): `{error:{code, message}}`; 5xx and 429 are retried, writes with the same Idempotency-Key',
    content: jsonContent('Error'),
  },
};

const PAGING = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  {
    name: 'where_updated_after',
    in: 'query',
    description: 'catch-up: items changed strictly after this ISO timestamp, in change order',
    schema: { type: 'string', format: 'date-time' },
  },
  { name: 'where_created_after', in: 'query', schema: { type: 'string', format: 'date-time' } },
];
const where = (field: string, schema: Json = { type: 'string' }) => ({
  name: `where_${field}`,
  in: 'query',
  description: `equality filter on \`${field}\``,
  schema,
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const IDEMPOTENCY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'the same key on the same route answers the first answer again, with no second effect (5xx and 429 answers are not remembered)',
  schema: { type: 'string', minLength: 1 },
};

function list(summary: string, page: string, filters: Json[]) {
  return {
    get: {
      summary,
      parameters: [...PAGING, ...filters],
      responses: { '200': { description: '`{total_count, data}`', content: jsonContent(page) }, ...ERRORS },
    },
  };
}
function read(summary: string, item: string) {
  return {
    summary,
    parameters: [idParam],
    responses: {
      '200': { description: item, content: jsonContent(item) },
      '404': { description: 'not found', content: jsonContent('Error') },
      ...ERRORS,
    },
  };
}
function write(summary: string, input: string, output: string, status: '200' | '201', withId = true) {
  return {
    summary,
    parameters: withId ? [idParam, IDEMPOTENCY] : [IDEMPOTENCY],
    requestBody: { required: true, content: jsonContent(input) },
    responses: {
      [status]: { description: output, content: jsonContent(output) },
      '400': { description: 'invalid body', content: jsonContent('Error') },
      ...ERRORS,
    },
  };
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document of the `community` contract (built once, then shared: do not mutate). */
export function tradingGridContractDocument(): Json {
  if (cached) return cached;
  const schemas: Json = {};
  for (const [name, s] of Object.entries(RESPONSES)) schemas[name] = schemaOf(s, 'output');
  for (const [name, s] of Object.entries(REQUESTS)) schemas[name] = schemaOf(s, 'input');
  (schemas.DocumentUpload as { properties: Json }).properties.file = {
    type: 'string',
    contentMediaType: 'application/octet-stream',
    description: "the file part (its filename and Content-Type are the document's)",
  };
  const caseStatus = { type: 'string', enum: (CaseSchema.shape.status as z.ZodEnum).options };
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Trading Grid community contract (gridbridge)',
      version: '1.0.0',
      description:
        'What the gridbridge `community` driver speaks. OpenText publishes no Trading Grid REST API: this is the contract a contracted API or a customer-run adapter implements. Prose: docs/tradinggrid-contract.md. JSON, snake_case; objects may carry more fields than listed (readers ignore them).',
    },
    servers: [
      {
        url: '{base_url}',
        variables: { base_url: { default: 'https://tg.example.com/api', description: 'tradinggrid.base_url' } },
      },
    ],
    security: [{ oauth2: [] }],
    paths: {
      '/tenants/{tenant_id}/oauth2/token': {
        post: {
          summary: 'OAuth2 client credentials token (RFC 6749 §4.4); client id and secret in the form or as HTTP Basic',
          security: [],
          parameters: [{ name: 'tenant_id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: ref('TokenRequest') } },
          },
          responses: {
            '200': {
              description: 'bearer token; cache until shortly before `expires_in`',
              content: jsonContent('TokenResponse'),
            },
            '400': { description: 'unsupported_grant_type', content: jsonContent('Error') },
            '401': { description: 'invalid_client', content: jsonContent('Error') },
            '404': { description: 'tenant_not_found', content: jsonContent('Error') },
            default: ERRORS.default,
          },
        },
      },
      '/trading_partners': {
        ...list('list trading partners', 'TradingPartnerPage', [
          where('status', { type: 'string', enum: [...PARTNER_STATUSES] }),
          where('tier', { type: 'string', enum: [...PARTNER_TIERS] }),
        ]),
        post: write('create a trading partner', 'NewTradingPartner', 'TradingPartner', '201', false),
      },
      '/trading_partners/{id}': { get: read('one trading partner', 'TradingPartner') },
      '/trading_partners/{id}/status': {
        post: write("set a partner's onboarding status", 'PartnerStatusInput', 'TradingPartner', '200'),
      },
      '/trading_partners/{id}/scorecard': {
        put: write("publish the partner's scorecard for a period (flow 7)", 'ScorecardInput', 'Scorecard', '200'),
      },
      '/cases': list('list cases', 'CasePage', [
        where('partner_id'),
        where('status', caseStatus),
        where('kind', { type: 'string', enum: (CaseSchema.shape.kind as z.ZodEnum).options }),
      ]),
      '/cases/{id}': { get: read('one case', 'Case') },
      '/cases/{id}/status': {
        post: write('set the case status the partner sees (flow 2)', 'CaseStatusInput', 'Case', '200'),
      },
      '/cases/{id}/fields': {
        post: write(
          'change case fields the partner sees (title, description, kind, value); only the fields sent change',
          'CaseFieldsInput',
          'Case',
          '200',
        ),
      },
      '/cases/{id}/comments': {
        get: { ...list('comments of a case', 'CaseCommentPage', []).get, parameters: [idParam, ...PAGING.slice(0, 2)] },
        post: write('comment on a case (flow 3)', 'CommentInput', 'CaseComment', '201'),
      },
      '/cases/{id}/documents': {
        get: { ...list('documents of a case', 'DocumentPage', []).get, parameters: [idParam, ...PAGING.slice(0, 2)] },
        post: {
          ...write('attach a document to a case (flow 3)', 'DocumentUpload', 'Document', '201'),
          requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('DocumentUpload') } } },
        },
      },
      '/documents/{id}': { get: read('document metadata', 'Document') },
      '/documents/{id}/content': {
        get: {
          summary: 'document bytes, streamed; `sha256` in the metadata checks them',
          parameters: [idParam],
          responses: {
            '200': {
              description: "the bytes, with the document's content type",
              content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
            },
            '404': { description: 'not found', content: jsonContent('Error') },
            ...ERRORS,
          },
        },
      },
      '/compliance_requirements': list('list compliance requirements', 'ComplianceRequirementPage', [
        where('partner_id'),
      ]),
      '/compliance_requirements/{id}': { get: read('one compliance requirement', 'ComplianceRequirement') },
      '/requests': list('list partner approval requests', 'PartnerRequestPage', [
        where('partner_id'),
        where('status', { type: 'string', enum: (PartnerRequestSchema.shape.status as z.ZodEnum).options }),
      ]),
      '/requests/{id}': { get: read('one approval request', 'PartnerRequest') },
      '/requests/{id}/decision': {
        post: write('decide an approval request (flow 6)', 'DecisionInput', 'PartnerRequest', '200'),
      },
      '/notices': {
        ...list('list notices', 'NoticePage', []),
        post: write('publish a notice to partners (flow 8)', 'NewNotice', 'Notice', '201', false),
      },
      '/notices/{id}': { get: read('one notice', 'Notice') },
    },
    webhooks: {
      event: {
        post: {
          summary:
            'Thin event POSTed to gridbridge (`{server.public_url}/webhooks/tradinggrid`), signed the Standard Webhooks way; at least once, possibly duplicated or out of order: the receiver re-reads the resource `data.id` names',
          security: [],
          parameters: [
            {
              name: 'webhook-id',
              in: 'header',
              required: true,
              description: 'unique per event; the same on every retry (the receiver dedupes on it)',
              schema: { type: 'string' },
            },
            {
              name: 'webhook-timestamp',
              in: 'header',
              required: true,
              description: 'integer seconds since the epoch; refused outside ±300 s',
              schema: { type: 'string', pattern: '^\\d{1,12}$' },
            },
            {
              name: 'webhook-signature',
              in: 'header',
              required: true,
              description:
                'space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}">`, key: base64-decoded `whsec_` secret',
              schema: { type: 'string', pattern: '(^| )v1,[A-Za-z0-9+/=]+' },
            },
          ],
          requestBody: { required: true, content: jsonContent('Event') },
          responses: {
            '2XX': { description: 'accepted (stored)' },
            '401': { description: 'bad signature or timestamp: not retried as-is' },
            default: { description: 'the sender retries with backoff' },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description:
            'client credentials per tenant; the token URL is `{base_url}/tenants/{tenant_id}/oauth2/token`. A 401 on an API call: fetch a new token once, then fail',
          flows: { clientCredentials: { tokenUrl: 'tenants/{tenant_id}/oauth2/token', scopes: {} } },
        },
      },
      schemas,
    },
  };
  return cached;
}
