import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../../core/case.ts';
import type { IncomingCase, IncomingDocument } from '../../../core/intake.ts';
import { caseTaskDraft, decideCaseIntake, decidePriority, incomingOf, type IntakeInput } from './caseIntake.ts';

// Flow 1's decisions as tables: the priority, the task a case gets, and the record and jobs of an intake.

const OPENED = Date.UTC(2026, 11, 1, 9);
const NOW = OPENED + 60_000;
const DUE = OPENED + 72 * 3_600_000;

const incoming = (o: Partial<IncomingCase> = {}): IncomingCase => ({
  id: 'C1',
  source: 'community',
  partnerId: 'P1',
  kind: 'shipment_exception',
  title: 'Late truck',
  description: '  The truck is late.  ',
  transactionRef: null,
  value: null,
  status: 'open',
  openedAt: OPENED,
  updatedAt: OPENED,
  ...o,
});

const doc = (id: string, uploadedBy: 'partner' | 'internal' = 'partner'): IncomingDocument => ({
  id,
  name: `${id}.pdf`,
  kind: 'pod',
  contentType: 'application/pdf',
  sizeBytes: 10,
  sha256: 'x',
  uploadedBy,
});

describe('decidePriority', () => {
  it.each([
    ['dispute', 'strategic', null, 2],
    ['dispute', 'standard', 50_000, 2],
    ['dispute', 'standard', 49_999.99, 3],
    ['dispute', 'preferred', 60_000, 2],
    ['edi_exception', 'standard', null, 2],
    ['compliance_issue', 'standard', 10, 2],
    ['dispute', 'standard', null, 4],
    ['dispute', 'standard', 999, 4],
    ['dispute', 'standard', 1_000, 3],
    ['dispute', 'preferred', null, 3],
    ['dispute', 'preferred', 10, 3],
    ['dispute', null, null, 3],
    ['shipment_exception', null, 100, 3],
  ] as const)('%s, tier %s, value %s → %i', (kind, tier, value, p) =>
    expect(decidePriority(kind, tier, value)).toBe(p),
  );
});

