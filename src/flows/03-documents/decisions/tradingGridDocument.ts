/**
 * What a document Trading Grid reports (`document.added`) leads to, decided purely:
 * - `ours`: uploaded from our side (`uploaded_by: internal`), i.e. a file the bridge sent from ClickUp: nothing to do;
 * - `already_attached`: the same bytes (same case, same sha256) are already attached to the case's task: nothing to do;
 * - `attach`: a partner's file not yet on the task: one `clickup.upload_document` job (keyed, so at most once).
 * `known` is the case's document with the reported sha256, null when none is known or no hash was reported.
 */
export type TradingGridDocumentAction = 'ours' | 'already_attached' | 'attach';

export function decideTradingGridDocument(
  uploadedBy: string | undefined,
  known: { cu_attachment_id: string | null } | null,
): TradingGridDocumentAction {
  if (uploadedBy === 'internal') return 'ours';
  if (known?.cu_attachment_id) return 'already_attached';
  return 'attach';
}
