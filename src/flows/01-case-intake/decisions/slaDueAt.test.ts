import { describe, expect, it } from 'vitest';
import { decideSlaDueAt } from './caseIntake.ts';

const HOUR = 3_600_000;
const OPENED = Date.UTC(2026, 11, 1, 9);
/** A policy lookup by kind (and exception), as the SLA config would answer: hours from the opening instant. */
const HOURS: Record<string, number> = { dispute: 72, shipment_exception: 24, 'edi_exception:fa_overdue': 4 };
const dueAt = (s: { kind: string; exception: string | null; openedAt: number }) =>
  s.openedAt + (HOURS[`${s.kind}:${s.exception}`] ?? HOURS[s.kind] ?? 48) * HOUR;

const existing = (o: Partial<Parameters<typeof decideSlaDueAt>[1] & object> = {}) => ({
  kind: 'dispute',
  exception: undefined as string | undefined,
  slaDueAt: OPENED + 72 * HOUR,
  resolvedAt: null as number | null,
  state: 'active' as const,
  openedAt: OPENED,
  ...o,
});
// The partner's edit arrives two days after the case was opened: the new due date still counts from the opening.
const incoming = (kind: string, exception?: string) => ({ kind, exception, openedAt: OPENED + 48 * HOUR });

describe('the SLA due date the intake decides', () => {
  it.each([
    ['a new case: its policy from its opening', null, incoming('dispute'), OPENED + 48 * HOUR + 72 * HOUR],
    [
      "a new EDI case: its exception's policy",
      null,
      incoming('edi_exception', 'fa_overdue'),
      OPENED + 48 * HOUR + 4 * HOUR,
    ],
    [
      'an exception dropped for one without a policy of its own: the kind policy, from the original opening',
      existing({ kind: 'edi_exception', exception: 'fa_overdue', slaDueAt: OPENED + 4 * HOUR }),
      incoming('edi_exception', 'asn_missing'),
      OPENED + 48 * HOUR,
    ],
    ['the same kind again: kept', existing(), incoming('dispute'), OPENED + 72 * HOUR],
    [
      'the same kind, a due date moved by a pause: kept',
      existing({ slaDueAt: OPENED + 80 * HOUR }),
      incoming('dispute'),
      OPENED + 80 * HOUR,
    ],
    [
      'a new kind: its policy, from the original opening',
      existing(),
      incoming('shipment_exception'),
      OPENED + 24 * HOUR,
    ],
    [
      'a new exception: its policy, from the original opening',
      existing({ kind: 'edi_exception', exception: 'fa_rejected', slaDueAt: OPENED + 48 * HOUR }),
      incoming('edi_exception', 'fa_overdue'),
      OPENED + 4 * HOUR,
    ],
    [
      'a new kind with the same target: the moved date is kept',
      existing({ kind: 'document_mismatch', slaDueAt: OPENED + 50 * HOUR }),
      incoming('compliance_issue'),
      OPENED + 50 * HOUR,
    ],
    [
      'a resolved case: kept',
      existing({ resolvedAt: OPENED + HOUR }),
      incoming('shipment_exception'),
      OPENED + 72 * HOUR,
    ],
    ['a closed case: kept', existing({ state: 'closed' }), incoming('shipment_exception'), OPENED + 72 * HOUR],
    [
      'a case taken in without a due date: its policy',
      existing({ slaDueAt: null }),
      incoming('shipment_exception'),
      OPENED + 48 * HOUR + 24 * HOUR,
    ],
  ] as const)('%s', (_name, before, i, expected) => {
    expect(decideSlaDueAt(i, before as Parameters<typeof decideSlaDueAt>[1], 'standard', dueAt)).toBe(expected);
  });

  it('asks the policy with the same tier for the old and the new kind', () => {
    const tiers: Array<string | null> = [];
    decideSlaDueAt(incoming('shipment_exception'), existing(), 'strategic', (s) => {
      tiers.push((s as { tier: string | null }).tier);
      return dueAt(s);
    });
    expect(tiers).toEqual(['strategic', 'strategic']);
  });
});
