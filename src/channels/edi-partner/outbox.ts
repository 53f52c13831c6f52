import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { PartnerSendConfig } from '../../config/mailboxSchema.ts';
import { allocateControlNumbers, getEdiOutboundFile, insertEdiOutboundFile } from '../../store/ops/ediOutbound.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { newJob } from '../../flows/catalogue.ts';
import {
  EDIFACT_DEFAULTS,
  writeEdifact,
  writeX12,
  X12_DEFAULTS,
  type EdiSegmentSpec,
  type EdifactMessage,
  type EdifactSyntax,
  type X12Syntax,
  type X12Transaction,
} from '../../connectors/tradinggrid/edi/writeEdi.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A partner we write EDI to: its address and how (mailbox.partners.<address>.send). */
export interface EdiTarget {
  partnerId: string;
  /** The partner's EDI address, qualifier:id. */
  address: string;
  /** Ours, qualifier:id. */
  ourId: string;
  send: PartnerSendConfig;
}

const party = (address: string) => {
  const i = address.indexOf(':');
  return { qualifier: address.slice(0, i), id: address.slice(i + 1) };
};

/**
 * The EDI address a Trading Grid partner is written to: the mailbox partner entry with its id and a `send`
 * section (the first such entry, in config order); null when the partner takes no EDI from us.
 */
export function ediTargetFor(ctx: SyncContext, partnerId: string, address?: string | null): EdiTarget | null {
  const cfg = ctx.config.mailbox;
  if (!cfg) return null;
  const entries = Object.entries(cfg.partners).filter(([, p]) => p.partner_id === partnerId && p.send);
  const hit = (address ? entries.find(([a]) => a === address) : undefined) ?? entries[0];
  if (!hit) return null;
  const send = hit[1].send!;
  return { partnerId, address: hit[0], ourId: send.our_id ?? cfg.our_ids[0]!, send };
}

export function x12SyntaxOf(s: PartnerSendConfig, encoding: 'utf8' | 'latin1'): X12Syntax {
  const x = s.x12;
  return {
    ...X12_DEFAULTS,
    element: x.element,
    component: x.component,
    segment: x.segment,
    repetition: x.repetition ?? null,
    interchangeVersion: x.interchange_version,
    groupVersion: x.group_version,
    encoding,
    suffix: x.newline ? '\n' : '',
  };
}

export function edifactSyntaxOf(s: PartnerSendConfig): EdifactSyntax {
  const e = s.edifact;
  return {
    ...EDIFACT_DEFAULTS,
    element: e.element,
    component: e.component,
    release: e.release,
    segment: e.segment,
    decimal: e.decimal,
    syntaxId: e.syntax_id,
    syntaxVersion: e.syntax_version,
    una: e.una,
    suffix: e.newline ? '\n' : '',
  };
}

/** UNH S009 after the type, from the partner's config. */
export function messageIdOf(
  s: PartnerSendConfig,
): Pick<EdifactMessage, 'version' | 'release' | 'agency' | 'association'> {
  const e = s.edifact;
  return {
    version: e.message_version,
    release: e.message_release,
    agency: e.agency,
    ...(e.association ? { association: e.association } : {}),
  };
}

/**
 * One business document for a partner, in its standard; or an interchange of acknowledgements (X12: a TA1 before
 * the group and/or one 997 / 999 per group acknowledged). `syntax` overrides the partner's for this file (a 999's
 * version, a CONTRL in the syntax version of the interchange it answers); `test` marks the interchange test
 * (default: the partner's `send.test`).
 */
export type EdiDocument = (
  | { standard: 'x12'; functionalId: string; transaction: X12Transaction; syntax?: Partial<X12Syntax> }
  | {
      standard: 'x12';
      functionalId: string;
      transactions: X12Transaction[];
      interchangeSegments?: EdiSegmentSpec[];
      syntax?: Partial<X12Syntax>;
    }
  | { standard: 'edifact'; message: EdifactMessage; syntax?: Partial<EdifactSyntax> }
) & { test?: boolean };

export interface QueuedEdiFile {
  key: string;
  name: string;
  interchange: string;
  queued: boolean;
}

