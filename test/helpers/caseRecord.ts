import type { CaseRecord } from '../../src/core/case.ts';

/** The instant the store tests' cases open at unless they say otherwise. */
export const CASE_T = 1_700_000_000_000;

/**
 * An active community dispute of partner P-1, opened and updated at `CASE_T`, with `over` on top: the case the store
 * tests save and read back whole (each test names only what it is about).
 */
export function caseRecord(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id,
    source: 'community',
    partnerId: 'P-1',
    partnerName: 'One',
    partnerTier: 'standard',
    kind: 'dispute',
    exception: null,
    title: id,
    description: '',
    transactionRef: null,
    value: null,
    partnerStatus: 'received',
    state: 'active',
    holdReason: null,
    slaDueAt: null,
    openedAt: CASE_T,
    resolvedAt: null,
    updatedAt: CASE_T,
    ...over,
  };
}

/** Acme Retail's short-shipped pallet, the case of the parity tests. */
export function acmeCase(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return caseRecord(id, {
    partnerId: 'P-ACME',
    partnerName: 'Acme Retail',
    title: `Case ${id}`,
    description: 'short-shipped pallet',
    ...over,
  });
}