describe('caseTaskDraft', () => {
  it('a bare community case: name, description table, priority, tags and fields', () => {
    expect(
      caseTaskDraft(incoming(), {
        partnerName: 'Acme',
        tier: 'standard',
        slaDueAt: DUE,
        documents: [],
        caseUrl: (id) => `https://tg.example/cases/${id}`,
      }),
    ).toStrictEqual({
      name: '[Acme] Shipment exception: Late truck',
      markdown: [
        'The truck is late.',
        '',
        '| | |',
        '|---|---|',
        '| Partner | Acme (P1) |',
        '| Issue type | shipment exception |',
        '| Trading Grid case | [C1](https://tg.example/cases/C1) |',
      ].join('\n'),
      priority: 4,
      dueAt: DUE,
      tags: ['gridbridge', 'shipment-exception'],
      fields: {
        partner: 'Acme',
        issue_type: 'shipment exception',
        transaction_ref: null,
        tg_case_id: 'C1',
        value: null,
      },
    });
  });

  it('an EDI test case with a reference, a value and documents, and no partner name', () => {
    const d = caseTaskDraft(
      incoming({
        source: 'mailbox_test',
        kind: 'edi_exception',
        exception: 'fa_rejected',
        description: '   ',
        transactionRef: {
          standard: 'x12',
          interchange: '000000123',
          group: '45',
          transaction: '0001',
          business: { type: 'PO', value: '4500012' },
        },
        value: { amount: 1234.5, currency: 'EUR' },
      }),
      {
        partnerName: null,
        tier: null,
        slaDueAt: null,
        documents: [doc('D1'), doc('D2', 'internal')],
        caseUrl: (id) => `https://tg.example/cases/${id}`,
      },
    );
    expect(d).toStrictEqual({
      name: '[TEST] [P1] Edi exception: Late truck',
      markdown: [
        '_No description given by the partner._',
        '',
        '| | |',
        '|---|---|',
        '| Partner | P1 (P1) |',
        '| Issue type | edi exception (fa_rejected) |',
        '| Transaction | PO 4500012 · X12 · ICN 000000123 · GCN 45 · TCN 0001 |',
        '| Value | 1234.50 EUR |',
        // Not a community case: no link to a Trading Grid page.
        '| Trading Grid case | C1 |',
        '',
        'Attachments from the partner: D1.pdf, D2.pdf',
      ].join('\n'),
      priority: 2,
      dueAt: null,
      tags: ['gridbridge', 'edi-exception', 'edi-test'],
      fields: {
        partner: 'P1',
        issue_type: 'edi exception',
        transaction_ref: 'PO 4500012 · X12 · ICN 000000123 · GCN 45 · TCN 0001',
        tg_case_id: 'C1',
        value: 1234.5,
      },
    });
  });

  it.each([
    [{ interchange: '9' }, 'ICN 9'],
    [{ group: '8' }, 'GCN 8'],
    [{ transaction: '7' }, 'TCN 7'],
    [{ standard: 'edifact' }, 'EDIFACT'],
    [{ business: { type: 'BOL', value: 'B1' } }, 'BOL B1'],
    [{ business: null, setId: '214' }, null],
  ])('transaction reference %j reads %s', (ref, shown) => {
    const d = caseTaskDraft(incoming({ source: 'mailbox', transactionRef: ref }), {
      partnerName: 'Acme',
      tier: 'preferred',
      slaDueAt: null,
      documents: [],
    });
    expect(d.fields.transaction_ref).toBe(shown);
    if (shown) expect(d.markdown).toContain(`| Transaction | ${shown} |`);
    else expect(d.markdown).not.toContain('| Transaction |');
    expect(d.markdown.endsWith('| Trading Grid case | C1 |')).toBe(true);
  });

  it('a community case without a case link shows the bare id', () => {
    const d = caseTaskDraft(incoming(), { partnerName: 'Acme', tier: null, slaDueAt: null, documents: [] });
    expect(d.markdown.split('\n').at(-1)).toBe('| Trading Grid case | C1 |');
  });
});

describe('incomingOf', () => {
  it('reads a stored case back as the intake sees it, with its exception only when it has one', () => {
    const rec: CaseRecord = {
      id: 'C9',
      source: 'mailbox',
      partnerId: 'P2',
      partnerName: 'Beta',
      partnerTier: 'preferred',
      kind: 'edi_exception',
      exception: 'asn_missing',
      title: 't',
      description: 'd',
      transactionRef: { setId: '856' },
      value: { amount: 5, currency: 'USD' },
      partnerStatus: 'in_review',
      state: 'active',
      holdReason: null,
      slaDueAt: DUE,
      openedAt: OPENED,
      resolvedAt: null,
      updatedAt: NOW,
    };
    expect(incomingOf(rec)).toStrictEqual({
      id: 'C9',
      source: 'mailbox',
      partnerId: 'P2',
      kind: 'edi_exception',
      exception: 'asn_missing',
      title: 't',
      description: 'd',
      transactionRef: { setId: '856' },
      value: { amount: 5, currency: 'USD' },
      status: 'in_review',
      openedAt: OPENED,
      updatedAt: NOW,
    });
    expect('exception' in incomingOf({ ...rec, exception: null })).toBe(false);
  });
});