/**
 * Queues one EDI document for a partner inside the caller's transaction: control numbers allocated in the store
 * (the same transaction), the interchange written once with them and kept, and an `edi.send_file` job to deliver
 * it. The same key queued again is a no-op (the first file stands), so a handler that runs twice sends once.
 */
export async function queueEdiFile(
  ctx: SyncContext,
  trx: Db,
  m: { key: string; target: EdiTarget; entity: string; entityId: string; document: EdiDocument },
): Promise<QueuedEdiFile> {
  const existing = await getEdiOutboundFile(trx, m.key);
  if (existing) return { key: m.key, name: existing.name, interchange: existing.interchange, queued: false };
  const now = ctx.now();
  const t = m.target;
  const doc = m.document;
  // One counter per standard and sender (not per partner): what we sent is recorded, and acknowledgements are
  // matched, by our address and the control numbers, so two partners must never get the same ones. The counter
  // continues after the per-partner counters it replaced.
  const scope = `${doc.standard}|${t.ourId}`;
  const after = { continueAfter: `${doc.standard}|${t.ourId}|%` };
  const ic = await allocateControlNumbers(trx, scope, 'interchange', 1, now, after);
  const txs = doc.standard === 'x12' ? ('transactions' in doc ? doc.transactions : [doc.transaction]) : [doc.message];
  const tx = txs.length > 0 ? await allocateControlNumbers(trx, scope, 'transaction', txs.length, now, after) : 0;
  const numbers = txs.map((_, i) => tx + i);
  const at = new Date(now);
  const test = doc.test ?? t.send.test;
  let content: Buffer;
  let setId: string;
  let interchange: string;
  if (doc.standard === 'x12') {
    const x12Txs = 'transactions' in doc ? doc.transactions : [doc.transaction];
    const group = x12Txs.length > 0 ? await allocateControlNumbers(trx, scope, 'group', 1, now, after) : 0;
    const segments = 'transactions' in doc ? (doc.interchangeSegments ?? []) : [];
    content = writeX12({
      syntax: { ...x12SyntaxOf(t.send, ctx.config.mailbox?.x12_encoding ?? 'utf8'), ...doc.syntax },
      sender: party(t.ourId),
      receiver: party(t.address),
      functionalId: doc.functionalId,
      controls: { interchange: ic, group, transactions: numbers },
      test,
      at,
      ...(segments.length > 0 ? { interchangeSegments: segments } : {}),
      transactions: x12Txs,
    });
    setId = x12Txs[0]?.setId ?? String(segments[0]?.[0] ?? 'TA1');
    interchange = String(ic).padStart(9, '0');
  } else {
    content = writeEdifact({
      syntax: { ...edifactSyntaxOf(t.send), ...doc.syntax },
      sender: party(t.ourId),
      receiver: party(t.address),
      controls: { interchange: ic, group: 1, transactions: numbers },
      test,
      at,
      messages: [doc.message],
    });
    setId = doc.message.type;
    interchange = String(ic);
  }
  const safe = t.address.replace(/[^A-Za-z0-9._-]/g, '_');
  const name = `gridbridge-${setId}-${safe}-${interchange}.${doc.standard === 'x12' ? 'x12' : 'edi'}`;
  await insertEdiOutboundFile(trx, {
    key: m.key,
    partner_id: t.partnerId,
    partner_address: t.address,
    standard: doc.standard,
    set_id: setId,
    interchange,
    name,
    content,
    entity: m.entity,
    entity_id: m.entityId,
    state: 'queued',
    attempts: 0,
    error: null,
    created_at: now,
    sent_at: null,
  });
  await appendAudit(
    trx,
    {
      actor: 'gridbridge',
      entity: m.entity,
      entityId: m.entityId,
      action: 'edi_queued',
      after: { key: m.key, set: setId, interchange, name, partner: t.address },
    },
    now,
  );
  await enqueueJobs(
    trx,
    [newJob('edi.send_file', { key: m.key }, { key: `edi.send_file:${m.key}`, queueKey: `edi-out:${t.address}` })],
    now,
    ctx.config.dispatcher.max_attempts,
  );
  return { key: m.key, name, interchange, queued: true };
}
