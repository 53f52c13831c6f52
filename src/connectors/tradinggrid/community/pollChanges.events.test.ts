import { afterEach, describe, expect, it, vi } from 'vitest';
import { err, ok, type Result } from '../../../core/result.ts';
import type { Page } from '../port.ts';
import { pollChanges } from './pollChanges.ts';

// pollChanges against an in-memory Trading Grid: which synthetic events each kind of change yields,
// what the cursor becomes, how lists are paged and how a failed read ends the poll. (pollChanges.test.ts
// covers the same function against the sandbox.)

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
/** The instant `s` seconds after T0. */
const t = (s: number) => new Date(T0 + s * 1000).toISOString();
const SINCE = t(10);

type Item = Record<string, unknown> & { id: string };
type Query = { updatedAfter?: string; offset?: number };
type ListName = 'listPartners' | 'listCases' | 'listComplianceRequirements' | 'listRequests' | 'listNotices';
type CaseRead = 'listCaseDocuments' | 'listCaseComments';

const changedAt = (x: Item) => (x.updated_at ?? x.created_at) as string;

/** A catch-up list as the API serves it: items changed strictly after `updatedAfter`, oldest change first. */
function list(items: Item[], pageSize: number, calls: Query[]) {
  return async (q?: Query): Promise<Result<Page<Item>>> => {
    calls.push({ updatedAfter: q?.updatedAfter, offset: q?.offset });
    const after = q?.updatedAfter === undefined ? -Infinity : Date.parse(q.updatedAfter);
    const matching = items
      .filter((x) => Date.parse(changedAt(x)) > after)
      .sort((a, b) => Date.parse(changedAt(a)) - Date.parse(changedAt(b)));
    const offset = q?.offset ?? 0;
    return ok({ totalCount: matching.length, data: matching.slice(offset, offset + pageSize) });
  };
}

function grid(
  seed: Partial<Record<ListName, Item[]>> & { docs?: Record<string, Item[]>; comments?: Record<string, Item[]> } = {},
  pageSize = 100,
) {
  const calls: Record<ListName, Query[]> = {
    listPartners: [],
    listCases: [],
    listComplianceRequirements: [],
    listRequests: [],
    listNotices: [],
  };
  const fail: Partial<Record<ListName | CaseRead, Array<{ retryable: boolean }>>> = {};
  const reads: Record<ListName | CaseRead, number> = {
    listPartners: 0,
    listCases: 0,
    listComplianceRequirements: 0,
    listRequests: 0,
    listNotices: 0,
    listCaseDocuments: 0,
    listCaseComments: 0,
  };
  const failing =
    <A extends unknown[]>(name: ListName | CaseRead, f: (...a: A) => Promise<Result<Page<Item>>>) =>
    async (...a: A): Promise<Result<Page<Item>>> => {
      reads[name]++;
      const f1 = fail[name]?.shift();
      if (f1) return err({ code: 'http_503', status: 503, retryable: f1.retryable, detail: `${name}: injected` });
      return f(...a);
    };
  const lists = Object.fromEntries(
    (Object.keys(calls) as ListName[]).map((n) => [n, failing(n, list(seed[n] ?? [], pageSize, calls[n]))]),
  );
  const perCase =
    (m: Record<string, Item[]> | undefined) =>
    async (caseId: string): Promise<Result<Page<Item>>> =>
      ok({ totalCount: (m?.[caseId] ?? []).length, data: m?.[caseId] ?? [] });
  const tg = {
    ...lists,
    listCaseDocuments: failing('listCaseDocuments', perCase(seed.docs)),
    listCaseComments: failing('listCaseComments', perCase(seed.comments)),
  };
  return { tg: tg as unknown as Parameters<typeof pollChanges>[0], calls, fail, reads };
}

async function events(g: ReturnType<typeof grid>, o: { since?: string; overlapMs?: number; startedAt?: string } = {}) {
  const r = await pollChanges(g.tg, { since: SINCE, overlapMs: 0, ...o });
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
}

