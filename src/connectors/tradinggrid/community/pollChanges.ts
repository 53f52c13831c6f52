import { err, ok, type Result } from '../../../core/result.ts';
import type { TradingGridEvent } from '../events.ts';
import type { ChangeBatch, Page, TradingGridPort } from '../port.ts';
import { collectChanges } from './paging.ts';

type Lists = Pick<
  TradingGridPort,
  | 'listCases'
  | 'listPartners'
  | 'listComplianceRequirements'
  | 'listRequests'
  | 'listNotices'
  | 'listCaseComments'
  | 'listCaseDocuments'
>;

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * A catch-up read makes one call per changed case and more, so one transient failure among a hundred
 * calls would fail the whole poll, and every retry of it likewise (the chaos run dead-lettered polls at
 * 10 % injected errors). Each read is tried three times (100, then 200 ms apart) before the poll fails.
 */
async function read<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  let r = await call();
  for (let i = 0; i < 2 && !r.ok && r.error.retryable; i++) {
    await new Promise((done) => setTimeout(done, 100 * 2 ** i));
    r = await call();
  }
  return r;
}

/** Everything changed after `after`, paged by change time (see collectChanges), each item once. */
async function all<T extends { id: string }>(
  after: string,
  list: (updatedAfter: string, offset: number) => Promise<Result<Page<T>>>,
): Promise<Result<T[]>> {
  const r = await collectChanges(
    after,
    (from, offset) => read(() => list(from, offset)),
    (x) =>
      (x as { updated_at?: string | null; created_at?: string | null }).updated_at ??
      (x as { created_at?: string | null }).created_at,
  );
  if (!r.ok) return r;
  // A re-read item keeps its latest copy.
  return ok([...new Map(r.value.map((x) => [x.id, x])).values()]);
}

/** Changed cases whose documents and comments are read at the same time. */
export const CASE_READS_AT_ONCE = 8;

/**
 * `f` over `items`, at most `limit` at a time; the results in the items' order. The first failure (in the
 * items' order) is the answer, and no new call starts once one has failed.
 */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<Result<R>>,
): Promise<Result<R[]>> {
  const out: Array<Result<R> | undefined> = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      const r = await f(items[i]!);
      out[i] = r;
      if (!r.ok) failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  const values: R[] = [];
  for (const r of out) {
    if (r === undefined) continue;
    if (!r.ok) return r;
    values.push(r.value);
  }
  return ok(values);
}

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * Catch-up by polling (`where_updated_after`): synthetic thin events for what changed since the
 * cursor, so webhooks that never arrived are recovered. Event ids are derived from the resource
 * id and its change time (`poll:<type>:<id>:<time>`), so reading an overlap window again yields
 * the same ids and the inbox drops the repeats. The cursor is the latest change time seen.
 *
 * Partner changes other than creation come back as `trading_partner.status_changed` (the list
 * cannot say which field changed; the event is thin and the handler re-reads the partner).
 */
