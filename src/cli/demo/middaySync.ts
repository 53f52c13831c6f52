import type { ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getLink } from '../../store/ops/links.ts';
import { listAudit } from '../../store/ops/audit.ts';
import type { DemoCase } from './partnerDay.ts';

/**
 * Flows 2 and 3 of the scripted day: the team works the dispute in ClickUp (status, a comment for the
 * partner, a corrected file) and the partner answers on Trading Grid (a comment and a proof of delivery).
 * Returns the lines of the summary, read back from both sandboxes.
 */
export async function playMiddaySync(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  bridge: Bridge,
  cases: DemoCase[],
  quiet: () => Promise<void>,
): Promise<string[]> {
  const dispute = cases.find((c) => c.label === 'dispute');
  const shipment = cases.find((c) => c.label === 'shipment exception');
  if (!dispute || !shipment) return [];
  const disputeTask = (await getLink(bridge.store.db, 'case', dispute.id))?.cuTaskId;
  const shipmentTask = (await getLink(bridge.store.db, 'case', shipment.id))?.cuTaskId;
  if (!disputeTask || !shipmentTask) return [];
  const setCalls0 = tg.stats().requests['POST /cases/{id}/status'] ?? 0;

  cu.moveStatus(disputeTask, 'in review');
  cu.postComment(disputeTask, '@partner We are checking the carton count with the warehouse.');
  cu.postComment(disputeTask, 'Internal: warehouse says 92 cartons scanned.');
  cu.attachFile(disputeTask, {
    filename: 'credit-note-draft.pdf',
    contentType: 'application/pdf',
    data: Buffer.from('%PDF-1.4\n% credit note draft\n%%EOF\n'),
  });
  cu.attachFile(disputeTask, {
    filename: 'partner-credit-note.pdf',
    contentType: 'application/pdf',
    data: Buffer.from('%PDF-1.4\n% credit note, signed\n%%EOF\n'),
  });
  cu.moveStatus(shipmentTask, 'awaiting documents');
  await quiet();
  await tg.addCaseComment(shipment.id, { body: 'Customs release attached.', author: 'Lee (Globex)' });
  await tg.uploadDocument(shipment.id, {
    name: 'customs-release.pdf',
    kind: 'certificate',
    contentType: 'application/pdf',
    content: Buffer.from('%PDF-1.4\n% customs release\n%%EOF\n'),
  });
  await quiet();

  const s = tg.state();
  const partnerComments = (s.comments.get(dispute.id) ?? []).filter((c) => c.side === 'internal');
  const corrected = [...s.documents.values()].filter(
    (d) => d.meta.case_id === dispute.id && d.meta.uploaded_by === 'internal',
  );
  const shipmentTaskNow = cu.tasks().find((t) => t.id === shipmentTask) as
    { attachments?: Array<{ title: string }> } | undefined;
  const statusCalls = (tg.stats().requests['POST /cases/{id}/status'] ?? 0) - setCalls0;
  // What the sharing rules let through, and what they kept internal, as audited.
  const audit = (await listAudit(bridge.store.db, 'case', dispute.id)).map((a) => ({
    action: a.action,
    after: JSON.parse(a.after ?? '{}') as Record<string, string>,
  }));
  const sent = audit
    .filter((a) => a.action === 'comment_to_partner' || a.action === 'document_to_partner')
    .map((a) => `${a.action === 'comment_to_partner' ? 'a comment' : `file ${a.after.name}`} (${a.after.rule})`);
  const kept = audit
    .filter((a) => a.action === 'kept_internal')
    .map((a) => (a.after.what === 'file' ? `file ${a.after.name}` : `a ${a.after.what}`));
  return [
    '',
    'Midday: the team works the cases in ClickUp, partners answer (flows 2 and 3)…',
    `  ${dispute.id}: partner now sees "${s.cases.get(dispute.id)?.status}"; ${partnerComments.length} comment sent to the partner (the internal note stayed internal); ${corrected.map((d) => `${d.meta.name} (${d.meta.kind})`).join(', ') || 'no file'} sent (the draft stayed internal)`,
    `  ${shipment.id}: partner sees "${s.cases.get(shipment.id)?.status}"; their comment and ${shipmentTaskNow?.attachments?.some((a) => a.title.includes('customs-release.pdf')) ? 'customs-release.pdf are' : 'comment is'} on the ClickUp task`,
    `  sharing rules: sent to the partner ${sent.join(', ') || 'nothing'}; kept internal ${kept.join(', ') || 'nothing'}`,
    `  Trading Grid status calls: ${statusCalls} for 2 status changes (echoes cost none)`,
  ];
}