const summary = (es: Array<{ type: string; data: Record<string, unknown>; occurred_at: string }>) =>
  es.map((e) => `${e.type} ${String(e.data.id)} @${(Date.parse(e.occurred_at) - T0) / 1000}`).sort();

afterEach(() => {
  vi.useRealTimers();
});

describe('pollChanges: which events a change yields (cursor at 10 s, no overlap)', () => {
  it.each([
    {
      what: 'a partner created after the cursor, unchanged since',
      p: { created_at: t(11), updated_at: t(11) },
      want: ['trading_partner.created P @11'],
    },
    {
      what: 'a partner created after the cursor and changed later',
      p: { created_at: t(11), updated_at: t(12) },
      want: ['trading_partner.created P @11', 'trading_partner.status_changed P @12'],
    },
    {
      what: 'a partner created before the cursor and changed after it',
      p: { created_at: t(1), updated_at: t(12) },
      want: ['trading_partner.status_changed P @12'],
    },
    {
      what: 'a partner created exactly at the cursor and changed after it (the cursor instant is not new)',
      p: { created_at: t(10), updated_at: t(13) },
      want: ['trading_partner.status_changed P @13'],
    },
    {
      what: 'a partner created and last changed before the cursor',
      p: { created_at: t(1), updated_at: t(2) },
      want: [],
    },
  ])('$what', async ({ p, want }) => {
    const g = grid({ listPartners: [{ id: 'P', status: 'active', ...p }] });
    expect(summary((await events(g)).events)).toEqual(want);
  });

  it('a partner change carries the partner id and its status', async () => {
    const g = grid({ listPartners: [{ id: 'P', status: 'suspended', created_at: t(1), updated_at: t(12) }] });
    expect((await events(g)).events.map((e) => e.data)).toEqual([{ id: 'P', status: 'suspended' }]);
  });

  it.each([
    {
      what: 'a case opened after the cursor, unchanged since',
      c: { opened_at: t(11), updated_at: t(11) },
      want: ['case.opened C @11'],
    },
    {
      what: 'a case opened after the cursor and changed later',
      c: { opened_at: t(11), updated_at: t(12) },
      want: ['case.opened C @11', 'case.updated C @12'],
    },
    {
      what: 'a case opened before the cursor and changed after it',
      c: { opened_at: t(1), updated_at: t(12) },
      want: ['case.updated C @12'],
    },
    {
      what: 'a case opened exactly at the cursor and changed after it',
      c: { opened_at: t(10), updated_at: t(13) },
      want: ['case.updated C @13'],
    },
    { what: 'a case unchanged since before the cursor', c: { opened_at: t(1), updated_at: t(2) }, want: [] },
  ])('$what', async ({ c, want }) => {
    const g = grid({ listCases: [{ id: 'C', partner_id: 'P', kind: 'dispute', status: 'open', ...c }] });
    expect(summary((await events(g)).events)).toEqual(want);
  });

  it('case events carry the partner and the kind (opened) or status (updated)', async () => {
    const g = grid({
      listCases: [
        { id: 'C', partner_id: 'P', kind: 'dispute', status: 'resolved', opened_at: t(11), updated_at: t(12) },
      ],
    });
    expect((await events(g)).events.map((e) => [e.type, e.data])).toEqual([
      ['case.opened', { id: 'C', partner_id: 'P', kind: 'dispute' }],
      ['case.updated', { id: 'C', partner_id: 'P', status: 'resolved' }],
    ]);
  });

  it("a changed case's documents and comments added after the cursor are events; older ones are not", async () => {
    const g = grid({
      listCases: [{ id: 'C', partner_id: 'P', kind: 'dispute', status: 'open', opened_at: t(1), updated_at: t(14) }],
      docs: {
        C: [
          { id: 'D-old', sha256: 'aa', uploaded_by: 'partner', created_at: t(5) },
          { id: 'D-at', sha256: 'ab', uploaded_by: 'partner', created_at: t(10) },
          { id: 'D', sha256: 'bb', uploaded_by: 'internal', created_at: t(12) },
        ],
      },
      comments: {
        C: [
          { id: 'M-old', created_at: t(5) },
          { id: 'M-at', created_at: t(10) },
          { id: 'M1', side: 'partner', created_at: t(13) },
          { id: 'M2', created_at: t(14) },
        ],
      },
    });
    const es = (await events(g)).events;
    expect(es.filter((e) => e.type !== 'case.updated').map((e) => [e.type, e.data, e.occurred_at])).toEqual([
      ['document.added', { id: 'D', case_id: 'C', sha256: 'bb', uploaded_by: 'internal' }, t(12)],
      ['case.comment_added', { id: 'M1', case_id: 'C', side: 'partner' }, t(13)],
      ['case.comment_added', { id: 'M2', case_id: 'C' }, t(14)],
    ]);
  });

  it.each([
    { what: 'created after the cursor', r: { created_at: t(11), updated_at: t(12) }, at: 11 },
    {
      what: 'with no creation time, changed after the cursor (its change time stands in)',
      r: { updated_at: t(12) },
      at: 12,
    },
    { what: 'created before the cursor, changed after it', r: { created_at: t(5), updated_at: t(12) }, at: null },
    { what: 'created exactly at the cursor', r: { created_at: t(10), updated_at: t(12) }, at: null },
  ])('a compliance requirement $what', async ({ r, at }) => {
    const g = grid({ listComplianceRequirements: [{ id: 'R', partner_id: 'P', ...r }] });
    expect(summary((await events(g)).events)).toEqual(at === null ? [] : [`compliance_requirement.created R @${at}`]);
  });

  it("a compliance requirement's partner is passed on, and a requirement for no partner says null", async () => {
    const g = grid({
      listComplianceRequirements: [
        { id: 'R1', partner_id: 'P', created_at: t(11) },
        { id: 'R2', created_at: t(12) },
      ],
    });
    expect((await events(g)).events.map((e) => e.data)).toEqual([
      { id: 'R1', partner_id: 'P' },
      { id: 'R2', partner_id: null },
    ]);
  });

  it.each([
    { what: 'created after the cursor', r: { created_at: t(11), updated_at: t(12) }, at: 11 },
    { what: 'with no creation time, changed after the cursor', r: { updated_at: t(12) }, at: 12 },
    { what: 'created before the cursor, decided after it', r: { created_at: t(5), updated_at: t(12) }, at: null },
    { what: 'created exactly at the cursor', r: { created_at: t(10), updated_at: t(12) }, at: null },
  ])('a partner request $what', async ({ r, at }) => {
    const g = grid({ listRequests: [{ id: 'Q', partner_id: 'P', kind: 'pricing_exception', ...r }] });
    const es = (await events(g)).events;
    expect(summary(es)).toEqual(at === null ? [] : [`request.created Q @${at}`]);
    if (at !== null) expect(es[0]!.data).toEqual({ id: 'Q', partner_id: 'P', kind: 'pricing_exception' });
  });

  it("a notice's acknowledgements after the cursor are events (contact or null); older ones and ones at the cursor are not", async () => {
    const g = grid({
      listNotices: [
        {
          id: 'N',
          updated_at: t(13),
          acknowledgements: [
            { partner_id: 'P0', acknowledged_at: t(5) },
            { partner_id: 'P9', acknowledged_at: t(10) },
            { partner_id: 'P1', acknowledged_at: t(12), contact: 'ops@p1.example' },
            { partner_id: 'P2', acknowledged_at: t(13) },
          ],
        },
      ],
    });
    expect((await events(g)).events.map((e) => [e.id, e.type, e.data])).toEqual([
      [
        `poll:notice.acknowledged:N:${t(12)}`,
        'notice.acknowledged',
        { id: 'N', partner_id: 'P1', acknowledged_at: t(12), contact: 'ops@p1.example' },
      ],
      [
        `poll:notice.acknowledged:N:${t(13)}`,
        'notice.acknowledged',
        { id: 'N', partner_id: 'P2', acknowledged_at: t(13), contact: null },
      ],
    ]);
  });
});

