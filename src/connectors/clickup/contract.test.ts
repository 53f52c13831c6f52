// Contract test: every request the connector can send is checked against ClickUp's OpenAPI file
// (operation exists for method + path, path/query/header parameters, JSON body schema via ajv,
// multipart field), and the sandbox's answers are checked against the response schemas where the
// file is self-consistent. Only the file's structural defects are repaired (see
// scripts/gen-clickup-types.mjs); a request the file rejects fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startClickUpSandbox, type ClickUpSandbox, type SandboxExchange } from '../../sandbox/clickup/server.ts';
import { multipartBoundary, parseMultipart } from '../../sandbox/shared/multipart.ts';
import { createClickUpClient, ensureWebhook, validateClickUpSetup, catchUpTasks, type ClickUpClient } from './index.ts';
import { findFieldByName } from './fields.ts';

type Json = Record<string, any>;
interface Op {
  path: string;
  method: string;
  op: Json;
  re: RegExp;
  literals: number;
}

const genModule = pathToFileURL(resolve(import.meta.dirname, '../../../scripts/gen-clickup-types.mjs')).href;
let doc: Json;
let ops: Op[];
let ajv: InstanceType<typeof Ajv2020>;
const exchanges: SandboxExchange[] = [];
let sb: ClickUpSandbox;
let cu: ClickUpClient;

/** Deviations of the file from ClickUp's documented behaviour that the connector deliberately follows. */
const KNOWN_REQUEST_DEVIATIONS: Array<{ op: string; problem: RegExp; why: string }> = [
  {
    op: 'DeleteDependency',
    problem: /required query parameter (depends_on|dependency_of) missing/,
    why: 'the file marks both required; ClickUp takes exactly one of them',
  },
];

/** Response paths where the file contradicts what ClickUp actually answers (and the sandbox mirrors ClickUp). */
const KNOWN_RESPONSE_INCONSISTENCIES: Array<{ path: RegExp; why: string }> = [
  {
    path: /^\/(tasks\/\d+\/|task\/|subtasks\/\d+\/)?(assignees|watchers|checklists|tags)\/\d+$/,
    why: 'file types these items as strings; ClickUp returns objects',
  },
  {
    path: /^\/(tasks\/\d+\/|task\/)?custom_fields\/\d+\/value$/,
    why: 'file allows only user/object values; ClickUp returns strings, numbers, option indexes',
  },
  {
    path: /^\/(tasks\/\d+\/|task\/)?custom_fields\/\d+\/type_config$/,
    why: 'file types type_config as the people-field config only',
  },
  {
    path: /^\/(tasks\/\d+\/|task\/)?(points|time_estimate)$/,
    why: 'null when unset in ClickUp; the file says number/string',
  },
  { path: /^\/(tasks\/\d+\/|task\/)?dependencies\/\d+$/, why: 'file types dependency items as strings' },
  { path: /^\/(tasks\/\d+\/|task\/)?linked_tasks\/\d+$/, why: 'file types linked task items as strings' },
  { path: /^\/comments\/\d+\/user/, why: 'comment user $ref points at the time-entry user schema' },
  { path: /^\/webhooks?\/(\d+\/)?(list_id|folder_id|space_id|task_id)$/, why: 'nullable ids' },
  {
    path: /^\/(task\/)?parent$/,
    why: 'UpdateTask/link answers type parent as string; a top-level task has parent null',
  },
  {
    path: /^\/task\/priority$/,
    why: 'link answers type priority as a string; ClickUp returns the priority object or null',
  },
  {
    path: /^\/tasks\/\d+\/custom_fields$/,
    why: 'GetTasks types custom_fields as one object; it is an array like GetTask',
  },
  {
    path: /^\/fields\/\d+\/type_config\/default$/,
    why: 'oneOf with an empty-schema branch: every value matches two branches',
  },
  { path: /^\/checklist\/items\/\d+\/assignee$/, why: 'null when unassigned' },
  { path: /^\/templates\/\d+$/, why: 'file types templates as strings; ClickUp returns {id, name}' },
];

