/**
 * OpenAPI 3.1 description of the admin API, written by hand next to the routes it describes
 * (api.ts). A test checks every route in api.ts is listed here and the other way round.
 */
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
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
        get: { summary: 'This document', security: [], responses: { '200': json({ type: 'object' }) } },
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
          responses: { '200': json({ type: 'object', properties: { signedOut: { type: 'boolean' } } }), ...change },
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
            '200': json({
              type: 'object',
              properties: {
                total: { type: 'integer' },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
                cases: { type: 'array', items: ref('CaseRow') },
              },
            }),
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
            '200': json({
              type: 'object',
              properties: {
                case: ref('CaseRow'),
                record: { type: 'object' },
                documents: { type: 'array', items: { type: 'object' } },
              },
            }),
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
            '200': json({
              type: 'object',
              properties: { caseId: { type: 'string' }, items: { type: 'array', items: ref('TimelineItem') } },
            }),
            ...common,
          },
        },
      },
      '/dead-letters': {
        get: {
          summary: 'Dead letters (not yet replayed, or all with ?all=true)',
          parameters: [q('all', 'include replayed ones', { type: 'boolean' })],
          responses: {
            '200': json({ type: 'object', properties: { deadLetters: { type: 'array', items: ref('DeadLetter') } } }),
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
            '200': json({ type: 'object', properties: { replayed: { type: 'integer' }, jobId: { type: 'integer' } } }),
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
            '200': json({
              type: 'object',
              properties: {
                replayed: { type: 'integer' },
                failed: { type: 'integer' },
                results: { type: 'array', items: { type: 'object' } },
              },
            }),
            '400': err('bad body'),
            ...change,
          },
        },
      },
      '/held-changes': {
        get: {
          summary: 'Partner-visible changes held by the bulk-change guard (guards.bulk_changes)',
          responses: {
            '200': json({
              type: 'object',
              properties: { guard: { type: 'object' }, held: { type: 'array', items: { type: 'object' } } },
            }),
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
                schema: { type: 'object', description: '{"all": true}, {"actor": "Name (id)"} or {"ids": [1, 2]}' },
              },
            },
          },
          responses: {
            '200': json({ type: 'object', properties: { released: { type: 'integer' } } }),
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
                schema: { type: 'object', description: '{"all": true}, {"actor": "Name (id)"} or {"ids": [1, 2]}' },
              },
            },
          },
          responses: {
            '200': json({ type: 'object', properties: { dropped: { type: 'integer' } } }),
            '400': err('bad body'),
            ...change,
          },
        },
      },
      '/sla': {
        get: {
          summary: 'Open cases at risk or breached, grouped by partner and by manager',
          responses: {
            '200': json({
              type: 'object',
              properties: {
                now: { type: 'integer' },
                byPartner: { type: 'array', items: ref('SlaGroup') },
                byManager: { type: 'array', items: ref('SlaGroup') },
                cases: { type: 'array', items: ref('CaseRow') },
              },
            }),
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
          responses: { '200': json({ type: 'object' }), '400': err('unknown period'), ...common },
        },
      },
      '/scorecards/trend': {
        get: {
          summary: 'Per-partner counts and the weekly resolution-time trend (console charts)',
          parameters: [q('weeks', 'weeks of trend (1..52, default 12)', { type: 'integer' })],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                weekMs: { type: 'integer' },
                partners: { type: 'array', items: { type: 'object' } },
                trend: { type: 'array', items: { type: 'object' } },
              },
            }),
            ...common,
          },
        },
      },
      '/rollouts': {
        get: {
          summary:
            'Onboarding and rollout progress (acknowledgements per partner); available=false until those flows store data',
          responses: {
            '200': json({
              type: 'object',
              properties: {
                available: { type: 'boolean' },
                reason: { type: 'string' },
                onboarding: { type: 'array', items: { type: 'object' } },
                rollouts: { type: 'array', items: { type: 'object' } },
              },
            }),
            ...common,
          },
        },
      },
      '/tradinggrid-contract.json': {
        get: {
          summary:
            'The Trading Grid community contract a customer adapter implements, as OpenAPI 3.1 (public; served by server/app.ts; docs/tradinggrid-contract.md)',
          security: [],
          responses: { '200': json({ type: 'object' }) },
        },
      },
      '/health': {
        get: {
          summary:
            'Connector health: ClickUp budget now and over time, webhook health, Trading Grid polls, queue depth and age',
          responses: { '200': json({ type: 'object' }), ...common },
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
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
        Session: {
          type: 'object',
          properties: {
            actor: { type: 'string' },
            role: { enum: ['admin', 'read_only'] },
            via: { enum: ['token', 'session'] },
            csrfToken: { type: ['string', 'null'] },
            expiresAt: { type: ['integer', 'null'] },
          },
        },
        Overview: {
          type: 'object',
          properties: {
            openCases: { type: 'integer' },
            breached: { type: 'integer' },
            atRisk: { type: 'integer' },
            held: { type: 'integer' },
            heldChanges: { type: 'integer' },
            pausedTasks: {
              type: 'array',
              description: 'linked tasks moved out of our lists: syncing paused',
              items: {
                type: 'object',
                properties: {
                  entity: { type: 'string' },
                  id: { type: 'string' },
                  cuTaskId: { type: 'string' },
                  listId: { type: 'string' },
                },
              },
            },
            deadLetters: { type: 'integer' },
            queueDue: { type: 'integer' },
            oldestDueAgeMs: { type: 'integer' },
          },
        },
        CaseRow: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            partnerId: { type: 'string' },
            partnerName: { type: ['string', 'null'] },
            kind: { type: 'string' },
            source: { type: 'string' },
            partnerStatus: { type: 'string', description: 'Trading Grid side' },
            bridgeState: { type: 'string' },
            holdReason: { type: ['string', 'null'] },
            clickupTaskId: { type: ['string', 'null'] },
            clickupStatus: { type: ['string', 'null'] },
            sla: { enum: ['on_track', 'at_risk', 'breached', 'met', 'missed', 'none'] },
            slaDueAt: { type: ['integer', 'null'] },
            openedAt: { type: 'integer' },
            resolvedAt: { type: ['integer', 'null'] },
            updatedAt: { type: 'integer' },
            links: {
              type: 'object',
              properties: { clickup: { type: ['string', 'null'] }, tradinggrid: { type: ['string', 'null'] } },
            },
            escalation: {
              type: ['object', 'null'],
              description: 'the SLA escalation, once a rung is reached',
              properties: {
                level: { type: 'integer' },
                manager: { type: ['string', 'null'] },
                taskId: { type: ['string', 'null'] },
                taskUrl: { type: ['string', 'null'] },
                dueAt: { type: ['integer', 'null'] },
                why: { type: 'string' },
              },
            },
            manager: { type: ['string', 'null'], description: 'GET /sla only: who the case escalates to' },
          },
        },
        TimelineItem: {
          type: 'object',
          properties: {
            at: { type: 'integer' },
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
            detail: { type: 'string' },
            status: { type: 'string' },
            durationMs: { type: ['integer', 'null'] },
            jobId: { type: ['integer', 'null'] },
            source: { type: 'string' },
          },
        },
        DeadLetter: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            jobId: { type: 'integer' },
            kind: { type: 'string' },
            key: { type: 'string' },
            caseId: { type: ['string', 'null'] },
            payload: { type: 'string' },
            error: { type: 'string' },
            attempts: { type: 'integer' },
            failedAt: { type: 'integer' },
            replayedAt: { type: ['integer', 'null'] },
            jobState: { type: ['string', 'null'] },
            jobLastError: { type: ['string', 'null'] },
          },
        },
        SlaGroup: {
          type: 'object',
          properties: { key: { type: 'string' }, atRisk: { type: 'integer' }, breached: { type: 'integer' } },
        },
      },
    },
  };
}