describe('pollChanges: order, ids and cursor', () => {
  const mixed = () =>
    grid({
      listPartners: [{ id: 'P', status: 'active', created_at: t(1), updated_at: t(20) }],
      listCases: [{ id: 'C', partner_id: 'P', kind: 'dispute', status: 'open', opened_at: t(12), updated_at: t(12) }],
      listRequests: [{ id: 'Q', partner_id: 'P', kind: 'pricing_exception', created_at: t(15) }],
      listNotices: [{ id: 'N', updated_at: t(11), acknowledgements: [{ partner_id: 'P', acknowledged_at: t(11) }] }],
    });

  it('events come oldest first whatever list they were read from, each id naming type, resource and time', async () => {
    const b = await events(mixed());
    expect(b.events.map((e) => e.id)).toEqual([
      `poll:notice.acknowledged:N:${t(11)}`,
      `poll:case.opened:C:${t(12)}`,
      `poll:request.created:Q:${t(15)}`,
      `poll:trading_partner.status_changed:P:${t(20)}`,
    ]);
  });

  it('the cursor is the latest change seen, even when a list read later holds older changes', async () => {
    expect((await events(mixed())).cursor).toBe(t(20));
  });

  it('with nothing changed the cursor stays where it was', async () => {
    expect(await events(grid())).toEqual({ events: [], cursor: SINCE });
  });

  it.each([
    {
      what: 'a poll that began before the latest change seen keeps the cursor at its start',
      startedAt: t(16),
      cursor: t(16),
    },
    { what: 'a poll that began after every change seen takes the latest change', startedAt: t(30), cursor: t(20) },
    { what: 'a start earlier than the old cursor never moves the cursor back', startedAt: t(5), cursor: SINCE },
  ])('$what', async ({ startedAt, cursor }) => {
    expect((await events(mixed(), { startedAt })).cursor).toBe(cursor);
  });

  it('a cursor that is not a timestamp is refused, for good, without reading anything', async () => {
    const g = grid();
    const r = await pollChanges(g.tg, { since: 'yesterday', overlapMs: 0 });
    expect(r).toEqual({
      ok: false,
      error: { code: 'tg:bad_cursor', retryable: false, detail: 'pollChanges: cursor "yesterday" is not a timestamp' },
    });
    expect(Object.values(g.reads).every((n) => n === 0)).toBe(true);
  });

  it('without a cursor everything since the epoch is read', async () => {
    const g = grid({ listPartners: [{ id: 'P', status: 'active', created_at: t(1), updated_at: t(1) }] });
    const r = await pollChanges(g.tg, { overlapMs: 0 });
    expect(r.ok && summary(r.value.events)).toEqual(['trading_partner.created P @1']);
    expect(g.calls.listPartners[0]).toEqual({ updatedAfter: '1970-01-01T00:00:00.000Z', offset: 0 });
  });
});

