import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../store/schema.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import {
  findPartnerMessageByMessageId,
  listMessagesOfDigest,
  markPartnerMessagesBounced,
} from '../../store/ops/partnerMessages.ts';
import { readDeliveryReport } from '../../connectors/email/deliveryReport.ts';
import { decideBounce, type BounceDecision } from './decideBounce.ts';

/** What this process made of the reports it took (the /metrics counter). */
export interface BounceCounts {
  recorded: number;
  ignored: number;
}

/**
 * Takes delivery status notifications about partner e-mail (from the bounce listener): reads each with
 * mailparser, finds the message it names, decides (decideBounce.ts) and records a bounce: the message (and,
 * for a digest, every message in it) becomes `bounced`, and each one's item gets an `email_bounced` audit
 * entry, shown on its timeline as a failed "sent to partner". Nothing is sent in answer (no loop), and the
 * address is not mailed again by itself (sendHandlers.ts withholds mail to a bounced address).
 */
export class BounceRecorder {
  readonly counts: BounceCounts = { recorded: 0, ignored: 0 };

  constructor(private readonly o: { db: Kysely<Database>; now: () => number; logger?: Logger }) {}

  async take(raw: Buffer | string): Promise<BounceDecision> {
    const d = await this.decide(raw);
    if (d.kind === 'ignore') {
      this.counts.ignored++;
      this.o.logger?.info({ reason: d.reason }, 'delivery report ignored');
    } else {
      this.counts.recorded++;
      this.o.logger?.warn({ to: d.recipient, status: d.status }, 'partner e-mail bounced');
    }
    return d;
  }

  private async decide(raw: Buffer | string): Promise<BounceDecision> {
    const report = await readDeliveryReport(raw);
    if (!report) return { kind: 'ignore', reason: 'not a delivery status notification' };
    const db = this.o.db;
    // The ENVID is ours when the MTA kept it; the returned headers are the fallback (both are our Message-ID).
    let row = report.envelopeId ? await findPartnerMessageByMessageId(db, report.envelopeId) : undefined;
    if (!row && report.originalMessageId) row = await findPartnerMessageByMessageId(db, report.originalMessageId);
    const d = decideBounce(report, row ? { key: row.key, recipient: row.recipient, state: row.state } : null);
    if (d.kind === 'ignore' || !row) return d;
    const sent = row;
    const answer = `bounced: ${d.status}${d.diagnostic ? ` ${d.diagnostic}` : ''}${report.reportingMta ? ` (reported by ${report.reportingMta})` : ''}`;
    await db.transaction().execute(async (trx) => {
      const members = sent.kind === 'digest' ? await listMessagesOfDigest(trx, sent.key) : [];
      await markPartnerMessagesBounced(trx, [sent.key, ...members.map((m) => m.key)], answer);
      const now = this.o.now();
      // The digest row is about the contact, not an item: its members' items are where the failure shows.
      for (const m of sent.kind === 'digest' ? members : [sent]) {
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: m.entity,
            entityId: m.entity_id,
            action: 'email_bounced',
            after: {
              channel: 'email',
              kind: m.kind,
              to: d.recipient,
              messageId: sent.message_id,
              status: d.status,
              diagnostic: d.diagnostic,
              reportedBy: report.reportingMta,
              ...(sent.kind === 'digest' ? { digest: true } : {}),
            },
          },
          now,
        );
      }
    });
    return d;
  }
}
