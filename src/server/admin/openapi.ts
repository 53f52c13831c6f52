/**
 * OpenAPI 3.1 description of the admin API, written by hand next to the routes it describes
 * (api.ts). A test checks every route in api.ts is listed here and the other way round.
 */
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** An object whose properties are all always sent, except those named in `optional`. */
const obj = (properties: Record<string, object>, optional: readonly string[] = [], more: object = {}) => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
  ...more,
});
/** A JSON document served as it is (this one, the Trading Grid contract): its members are not described here. */
const opaque = (description: string) => ({ type: 'object', additionalProperties: true, description });
const int = { type: 'integer' };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const intOrNull = { type: ['integer', 'null'] };
const strOrNull = { type: ['string', 'null'] };
const arrayOf = (items: object) => ({ type: 'array', items });
const err = (description: string) => json(ref('Error'), description);
const common = { '401': err('not signed in: no or unknown token / session') };
const change = { ...common, '403': err('read-only role, or CSRF token missing/wrong (session callers)') };
const idParam = (name: string, description: string, type = 'string') => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type },
});
const q = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'gridbridge admin API',
      version: '1',
      description:
        'What the operations console (/ui) shows and does. Authenticate with `Authorization: Bearer <admin token>` (admin.tokens in the config), or sign in with POST /api/session, which sets an HttpOnly SameSite=Strict session cookie; session callers send the returned csrfToken in `X-CSRF-Token` on every POST. The read_only role can read everything and change nothing.',
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': json(opaque('an OpenAPI 3.1 document')) },
        },
      },
      '/session': {
        get: {
          summary: 'Who is signed in (and the CSRF token of this session)',
          responses: { '200': json(ref('Session')), ...common },
        },
        post: {
          summary: 'Sign in with an admin token or a user and password; sets the session cookie',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
                    {
                      type: 'object',
                      required: ['user', 'password'],
                      properties: { user: { type: 'string' }, password: { type: 'string' } },
                    },
                  ],
                },
              },
            },
          },
          responses: {
            '200': json(ref('Session')),
            '400': err('malformed body'),
            '401': err('unknown token, user or password'),
            '415': err('not JSON'),
            '429': err('too many failed sign-ins from this address (Retry-After)'),
          },
        },
      },
      '/session/sign-out': {
        post: {
          summary: 'End this session',
          responses: { '200': json(obj({ signedOut: bool })), ...change },
        },
      },
      '/overview': {
        get: { summary: 'Counts for the console header', responses: { '200': json(ref('Overview')), ...common } },
      },
      '/cases': {
        get: {
          summary: 'Cases, newest first, filtered and searched',
          parameters: [
            q('q', 'free text: case id, partner, title, transaction reference, ClickUp task id'),
            q('partner', 'partner id'),
            q('kind', 'case kind'),
            q('state', 'bridge state: active, needs_mapping, closed'),
            q('partner_status', 'Trading Grid status'),
            q('sla', 'SLA state', { enum: ['breached', 'at_risk', 'on_track', 'none', 'met', 'missed'] }),
            q('limit', 'page size (1..500, default 50)', { type: 'integer' }),
            q('offset', 'rows to skip', { type: 'integer' }),
          ],
          responses: {
            '200': json(obj({ total: int, limit: int, offset: int, cases: arrayOf(ref('CaseRow')) })),
            '400': err('bad filter'),
            ...common,
          },
        },
      },
      '/cases/{id}': {
        get: {
          summary: 'One case with its record, links and documents',
          parameters: [idParam('id', 'case id')],
          responses: {
            '200': json(
              obj({ case: ref('CaseRow'), record: ref('CaseRecord'), documents: arrayOf(ref('CaseDocument')) }),
            ),
            '404': err('no such case'),
            ...common,
          },
        },
      },
      '/cases/{id}/timeline': {
        get: {
          summary: 'Everything that happened to a case, in order',
          parameters: [idParam('id', 'case id')],
          responses: {
            '200': json(obj({ caseId: str, items: arrayOf(ref('TimelineItem')) })),
            ...common,
          },
        },
      },
      '/dead-letters': {
        get: {
          summary: 'Dead letters (not yet replayed, or all with ?all=true)',
          parameters: [q('all', 'include replayed ones', { type: 'boolean' })],
          responses: {
            '200': json(obj({ deadLetters: arrayOf(ref('DeadLetter')) })),
            ...common,
          },
        },
      },
      '/dead-letters/{id}': {
        get: {
          summary: 'One dead letter with the current state of its job',
          parameters: [idParam('id', 'dead letter id', 'integer')],
          responses: { '200': json(ref('DeadLetter')), '404': err('no such dead letter'), ...common },
        },
      },
      '/dead-letters/{id}/replay': {
        post: {
          summary: 'Send a dead letter back to the queue (admin role)',
          parameters: [idParam('id', 'dead letter id', 'integer')],
          responses: {
            '200': json(obj({ replayed: int, jobId: int })),
            '404': err('no such dead letter'),
            '409': err('already replayed'),
            ...change,
          },
        },
      },
      '/dead-letters/replay': {
        post: {
          summary: 'Replay several dead letters, or all not yet replayed (admin role)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    { type: 'object', required: ['all'], properties: { all: { const: true } } },
                    {
                      type: 'object',
                      required: ['ids'],
                      properties: { ids: { type: 'array', items: { type: 'integer' } } },
                    },
                  ],
                },
              },
            },
          },
          responses: {
            '200': json(
              obj({
                replayed: int,
                failed: int,
                results: arrayOf(obj({ id: int, ok: bool, jobId: int, reason: str }, ['jobId', 'reason'])),
              }),
            ),
            '400': err('bad body'),
            ...change,
          },
        },
      },
      '/held-changes': {
        get: {
          summary: 'Partner-visible changes held by the bulk-change guard (guards.bulk_changes)',
          responses: {
            '200': json(
              obj({
                guard: obj({ maxChanges: int, windowMinutes: int }),
                held: arrayOf(
                  obj({
                    id: int,
                    actor: str,
                    at: int,
                    caseId: strOrNull,
                    kind: str,
                    reason: strOrNull,
                    summary: { type: 'string', description: 'what would reach the partner, in short' },
                  }),
                ),
              }),
            ),
            ...common,
          },
        },
      },
      '/held-changes/release': {
        post: {
          summary: 'Send held changes to the partner (admin role); a status the task moved on from is not sent',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('HeldSelector'),
              },
            },
          },
          responses: {
            '200': json(obj({ released: int })),
            '400': err('bad body'),
            ...change,
          },
        },
      },
      '/held-changes/drop': {
        post: {
          summary: 'Drop held changes: the partner never sees them (admin role)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('HeldSelector'),
              },
            },
          },
          responses: {
            '200': json(obj({ dropped: int })),
            '400': err('bad body'),
            ...change,
          },
        },
      },
      '/sla': {
        get: {
          summary: 'Open cases at risk or breached, grouped by partner and by manager',
          responses: {
            '200': json(
              obj({
                now: int,
                byPartner: arrayOf(ref('SlaGroup')),
                byManager: arrayOf(ref('SlaGroup')),
                cases: arrayOf({
                  allOf: [
                    ref('CaseRow'),
                    obj({ manager: { type: 'string', description: 'who the case escalates to' } }),
                  ],
                }),
              }),
            ),
            ...common,
          },
        },
      },
      '/scorecards': {
        get: {
          summary: "Flow 7's scorecards for a period (served by routes/scorecards.ts)",
          parameters: [
            q('period', 'YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (default: the running period)'),
            q('partner', 'partner id'),
          ],
          responses: {
            '200': json(
              obj({
                period: str,
                time_zone: str,
                window: obj({ start: str, end: str, as_of: str }),
                scorecards: arrayOf(
                  obj({ partner_id: str }, [], {
                    additionalProperties: true,
                    description: "flow 7's scorecard of one partner (docs/flows/07-scorecards.md)",
                  }),
                ),
              }),
            ),
            '400': err('unknown period'),
            ...common,
          },
        },
      },
      '/scorecards/trend': {
        get: {
          summary: 'Per-partner counts and the weekly resolution-time trend (console charts)',
          parameters: [q('weeks', 'weeks of trend (1..52, default 12)', { type: 'integer' })],
          responses: {
            '200': json(
              obj({
                weekMs: int,
                partners: arrayOf(
                  obj({
                    partnerId: str,
                    partnerName: strOrNull,
                    open: int,
                    resolved: int,
                    slaTracked: { type: 'integer', description: 'resolved cases that had a due date' },
                    slaMet: { type: 'integer', description: 'of those, resolved by it' },
                    breachedOpen: int,
                    avgResolutionMs: { type: ['number', 'null'] },
                  }),
                ),
                trend: arrayOf(
                  obj({
                    partnerId: str,
                    weekStart: { type: 'integer', description: 'start of the 7-day bucket (epoch ms)' },
                    resolved: int,
                    avgResolutionMs: { type: 'number' },
                  }),
                ),
              }),
            ),
            ...common,
          },
        },
      },
      '/rollouts': {
        get: {
          summary:
            'Onboarding and rollout progress (acknowledgements per partner); available=false until those flows store data',
          responses: {
            '200': json(
              obj(
                {
                  available: bool,
                  reason: { type: 'string', description: 'why there is nothing to show (available=false only)' },
                  onboarding: arrayOf(ref('FlowProgress')),
                  rollouts: arrayOf(ref('FlowProgress')),
                },
                ['reason'],
              ),
            ),
            ...common,
          },
        },
      },
      '/tradinggrid-contract.json': {
        get: {
          summary:
            'The Trading Grid community contract a customer adapter implements, as OpenAPI 3.1 (public; served by server/app.ts; docs/tradinggrid-contract.md)',
          security: [],
          responses: { '200': json(opaque('an OpenAPI 3.1 document')) },
        },
      },
      '/health': {
        get: {
          summary:
            'Connector health: ClickUp budget now and over time, webhook health, Trading Grid polls, queue depth and age',
          responses: { '200': json(ref('Health')), ...common },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an admin token from admin.tokens' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'gb_session',
          description: 'set by POST /session; changes also need X-CSRF-Token',
        },
      },
      schemas: {
        Error: obj({ error: str }),
        Session: obj({
          actor: str,
          role: { enum: ['admin', 'read_only'] },
          via: { enum: ['token', 'session'] },
          csrfToken: strOrNull,
          expiresAt: intOrNull,
        }),
        Overview: obj({
          openCases: int,
          breached: int,
          atRisk: int,
          held: int,
          heldChanges: int,
          pausedTasks: {
            type: 'array',
            description: 'linked tasks moved out of our lists: syncing paused',
            items: obj({ entity: str, id: str, cuTaskId: str, listId: str }),
          },
          deadLetters: int,
          queueDue: int,
          oldestDueAgeMs: int,
        }),
        CaseRow: obj({
          id: str,
          title: str,
          partnerId: str,
          partnerName: strOrNull,
          kind: str,
          source: str,
          partnerStatus: { type: 'string', description: 'Trading Grid side' },
          bridgeState: str,
          holdReason: strOrNull,
          clickupTaskId: strOrNull,
          clickupStatus: strOrNull,
          sla: { enum: ['on_track', 'at_risk', 'breached', 'met', 'missed', 'none'] },
          slaDueAt: intOrNull,
          openedAt: int,
          resolvedAt: intOrNull,
          updatedAt: int,
          links: obj({ clickup: strOrNull, tradinggrid: strOrNull }),
          escalation: {
            ...obj({
              level: int,
              manager: strOrNull,
              taskId: strOrNull,
              taskUrl: strOrNull,
              dueAt: intOrNull,
              why: str,
            }),
            type: ['object', 'null'],
            description: 'the SLA escalation, once a rung is reached',
          },
        }),
        CaseRecord: obj(
          {
            id: str,
            source: { enum: ['community', 'mailbox', 'mailbox_test'] },
            partnerId: str,
            partnerName: strOrNull,
            partnerTier: strOrNull,
            kind: str,
            exception: strOrNull,
            title: str,
            description: str,
            transactionRef: {
              ...obj(
                {
                  standard: str,
                  interchange: str,
                  group: str,
                  transaction: str,
                  business: { ...obj({ type: str, value: str }), type: ['object', 'null'] },
                },
                ['standard', 'interchange', 'group', 'transaction', 'business'],
              ),
              type: ['object', 'null'],
            },
            value: { ...obj({ amount: { type: 'number' }, currency: str }), type: ['object', 'null'] },
            partnerStatus: str,
            state: str,
            holdReason: strOrNull,
            slaDueAt: intOrNull,
            openedAt: int,
            resolvedAt: intOrNull,
            updatedAt: int,
            unlinked: { ...obj({ taskId: str, at: int }), type: ['object', 'null'] },
            replacesTask: strOrNull,
          },
          ['exception', 'unlinked', 'replacesTask'],
          { description: 'the case as the bridge keeps it' },
        ),
        CaseDocument: obj({
          name: str,
          kind: str,
          sha256: str,
          origin: str,
          sizeBytes: int,
          onTradingGrid: bool,
          onClickUp: bool,
          createdAt: int,
        }),
        TimelineItem: obj({
          at: int,
          kind: {
            enum: [
              'event',
              'decision',
              'call',
              'retry',
              'error',
              'dead_letter',
              'replay',
              'operator',
              'sent_to_partner',
            ],
          },
          detail: str,
          status: str,
          durationMs: intOrNull,
          jobId: intOrNull,
          source: { enum: ['timeline', 'audit', 'dead_letter'] },
        }),
        DeadLetter: obj({
          id: int,
          jobId: int,
          kind: str,
          key: str,
          caseId: strOrNull,
          payload: str,
          error: str,
          attempts: int,
          failedAt: int,
          replayedAt: intOrNull,
          jobState: strOrNull,
          jobLastError: strOrNull,
        }),
        HeldSelector: {
          description: 'which held changes: all, those of one person, or some by id',
          oneOf: [obj({ all: { const: true } }), obj({ actor: str }), obj({ ids: arrayOf(int) })],
        },
        SlaGroup: obj({ key: str, atRisk: int, breached: int }),
        FlowProgress: obj(
          {
            id: str,
            state: str,
            updatedAt: int,
            title: str,
            partner: strOrNull,
            acknowledged: intOrNull,
            expected: intOrNull,
            perPartner: {
              type: ['array', 'null'],
              description: 'flow 8: who acknowledged and who is still silent',
              items: obj({
                partnerId: str,
                partner: str,
                acknowledgedAt: { type: ['string', 'null'], description: 'ISO time' },
              }),
            },
            milestones: {
              type: ['array', 'null'],
              description: 'flow 4: which milestones are closed',
              items: obj({ name: str, done: bool }),
            },
            stepsDone: intOrNull,
            clickupTaskId: strOrNull,
          },
          [],
          { description: 'one onboarding (flow 4) or rollout (flow 8) and how far it is' },
        ),
        Health: obj({
          now: int,
          clickup: obj({
            rateLimit: obj({
              known: { type: 'boolean', description: 'false until an answer told the plan (X-RateLimit-* headers)' },
              assumed: { type: 'boolean', description: 'the lowest plan limit is assumed: no answer said otherwise' },
              limit: intOrNull,
              remaining: intOrNull,
              resetAt: intOrNull,
              queued: int,
              inFlight: int,
              paceMs: { type: 'number' },
              rateLimited: int,
              issued: int,
            }),
            webhook: obj({
              checkedAt: int,
              ok: bool,
              detail: str,
              webhooks: arrayOf(obj({ id: str, endpoint: str, status: str, failCount: int })),
            }),
            tokenOwner: {
              ...obj({
                ok: bool,
                kind: { enum: ['dedicated', 'wrong_user', 'person', 'undeclared'] },
                detail: str,
                user: str,
              }),
              type: ['object', 'null'],
              description: "whose changes are taken for the bridge's own; null until read",
            },
          }),
          mapping: {
            ...obj({
              checked: {
                type: 'object',
                additionalProperties: int,
                description: 'when each list was last read against the mapping (ms epoch)',
              },
              drift: arrayOf(
                obj(
                  {
                    listId: str,
                    what: { enum: ['status', 'field', 'option'] },
                    name: str,
                    field: str,
                    mapping: str,
                    reason: str,
                  },
                  ['field'],
                ),
              ),
              held: int,
              unmapped: arrayOf(obj({ status: str, held: int })),
            }),
            description:
              'statuses, fields and options the mapping names that a list of ours (cases, approvals, onboarding, rollouts) lacks now (renamed or deleted in ClickUp), and the changes held until it fits again; unmapped: ClickUp statuses clickup.status_map does not name that case changes are held for (sent after a restart with the status mapped, or dropped)',
          },
          tradinggrid: obj({
            lastPoll: arrayOf(obj({ name: str, at: int })),
            lastMailboxScan: arrayOf(obj({ name: str, at: int })),
          }),
          inbound: arrayOf(obj({ source: str, lastReceivedAt: intOrNull, total: int })),
          queue: obj({
            ready: int,
            due: int,
            running: int,
            dead: int,
            waiting: int,
            oldestDueAgeMs: int,
            deadLettersOpen: int,
            byKind: arrayOf(obj({ kind: str, state: str, n: int })),
          }),
          dispatcher: obj({
            inFlight: int,
            counters: {
              type: 'object',
              additionalProperties: int,
              description: 'jobs done, retried, dead… since start',
            },
          }),
          history: arrayOf(
            obj({
              at: int,
              limit: intOrNull,
              remaining: intOrNull,
              queued: int,
              inFlight: int,
              rateLimited: int,
              issued: int,
              queueDue: int,
              oldestDueAgeMs: int,
            }),
          ),
        }),
      },
    },
  };
}