describe('pollChanges: what it asks for', () => {
  it('every list is asked for changes after the cursor less the overlap, and what changed in the overlap counts as new', async () => {
    const g = grid({ listPartners: [{ id: 'P', status: 'active', created_at: t(8), updated_at: t(8) }] });
    expect(summary((await events(g, { overlapMs: 3000 })).events)).toEqual(['trading_partner.created P @8']);
    for (const calls of Object.values(g.calls)) expect(calls).toEqual([{ updatedAfter: t(7), offset: 0 }]);
  });

  it('an overlap reaching back past the epoch asks from the epoch', async () => {
    const g = grid();
    await events(g, { since: '1970-01-01T00:00:00.500Z', overlapMs: 1000 });
    expect(g.calls.listCases).toEqual([{ updatedAfter: '1970-01-01T00:00:00.000Z', offset: 0 }]);
  });

  it('a long list is paged by change time (each page from 1 ms before the last change read), and every item is read once', async () => {
    const cases = [1, 2, 3, 4, 5].map((s) => ({
      id: `C${s}`,
      partner_id: 'P',
      kind: 'dispute',
      status: 'open',
      opened_at: t(s),
      updated_at: t(10 + s),
    }));
    const g = grid({ listCases: cases }, 2);
    const b = await events(g);
    const ms = (s: number) => new Date(T0 + s * 1000 - 1).toISOString();
    expect(g.calls.listCases).toEqual([
      { updatedAfter: SINCE, offset: 0 },
      { updatedAfter: ms(12), offset: 0 },
      { updatedAfter: ms(13), offset: 0 },
      { updatedAfter: ms(14), offset: 0 },
    ]);
    expect(summary(b.events)).toEqual([
      'case.updated C1 @11',
      'case.updated C2 @12',
      'case.updated C3 @13',
      'case.updated C4 @14',
      'case.updated C5 @15',
    ]);
  });

  it('items with no change time are paged by their creation time', async () => {
    const reqs = [1, 2, 3].map((s) => ({ id: `R${s}`, partner_id: 'P', created_at: t(10 + s) }));
    const g = grid({ listComplianceRequirements: reqs }, 2);
    await events(g);
    expect(g.calls.listComplianceRequirements).toEqual([
      { updatedAfter: SINCE, offset: 0 },
      { updatedAfter: new Date(T0 + 12_000 - 1).toISOString(), offset: 0 },
    ]);
  });
});

