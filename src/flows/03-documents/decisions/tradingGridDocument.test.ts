import { describe, expect, it } from 'vitest';
import { decideTradingGridDocument, type TradingGridDocumentAction } from './tradingGridDocument.ts';

describe('decideTradingGridDocument: what a document Trading Grid reports leads to', () => {
  it.each<[string, string | undefined, { cu_attachment_id: string | null } | null, TradingGridDocumentAction]>([
    ['ours, unknown', 'internal', null, 'ours'],
    ['ours, known and attached', 'internal', { cu_attachment_id: 'A1' }, 'ours'],
    ['ours, known, not attached', 'internal', { cu_attachment_id: null }, 'ours'],
    ['a partner file already attached', 'partner', { cu_attachment_id: 'A1' }, 'already_attached'],
    ['a partner file known, not attached yet', 'partner', { cu_attachment_id: null }, 'attach'],
    ['a partner file known with an empty attachment id', 'partner', { cu_attachment_id: '' }, 'attach'],
    ['a partner file not known (or no hash reported)', 'partner', null, 'attach'],
    ['no uploader said, not known', undefined, null, 'attach'],
    ['no uploader said, already attached', undefined, { cu_attachment_id: 'A2' }, 'already_attached'],
    ['an uploader named otherwise', 'Internal', null, 'attach'],
  ])('%s', (_n, uploadedBy, known, want) => {
    expect(decideTradingGridDocument(uploadedBy, known)).toBe(want);
  });
});