export async function pollChanges(
  tg: Lists,
  o: { since?: string; overlapMs: number; startedAt?: string },
): Promise<Result<ChangeBatch>> {
  const since = o.since ?? EPOCH;
  const sinceMs = Date.parse(since);
  if (!Number.isFinite(sinceMs))
    return err({
      code: 'tg:bad_cursor',
      retryable: false,
      detail: `pollChanges: cursor "${since}" is not a timestamp`,
    });
  const after = new Date(Math.max(0, sinceMs - o.overlapMs)).toISOString();
  const isNew = (t: string | undefined | null) => !!t && Date.parse(t) > Date.parse(after);
  const events: TradingGridEvent[] = [];
  let cursor = since;
  const emit = (type: TradingGridEvent['type'], data: Record<string, unknown> & { id: string }, at: string) => {
    events.push({ id: `poll:${type}:${data.id}:${at}`, type, occurred_at: at, data } as TradingGridEvent);
    cursor = later(cursor, at);
  };

  const partners = await all(after, (updatedAfter, offset) => tg.listPartners({ updatedAfter, offset }));
  if (!partners.ok) return partners;
  for (const p of partners.value) {
    if (isNew(p.created_at)) emit('trading_partner.created', { id: p.id }, p.created_at);
    if (p.updated_at !== p.created_at || !isNew(p.created_at))
      emit('trading_partner.status_changed', { id: p.id, status: p.status }, p.updated_at);
  }

  const cases = await all(after, (updatedAfter, offset) => tg.listCases({ updatedAfter, offset }));
  if (!cases.ok) return cases;
  // Comments and documents of a changed case: a case's updated_at moves when either is added. Two reads per
  // changed case, several cases at a time: read one after the other, a poll whose window held thousands of
  // changed cases (a backlog, a loaded machine) ran for minutes, past its lease and deadline, so it never
  // saved its cursor, the next one read an even longer window, and webhooks lost meanwhile were never
  // recovered (the PostgreSQL chaos run lost partner files and comments that way).
  const extras = await mapLimit(cases.value, CASE_READS_AT_ONCE, async (c) => {
    const docs = await read(() => tg.listCaseDocuments(c.id));
    if (!docs.ok) return docs;
    const comments = await read(() => tg.listCaseComments(c.id));
    if (!comments.ok) return comments;
    return ok({ docs: docs.value.data, comments: comments.value.data });
  });
  if (!extras.ok) return extras;
  for (const [i, c] of cases.value.entries()) {
    if (isNew(c.opened_at)) emit('case.opened', { id: c.id, partner_id: c.partner_id, kind: c.kind }, c.opened_at);
    if (c.updated_at !== c.opened_at || !isNew(c.opened_at))
      emit('case.updated', { id: c.id, partner_id: c.partner_id, status: c.status }, c.updated_at);
    const { docs, comments } = extras.value[i]!;
    for (const d of docs)
      if (isNew(d.created_at))
        emit('document.added', { id: d.id, case_id: c.id, sha256: d.sha256, uploaded_by: d.uploaded_by }, d.created_at);
    for (const cm of comments)
      if (isNew(cm.created_at))
        emit('case.comment_added', { id: cm.id, case_id: c.id, ...(cm.side ? { side: cm.side } : {}) }, cm.created_at);
  }

  const reqs = await all(after, (updatedAfter, offset) => tg.listComplianceRequirements({ updatedAfter, offset }));
  if (!reqs.ok) return reqs;
  for (const r of reqs.value) {
    const at = r.created_at ?? r.updated_at;
    if (at && isNew(at)) emit('compliance_requirement.created', { id: r.id, partner_id: r.partner_id ?? null }, at);
  }

  const requests = await all(after, (updatedAfter, offset) => tg.listRequests({ updatedAfter, offset }));
  if (!requests.ok) return requests;
  for (const r of requests.value) {
    const at = r.created_at ?? r.updated_at;
    if (at && isNew(at)) emit('request.created', { id: r.id, partner_id: r.partner_id, kind: r.kind }, at);
  }

  const notices = await all(after, (updatedAfter, offset) => tg.listNotices({ updatedAfter, offset }));
  if (!notices.ok) return notices;
  for (const n of notices.value) {
    for (const a of n.acknowledgements) {
      if (isNew(a.acknowledged_at))
        emit(
          'notice.acknowledged',
          { id: n.id, partner_id: a.partner_id, acknowledged_at: a.acknowledged_at, contact: a.contact ?? null },
          a.acknowledged_at,
        );
    }
  }

  events.sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
  // A long poll reads cases first and notices last: a case read early that changes meanwhile (a comment
  // whose webhook is lost) is older than a notice read later, so a cursor at the latest change seen would
  // skip it for good. The cursor never passes the moment this poll began; what it re-reads dedupes.
  const capped = o.startedAt && Date.parse(o.startedAt) < Date.parse(cursor) ? later(since, o.startedAt) : cursor;
  return ok({ events, cursor: capped });
}