describe('pollChanges: a failed read', () => {
  const seeded = () =>
    grid({
      listCases: [{ id: 'C', partner_id: 'P', kind: 'dispute', status: 'open', opened_at: t(11), updated_at: t(11) }],
    });

  it.each([
    'listPartners',
    'listCases',
    'listComplianceRequirements',
    'listRequests',
    'listNotices',
    'listCaseDocuments',
    'listCaseComments',
  ] as const)('%s failing for good fails the poll with its error, and nothing later is read', async (name) => {
    const g = seeded();
    g.fail[name] = [{ retryable: false }];
    const r = await pollChanges(g.tg, { since: SINCE, overlapMs: 0 });
    expect(r).toEqual({
      ok: false,
      error: { code: 'http_503', status: 503, retryable: false, detail: `${name}: injected` },
    });
    expect(g.reads[name]).toBe(1);
    const order = [
      'listPartners',
      'listCases',
      'listCaseDocuments',
      'listCaseComments',
      'listComplianceRequirements',
      'listRequests',
      'listNotices',
    ] as const;
    for (const later of order.slice(order.indexOf(name) + 1)) expect(g.reads[later]).toBe(0);
  });

  it('a retryable failure is tried again 100 ms later, then 200 ms after that', async () => {
    vi.useFakeTimers();
    const g = seeded();
    g.fail.listPartners = [{ retryable: true }, { retryable: true }];
    const p = pollChanges(g.tg, { since: SINCE, overlapMs: 0 });
    await vi.advanceTimersByTimeAsync(99);
    expect(g.reads.listPartners).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.reads.listPartners).toBe(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(g.reads.listPartners).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.reads.listPartners).toBe(3);
    const r = await p;
    expect(r.ok && summary(r.value.events)).toEqual(['case.opened C @11']);
  });

  it('a read failing retryably three times fails the poll after exactly three tries', async () => {
    vi.useFakeTimers();
    const g = seeded();
    g.fail.listPartners = [{ retryable: true }, { retryable: true }, { retryable: true }, { retryable: true }];
    const p = pollChanges(g.tg, { since: SINCE, overlapMs: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await p).toEqual({
      ok: false,
      error: { code: 'http_503', status: 503, retryable: true, detail: 'listPartners: injected' },
    });
    expect(g.reads.listPartners).toBe(3);
  });
});