beforeAll(async () => {
  const mod = (await import(genModule)) as { loadRepairedClickUpSpec: () => { doc: Json } };
  doc = mod.loadRepairedClickUpSpec().doc;
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'clickup');
  ops = [];
  for (const [p, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const re = new RegExp(`^${p.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
      ops.push({
        path: p,
        method: method.toUpperCase(),
        op: op as Json,
        re,
        literals: p.split('/').filter((s) => s && !s.startsWith('{')).length,
      });
    }
  }
  sb = await startClickUpSandbox({
    rateLimitPerMinute: null,
    customTaskIds: true,
    onExchange: (x) => exchanges.push(x),
  });
  cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
});
afterAll(async () => {
  await cu.close();
  await sb.close();
});

const pointer = (...parts: string[]) =>
  `clickup#/${parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

function coerce(schema: Json | undefined, raw: string): unknown {
  const t = schema?.type;
  const types = Array.isArray(t) ? t : [t];
  if ((types.includes('number') || types.includes('integer')) && raw.trim() !== '' && Number.isFinite(Number(raw)))
    return Number(raw);
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function validate(schemaRef: string, value: unknown): string[] {
  const v = ajv.getSchema(schemaRef) ?? ajv.compile({ $ref: schemaRef });
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}

function findOp(method: string, apiPath: string): { o: Op; params: Record<string, string> } | undefined {
  const path = apiPath.replace(/^\/api/, '');
  const cands = ops.filter((o) => o.method === method && o.re.test(path)).sort((a, b) => b.literals - a.literals);
  const o = cands[0];
  if (!o) return undefined;
  const names = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const values = o.re.exec(path)!.slice(1);
  return { o, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(values[i]!)])) };
}

/** Every reason the file rejects one recorded request. */
function requestProblems(x: SandboxExchange): { opId: string; problems: string[] } {
  const found = findOp(x.method, x.path);
  if (!found) return { opId: '?', problems: [`no operation ${x.method} ${x.path} in the file`] };
  const { o, params } = found;
  const problems: string[] = [];
  const specParams: Json[] = o.op.parameters ?? [];
  for (const p of specParams) {
    const idx = specParams.indexOf(p);
    if (p.in === 'path') {
      problems.push(
        ...validate(
          pointer('paths', o.path, o.method.toLowerCase(), 'parameters', String(idx), 'schema'),
          coerce(p.schema, params[p.name] ?? ''),
        ).map((e) => `path parameter ${p.name}: ${e}`),
      );
    } else if (p.in === 'query') {
      const values = [...x.query.getAll(p.name), ...x.query.getAll(`${p.name}[]`)];
      if (values.length === 0) {
        if (p.required) problems.push(`required query parameter ${p.name} missing`);
        continue;
      }
      const ref = pointer('paths', o.path, o.method.toLowerCase(), 'parameters', String(idx), 'schema');
      const value =
        p.schema?.type === 'array' ? values.map((v) => coerce(p.schema.items, v)) : coerce(p.schema, values[0]!);
      problems.push(...validate(ref, value).map((e) => `query parameter ${p.name}: ${e}`));
    } else if (p.in === 'header' && p.required && x.headers[p.name.toLowerCase()] === undefined) {
      problems.push(`required header ${p.name} missing`);
    }
  }
  const content: Json | undefined = o.op.requestBody?.content;
  if (content) {
    const ct = String(x.headers['content-type'] ?? '');
    if (content['application/json'] && ct.includes('application/json')) {
      let body: unknown;
      try {
        body = JSON.parse(x.body.toString('utf8'));
      } catch {
        problems.push('body is not JSON');
      }
      problems.push(
        ...validate(
          pointer('paths', o.path, o.method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'),
          body,
        ).map((e) => `body ${e}`),
      );
    } else if (content['multipart/form-data'] && ct.startsWith('multipart/form-data')) {
      const parts = parseMultipart(x.body, multipartBoundary(ct)!);
      for (const name of Object.keys(content['multipart/form-data'].schema?.properties ?? {})) {
        if (!parts.some((p) => p.name === name)) problems.push(`multipart field ${name} missing`);
      }
    } else if (o.op.requestBody.required || x.body.length > 0) {
      problems.push(`content type ${ct || '(none)'} not accepted (file: ${Object.keys(content).join(', ')})`);
    }
  }
  const opId = String(o.op.operationId);
  const real = problems.filter((pr) => !KNOWN_REQUEST_DEVIATIONS.some((d) => d.op === opId && d.problem.test(pr)));
  return { opId, problems: real };
}

/** The problems of one answer, or null when the file has no schema to check it against. */
function responseProblems(x: SandboxExchange): string[] | null {
  const found = findOp(x.method, x.path);
  if (!found || x.status >= 300 || x.responseBody === undefined) return null;
  const resp = found.o.op.responses?.[String(x.status)];
  if (!resp?.content?.['application/json']?.schema) return null;
  const ref = pointer(
    'paths',
    found.o.path,
    found.o.method.toLowerCase(),
    'responses',
    String(x.status),
    'content',
    'application/json',
    'schema',
  );
  const v = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (v(x.responseBody)) return [];
  return (
    (v.errors ?? [])
      .filter((e) => !KNOWN_RESPONSE_INCONSISTENCIES.some((k) => k.path.test(e.instancePath)))
      // anyOf/oneOf wrappers fail when a branch fails on an exempt path; their branches are judged alone.
      .filter((e) => !['oneOf', 'anyOf'].includes(e.keyword))
      .map((e) => `${found.o.op.operationId} ${e.instancePath || '(root)'} ${e.message}`)
  );
}

let exercised: Promise<void> | null = null;
/** Drives every method of the connector once against the sandbox (once per file, whichever test asks first). */
function exerciseOnce(): Promise<void> {
  exercised ??= exerciseEveryCall();
  return exercised;
}

/** Drives every method of the connector once against the sandbox. */
async function exerciseEveryCall(): Promise<void> {
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { detail: string } }): T => {
    if (!r.ok) throw new Error(r.error.detail);
    return r.value;
  };
  const L = sb.lists.cases;
  const fields = must(await cu.getListFields(L));
  must(await cu.getList(L));
  must(
    (await validateClickUpSetup(cu, {
      listId: L,
      statuses: ['open', 'resolved'],
      fieldNames: ['TG case id'],
    })) as never,
  );
  const f = (n: string) => findFieldByName(fields, n)!;
  const issue = f('Issue type').type_config!.options![0]!.id;
  const parent = must(
    await cu.createTask(L, {
      name: 'contract parent',
      markdown_content: '# hi',
      description: 'd',
      tags: ['tg'],
      priority: 1,
      status: 'open',
      due_date: 1_800_000_000_000,
      due_date_time: false,
      start_date: 1_790_000_000_000,
      notify_all: false,
      assignees: [],
      custom_fields: [
        { id: f('TG case id').id, value: 'TG-C1' },
        { id: f('Issue type').id, value: issue },
      ],
    }),
  );
  const child = must(await cu.createTask(L, { name: 'contract child', parent: parent.id }));
  must(
    await cu.updateTask(parent.id, {
      name: 'contract parent 2',
      status: 'in review',
      priority: 2,
      due_date: 1_800_000_100_000,
    }),
  );
  must(await cu.updateTask({ customId: parent.custom_id! }, { description: 'by custom id' }));
  // A partner's edit shown on the task: name, markdown description and priority in one update (flow 2).
  must(
    await cu.updateTask(parent.id, {
      name: '[Acme] Dispute: renamed by the partner',
      markdown_content: '**edited** on the partner side',
      priority: 3,
    }),
  );
  must(await cu.getTask(parent.id, { includeSubtasks: true, includeMarkdown: true }));
  must(await cu.getTask({ customId: parent.custom_id! }));
  must(
    await cu.listTasks(L, {
      include_closed: true,
      subtasks: true,
      date_updated_gt: 1,
      statuses: ['open', 'in review'],
      tags: ['tg'],
      order_by: 'updated',
      reverse: true,
    }),
  );
  must(await cu.findTasksByCustomField(L, f('TG case id').id, 'TG-C1'));
  must(await catchUpTasks(cu, L, 0));
  must(await cu.setCustomFieldValue(parent.id, f('Value').id, 99.5));
  must(await cu.setCustomFieldValue(parent.id, f('Partner').id, 'ACME'));
  must(await cu.setCustomFieldValue(parent.id, f('SLA state').id, f('SLA state').type_config!.options![1]!.id));
  must(await cu.removeCustomFieldValue(parent.id, f('Partner').id));
  must(await cu.createComment(parent.id, { comment_text: 'hello', notify_all: true }));
  must(await cu.listComments(parent.id));
  must(
    await cu.uploadAttachment(parent.id, { filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('hello') }),
  );
  const cl = must(await cu.createChecklist(parent.id, { name: 'Go-live' }));
  must(await cu.editChecklist(cl.id, { name: 'Go-live 2', position: 0 }));
  const withItem = must(await cu.createChecklistItem(cl.id, { name: 'Contract signed' }));
  const itemId = withItem.items![0]!.id;
  must(await cu.editChecklistItem(cl.id, itemId, { resolved: true, name: 'Contract signed!' }));
  must(await cu.deleteChecklistItem(cl.id, itemId));
  must(await cu.deleteChecklist(cl.id));
  must(await cu.addDependency(child.id, { dependsOn: parent.id }));
  must(await cu.addDependency(parent.id, { dependencyOf: child.id }));
  must(await cu.deleteDependency(child.id, { dependsOn: parent.id }));
  must(await cu.addTaskLink(parent.id, child.id));
  must(await cu.deleteTaskLink(parent.id, child.id));
  const templates = must(await cu.listTaskTemplates());
  must(await cu.createTaskFromTemplate(sb.lists.onboarding, templates[0]!.id, { name: 'Onboard ACME' }));
  const spec = {
    teamId: sb.teamId,
    endpoint: 'http://127.0.0.1:9/hook',
    events: ['taskCreated', 'taskUpdated'],
    listId: L,
  };
  const wh = must(await ensureWebhook(cu, spec));
  sb.setWebhookHealth(wh.webhook.id, { status: 'suspended', fail_count: 12 });
  must(await ensureWebhook(cu, spec));
  const all = must(await ensureWebhook(cu, { teamId: sb.teamId, endpoint: 'http://127.0.0.1:9/all', events: ['*'] }));
  sb.setWebhookHealth(all.webhook.id, { status: 'failing', fail_count: 3 });
  must(await ensureWebhook(cu, { teamId: sb.teamId, endpoint: 'http://127.0.0.1:9/all', events: ['*'] }));
  const hooks = must(await cu.listWebhooks(sb.teamId));
  must(await cu.deleteWebhook(hooks[0]!.id));
  must(await cu.deleteTask(child.id));
}

describe('ClickUp OpenAPI contract', () => {
  it('every request the connector sends is accepted by the OpenAPI file', async () => {
    await exerciseOnce();
    const sent = new Set(exchanges.map((x) => `${x.method} ${x.route}`));
    expect(sent.size).toBeGreaterThanOrEqual(25);
    const bad = exchanges.map((x) => ({ x, r: requestProblems(x) })).filter(({ r }) => r.problems.length > 0);
    expect(bad.map(({ x, r }) => `${x.method} ${x.path} (${r.opId}): ${r.problems.join('; ')}`)).toEqual([]);
  });

  it('a request the file rejects is reported (the checker is not vacuous)', () => {
    const fake = (method: string, path: string, json: unknown, query = ''): SandboxExchange => ({
      method,
      path,
      route: '',
      query: new URLSearchParams(query),
      headers: { 'content-type': 'application/json' },
      body: json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json)),
      status: 200,
      responseBody: undefined,
    });
    expect(requestProblems(fake('POST', '/api/v2/list/123/task', { description: 'no name' })).problems.join()).toMatch(
      /name/,
    );
    expect(requestProblems(fake('POST', '/api/v2/task/abc/comment', { comment_text: 'x' })).problems.join()).toMatch(
      /notify_all/,
    );
    expect(requestProblems(fake('POST', '/api/v2/list/not-a-number/task', { name: 'x' })).problems.join()).toMatch(
      /list_id/,
    );
    expect(requestProblems(fake('GET', '/api/v2/team/1/taskTemplate', undefined)).problems.join()).toMatch(/page/);
    expect(requestProblems(fake('POST', '/api/v2/nope', {})).problems.join()).toMatch(/no operation/);
  });

  it('sandbox answers validate against the response schemas where the file is consistent', async () => {
    // Run alone (-t), this test drives the calls itself: an empty list of answers would pass vacuously.
    await exerciseOnce();
    const checked = exchanges.map(responseProblems).filter((p): p is string[] => p !== null);
    const routes = new Set(exchanges.filter((x) => responseProblems(x) !== null).map((x) => `${x.method} ${x.route}`));
    expect(routes.size).toBeGreaterThanOrEqual(15);
    expect(checked.flat()).toEqual([]);
  });
});
