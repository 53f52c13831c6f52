import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { CaseRecord, PartnerStatus } from '../../core/case.ts';
import { listEdiOutboundFiles } from '../../store/ops/ediOutbound.ts';
import {
  ediTargetFor,
  messageIdOf,
  queueEdiFile,
  x12SyntaxOf,
  type EdiDocument,
  type EdiTarget,
  type QueuedEdiFile,
} from '../../channels/edi-partner/outbox.ts';
import { edifactStatusAdvice, x12StatusAdvice } from '../../connectors/tradinggrid/edi/partnerDocuments.ts';
import { decideEdiStatus, type EdiStatusPlan } from './decisions/ediStatus.ts';
import { partnerChannelConfigured } from '../../channels/partner-email/route.ts';

const STATUS_SETS: ReadonlySet<string> = new Set(['824', '864', 'APERAK']);

export interface EdiStatusAdvice {
  plan: EdiStatusPlan;
  /** Queues the advice in the job's transaction (numbered there); null when the plan sends nothing. */
  queue: ((trx: Transaction<Database>) => Promise<QueuedEdiFile>) | null;
  target: EdiTarget | null;
}

/**
 * A case status as EDI (flow 2 over EDI): an 824 or 864 (X12) or an APERAK (EDIFACT) to the partner's address
 * the case came from, when its `send.status` names one (decided by `decideEdiStatus`), referencing the partner
 * document the case is about (its set, group and transaction control numbers, business number). The file is
 * written and numbered when `queue` runs inside the job's commit, then delivered by `edi.send_file`.
 */
export async function ediStatusAdvice(
  ctx: SyncContext,
  rec: CaseRecord,
  status: PartnerStatus,
  note: string,
  route: { edi: boolean },
  jobKey: string,
): Promise<EdiStatusAdvice> {
  const found = ediTargetFor(ctx, rec.partnerId, rec.transactionRef?.address ?? null);
  const earlier = found
    ? (await listEdiOutboundFiles(ctx.store.db, 'case', rec.id)).filter((f) => STATUS_SETS.has(f.set_id)).length
    : 0;
  const plan = decideEdiStatus({
    status,
    source: rec.source,
    send: found ? { standard: found.send.standard, status: found.send.status, test: found.send.test } : null,
    channelNamesEdi: partnerChannelConfigured(ctx) ? route.edi : null,
    earlier,
  });
  if (!plan.send || !found) return { plan, queue: null, target: found };
  const target: EdiTarget = { ...found, send: { ...found.send, test: plan.test } };
  const ref = rec.transactionRef;
  const facts = {
    caseId: rec.id,
    codes: plan.codes,
    note,
    about: ref
      ? {
          setId: ref.setId ?? null,
          business: ref.business?.value ?? null,
          businessType: ref.business?.type ?? null,
          group: ref.group ?? null,
          transaction: ref.transaction ?? null,
        }
      : null,
    at: new Date(ctx.now()),
  };
  const document: EdiDocument =
    plan.document === 'APERAK'
      ? { standard: 'edifact', message: edifactStatusAdvice(facts, messageIdOf(target.send)) }
      : {
          standard: 'x12',
          functionalId: plan.functionalId!,
          transaction: x12StatusAdvice(
            plan.document,
            facts,
            x12SyntaxOf(target.send, ctx.config.mailbox?.x12_encoding ?? 'utf8'),
          ),
        };
  return {
    plan,
    target,
    queue: (trx) =>
      queueEdiFile(ctx, trx, { key: `edi.status:${jobKey}`, target, entity: 'case', entityId: rec.id, document }),
  };
}