describe('decideCaseIntake', () => {
  const config = (o: Partial<IntakeInput['config']> = {}): IntakeInput['config'] => ({
    defaultListId: 'L-default',
    requireMapping: false,
    partners: { P1: { name: 'Acme Mapped', listId: 'L-acme' } },
    slaDueAt: (s) => s.openedAt + (s.tier === 'strategic' ? 1 : 2) * 3_600_000,
    ...o,
  });
  const input = (o: Partial<IntakeInput> = {}): IntakeInput => ({
    incoming: incoming(),
    documents: [],
    partner: { id: 'P1', name: 'Acme Inc', tier: 'strategic' },
    existing: null,
    linked: false,
    config: config(),
    now: NOW,
    ...o,
  });
  const stored = (o: Partial<CaseRecord> = {}): CaseRecord => ({
    ...decideCaseIntake(input()).record,
    ...o,
  });

  it('a new case: its record, one task on the mapped list, one upload per partner document', () => {
    const d = decideCaseIntake(input({ documents: [doc('D1'), doc('D2', 'internal'), doc('D3')] }));
    expect(d.record).toStrictEqual({
      id: 'C1',
      source: 'community',
      partnerId: 'P1',
      partnerName: 'Acme Mapped',
      partnerTier: 'strategic',
      kind: 'shipment_exception',
      title: 'Late truck',
      description: '  The truck is late.  ',
      transactionRef: null,
      value: null,
      partnerStatus: 'open',
      state: 'active',
      holdReason: null,
      slaDueAt: OPENED + 3_600_000,
      openedAt: OPENED,
      resolvedAt: null,
      updatedAt: NOW,
    });
    expect(d.jobs.map((j) => [j.kind, j.key, j.queueKey])).toEqual([
      ['clickup.create_task', 'cu.create_task:C1', 'case:C1'],
      ['clickup.upload_document', 'cu.upload_document:C1:D1', 'case:C1'],
      ['clickup.upload_document', 'cu.upload_document:C1:D3', 'case:C1'],
    ]);
    expect(d.jobs[0]!.payload).toStrictEqual({
      kind: 'clickup.create_task',
      caseId: 'C1',
      listId: 'L-acme',
      task: caseTaskDraft(incoming(), {
        partnerName: 'Acme Mapped',
        tier: 'strategic',
        slaDueAt: OPENED + 3_600_000,
        documents: [doc('D1'), doc('D2', 'internal'), doc('D3')],
      }),
    });
    expect(d.jobs[1]!.payload).toStrictEqual({ kind: 'clickup.upload_document', caseId: 'C1', documentId: 'D1' });
  });

  it.each([
    ['the case names its list', { incoming: incoming({ listId: 'L-test' }) }, 'L-test'],
    ['the mapping has no list', { config: config({ partners: { P1: { name: 'A' } } }) }, 'L-default'],
    ['no mapping', { config: config({ partners: {} }) }, 'L-default'],
  ])('list: %s → %s', (_why, o, list) => {
    const d = decideCaseIntake(input(o));
    expect(d.jobs[0]!.payload).toMatchObject({ listId: list });
  });

  it.each([
    ['the mapping name', { P1: { name: 'Mapped' } }, { id: 'P1', name: 'Looked up', tier: 'standard' }, 'Mapped'],
    ['the partner lookup', { P1: {} }, { id: 'P1', name: 'Looked up', tier: 'standard' }, 'Looked up'],
    ['nothing known', {}, null, null],
  ] as const)('partner name from %s', (_why, partners, partner, name) => {
    const d = decideCaseIntake(input({ config: config({ partners }), partner }));
    expect(d.record.partnerName).toBe(name);
    expect(d.record.partnerTier).toBe(partner?.tier ?? null);
  });

  it('test traffic gets no SLA; an exception is kept on the record', () => {
    const d = decideCaseIntake(
      input({ incoming: incoming({ source: 'mailbox_test', kind: 'edi_exception', exception: 'fa_overdue' }) }),
    );
    expect(d.record.slaDueAt).toBeNull();
    expect(d.record.exception).toBe('fa_overdue');
    expect(d.record.source).toBe('mailbox_test');
    expect('exception' in decideCaseIntake(input()).record).toBe(false);
  });

  it('the SLA is looked up with the partner tier, and kept for a case already taken in', () => {
    expect(decideCaseIntake(input({ partner: null })).record.slaDueAt).toBe(OPENED + 2 * 3_600_000);
    const again = decideCaseIntake(input({ existing: stored({ slaDueAt: DUE }), linked: true }));
    expect(again.record.slaDueAt).toBe(DUE);
  });

  it('a partner without a mapping is held when mappings are required, with the reason', () => {
    const d = decideCaseIntake(
      input({ config: config({ requireMapping: true, partners: {} }), documents: [doc('D1')] }),
    );
    expect(d.jobs).toEqual([]);
    expect(d.record.state).toBe('needs_mapping');
    expect(d.record.holdReason).toBe(
      'partner P1 (Acme Inc) has no mapping: add it under partners.map in the config; held cases are taken up again when the bridge starts',
    );
    const anon = decideCaseIntake(input({ config: config({ requireMapping: true, partners: {} }), partner: null }));
    expect(anon.record.holdReason).toMatch(/^partner P1 has no mapping: /);
  });

  it('required mappings do not hold a mapped partner, nor a case already linked to a task', () => {
    expect(decideCaseIntake(input({ config: config({ requireMapping: true }) })).record.state).toBe('active');
    const linked = decideCaseIntake(
      input({ config: config({ requireMapping: true, partners: {} }), linked: true, documents: [doc('D1')] }),
    );
    expect(linked.record.state).toBe('active');
    // Linked already: no new task, but the partner's documents still go up.
    expect(linked.jobs.map((j) => j.kind)).toEqual(['clickup.upload_document']);
  });

  it('a case read again keeps its partner status, resolution, closed state, and unlinked hold', () => {
    const prev = stored({
      partnerStatus: 'in_review',
      state: 'closed',
      resolvedAt: NOW,
      holdReason: 'left unlinked',
      unlinked: { taskId: 'T0', at: NOW },
    });
    const d = decideCaseIntake(input({ incoming: incoming({ status: 'escalated' }), existing: prev }));
    expect(d.record).toMatchObject({
      partnerStatus: 'in_review',
      state: 'closed',
      resolvedAt: NOW,
      holdReason: 'left unlinked',
      unlinked: { taskId: 'T0', at: NOW },
    });
    // Its task was deleted and left so: no new task.
    expect(d.jobs).toEqual([]);
  });

  it('a needs_mapping case taken up again becomes active and drops its hold reason', () => {
    const prev = stored({ state: 'needs_mapping', holdReason: 'no mapping' });
    const d = decideCaseIntake(input({ existing: prev }));
    expect(d.record.state).toBe('active');
    expect(d.record.holdReason).toBeNull();
    expect('unlinked' in d.record).toBe(false);
    expect('replacesTask' in d.record).toBe(false);
  });

  it('a task to recreate after a deletion gets a new key and names the task it replaces', () => {
    const d = decideCaseIntake(input({ existing: stored({ replacesTask: 'T-old' }) }));
    expect(d.record.replacesTask).toBe('T-old');
    expect(d.jobs[0]).toMatchObject({
      key: 'cu.create_task:C1:replaces:T-old',
      payload: { kind: 'clickup.create_task', replaces: 'T-old', listId: 'L-acme' },
    });
    expect('replaces' in decideCaseIntake(input()).jobs[0]!.payload).toBe(false);
  });

  it('the task links to the case page only for community cases', () => {
    const cfg = config({ caseUrl: (id) => `https://tg.example/c/${id}` });
    const task = (src: IncomingCase['source']) =>
      (
        decideCaseIntake(input({ config: cfg, incoming: incoming({ source: src }) })).jobs[0]!.payload as {
          task: { markdown: string };
        }
      ).task.markdown;
    expect(task('community')).toContain('| Trading Grid case | [C1](https://tg.example/c/C1) |');
    expect(task('mailbox')).toContain('| Trading Grid case | C1 |');
  });
});
