/**
 * What a delivery status notification means for the partner e-mail we sent: the pure decision, tested as a
 * table (decideBounce.test.ts). The caller reads the report (src/connectors/email/deliveryReport.ts) and the
 * message it names, and carries the decision out (bounces.ts).
 *
 * Matching: the report names our message by the ENVID we sent it with (Original-Envelope-Id, RFC 3461) or,
 * when the MTA kept no ENVID, by the Message-ID of the headers it returned. Both are the message's
 * deterministic Message-ID (the same on every attempt). No VERP return path: it would need a catch-all
 * mailbox per deployment, and the Message-ID is already unique per message.
 */

export interface ReportFacts {
  envelopeId: string | null;
  originalMessageId: string | null;
  recipients: ReadonlyArray<{ finalRecipient: string; action: string; status: string; diagnostic: string | null }>;
}

/** The message the report names, as stored (null when no message of ours has that id). */
export interface SentFacts {
  key: string;
  recipient: string;
  /** queued, sending, sent, failed, digested, bounced. */
  state: string;
}

export type BounceDecision =
  | { kind: 'record'; key: string; recipient: string; status: string; diagnostic: string | null }
  | { kind: 'ignore'; reason: string };

/** The id the report names our message by: the ENVID first (set by us), else the returned Message-ID. */
export function reportedMessageId(r: ReportFacts): string | null {
  return r.envelopeId ?? r.originalMessageId;
}

const norm = (a: string) => a.trim().replace(/^<|>$/g, '').toLowerCase();

export function decideBounce(r: ReportFacts, sent: SentFacts | null): BounceDecision {
  if (!reportedMessageId(r)) return { kind: 'ignore', reason: 'the report names no message (no ENVID, no headers)' };
  if (!sent) return { kind: 'ignore', reason: 'the report is about a message we did not send' };
  const failed = r.recipients.filter((x) => x.action === 'failed');
  if (failed.length === 0) {
    const actions = [...new Set(r.recipients.map((x) => x.action || 'none'))].join(', ');
    return { kind: 'ignore', reason: `nothing failed for good (action: ${actions})` };
  }
  const mine = failed.find((x) => norm(x.finalRecipient) === norm(sent.recipient));
  if (!mine)
    return { kind: 'ignore', reason: `the failed recipient is not ${sent.recipient}, whom the message went to` };
  // A 4.x.x status with action "failed" is an MTA giving up after retrying: the address did not take it either.
  if (sent.state === 'bounced') return { kind: 'ignore', reason: 'already recorded (the same report again)' };
  if (sent.state === 'queued' || sent.state === 'digested')
    return { kind: 'ignore', reason: `the message is ${sent.state}: it was never sent on its own` };
  return { kind: 'record', key: sent.key, recipient: sent.recipient, status: mine.status, diagnostic: mine.diagnostic };
}
