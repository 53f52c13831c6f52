import { simpleParser } from 'mailparser';

/** One recipient's block of a delivery status notification (RFC 3464 §2.3). */
export interface DeliveryReportRecipient {
  /** The address the report is about, without its type ("rfc822;"), lower-cased. */
  finalRecipient: string;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** The enhanced status code (RFC 3463), e.g. 5.1.1. */
  status: string;
  /** What the remote server said, if the report carries it. */
  diagnostic: string | null;
}

/** A delivery status notification (multipart/report; report-type=delivery-status), as far as we match it. */
export interface DeliveryReport {
  /** Original-Envelope-Id: the ENVID we gave the message when sending (RFC 3461), if the MTA kept it. */
  envelopeId: string | null;
  /** The Message-ID of the returned message's headers (text/rfc822-headers or message/rfc822), if returned. */
  originalMessageId: string | null;
  reportingMta: string | null;
  recipients: DeliveryReportRecipient[];
}

/** The value after the "type;" of a typed field ("rfc822; a@b" → "a@b", "smtp; 550 …" → "550 …"). */
const untyped = (v: string | undefined): string | null => {
  if (v === undefined) return null;
  const i = v.indexOf(';');
  return (i >= 0 ? v.slice(i + 1) : v).replace(/\s+/g, ' ').trim() || null;
};

/** The fields of one block of a message/delivery-status body, read by mailparser as a header block. */
async function fieldsOf(block: string): Promise<Map<string, string>> {
  const parsed = await simpleParser(`${block.trim()}\r\n\r\n`);
  const out = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    // headerLines keep the raw (unfolded by the parser) line "Name: value"; the structured `headers` map
    // would turn unknown fields into objects.
    out.set(
      key,
      line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
  }
  return out;
}

/**
 * Reads a delivery status notification with mailparser (keepDeliveryStatus keeps the report part apart), and
 * its field blocks with mailparser's header parser (folding, case). Null when the message is not one: a reply,
 * an out-of-office, spam, a multipart/report of another type (a disposition notification).
 */
export async function readDeliveryReport(raw: Buffer | string): Promise<DeliveryReport | null> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true });
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (ct?.value?.toLowerCase() !== 'multipart/report') return null;
  if (ct.params?.['report-type']?.toLowerCase() !== 'delivery-status') return null;
  const status = mail.attachments.find((a) =>
    ['message/delivery-status', 'message/global-delivery-status'].includes(a.contentType.toLowerCase()),
  );
  if (!status) return null;
  const blocks = status.content
    .toString('utf8')
    .split(/\r?\n[ \t]*\r?\n/)
    .filter((b) => b.trim() !== '');
  const [perMessage, ...perRecipient] = await Promise.all(blocks.map(fieldsOf));
  if (!perMessage) return null;
  const recipients: DeliveryReportRecipient[] = [];
  for (const f of perRecipient) {
    const finalRecipient = untyped(f.get('final-recipient') ?? f.get('original-recipient'));
    if (!finalRecipient) continue;
    recipients.push({
      finalRecipient: finalRecipient.replace(/^<|>$/g, '').toLowerCase(),
      action: (f.get('action') ?? '').toLowerCase(),
      status: (f.get('status') ?? '').split(/\s/)[0] ?? '',
      diagnostic: untyped(f.get('diagnostic-code')),
    });
  }
  const returned = mail.attachments.find((a) =>
    ['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers'].includes(
      a.contentType.toLowerCase(),
    ),
  );
  const original = returned ? await simpleParser(returned.content) : null;
  return {
    envelopeId: perMessage.get('original-envelope-id')?.trim() || null,
    originalMessageId: original?.messageId ?? null,
    reportingMta: untyped(perMessage.get('reporting-mta')),
    recipients,
  };
}
