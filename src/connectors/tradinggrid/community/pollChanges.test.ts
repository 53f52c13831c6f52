import { afterEach, describe, expect, it } from 'vitest';
import { startTradingGridSandbox, type TradingGridSandbox } from '../../../sandbox/tradinggrid/server.ts';
import { createCommunityDriver, type CommunityDriver } from './driver.ts';
import { pollChanges } from './pollChanges.ts';
import type { Result } from '../../../core/result.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type Method = 'listCases' | 'listCaseDocuments' | 'listCaseComments';

/**
 * The community driver on the Trading Grid sandbox, with its own retries off (so a failure reaches
 * pollChanges), and the next failures of chosen reads scripted: each entry fails one call.
 */
async function setup() {
  const sb: TradingGridSandbox = await startTradingGridSandbox({});
  cleanups.push(() => sb.close());
  const d: CommunityDriver = createCommunityDriver({
    baseUrl: sb.url,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    retries: 0,
  });
  cleanups.push(() => d.close());
  const failNext: Record<Method, Array<{ retryable: boolean }>> = {
    listCases: [],
    listCaseDocuments: [],
    listCaseComments: [],
  };
  const calls: Record<Method, number> = { listCases: 0, listCaseDocuments: 0, listCaseComments: 0 };
  const wrap =
    <A extends unknown[], T>(m: Method, f: (...a: A) => Promise<Result<T>>) =>
    async (...a: A): Promise<Result<T>> => {
      calls[m]++;
      const fault = failNext[m].shift();
      if (fault)
        return {
          ok: false,
          error: {
            code: 'http_503',
            status: 503,
            retryable: fault.retryable,
            detail: `${m}: injected ${fault.retryable ? '503' : '400'}`,
          },
        };
      return f(...a);
    };
  const tg = {
    ...d,
    listCases: wrap('listCases', d.listCases),
    listCaseDocuments: wrap('listCaseDocuments', d.listCaseDocuments),
    listCaseComments: wrap('listCaseComments', d.listCaseComments),
  };
  const c = await sb.raiseCase({
    partnerId: 'P-ACME',
    kind: 'dispute',
    title: 'Polled',
    documents: [
      { name: 'claim.pdf', kind: 'claim_evidence', contentType: 'application/pdf', content: Buffer.from('%PDF') },
    ],
  });
  await sb.addCaseComment(c.id, { body: 'see attached' });
  return { tg, failNext, calls, caseId: c.id };
}

const kinds = (r: Awaited<ReturnType<typeof pollChanges>>, caseId: string) => {
  if (!r.ok) throw new Error(r.error.detail);
  return r.value.events
    .filter((e) => e.data.id === caseId || e.data.case_id === caseId)
    .map((e) => e.type)
    .sort();
};

describe('pollChanges reads', () => {
  it('a read failing twice with a retryable error is tried a third time, and the poll succeeds', async () => {
    const { tg, failNext, calls, caseId } = await setup();
    failNext.listCaseDocuments.push({ retryable: true }, { retryable: true });
    failNext.listCaseComments.push({ retryable: true });
    failNext.listCases.push({ retryable: true });
    const r = await pollChanges(tg, { overlapMs: 0 });
    expect(kinds(r, caseId)).toEqual(['case.comment_added', 'case.opened', 'case.updated', 'document.added']);
    expect(calls).toEqual({ listCases: 2, listCaseDocuments: 3, listCaseComments: 2 });
  });

  it('a read failing three times fails the poll with that error, after exactly three tries', async () => {
    const { tg, failNext, calls } = await setup();
    failNext.listCaseComments.push({ retryable: true }, { retryable: true }, { retryable: true });
    const r = await pollChanges(tg, { overlapMs: 0 });
    expect(r).toEqual({
      ok: false,
      error: { code: 'http_503', status: 503, retryable: true, detail: 'listCaseComments: injected 503' },
    });
    expect(calls.listCaseComments).toBe(3);
  });

  it('a failure that is not retryable is not tried again', async () => {
    const { tg, failNext, calls } = await setup();
    failNext.listCaseDocuments.push({ retryable: false });
    const r = await pollChanges(tg, { overlapMs: 0 });
    expect(r.ok).toBe(false);
    expect(calls.listCaseDocuments).toBe(1);
    expect(calls.listCaseComments).toBe(0);
  });
});

describe('pollChanges cursor', () => {
  it('a case commented on while the poll pages (after it was read) is read again by the next poll', async () => {
    const sb: TradingGridSandbox = await startTradingGridSandbox({});
    cleanups.push(() => sb.close());
    const d: CommunityDriver = createCommunityDriver({
      baseUrl: sb.url,
      tenantId: sb.tenantId,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
      retries: 0,
    });
    cleanups.push(() => d.close());
    const since = new Date(Date.now() - 1).toISOString();
    const early = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Read early' });
    let commentedDuring: string | null = null;
    // While the poll reads the early case's comments, a partner comments on it (its webhook lost) and
    // then something else changes later than that comment: the poll sees the later change, not the comment.
    const tg = {
      ...d,
      listCaseComments: async (caseId: string) => {
        const r = await d.listCaseComments(caseId);
        if (caseId === early.id && !commentedDuring) {
          commentedDuring = (await sb.addCaseComment(early.id, { body: 'added while the poll paged' })).id;
          await new Promise((done) => setTimeout(done, 5)); // sleep-ok: the later change must have a later stamp
          await sb.requestApproval({
            partnerId: 'P-ACME',
            kind: 'pricing_exception',
            summary: 'Changed later (requests are read after cases)',
          });
        }
        return r;
      },
    };
    const startedAt = new Date().toISOString();
    const first = await pollChanges(tg, { since, overlapMs: 0, startedAt });
    if (!first.ok) throw new Error(first.error.detail);
    expect(first.value.events.some((e) => e.type === 'case.comment_added')).toBe(false);
    const second = await pollChanges(d, {
      since: first.value.cursor,
      overlapMs: 0,
      startedAt: new Date().toISOString(),
    });
    if (!second.ok) throw new Error(second.error.detail);
    expect(second.value.events.filter((e) => e.type === 'case.comment_added').map((e) => e.data.id)).toEqual([
      commentedDuring,
    ]);
  });
});
